"""Fetch the practitioner's private feed: https only, bounded in time and size, cancellable.

- One deadline covers the whole exchange: name lookup, connection, TLS handshake, the wait for the
  status line and headers, and the body, over every redirect. Network waits are cut into short
  slices, so Cancel and the deadline take effect within a fraction of a second even when a server
  sends one byte at a time.
- The size cap counts decoded bytes as they are produced: compression is undone by this module,
  in small pieces, so a few kilobytes that inflate to gigabytes never reach memory. Stacked or
  unknown content encodings are refused.
- Proxies are taken from the system and the environment (``HTTPS_PROXY``, ``ALL_PROXY``,
  ``NO_PROXY``; on Windows and macOS the system's own settings), as other programs on a clinic's
  network use them.
- Redirects are followed by hand and checked (https only). Cookies are never kept.

Every failure becomes a :class:`~sessionclock.core.errors.FeedError` whose message says what to do
and never contains the address (it is a secret: whoever has it can read the calendar). Exceptions
are raised ``from None`` so that the libraries' own messages, which quote the URL, are not chained
in.
"""

from __future__ import annotations

import contextvars
import logging
import os
import ssl
import threading
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, TypeVar, cast

import httpcore
import httpx

from sessionclock.core.errors import (
    FeedAccessError,
    FeedAddressError,
    FeedCancelledError,
    FeedError,
    FeedHTTPError,
    FeedNetworkError,
    FeedNotCalendarError,
    FeedRedirectError,
    FeedTimeoutError,
    FeedTLSError,
    FeedTooLargeError,
)
from sessionclock.core.feed import MAX_FEED_BYTES
from sessionclock.core.tls import https_proxy, tls_context

# httpx logs every request line at INFO, the full address included; the address is a secret
# (it opens the practitioner's calendar), so only httpx's warnings and errors may be logged.
logging.getLogger("httpx").setLevel(logging.WARNING)

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = MAX_FEED_BYTES
DEFAULT_TOTAL_TIMEOUT = 60.0
_SLICE = 0.1  # the longest any network wait lasts before Cancel and the deadline are looked at
_PIECE = 64 * 1024  # decompressed output is produced at most this much at a time
_MASK = "••••••"
_FEED_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")
_ACCESS_STATUSES = frozenset({401, 403, 404, 410})
_USER_AGENT = "SessionClock (calendar feed reader)"
_ENCODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}

_MSG_NOT_HTTPS = (
    "Only secure calendar addresses are accepted: the address must start with https:// "
    "(or webcal://). Copy the private iCal address again from the booking platform."
)
_MSG_EMPTY = "Paste the private calendar (iCal) address from the booking platform."
_MSG_BAD = "This does not look like a web address. Copy the private iCal address again."
_MSG_NETWORK = (
    "The booking platform could not be reached. Check the internet connection and try again."
)
_MSG_PROXY = (
    "The proxy server set on this computer did not pass the request on. Check the proxy settings, "
    "or ask whoever manages the network."
)
_MSG_SOCKS = (
    "This computer is set to use a SOCKS proxy, which Session Clock cannot use. Set an HTTP "
    "proxy instead, or ask whoever manages the network."
)
_MSG_PROTOCOL = "The booking platform's answer could not be read. Try again later."
_MSG_TIMEOUT = "The booking platform took too long to answer. Try again in a few minutes."
_MSG_TLS = (
    "The secure connection to the booking platform could not be verified, so nothing was "
    "fetched. Check the computer's date and time, or ask whoever manages the network."
)
_MSG_CERT_FILE = (
    "The certificate file named by the SSL_CERT_FILE setting of this computer cannot be used "
    "({reason}), so no secure connection can be made. Correct or remove SSL_CERT_FILE and start "
    "Session Clock again."
)
_MSG_ACCESS = (
    "The booking platform refused the calendar address (error {status}). The address may have "
    "been reset in the booking platform: copy the private iCal address again and paste it here."
)
_MSG_HTTP = "The booking platform answered with an error ({status}). Try again later."
_MSG_ENCODING = (
    "The booking platform sent the calendar in a compressed form Session Clock does not accept, "
    "so it was not imported. Try again later."
)
_MSG_REDIRECT_INSECURE = (
    "The booking platform sent the calendar to an address that is not secure (not https), "
    "so it was not fetched."
)
_MSG_REDIRECT_LOOP = "The booking platform redirected too many times. Try again later."
_MSG_TOO_LARGE = "The calendar is larger than {limit} MB, so it was not imported."
_MSG_HTML = (
    "The address returned a web page instead of a calendar: it may be a sign-in or sharing page. "
    "Copy the private iCal (.ics) address from the booking platform instead."
)

_T = TypeVar("_T")


def normalise_feed_url(text: str) -> str:
    """Return the https address to fetch for what the practitioner pasted.

    ``webcal://`` and ``webcals://`` become ``https://``; ``http://`` and every other scheme are
    refused.

    Raises:
        FeedAddressError: the text is empty, not an address, or not https.
    """
    stripped = text.strip()
    if not stripped:
        raise FeedAddressError(_MSG_EMPTY)
    if any(ch.isspace() for ch in stripped):
        raise FeedAddressError(_MSG_BAD)
    scheme, separator, rest = stripped.partition("://")
    if not separator:
        raise FeedAddressError(_MSG_BAD)
    if scheme.lower() not in ("https", "webcal", "webcals"):
        raise FeedAddressError(_MSG_NOT_HTTPS)
    try:
        url = httpx.URL(f"https://{rest}")
    except (httpx.InvalidURL, ValueError):
        raise FeedAddressError(_MSG_BAD) from None
    if not url.host:
        raise FeedAddressError(_MSG_BAD)
    return str(url)


def mask_feed_url(url: str) -> str:
    """Return the address for display: host kept, path and token hidden.

    ``https://clinic.janeapp.com/calendar/42/ical/secret.ics`` becomes
    ``https://clinic.janeapp.com/…/••••••.ics``.
    """
    try:
        parsed = httpx.URL(normalise_feed_url(url))
    except FeedAddressError:
        return _MASK
    last = parsed.path.rstrip("/").rsplit("/", 1)[-1].lower()
    suffix = next((s for s in _FEED_SUFFIXES if last.endswith(s)), "")
    return f"https://{parsed.host}/…/{_MASK}{suffix}"


# ---------------------------------------------------------------------------- deadline and cancel


@dataclass(frozen=True, slots=True)
class _Guard:
    """The deadline and the Cancel button of one fetch."""

    deadline: float
    cancelled: Callable[[], bool]

    def check(self) -> None:
        """Raise if the fetch was cancelled or its time is up."""
        if self.cancelled():
            raise FeedCancelledError
        if time.monotonic() >= self.deadline:
            raise FeedTimeoutError(_MSG_TIMEOUT)

    def wait(self, limit: float | None) -> float:
        """Return how long the next network wait may last (never zero: that means non-blocking)."""
        left = min(_SLICE, self.deadline - time.monotonic())
        if limit is not None:
            left = min(left, limit)
        return max(left, 0.001)


# The fetch under way in this thread; the network streams of its client look it up on every wait.
_GUARD: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("feed_guard", default=None)


def _close_quietly(resource: object) -> None:
    close = getattr(resource, "close", None)
    if close is not None:
        with suppress(OSError, httpcore.NetworkError):
            close()


def _watched(work: Callable[[], _T], guard: _Guard) -> _T:
    """Run a wait that cannot be cut into slices (name lookup, connect, TLS handshake) on a helper
    thread, and give up on it at once when the fetch is cancelled or out of time. The helper
    finishes on its own (its own timeout bounds it) and closes what it made."""
    lock = threading.Lock()
    done = threading.Event()
    outcome: list[tuple[bool, Any]] = []
    abandoned = False

    def run() -> None:
        try:
            result: tuple[bool, Any] = (True, work())
        except BaseException as error:  # handed over to the waiting thread as it is
            result = (False, error)
        with lock:
            if abandoned:
                if result[0]:
                    _close_quietly(result[1])
                return
            outcome.append(result)
        done.set()

    threading.Thread(target=run, name="feed-connect", daemon=True).start()
    while not done.wait(_SLICE):
        try:
            guard.check()
        except FeedError:
            with lock:
                if not outcome:
                    abandoned = True
                    raise
            break
    succeeded, value = outcome[0]
    if succeeded:
        return cast(_T, value)
    raise value


class _GuardedStream(httpcore.NetworkStream):
    """A network stream whose every wait obeys the guard of the fetch under way."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        guard = _GUARD.get()
        if guard is None:
            return self._inner.read(max_bytes, timeout)
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            guard.check()
            limit = None if end is None else end - time.monotonic()
            try:
                return self._inner.read(max_bytes, guard.wait(limit))
            except httpcore.ReadTimeout:
                if end is not None and time.monotonic() >= end:
                    raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        guard = _GUARD.get()
        if guard is not None:
            guard.check()
            left = guard.deadline - time.monotonic()
            timeout = left if timeout is None else min(timeout, left)
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        guard = _GUARD.get()
        if guard is None:
            return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))
        return _GuardedStream(
            _watched(lambda: self._inner.start_tls(ssl_context, server_hostname, timeout), guard)
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's own network backend, with connections that obey the guard."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        def connect() -> httpcore.NetworkStream:
            return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)

        guard = _GUARD.get()
        return _GuardedStream(connect() if guard is None else _watched(connect, guard))

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return _GuardedStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


# ---------------------------------------------------------------------------- transport


def _is_tls_failure(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return True
        current = current.__cause__ or current.__context__
    text = str(error).upper()
    return "CERTIFICATE" in text or "SSL" in text or "TLS" in text


@contextmanager
def _plain_errors() -> Iterator[None]:
    """Turn the HTTP libraries' errors into the feed's own, without their messages."""
    try:
        yield
    except FeedError:
        raise
    except (httpcore.TimeoutException, httpx.TimeoutException):
        raise FeedTimeoutError(_MSG_TIMEOUT) from None
    except httpcore.ProxyError:
        raise FeedNetworkError(_MSG_PROXY) from None
    except (httpcore.ProtocolError, httpx.ProtocolError):
        raise FeedNetworkError(_MSG_PROTOCOL) from None
    except (httpcore.NetworkError, httpx.TransportError, OSError) as error:
        if _is_tls_failure(error):
            raise FeedTLSError(_MSG_TLS) from None
        raise FeedNetworkError(_MSG_NETWORK) from None
    except (httpcore.UnsupportedProtocol, httpx.HTTPError):
        raise FeedNetworkError(_MSG_NETWORK) from None


class _Body(httpx.SyncByteStream):
    """A response body read through httpcore, its errors made plain."""

    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _plain_errors():
            yield from self._stream

    def close(self) -> None:
        _close_quietly(self._stream)


class _FeedTransport(httpx.BaseTransport):
    """Sends each request straight to the booking platform or through the proxy this computer
    is set to use for it, on connections that obey the fetch's deadline and Cancel."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._ssl_context = ssl_context
        self._backend = _GuardedBackend()
        self._pools: dict[str | None, httpcore.ConnectionPool] = {}
        self._proxies = urllib.request.getproxies()

    def _pool(self, proxy: str | None) -> httpcore.ConnectionPool:
        pool = self._pools.get(proxy)
        if pool is not None:
            return pool
        if proxy is None:
            pool = httpcore.ConnectionPool(
                ssl_context=self._ssl_context, network_backend=self._backend
            )
        else:
            url = httpx.URL(proxy)
            if url.scheme not in ("http", "https"):
                raise FeedNetworkError(_MSG_SOCKS)
            auth = (url.username, url.password) if url.username else None
            pool = httpcore.HTTPProxy(
                proxy_url=httpcore.URL(
                    scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=b"/"
                ),
                proxy_auth=auth,
                ssl_context=self._ssl_context,
                network_backend=self._backend,
            )
        self._pools[proxy] = pool
        return pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        with _plain_errors():
            pool = self._pool(https_proxy(request.url.host, self._proxies))
            response = pool.handle_request(
                httpcore.Request(
                    method=request.method,
                    url=httpcore.URL(
                        scheme=request.url.raw_scheme,
                        host=request.url.raw_host,
                        port=request.url.port,
                        target=request.url.raw_path,
                    ),
                    headers=request.headers.raw,
                    content=request.stream,
                    extensions=request.extensions,
                )
            )
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()


def _ssl_context(environ: Mapping[str, str]) -> ssl.SSLContext:
    try:
        return tls_context(environ)
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or "not a certificate file"
        raise FeedTLSError(_MSG_CERT_FILE.format(reason=reason)) from None


def make_client(
    *,
    connect_timeout: float = 10.0,
    read_timeout: float = 30.0,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """Return an httpx client for fetching feeds.

    TLS is always verified, against ``SSL_CERT_FILE`` when it is set (otherwise certifi's bundle).
    The proxy set for https on this computer is used (system settings and the environment's
    ``HTTPS_PROXY``/``ALL_PROXY``/``NO_PROXY``). Cookies are never kept, redirects are not
    followed automatically (:func:`fetch_feed` follows and checks them), nothing is cached, and
    ``.netrc`` is not read, so the address goes to the booking platform (through the proxy) only.

    Args:
        connect_timeout: seconds to wait for a connection.
        read_timeout: seconds to wait for each piece of the answer.
        environ: where to read ``SSL_CERT_FILE`` (default: the process environment).
        transport: a transport for tests (e.g. ``httpx.MockTransport``).

    Raises:
        FeedTLSError: ``SSL_CERT_FILE`` names a file that is missing or holds no certificate.
    """
    timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=10.0, pool=10.0)
    refuse_all = DefaultCookiePolicy(allowed_domains=[])
    context = _ssl_context(os.environ if environ is None else environ)
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        cookies=CookieJar(policy=refuse_all),
        headers={
            "User-Agent": _USER_AGENT,
            "Accept": "text/calendar, text/plain;q=0.8, */*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
            "Cache-Control": "no-store",
        },
        transport=transport if transport is not None else _FeedTransport(context),
    )


# ---------------------------------------------------------------------------- the fetch


def _check_not_a_web_page(head: bytes) -> None:
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise FeedNotCalendarError(_MSG_HTML)


class _Inflater:
    """Undoes one content encoding in pieces of at most ``_PIECE`` bytes."""

    def __init__(self, coding: str) -> None:
        self._deflate = coding == "deflate"
        self._started = False
        self._zlib = zlib.decompressobj(_ENCODINGS[coding])

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._zlib.eof:
            try:
                piece = self._zlib.decompress(data, _PIECE)
            except zlib.error:
                if self._deflate and not self._started:
                    # Some servers send raw deflate without the zlib wrapper.
                    self._deflate = False
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise FeedNotCalendarError(_MSG_PROTOCOL) from None
            self._started = True
            if piece:
                yield piece
            data = self._zlib.unconsumed_tail

    def finish(self) -> bytes:
        return self._zlib.flush()


def _decoded(response: httpx.Response) -> Iterator[bytes]:
    """Yield the body with its content encoding undone, in small pieces."""
    if response.is_stream_consumed:
        # A response built in memory (``httpx.Response(content=...)``, as test transports do)
        # was read, and decoded, when it was made.
        yield response.content
        return
    codings = [
        coding
        for part in response.headers.get_list("Content-Encoding", split_commas=True)
        if (coding := part.strip().lower()) and coding != "identity"
    ]
    if not codings:
        yield from response.iter_raw()
        return
    if len(codings) > 1 or codings[0] not in _ENCODINGS:
        raise FeedHTTPError(_MSG_ENCODING)
    inflater = _Inflater(codings[0])
    for chunk in response.iter_raw():
        yield from inflater.feed(chunk)
    if tail := inflater.finish():
        yield tail


def fetch_feed(
    client: httpx.Client,
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    cancelled: Callable[[], bool] = lambda: False,
    progress: Callable[[int, int | None], None] | None = None,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> bytes:
    """Download the feed at *url* and return its bytes (decompressed).

    Args:
        client: a client from :func:`make_client` (or one built the same way, for tests).
        url: the address, as stored; it is normalised (webcal:// → https://) first.
        max_bytes: the size cap, on the decompressed bytes; larger feeds are refused while
            streaming.
        cancelled: looked at several times a second; True stops the fetch at once.
        progress: called with (bytes so far, total bytes if the server said).
        total_timeout: seconds the whole fetch may take: connecting, waiting for the answer and
            reading it, all redirects included.

    Raises:
        FeedError: a subclass saying what went wrong; its message never contains the address.
    """
    current = httpx.URL(normalise_feed_url(url))
    guard = _Guard(time.monotonic() + total_timeout, cancelled)
    token = _GUARD.set(guard)
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            guard.check()
            with _plain_errors(), client.stream("GET", current, follow_redirects=False) as response:
                if response.is_redirect:
                    current = _next_hop(response)
                    continue
                return _read_body(response, max_bytes, guard, progress)
        raise FeedRedirectError(_MSG_REDIRECT_LOOP)
    finally:
        _GUARD.reset(token)


def _next_hop(response: httpx.Response) -> httpx.URL:
    location = response.headers.get("Location")
    if not location:
        raise FeedHTTPError(_MSG_HTTP.format(status=response.status_code))
    try:
        target = response.url.join(location.strip())
    except (httpx.InvalidURL, ValueError):
        raise FeedHTTPError(_MSG_HTTP.format(status=response.status_code)) from None
    if target.scheme == "webcal":
        target = target.copy_with(scheme="https")
    if target.scheme != "https" or not target.host:
        raise FeedRedirectError(_MSG_REDIRECT_INSECURE)
    return target


def _read_body(
    response: httpx.Response,
    max_bytes: int,
    guard: _Guard,
    progress: Callable[[int, int | None], None] | None,
) -> bytes:
    status = response.status_code
    if status in _ACCESS_STATUSES:
        raise FeedAccessError(_MSG_ACCESS.format(status=status))
    if not 200 <= status < 300:
        raise FeedHTTPError(_MSG_HTTP.format(status=status))
    too_large = FeedTooLargeError(_MSG_TOO_LARGE.format(limit=max(max_bytes // 1_000_000, 1)))
    total: int | None = None
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit():
        if int(declared) > max_bytes:
            raise too_large
        if "Content-Encoding" not in response.headers:
            total = int(declared)
    chunks: list[bytes] = []
    size = 0
    checked_start = False
    for piece in _decoded(response):
        guard.check()
        size += len(piece)
        if size > max_bytes:
            raise too_large
        chunks.append(piece)
        if not checked_start and size >= 64:
            # A sign-in page is refused at once, not after downloading all of it.
            _check_not_a_web_page(b"".join(chunks)[:1024])
            checked_start = True
        if progress is not None:
            progress(size, total)
    body = b"".join(chunks)
    _check_not_a_web_page(body[:1024])
    return body
