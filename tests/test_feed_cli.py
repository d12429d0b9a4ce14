"""``sessionclock-feed check`` on files and on an address, in one process, as support runs it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from sessionclock.core.feed.fetch import make_client
from sessionclock.feed_cli import main
from tests.support.feeds import feed_path

APPLE = str(feed_path("status_and_series.ics"))
OUTLOOK = str(feed_path("customized_zone_us_rules.ics"))
SECRET_URL = "https://clinic.example.com/calendar/7/ical/t0p-s3cret-token.ics"
CALENDAR = (
    b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:From the web\r\n"
    b"DTSTART:20250601T090000Z\r\nDTEND:20250601T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def run(*argv: str, handler: httpx.MockTransport | None = None) -> tuple[int, str]:
    """Run the command line in this process; return (exit status, output)."""
    out = io.StringIO()

    def factory() -> httpx.Client:
        return make_client(transport=handler)

    status = main(list(argv), client_factory=factory, out=out)
    return status, out.getvalue()


def lines(output: str) -> list[dict[str, object]]:
    """Return the JSON objects printed one per line."""
    return [json.loads(line) for line in output.splitlines()]


def test_json_shape_sorted_sessions_and_offsets() -> None:
    status, output = run("check", OUTLOOK, "--tz", "Europe/Berlin", "--json")

    assert status == 0
    [report] = lines(output)
    assert report == {
        "source": OUTLOOK,
        "sessions": [
            # The feed's own "Customized Time Zone" (US Eastern rules): EDT 10:35 → 16:35 CEST;
            # EST 09:00 → 15:00 CET.
            {"name": "Dana Whitfield", "start": "2025-08-26T16:35:00+02:00",
             "end": "2025-08-26T17:35:00+02:00"},
            {"name": "Gabe Moreno", "start": "2025-12-15T15:00:00+01:00",
             "end": "2025-12-15T16:00:00+01:00"},
        ],
        "skipped": [
            {"name": "[private]", "start": "2025-08-25T16:35:00+02:00", "reason": "repeating"}
        ],
        "warnings": [],
        "names_scrubbed": 0,
        "free_busy": None,
        "error": None,
    }  # fmt: skip


def test_from_and_to_are_inclusive_days_in_the_zone() -> None:
    status, output = run(
        "check", APPLE, "--from", "2025-07-05", "--to", "2025-07-06", "--tz", "America/Vancouver",
        "--json",
    )  # fmt: skip

    assert status == 0
    [report] = lines(output)
    # "Tentative" starts 16:00 on 4 July in Vancouver and "No status" on 7 July: both left out.
    assert report["sessions"] == [
        {"name": "Confirmed booking", "start": "2025-07-05T09:00:00-07:00",
         "end": "2025-07-05T10:00:00-07:00"}
    ]  # fmt: skip
    assert report["skipped"] == [
        {"name": "Cancelled booking", "start": "2025-07-06T13:00:00-07:00", "reason": "cancelled"}
    ]


def test_sources_are_read_in_order_and_one_failure_gives_status_1(tmp_path: Path) -> None:
    page = tmp_path / "page.ics"
    page.write_bytes(b"<html><body>Sign in</body></html>")
    missing = tmp_path / "missing.ics"

    status, output = run("check", APPLE, str(missing), str(page), OUTLOOK, "--tz", "UTC", "--json")

    assert status == 1
    reports = lines(output)
    assert [r["source"] for r in reports] == [APPLE, str(missing), str(page), OUTLOOK]
    assert reports[0]["error"] is None and reports[3]["error"] is None
    assert "could not be read" in str(reports[1]["error"])
    # A local file is called a file, not an address.
    assert str(reports[2]["error"]).startswith("This file is not a calendar")
    assert reports[2]["sessions"] == [] and reports[2]["skipped"] == []
    starts = [datetime.fromisoformat(str(s["start"])) for s in reports[0]["sessions"]]  # type: ignore[attr-defined]
    assert starts == sorted(starts) and len(starts) == 3


def test_https_source_is_fetched_and_its_address_never_printed() -> None:
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=CALENDAR, headers={"Content-Type": "text/calendar"})

    status, output = run(
        "check", SECRET_URL.replace("https://", "webcal://"), "--tz", "UTC", "--json",
        handler=httpx.MockTransport(answer),
    )  # fmt: skip

    assert status == 0
    assert [str(url) for url in seen] == [SECRET_URL]
    [report] = lines(output)
    assert report["source"] == "https://clinic.example.com/…/••••••.ics"
    assert report["sessions"] == [
        {"name": "From the web", "start": "2025-06-01T09:00:00+00:00",
         "end": "2025-06-01T10:00:00+00:00"}
    ]  # fmt: skip
    assert "t0p-s3cret" not in output


@pytest.mark.parametrize(
    ("status_code", "needle"), [(404, "may have been reset"), (403, "may have been reset")]
)
def test_refused_address_is_reported_without_the_address(status_code: int, needle: str) -> None:
    transport = httpx.MockTransport(lambda _request: httpx.Response(status_code))

    status, output = run("check", SECRET_URL, "--json", "--tz", "UTC", handler=transport)

    assert status == 1
    [report] = lines(output)
    assert needle in str(report["error"])
    assert "t0p-s3cret" not in output


def test_http_address_is_refused() -> None:
    def fail(_request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent over http")

    status, output = run(
        "check", SECRET_URL.replace("https", "http"), "--json", handler=httpx.MockTransport(fail)
    )

    assert status == 1
    assert "https" in str(lines(output)[0]["error"])


def test_readable_output() -> None:
    status, output = run("check", APPLE, "--tz", "America/Vancouver")

    assert status == 0
    assert output.splitlines() == [
        f"== {APPLE}",
        "   3 sessions, 5 skipped, 0 warnings",
        "   2025-07-04T16:00-07:00 → 2025-07-04T16:50-07:00  Tentative booking",
        "   2025-07-05T09:00-07:00 → 2025-07-05T10:00-07:00  Confirmed booking",
        "   2025-07-07T09:00-07:00 → 2025-07-07T10:00-07:00  No status",
        "   skipped (cancelled): 2025-07-06T13:00-07:00  Cancelled booking",
        "   skipped (repeating): 2025-07-08T01:00-07:00  Weekly stretch class",
        "   skipped (repeating): 2025-07-09T01:00-07:00  Extra dates only",
        "   skipped (repeating): 2025-07-10T03:00-07:00  Moved occurrence without its series",
        "   skipped (repeating): 2025-07-11T02:00-07:00  This and future",
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", APPLE, "--from", "2022-13-01"],
        ["check", APPLE, "--tz", "Mars/Olympus_Mons"],
        ["check", APPLE, "--from", "2022-07-06", "--to", "2022-07-05"],
        ["inspect", APPLE],
        [],
    ],
)
def test_usage_errors_give_status_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, output = run(*argv)

    assert status == 2
    assert output == ""
    assert capsys.readouterr().err != ""


def test_entry_point_in_a_real_process() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "sessionclock.feed_cli", "check", APPLE, "--tz", "UTC", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert completed.returncode == 0, completed.stderr
    assert len(lines(completed.stdout)[0]["sessions"]) == 3  # type: ignore[arg-type]


def test_redact_shows_initials_only() -> None:
    status, output = run("check", APPLE, "--tz", "America/Vancouver", "--redact")

    assert status == 0
    assert output.splitlines()[2:5] == [
        "   2025-07-04T16:00-07:00 → 2025-07-04T16:50-07:00  T. B.",
        "   2025-07-05T09:00-07:00 → 2025-07-05T10:00-07:00  C. B.",
        "   2025-07-07T09:00-07:00 → 2025-07-07T10:00-07:00  N. S.",
    ]
    assert "   skipped (cancelled): 2025-07-06T13:00-07:00  C. B." in output.splitlines()
    assert "booking" not in output


def test_redacted_json_and_the_free_busy_advice() -> None:
    busy = str(feed_path("outlook_availability_only.ics"))

    status, output = run("check", OUTLOOK, busy, "--tz", "UTC", "--json", "--redact")

    assert status == 0
    first, second = lines(output)
    assert [s["name"] for s in first["sessions"]] == ["D. W.", "G. M."]  # type: ignore[attr-defined]
    assert first["free_busy"] is None
    assert "Outlook on the web" in str(second["free_busy"])


def test_a_file_larger_than_the_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.ics"
    big.write_bytes(b"BEGIN:VCALENDAR\r\n" + b"X-FILL:" + b"x" * 20_000_000 + b"\r\n")

    status, output = run("check", str(big), "--json")

    assert status == 1
    assert lines(output)[0]["error"] == "The file is larger than 20 MB, so it was not read."


def test_checking_a_file_does_not_load_the_network_libraries() -> None:
    code = (
        "import sys\n"
        "from sessionclock.feed_cli import main\n"
        f"status = main(['check', {APPLE!r}, '--tz', 'UTC'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore'))\n"
        "print(status, loaded)\n"
    )

    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-1] == "0 []"
