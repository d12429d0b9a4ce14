"""What hostile or broken booking platforms send, as routes for ``feed_server.serve``.

Shared by the fetcher's tests (``tests/core/feed``) and the app's (``tests/ui``): stacked and bomb
compression, a status line sent one byte at a time, bodies that never end, and a whole clinic's
calendar for one day. The large bodies are made once per test session, on first use.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import zlib
from collections.abc import Iterator

from tests.support.feed_server import FeedServer, Route, RouteHandler

BUSY_DAY = "20261110"
"""The day (UTC) every event of ``busy_today`` starts on."""


def _gzip_of_zeros(megabytes: int) -> bytes:
    """Return gzip data that inflates to *megabytes* MB of zeros, made without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1_000_000)
    return b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()


@functools.cache
def gzip_bomb() -> bytes:
    """About 1 MB on the wire, 1 GB inflated (``Content-Encoding: gzip``)."""
    return _gzip_of_zeros(1000)


@functools.cache
def stacked_gzip() -> bytes:
    """A few KB, 300 MB inflated, compressed twice (``Content-Encoding: gzip, gzip``)."""
    return gzip.compress(_gzip_of_zeros(300))


@functools.cache
def busy_today(count: int = 150_000) -> bytes:
    """Return a calendar of *count* events, all on ``BUSY_DAY``, just under the 20 MB cap."""
    day = BUSY_DAY
    events = (
        f"BEGIN:VEVENT\r\nSUMMARY:Client {i}\r\nDTSTART:{day}T{8 + i % 10:02d}{i % 60:02d}00Z\r\n"
        f"DTEND:{day}T{9 + i % 10:02d}{i % 60:02d}00Z\r\nDESCRIPTION:follow-up booking\r\n"
        "END:VEVENT\r\n"
        for i in range(count)
    )
    return b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(events).encode() + b"END:VCALENDAR\r\n"


def encoded(body: bytes, encoding: str) -> Route:
    """Return a route that sends *body* as a calendar with ``Content-Encoding: encoding``."""
    return lambda h, _: h.send(200, body, "text/calendar", Content_Encoding=encoding)


def dribble(handler: RouteHandler, state: FeedServer) -> None:
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


def trickle(handler: RouteHandler, state: FeedServer) -> None:
    """A calendar whose body never ends, 100 bytes every 50 ms."""

    def pieces() -> Iterator[bytes]:
        yield b"BEGIN:VCALENDAR\r\n"
        while not state.release.wait(0.05):
            yield b"X-FILL:" + b"x" * 91 + b"\r\n"

    handler.chunked(pieces())


def flood(handler: RouteHandler, state: FeedServer) -> None:
    """A calendar whose body never ends, as fast as the client reads."""
    piece = b"X-FILL:" + b"x" * 65_000 + b"\r\n"
    handler.chunked(itertools.chain([b"BEGIN:VCALENDAR\r\n"], itertools.repeat(piece)))
