"""The fetcher against hostile and unusual servers over real HTTPS on loopback.

Stacked and unknown compression, a compression bomb, a status line sent one byte at a time, a body
that never ends, a server that never finishes its TLS handshake, a whole clinic's calendar for
today, and a clinic's proxy. Each ends with a plain message, within the fetch's own deadline (a
watchdog far beyond it catches a hang), and in bounded memory.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from sessionclock.core.errors import (
    FeedCancelledError,
    FeedError,
    FeedHTTPError,
    FeedNetworkError,
    FeedTimeoutError,
    FeedTLSError,
    FeedTooLargeError,
)
from sessionclock.core.feed.fetch import fetch_feed, make_client
from tests.support.feed_server import (
    CertificateFiles,
    ConnectProxy,
    FeedServer,
    Route,
    run_proxy,
    run_tarpit,
    serve,
)
from tests.support.hostile_feeds import (
    busy_today,
    dribble,
    encoded,
    flood,
    gzip_bomb,
    stacked_gzip,
    trickle,
)

CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Client\r\n"
    b"DTSTART:20250601T090000Z\r\nDTEND:20250601T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
WATCHDOG = 20.0  # seconds: far beyond every deadline below; reaching it means the fetch hung
BOMB = gzip_bomb()
STACKED = stacked_gzip()
BUSY_TODAY = busy_today()

ROUTES: dict[str, Route] = {
    "/feed.ics": lambda h, _: h.send(200, CALENDAR, "text/calendar"),
    "/gzip": encoded(gzip.compress(CALENDAR), "gzip"),
    "/deflate": encoded(zlib.compress(CALENDAR), "deflate"),
    "/raw-deflate": encoded(zlib.compress(CALENDAR, wbits=-zlib.MAX_WBITS), "deflate"),
    "/identity": encoded(CALENDAR, "identity"),
    "/stacked": encoded(STACKED, "gzip, gzip"),
    "/brotli": encoded(b"\x0b\x02\x80hello\x03", "br"),
    "/gzip-br": encoded(gzip.compress(CALENDAR), "gzip, br"),
    "/corrupt-gzip": encoded(b"\x1f\x8b\x08\x00 this is not gzip at all", "gzip"),
    "/bomb": encoded(BOMB, "gzip"),
    "/dribble": dribble,
    "/trickle": trickle,
    "/flood": flood,
    "/busy-today": lambda h, _: h.send(200, BUSY_TODAY, "text/calendar"),
}


@pytest.fixture
def server(test_ca: CertificateFiles) -> Iterator[FeedServer]:
    yield from serve(test_ca.server_pem, ROUTES)


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    yield from run_proxy()


@pytest.fixture
def tarpit() -> Iterator[tuple[str, threading.Event]]:
    yield from run_tarpit()


def _within_watchdog(fetch: Callable[[], object]) -> tuple[BaseException | None, float]:
    """Run *fetch* on a thread; return what it raised and how long it took (fail on a hang)."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            fetch()
            outcome.append(None)
        except BaseException as error:  # handed to the test as it is
            outcome.append(error)

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WATCHDOG)
    assert not thread.is_alive(), "the fetch hung past every deadline"
    return outcome[0], time.monotonic() - started


def _peak_memory(fetch: Callable[[], object]) -> tuple[BaseException | None, int]:
    """Run *fetch*; return what it raised and the peak of memory allocated meanwhile (bytes)."""
    tracemalloc.start()
    try:
        try:
            fetch()
            error = None
        except FeedError as raised:
            error = raised
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Compression -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/raw-deflate", "/identity"])
def test_compressed_calendars_are_read(client: httpx.Client, server: FeedServer, path: str) -> None:
    seen: list[tuple[int, int | None]] = []

    assert fetch_feed(client, server.base + path, progress=lambda n, t: seen.append((n, t))) == (
        CALENDAR
    )
    assert seen[-1][0] == len(CALENDAR)


def test_stacked_gzip_is_refused_before_anything_is_inflated(
    client: httpx.Client, server: FeedServer
) -> None:
    error, peak = _peak_memory(lambda: fetch_feed(client, f"{server.base}/stacked"))

    assert isinstance(error, FeedHTTPError)
    assert "compressed form Session Clock does not accept" in str(error)
    assert peak < 20_000_000  # the body inflates to 300 MB


@pytest.mark.parametrize("path", ["/brotli", "/gzip-br"])
def test_unknown_encodings_are_refused(client: httpx.Client, server: FeedServer, path: str) -> None:
    with pytest.raises(FeedHTTPError, match="compressed form"):
        fetch_feed(client, server.base + path)


def test_corrupt_compression_is_a_plain_error(client: httpx.Client, server: FeedServer) -> None:
    with pytest.raises(FeedError, match="could not be read") as caught:
        fetch_feed(client, f"{server.base}/corrupt-gzip")

    assert caught.value.__cause__ is None


def test_a_compression_bomb_stops_at_the_cap_in_little_memory(
    client: httpx.Client, server: FeedServer
) -> None:
    error, peak = _peak_memory(lambda: fetch_feed(client, f"{server.base}/bomb"))

    assert isinstance(error, FeedTooLargeError)
    assert str(error) == "The calendar is larger than 20 MB, so it was not imported."
    # The 20 MB kept so far, and a little more: never a whole inflated chunk (64 MB and up).
    assert peak < 30_000_000


# Time -------------------------------------------------------------------------------------------


def test_a_status_line_sent_one_byte_at_a_time_meets_the_deadline(
    client: httpx.Client, server: FeedServer
) -> None:
    error, took = _within_watchdog(
        lambda: fetch_feed(client, f"{server.base}/dribble", total_timeout=1.0)
    )

    assert isinstance(error, FeedTimeoutError)
    assert str(error) == "The booking platform took too long to answer. Try again in a few minutes."
    assert took < WATCHDOG / 2
    assert server.gone.wait(5), "the connection was dropped"


def test_cancel_while_waiting_for_headers_stops_at_once(
    client: httpx.Client, server: FeedServer
) -> None:
    cancel = threading.Event()

    def cancel_once_asked() -> None:
        if server.asked.wait(WATCHDOG):
            cancel.set()

    threading.Thread(target=cancel_once_asked, daemon=True).start()
    error, _took = _within_watchdog(
        lambda: fetch_feed(client, f"{server.base}/dribble", cancelled=cancel.is_set)
    )

    assert isinstance(error, FeedCancelledError)
    assert server.requests == [("/dribble", None)]


def test_a_body_that_never_ends_meets_the_deadline(
    client: httpx.Client, server: FeedServer
) -> None:
    error, _took = _within_watchdog(
        lambda: fetch_feed(client, f"{server.base}/trickle", total_timeout=1.0)
    )

    assert isinstance(error, FeedTimeoutError)


def test_a_body_that_never_ends_fast_stops_at_the_cap(
    client: httpx.Client, server: FeedServer
) -> None:
    error, _took = _within_watchdog(lambda: fetch_feed(client, f"{server.base}/flood"))

    assert isinstance(error, FeedTooLargeError)
    assert server.gone.wait(5)


def test_a_server_that_never_finishes_the_handshake_meets_the_deadline(
    client: httpx.Client, tarpit: tuple[str, threading.Event]
) -> None:
    address, connected = tarpit

    error, _took = _within_watchdog(
        lambda: fetch_feed(client, f"{address}/feed.ics", total_timeout=1.0)
    )

    assert connected.is_set()
    assert isinstance(error, FeedTimeoutError)


def test_cancel_during_the_handshake_stops_at_once(
    client: httpx.Client, tarpit: tuple[str, threading.Event]
) -> None:
    address, connected = tarpit

    error, _took = _within_watchdog(
        lambda: fetch_feed(client, f"{address}/feed.ics", cancelled=connected.is_set)
    )

    assert isinstance(error, FeedCancelledError)


# A whole clinic's calendar ----------------------------------------------------------------------

_CHECK_TODAY = """
import json, re, sys
from datetime import datetime, timedelta, timezone
from sessionclock.core.errors import FeedError
from sessionclock.core.feed.fetch import fetch_feed, make_client
from sessionclock.core.feed.importer import import_feed

start = datetime(2026, 11, 10, tzinfo=timezone.utc)
try:
    with make_client(environ={"SSL_CERT_FILE": sys.argv[2]}) as client:
        data = fetch_feed(client, sys.argv[1])
    size = len(data)
    result = import_feed(data, tz=timezone.utc, window=(start, start + timedelta(days=14)))
    error = None
except FeedError as raised:
    error = str(raised)
# The high-water mark of this process's own memory (ru_maxrss would count the parent's too).
status = open("/proc/self/status").read()
peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status).group(1)) * 1024
print(json.dumps({"error": error, "size": size, "peak": peak}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_150000_events_today_are_refused_in_bounded_memory(
    server: FeedServer, test_ca: CertificateFiles
) -> None:
    # In a process of its own, so that its peak resident memory is the fetch's and the import's.
    completed = subprocess.run(
        [sys.executable, "-c", _CHECK_TODAY, f"{server.base}/busy-today", str(test_ca.ca_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["size"] == len(BUSY_TODAY) > 19_000_000
    assert report["error"].startswith("This calendar has more than 200 events on 2026-11-10")
    assert report["peak"] < 200_000_000


# Proxies and certificates -----------------------------------------------------------------------


def test_the_proxy_set_for_https_is_used(
    test_ca: CertificateFiles,
    server: FeedServer,
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    with make_client(environ={"SSL_CERT_FILE": str(test_ca.ca_file)}) as made:
        assert fetch_feed(made, f"{server.base}/feed.ics") == CALENDAR

    assert proxy.tunnels == [server.base.removeprefix("https://")]
    assert server.requests == [("/feed.ics", None)]


def test_no_proxy_is_honoured(
    test_ca: CertificateFiles,
    server: FeedServer,
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.address)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    with make_client(environ={"SSL_CERT_FILE": str(test_ca.ca_file)}) as made:
        assert fetch_feed(made, f"{server.base}/feed.ics") == CALENDAR

    assert proxy.tunnels == []


def test_a_proxy_that_refuses_gives_a_plain_message(
    test_ca: CertificateFiles,
    server: FeedServer,
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy.refuse = True
    monkeypatch.setenv("HTTPS_PROXY", proxy.address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    with (
        make_client(environ={"SSL_CERT_FILE": str(test_ca.ca_file)}) as made,
        pytest.raises(FeedNetworkError, match="proxy server set on this computer") as caught,
    ):
        fetch_feed(made, f"{server.base}/feed.ics")

    assert "127.0.0.1" not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "No such file or directory"), (b"not a certificate\n", "not a certificate file")],
)
def test_an_unusable_ssl_cert_file_is_a_plain_error(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(FeedTLSError, match="SSL_CERT_FILE") as caught:
        make_client(environ={"SSL_CERT_FILE": str(path)})

    assert str(caught.value) == (
        f"The certificate file named by the SSL_CERT_FILE setting of this computer cannot be "
        f"used ({reason}), so no secure connection can be made. Correct or remove SSL_CERT_FILE "
        "and start Session Clock again."
    )
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
