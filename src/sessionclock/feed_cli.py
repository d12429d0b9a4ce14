"""``sessionclock-feed check``: read feeds on the app's own code path, for support and debugging.

Usage::

    sessionclock-feed check SOURCE... [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz ZONE] [--json]
                                      [--redact]

SOURCE is a file path or an https (or webcal) address; sources are read in order in one process.
Exit status: 0 when every source was read, 1 when one could not be read at all, 2 for a usage error.
Addresses are always shown masked; with ``--redact`` client names are shown as initials only, so
the output can be pasted into a support request. The HTTP libraries are only imported when an
address is checked: a local file is checked at once.
"""

from __future__ import annotations

import argparse
import sys
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, TextIO

from sessionclock.core.errors import SessionClockError
from sessionclock.core.feed import MAX_FEED_BYTES
from sessionclock.core.feed.importer import ImportResult, import_feed
from sessionclock.core.feed.names import initials
from sessionclock.core.feed.timezones import iana_name

if TYPE_CHECKING:
    import httpx

EXIT_OK = 0
EXIT_UNREADABLE = 1
EXIT_USAGE = 2
_ADDRESS_MARK = "://"
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, tzinfo=UTC)
_MSG_FILE_TOO_LARGE = "The file is larger than {limit} MB, so it was not read."


@dataclass(frozen=True, slots=True)
class SourceReport:
    """What one source gave: its result, or why it could not be read.

    Attributes:
        source: the path as given, or the address masked.
        result: the import result, when the source was read.
        error: the user-presentable reason it could not be read.
        redact: names are shown as initials only.
    """

    source: str
    result: ImportResult | None = field(default=None, repr=False)
    error: str | None = None
    redact: bool = False

    def name(self, name: str | None) -> str | None:
        """Return *name* as it may be shown (initials only when redacting)."""
        return initials(name) if self.redact and name is not None else name

    def to_json(self) -> dict[str, object]:
        """Return the JSON object documented for ``--json``."""
        result = self.result
        return {
            "source": self.source,
            "sessions": [
                {"name": self.name(s.name), "start": s.start.isoformat(), "end": s.end.isoformat()}
                for s in (result.sessions if result else ())
            ],
            "skipped": [
                {
                    "name": self.name(s.name),
                    "start": s.start.isoformat() if s.start else None,
                    "reason": s.reason.value,
                }
                for s in (result.skipped if result else ())
            ],
            "warnings": list(result.warnings) if result else [],
            "names_scrubbed": result.names_scrubbed if result else 0,
            "free_busy": result.free_busy if result else None,
            "error": self.error,
        }


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day in YYYY-MM-DD form: {text!r}") from None


def _parse_zone(text: str) -> tzinfo:
    name = iana_name(text.strip())
    if name is None:
        raise argparse.ArgumentTypeError(f"unknown time zone: {text!r} (use e.g. Europe/Berlin)")
    try:
        return UTC if name == "UTC" else zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone: {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sessionclock-feed",
        description="Check calendar feeds the way Session Clock reads them.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="read feeds and print their sessions, skipped events and warnings",
        description="Read each SOURCE (a file or an https address) in order and report on it.",
    )
    check.add_argument("sources", nargs="+", metavar="SOURCE", help="a file path or https address")
    check.add_argument(
        "--from", dest="first_day", type=_parse_day, metavar="YYYY-MM-DD",
        help="keep sessions starting on or after this day (in ZONE)",
    )  # fmt: skip
    check.add_argument(
        "--to", dest="last_day", type=_parse_day, metavar="YYYY-MM-DD",
        help="keep sessions starting on or before this day (in ZONE)",
    )  # fmt: skip
    check.add_argument(
        "--tz", dest="zone", type=_parse_zone, metavar="ZONE",
        help="the practitioner's time zone (default: this computer's)",
    )  # fmt: skip
    check.add_argument("--json", action="store_true", help="print one JSON object per source")
    check.add_argument(
        "--redact", action="store_true",
        help="show client names as initials only (for a support request)",
    )  # fmt: skip
    return parser


def _window(first: date | None, last: date | None, tz: tzinfo) -> tuple[datetime, datetime] | None:
    if first is None and last is None:
        return None

    def midnight(day: date, beyond: datetime) -> datetime:
        try:
            return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC).astimezone(tz)
        except OverflowError:
            return beyond

    start = midnight(first, _EARLIEST) if first is not None else _EARLIEST
    end = _LATEST
    if last is not None and last < date.max:
        end = midnight(last + timedelta(days=1), _LATEST)
    return start, end


def _read_file(path: str) -> bytes:
    with open(path, "rb") as file:
        data = file.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise SessionClockError(_MSG_FILE_TOO_LARGE.format(limit=MAX_FEED_BYTES // 1_000_000))
    return data


def check_source(
    source: str,
    *,
    tz: tzinfo,
    window: tuple[datetime, datetime] | None,
    client: Callable[[], httpx.Client],
    redact: bool = False,
) -> SourceReport:
    """Read one source (file or address) and import it; errors become the report's message."""
    if _ADDRESS_MARK not in source:
        try:
            result = import_feed(_read_file(source), tz=tz, window=window, from_file=True)
        except SessionClockError as error:
            return SourceReport(source, error=str(error), redact=redact)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            return SourceReport(
                source, error=f"The file could not be read: {reason}.", redact=redact
            )
        return SourceReport(source, result=result, redact=redact)

    from sessionclock.core.feed.fetch import fetch_feed, mask_feed_url

    shown = mask_feed_url(source)
    try:
        result = import_feed(fetch_feed(client(), source), tz=tz, window=window)
    except SessionClockError as error:
        return SourceReport(shown, error=str(error), redact=redact)
    return SourceReport(shown, result=result, redact=redact)


def _print_readable(report: SourceReport, *, out: TextIO) -> None:
    out.write(f"== {report.source}\n")
    if report.error is not None or report.result is None:
        out.write(f"   error: {report.error}\n")
        return
    result = report.result
    out.write(
        f"   {len(result.sessions)} sessions, {len(result.skipped)} skipped, "
        f"{len(result.warnings)} warnings\n"
    )
    for session in result.sessions:
        out.write(
            f"   {session.start.isoformat(timespec='minutes')} → "
            f"{session.end.isoformat(timespec='minutes')}  {report.name(session.name)}\n"
        )
    for skipped in result.skipped:
        when = skipped.start.isoformat(timespec="minutes") if skipped.start else "(no start)"
        out.write(
            f"   skipped ({skipped.reason.value}): {when}  {report.name(skipped.name) or ''}\n"
        )
    for warning in result.warnings:
        out.write(f"   warning: {warning}\n")


def main(
    argv: Sequence[str] | None = None,
    *,
    client_factory: Callable[[], httpx.Client] | None = None,
    out: TextIO | None = None,
) -> int:
    """Run the command line; return the exit status.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).
        client_factory: builds the https client (default: the app's; tests pass one on a mock
            transport).
        out: where to print (default: standard output).
    """
    stream = out if out is not None else sys.stdout
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    first: date | None = args.first_day
    last: date | None = args.last_day
    if first is not None and last is not None and last < first:
        sys.stderr.write("sessionclock-feed: --to is before --from\n")
        return EXIT_USAGE
    tz: tzinfo = args.zone if args.zone is not None else _local_zone()
    window = _window(first, last, tz)

    made: list[httpx.Client] = []

    def client() -> httpx.Client:
        if not made:
            if client_factory is not None:
                made.append(client_factory())
            else:
                from sessionclock.core.feed.fetch import make_client

                made.append(make_client())
        return made[0]

    status = EXIT_OK
    try:
        for source in args.sources:
            report = check_source(source, tz=tz, window=window, client=client, redact=args.redact)
            if report.error is not None:
                status = EXIT_UNREADABLE
            if args.json:
                import json  # only here: a quick check should not wait for it

                stream.write(json.dumps(report.to_json()) + "\n")
            else:
                _print_readable(report, out=stream)
            stream.flush()
    finally:
        for opened in made:
            opened.close()
    return status


def _local_zone() -> tzinfo:
    from sessionclock.core.clock import local_zone

    return local_zone()


if __name__ == "__main__":
    raise SystemExit(main())
