"""The ``sessionclock-service`` command: migrate the database, serve, or add a staff member.

Examples::

    sessionclock-service --host 127.0.0.1 --port 8765     # migrates, then serves
    sessionclock-service migrate                          # once per release, in production
    sessionclock-service --no-migrate --workers 4         # then on every host
    sessionclock-service create-staff admin@example.com   # asks for the password

Every failure is one line on standard error (never a traceback, which could carry a password
hash or a database address) and a non-zero exit status: 2 for what the operator must change,
1 for what went wrong on the way.
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import logging.config
import os
import sys
from typing import Any

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from sessionclock_service.app import build_services
from sessionclock_service.db.migrate import upgrade
from sessionclock_service.errors import ServiceError
from sessionclock_service.logs import LogFormat, logging_config
from sessionclock_service.security import normalise_email
from sessionclock_service.settings import Settings, SettingsError, env_name, get_settings
from sessionclock_service.usecases.staff import create_staff

PROG = "sessionclock-service"


class CommandError(Exception):
    """A refusal of the command line: its message is the one line shown.

    Attributes:
        status: The exit status.
    """

    def __init__(self, message: str, *, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def configure_logging(log_format: LogFormat) -> dict[str, Any]:
    """Configure this process's logging; return the configuration for uvicorn's workers too."""
    config = logging_config(log_format)
    logging.config.dictConfig(config)
    return config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Session Clock's account service. The database address comes from "
        "SESSIONCLOCK_DATABASE_URL (a SQLite file by default).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--no-migrate",
        action="store_true",
        help="do not bring the database to the latest schema first (run 'migrate' once instead)",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("migrate", help="bring the database to the latest schema, then exit")
    staff = sub.add_parser("create-staff", help="add a staff account for the admin area")
    staff.add_argument("email")
    return parser


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _migrate(settings: Settings) -> None:
    try:
        upgrade(settings.database_url)
    except (SQLAlchemyError, OSError) as exc:
        # The class only: the message could repeat the database address and its password.
        raise CommandError(
            f"the database cannot be migrated ({type(exc).__name__}); check "
            f"{env_name('database_url')}",
            status=1,
        ) from None


def _staff_email(address: str) -> str:
    try:
        return normalise_email(address)
    except ValueError:
        raise CommandError(f"{address!r} is not an e-mail address") from None


def _create_staff(settings: Settings, email: str) -> None:
    try:
        password = os.environ.get("SESSIONCLOCK_STAFF_PASSWORD") or getpass.getpass(
            "Password for the staff account: "
        )
    except (EOFError, KeyboardInterrupt):
        raise CommandError("no password given", status=1) from None
    if len(password) < settings.min_password_length:
        raise CommandError(
            f"the password must have at least {settings.min_password_length} characters"
        )
    services = build_services(settings)
    try:
        create_staff(services, email=email, password=password)
    except ServiceError as exc:
        raise CommandError(exc.detail, status=1) from None
    except SQLAlchemyError as exc:
        raise CommandError(
            f"the staff account could not be saved ({type(exc).__name__})", status=1
        ) from None
    finally:
        services.passwords.pool.shutdown()
        services.db.dispose()
    print(f"Staff account {email} created.")


def _serve(settings: Settings, args: argparse.Namespace, log_config: dict[str, Any]) -> None:
    if settings.placeholder_secrets and not _is_loopback(args.host):
        raise CommandError(
            f"refusing to listen on {args.host} with placeholder secrets: set "
            f"{env_name('secret_key')} and {env_name('password_pepper')}, or listen on 127.0.0.1"
        )
    uvicorn.run(
        "sessionclock_service.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # Believe X-Forwarded-For and -Proto from the configured proxies only.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        server_header=False,
        log_config=log_config,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        try:
            settings = get_settings()
        except SettingsError as exc:
            raise CommandError(f"refusing to start: {exc}") from None
        staff_email = _staff_email(args.email) if args.command == "create-staff" else ""
        log_config = configure_logging(settings.log_format)
        if args.command == "migrate" or not args.no_migrate:
            _migrate(settings)
        if args.command == "create-staff":
            _create_staff(settings, staff_email)
        elif args.command is None:
            _serve(settings, args, log_config)
    except CommandError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return exc.status
    return 0


if __name__ == "__main__":
    sys.exit(main())
