"""Fetch the practitioner's private feed: https only, redirects checked by hand, size-capped.

Every failure becomes a :class:`~sessionclock.core.errors.FeedError` whose message says what to do
and never contains the address (it is a secret: whoever has it can read the calendar). Exceptions
are raised ``from None`` so that httpx's own messages, which quote the URL, are not chained in.
"""

from __future__ import annotations

import logging
import os
import ssl
import time
from collections.abc import Callable, Mapping
from http.cookiejar import CookieJar, DefaultCookiePolicy

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
from sessionclock.core.tls import tls_context

# httpx logs every request line at INFO, the full address included; the address is a secret
# (it opens the practitioner's calendar), so only httpx's warnings and errors may be logged.
logging.getLogger("httpx").setLevel(logging.WARNING)

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 20_000_000
DEFAULT_TOTAL_TIMEOUT = 60.0
_MASK = "••••••"
_FEED_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")
_ACCESS_STATUSES = frozenset({401, 403, 404, 410})
_USER_AGENT = "SessionClock (calendar feed reader)"

_MSG_NOT_HTTPS = (
    "Only secure calendar addresses are accepted: the address must start with https:// "
    "(or webcal://). Copy the private iCal address again from the booking platform."
)
_MSG_EMPTY = "Paste the private calendar (iCal) address from the booking platform."
_MSG_BAD = "This does not look like a web address. Copy the private iCal address again."
_MSG_NETWORK = (
    "The booking platform could not be reached. Check the internet connection and try again."
)
_MSG_TIMEOUT = "The booking platform took too long to answer. Try again in a few minutes."
_MSG_TLS = (
    "The secure connection to the booking platform could not be verified, so nothing was "
    "fetched. Check the computer's date and time, or ask whoever manages the network."
)
_MSG_ACCESS = (
    "The booking platform refused the calendar address (error {status}). The address may have "
    "been reset in the booking platform: copy the private iCal address again and paste it here."
)
_MSG_HTTP = "The booking platform answered with an error ({status}). Try again later."
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
_MSG_CANCELLED = "The calendar sync was cancelled."


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


def make_client(
    *,
    connect_timeout: float = 10.0,
    read_timeout: float = 30.0,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """Return an httpx client for fetching feeds.

    TLS is always verified, against ``SSL_CERT_FILE`` when it is set (otherwise certifi's bundle).
    Cookies are never kept, redirects are not followed automatically (:func:`fetch_feed` follows
    and checks them), nothing is cached, and proxy or ``.netrc`` settings from the environment are
    not read, so the address goes to the booking platform only.

    Args:
        connect_timeout: seconds to wait for a connection.
        read_timeout: seconds to wait for each piece of the answer.
        environ: where to read ``SSL_CERT_FILE`` (default: the process environment).
        transport: a transport for tests (e.g. ``httpx.MockTransport``).
    """
    timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=10.0, pool=10.0)
    refuse_all = DefaultCookiePolicy(allowed_domains=[])
    return httpx.Client(
        verify=tls_context(os.environ if environ is None else environ),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        cookies=CookieJar(policy=refuse_all),
        headers={
            "User-Agent": _USER_AGENT,
            "Accept": "text/calendar, text/plain;q=0.8, */*;q=0.5",
            "Cache-Control": "no-store",
        },
        transport=transport,
    )


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


def _check_not_a_web_page(head: bytes) -> None:
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise FeedNotCalendarError(_MSG_HTML)


def _check_calendar(body: bytes) -> None:
    _check_not_a_web_page(body[:1024])
    if b"BEGIN:VCALENDAR" in body or b"BEGIN:VEVENT" in body:
        return
    upper = body.upper()
    if b"BEGIN:VCALENDAR" not in upper and b"BEGIN:VEVENT" not in upper:
        raise FeedNotCalendarError(_MSG_HTML)


def fetch_feed(
    client: httpx.Client,
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    cancelled: Callable[[], bool] = lambda: False,
    progress: Callable[[int, int | None], None] | None = None,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> bytes:
    """Download the feed at *url* and return its bytes.

    Args:
        client: a client from :func:`make_client` (or one built the same way, for tests).
        url: the address, as stored; it is normalised (webcal:// → https://) first.
        max_bytes: the size cap; larger feeds are refused while streaming.
        cancelled: polled between steps and between chunks; True stops the fetch.
        progress: called with (bytes so far, total bytes if the server said).
        total_timeout: seconds the whole fetch may take, all redirects included.

    Raises:
        FeedError: a subclass saying what went wrong; its message never contains the address.
    """
    current = httpx.URL(normalise_feed_url(url))
    deadline = time.monotonic() + total_timeout
    for _hop in range(MAX_REDIRECTS + 1):
        if cancelled():
            raise FeedCancelledError(_MSG_CANCELLED)
        try:
            with client.stream("GET", current, follow_redirects=False) as response:
                if response.is_redirect:
                    current = _next_hop(response)
                    continue
                return _read_body(response, max_bytes, cancelled, progress, deadline)
        except FeedError:
            raise
        except httpx.TimeoutException:
            raise FeedTimeoutError(_MSG_TIMEOUT) from None
        except httpx.TransportError as error:
            if _is_tls_failure(error):
                raise FeedTLSError(_MSG_TLS) from None
            raise FeedNetworkError(_MSG_NETWORK) from None
        except httpx.HTTPError:
            raise FeedNetworkError(_MSG_NETWORK) from None
    raise FeedRedirectError(_MSG_REDIRECT_LOOP)


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
    cancelled: Callable[[], bool],
    progress: Callable[[int, int | None], None] | None,
    deadline: float,
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
        total = int(declared)
        if total > max_bytes:
            raise too_large
    chunks: list[bytes] = []
    size = 0
    checked_start = False
    for chunk in response.iter_bytes():
        if cancelled():
            raise FeedCancelledError(_MSG_CANCELLED)
        if time.monotonic() > deadline:
            raise FeedTimeoutError(_MSG_TIMEOUT)
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
        if not checked_start and size >= 64:
            # A sign-in page is refused at once, not after downloading all of it.
            _check_not_a_web_page(b"".join(chunks))
            checked_start = True
        if progress is not None:
            progress(size, total)
    body = b"".join(chunks)
    _check_calendar(body)
    return body
