"""The ``sessionclock-service`` command: migrate the database, then serve (or add a staff member).

Examples::

    sessionclock-service --host 127.0.0.1 --port 8765
    sessionclock-service --workers 4
    sessionclock-service create-staff admin@example.com   # asks for the password
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys

import uvicorn

from sessionclock_service.api.schemas import SignUpIn
from sessionclock_service.app import build_services
from sessionclock_service.db.migrate import upgrade
from sessionclock_service.settings import SettingsError, get_settings
from sessionclock_service.usecases.staff import create_staff


class AccessLogRedactor(logging.Filter):
    """Drop query strings from access-log lines (search text, anything a link carried)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the path argument of uvicorn's access record without its query."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sessionclock-service",
        description="Session Clock's account service. The database address comes from "
        "SESSIONCLOCK_DATABASE_URL (a SQLite file by default).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    sub = parser.add_subparsers(dest="command")
    staff = sub.add_parser("create-staff", help="add a staff account for the admin area")
    staff.add_argument("email")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"sessionclock-service: refusing to start: {exc}", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    if args.command == "create-staff":
        password = os.environ.get("SESSIONCLOCK_STAFF_PASSWORD") or getpass.getpass(
            "Password for the staff account: "
        )
        if len(password) < settings.min_password_length:
            print("sessionclock-service: the password is too short", file=sys.stderr)
            return 2
        email = SignUpIn(email=args.email, password=password).email
        services = build_services(settings)
        try:
            create_staff(services, email=email, password=password)
        finally:
            services.db.dispose()
        print(f"Staff account {email} created.")
        return 0
    logging.getLogger("uvicorn.access").addFilter(AccessLogRedactor())
    uvicorn.run(
        "sessionclock_service.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,
        server_header=False,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
