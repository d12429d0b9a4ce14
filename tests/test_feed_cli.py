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

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "ics"
APPLE = str(CORPUS / "jens-maus-node-ical" / "tentative-apple-calendar.ics")
OWA = str(CORPUS / "jens-maus-node-ical" / "Office-2012-owa.ics")
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
    status, output = run("check", OWA, "--tz", "Europe/Berlin", "--json")

    assert status == 0
    [report] = lines(output)
    assert report == {
        "source": OWA,
        "sessions": [
            # Sydney AEDT 13:30 → 03:30 CET; New York EDT 13:30 → 18:30 CET; EST → 19:30 CET.
            {"name": "TEST Syd", "start": "2020-10-28T03:30:00+01:00",
             "end": "2020-10-28T05:00:00+01:00"},
            {"name": "TEST", "start": "2020-10-28T18:30:00+01:00",
             "end": "2020-10-28T20:00:00+01:00"},
            {"name": "TEST 3", "start": "2020-11-02T19:30:00+01:00",
             "end": "2020-11-02T21:00:00+01:00"},
        ],
        "skipped": [
            {"name": "TEST2", "start": "2020-11-02T19:30:00+01:00", "reason": "repeating"}
        ],
        "warnings": [],
        "error": None,
    }  # fmt: skip


def test_from_and_to_are_inclusive_days_in_the_zone() -> None:
    status, output = run(
        "check", APPLE, "--from", "2022-07-05", "--to", "2022-07-06", "--tz", "America/Vancouver",
        "--json",
    )  # fmt: skip

    assert status == 0
    [report] = lines(output)
    # "Tentative" starts 16:00 on 4 July in Vancouver and "No Status" on 7 July: both left out.
    assert report["sessions"] == [
        {"name": "Confirmed", "start": "2022-07-05T09:00:00-07:00",
         "end": "2022-07-05T10:00:00-07:00"}
    ]  # fmt: skip
    assert report["skipped"] == [
        {"name": "Cancelled", "start": "2022-07-06T13:00:00-07:00", "reason": "cancelled"}
    ]


def test_sources_are_read_in_order_and_one_failure_gives_status_1(tmp_path: Path) -> None:
    page = tmp_path / "page.ics"
    page.write_bytes(b"<html><body>Sign in</body></html>")
    missing = tmp_path / "missing.ics"

    status, output = run("check", APPLE, str(missing), str(page), OWA, "--tz", "UTC", "--json")

    assert status == 1
    reports = lines(output)
    assert [r["source"] for r in reports] == [APPLE, str(missing), str(page), OWA]
    assert reports[0]["error"] is None and reports[3]["error"] is None
    assert "could not be read" in str(reports[1]["error"])
    assert "did not return a calendar" in str(reports[2]["error"])
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
        "   3 sessions, 1 skipped, 0 warnings",
        "   2022-07-04T16:00-07:00 → 2022-07-04T16:50-07:00  Tentative",
        "   2022-07-05T09:00-07:00 → 2022-07-05T10:00-07:00  Confirmed",
        "   2022-07-07T09:00-07:00 → 2022-07-07T10:00-07:00  No Status",
        "   skipped (cancelled): 2022-07-06T13:00-07:00  Cancelled",
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
