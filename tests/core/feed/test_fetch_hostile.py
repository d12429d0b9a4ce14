"""The fetcher against hostile and unusual servers over real HTTPS on loopback.

Stacked and unknown compression, a compression bomb, a status line sent one byte at a time, a body
that never ends, a server that never finishes its TLS handshake, a whole clinic's calendar for
today, and a clinic's proxy. Each ends with a plain message, within the fetch's own deadline (a
watchdog far beyond it catches a hang), and in bounded memory.
"""

from __future__ import annotations

import gzip
import itertools
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
    RouteHandler,
    run_proxy,
    run_tarpit,
    serve,
)

CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Client\r\n"
    b"DTSTART:20250601T090000Z\r\nDTEND:20250601T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
WATCHDOG = 20.0  # seconds: far beyond every deadline below; reaching it means the fetch hung


def _gzip_of_zeros(megabytes: int) -> bytes:
    """Return gzip data that inflates to *megabytes* MB of zeros, made without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1_000_000)
    return b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()


BOMB = _gzip_of_zeros(1000)  # about 1 MB on the wire, 1 GB inflated
STACKED = gzip.compress(_gzip_of_zeros(300))  # "gzip, gzip": a few KB, 300 MB inflated
DAY = "20261110"


def _busy_today(count: int = 150_000) -> bytes:
    """Return a calendar of *count* events, all today, just under the 20 MB cap."""
    events = (
        f"BEGIN:VEVENT\r\nSUMMARY:Client {i}\r\nDTSTART:{DAY}T{8 + i % 10:02d}{i % 60:02d}00Z\r\n"
        f"DTEND:{DAY}T{9 + i % 10:02d}{i % 60:02d}00Z\r\nDESCRIPTION:follow-up booking\r\n"
        "END:VEVENT\r\n"
        for i in range(count)
    )
    return b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(events).encode() + b"END:VCALENDAR\r\n"


BUSY_TODAY = _busy_today()


def _dribble(handler: RouteHandler, state: FeedServer) -> None:
    """Send the status line, then a header, one byte every 0.2 s, for as long as anyone listens."""
    text = itertools.chain(b"HTTP/1.1 200 OK\r\nX-Slow: ", itertools.repeat(ord("x")))
    try:
        for byte in text:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            if state.release.wait(0.2):
                return
    except OSError:
        state.gone.set()


def _trickle(handler: RouteHandler, state: FeedServer) -> None:
    """A calendar whose body never ends, 100 bytes every 50 ms."""

    def pieces() -> Iterator[bytes]:
        yield b"BEGIN:VCALENDAR\r\n"
        while not state.release.wait(0.05):
            yield b"X-FILL:" + b"x" * 91 + b"\r\n"

    handler.chunked(pieces())


def _flood(handler: RouteHandler, state: FeedServer) -> None:
    """A calendar whose body never ends, as fast as the client reads."""
    piece = b"X-FILL:" + b"x" * 65_000 + b"\r\n"
    handler.chunked(itertools.chain([b"BEGIN:VCALENDAR\r\n"], itertools.repeat(piece)))


def _encoded(body: bytes, encoding: str) -> Route:
    return lambda h, _: h.send(200, body, "text/calendar", Content_Encoding=encoding)


ROUTES: dict[str, Route] = {
    "/feed.ics": lambda h, _: h.send(200, CALENDAR, "text/calendar"),
    "/gzip": _encoded(gzip.compress(CALENDAR), "gzip"),
    "/deflate": _encoded(zlib.compress(CALENDAR), "deflate"),
    "/raw-deflate": _encoded(zlib.compress(CALENDAR, wbits=-zlib.MAX_WBITS), "deflate"),
    "/identity": _encoded(CALENDAR, "identity"),
    "/stacked": _encoded(STACKED, "gzip, gzip"),
    "/brotli": _encoded(b"\x0b\x02\x80hello\x03", "br"),
    "/gzip-br": _encoded(gzip.compress(CALENDAR), "gzip, br"),
    "/corrupt-gzip": _encoded(b"\x1f\x8b\x08\x00 this is not gzip at all", "gzip"),
    "/bomb": _encoded(BOMB, "gzip"),
    "/dribble": _dribble,
    "/trickle": _trickle,
    "/flood": _flood,
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


@pytest.mark.parametrize("content", [None, b"not a certificate\n"])
def test_an_unusable_ssl_cert_file_is_a_plain_error(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(FeedTLSError, match="SSL_CERT_FILE") as caught:
        make_client(environ={"SSL_CERT_FILE": str(path)})

    assert "Correct or remove SSL_CERT_FILE" in str(caught.value)
    assert caught.value.__cause__ is None
