"""A throwaway PostgreSQL cluster for the service's tests and benchmarks (initdb and pg_ctl)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temp dir, listening on a unix socket only.

    initdb refuses to run as root, so as root the binaries run as the ``postgres`` system
    user (created by the Debian package) through ``runuser``, in a directory chowned to it.

    Attributes:
        bindir: The folder of the PostgreSQL programs (initdb, pg_ctl, pg_dump, ...).
        root: The temporary folder holding the data directory, the socket and the log.
        datadir: The cluster's data directory.
        sockdir: Where the server's unix socket is.
    """

    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="sc-pg-"))
        self.datadir = self.root / "data"
        self.sockdir = self.root / "sock"
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [os.path.join(self.bindir, args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """Create the cluster and start the server."""
        self.sockdir.mkdir()
        if self._as_root:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sockdir, "postgres")
        self._run("initdb", "-D", str(self.datadir), "-A", "trust", "-U", "postgres", "--no-sync")
        options = (
            f"-k {self.sockdir} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def url(self, database: str = "postgres") -> str:
        """Return the SQLAlchemy URL of *database* on this cluster."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.sockdir}"

    def stop(self) -> None:
        """Stop the server and remove its files."""
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def postgres_bindir() -> str | None:
    """Return the newest installed PostgreSQL binary directory, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[PostgresCluster]:
    """Start a throwaway cluster for a test session and stop it afterwards.

    Without PostgreSQL installed the tests that need it are skipped, except in CI (``CI`` set),
    where that is a failure.
    """
    bindir = postgres_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries (/usr/lib/postgresql/*/bin) are missing in CI")
        pytest.skip("PostgreSQL is not installed here")
    cluster = PostgresCluster(bindir)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
