"""Back up and restore the account service's PostgreSQL database, and check a restore.

    .venv/bin/python scripts/service_backup.py backup  DATABASE_URL FILE
    .venv/bin/python scripts/service_backup.py restore DATABASE_URL FILE
    .venv/bin/python scripts/service_backup.py verify  DATABASE_URL FILE

``backup`` writes a ``pg_dump`` custom-format archive to FILE and, beside it, FILE.manifest.json:
the archive's SHA-256, the schema revision and each table's row count. ``restore`` creates the
database when it does not exist (it refuses one that has tables), restores the archive into it
in one transaction and then verifies it; ``verify`` compares a database with the manifest.
DATABASE_URL is the service's own (``postgresql+psycopg://...``, or ``postgresql://...``);
``pg_dump`` and ``pg_restore`` are found on PATH, or in ``--pg-bin DIR``.

docs/deploy.md says when to run it; tests/service/test_backup.py runs it against a real
cluster. Exit status: 0 done, 1 failed (one line on standard error).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from sessionclock_service.db.models import Base


class BackupError(Exception):
    """A step failed; the message is the one line shown."""


def _libpq_url(database_url: str) -> str:
    """Return *database_url* as libpq reads it (no SQLAlchemy driver name)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise BackupError("only PostgreSQL databases are backed up this way")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _engine_url(database_url: str) -> str:
    return (
        make_url(database_url)
        .set(drivername="postgresql+psycopg")
        .render_as_string(hide_password=False)
    )


def _tool(name: str, pg_bin: str | None) -> str:
    if pg_bin:
        return os.path.join(pg_bin, name)
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # The tool's last line says what went wrong; never the command (it holds the address).
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{os.path.basename(command[0])} failed: {last}")


def _snapshot(database_url: str) -> dict[str, Any]:
    """Return the schema revision and the row count of every table of the service."""
    engine = create_engine(_engine_url(database_url))
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            counts = {
                table.name: conn.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
                if table.name in present
            }
            revision = (
                conn.scalar(text("SELECT version_num FROM alembic_version"))
                if "alembic_version" in present
                else None
            )
    finally:
        engine.dispose()
    return {"revision": revision, "rows": counts}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".manifest.json")


def backup(database_url: str, archive: Path, *, pg_bin: str | None) -> dict[str, Any]:
    """Dump the database to *archive* and write its manifest; return the manifest."""
    before = _snapshot(database_url)
    _run(
        [
            _tool("pg_dump", pg_bin),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={archive}",
            f"--dbname={_libpq_url(database_url)}",
        ]
    )
    manifest = {"sha256": _sha256(archive), **before}
    _manifest_path(archive).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _ensure_empty_database(database_url: str) -> None:
    url = make_url(_engine_url(database_url))
    name = url.database
    if not name:
        raise BackupError("the database address names no database")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                quoted = conn.dialect.identifier_preparer.quote(name)
                conn.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        admin.dispose()
    target = create_engine(url)
    try:
        with target.connect() as conn:
            if inspect(conn).get_table_names():
                raise BackupError(f"the database {name!r} is not empty: restore into a new one")
    finally:
        target.dispose()


def verify(database_url: str, archive: Path) -> None:
    """Check that the database holds what the manifest of *archive* says."""
    manifest = json.loads(_manifest_path(archive).read_text(encoding="utf-8"))
    now = _snapshot(database_url)
    if now["revision"] != manifest["revision"]:
        raise BackupError(f"schema {now['revision']}, the backup has {manifest['revision']}")
    differing = sorted(
        name for name, count in manifest["rows"].items() if now["rows"].get(name) != count
    )
    if differing:
        raise BackupError(f"row counts differ from the backup in: {', '.join(differing)}")


def restore(database_url: str, archive: Path, *, pg_bin: str | None) -> None:
    """Restore *archive* into a new (or empty) database, then verify it."""
    manifest = json.loads(_manifest_path(archive).read_text(encoding="utf-8"))
    if _sha256(archive) != manifest["sha256"]:
        raise BackupError("the archive does not match its manifest (damaged or replaced)")
    _ensure_empty_database(database_url)
    _run(
        [
            _tool("pg_restore", pg_bin),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_libpq_url(database_url)}",
            str(archive),
        ]
    )
    verify(database_url, archive)


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="service_backup.py", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["backup", "restore", "verify"])
    parser.add_argument("database_url")
    parser.add_argument("file", type=Path)
    parser.add_argument("--pg-bin", help="folder of pg_dump and pg_restore")
    args = parser.parse_args(argv)
    try:
        if args.action == "backup":
            manifest = backup(args.database_url, args.file, pg_bin=args.pg_bin)
            rows = sum(manifest["rows"].values())
            print(f"Backed up {rows} rows at schema {manifest['revision']} to {args.file}")
        elif args.action == "restore":
            restore(args.database_url, args.file, pg_bin=args.pg_bin)
            print(f"Restored {args.file} and checked it against its manifest")
        else:
            verify(args.database_url, args.file)
            print("The database matches the backup's manifest")
    except (BackupError, SQLAlchemyError, OSError) as exc:
        message = str(exc) if isinstance(exc, BackupError) else type(exc).__name__
        print(f"service_backup.py: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
