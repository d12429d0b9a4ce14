"""The feed fetcher against a real HTTPS server on loopback, trusted through a test CA."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

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
    ValidationError,
)
from sessionclock.core.feed.fetch import fetch_feed, make_client, mask_feed_url, normalise_feed_url
from tests.support.feed_server import CertificateFiles, FeedServer, Route, RouteHandler, serve

CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Client\r\n"
    b"DTSTART:20250601T090000Z\r\nDTEND:20250601T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
LOGIN_PAGE = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>" + b"x" * 500


# ---------------------------------------------------------------------------- the server


def _chain(handler: RouteHandler, state: FeedServer) -> None:
    left = int(handler.path.rsplit("/", 1)[1])
    handler.redirect(f"{state.base}/chain/{left - 1}" if left else "/feed.ics")


def _stall(handler: RouteHandler, state: FeedServer) -> None:
    state.release.wait(timeout=10)
    handler.send(200, CALENDAR, "text/calendar")


def _pieces(body: bytes) -> Iterator[bytes]:
    return (body[start : start + 4096] for start in range(0, len(body), 4096))


ROUTES: dict[str, Route] = {
    "/feed.ics": lambda h, _: h.send(200, CALENDAR, "text/calendar; charset=utf-8"),
    "/hop": lambda h, _: h.redirect("/feed.ics", Set_Cookie="session=tracking; Path=/"),
    "/chain/": _chain,
    "/to-http": lambda h, s: h.redirect(s.base.replace("https://", "http://") + "/feed.ics"),
    "/missing": lambda h, _: h.send(404, b"Not found", "text/plain"),
    "/unauthorised": lambda h, _: h.send(401, b"", "text/plain"),
    "/broken": lambda h, _: h.send(500, b"", "text/plain"),
    "/login": lambda h, _: h.send(200, LOGIN_PAGE, "text/html; charset=utf-8"),
    "/big-declared": lambda h, _: h.send(200, CALENDAR + b"X" * 5000, "text/calendar"),
    "/big-streamed": lambda h, _: h.chunked(_pieces(CALENDAR + b"X" * 100_000)),
    "/stall": _stall,
}


@pytest.fixture
def server(test_ca: CertificateFiles) -> Iterator[FeedServer]:
    yield from serve(test_ca.server_pem, ROUTES)


@pytest.fixture
def rogue_server(test_ca: CertificateFiles) -> Iterator[FeedServer]:
    yield from serve(test_ca.untrusted_pem, ROUTES)


def _assert_no_address(error: FeedError, server: FeedServer) -> None:
    message = str(error)
    assert "127.0.0.1" not in message
    assert "https://" not in message
    # No chained httpx error (their messages quote the URL) shows up in a traceback.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


# ---------------------------------------------------------------------------- tests


def test_fetches_a_calendar_with_progress(client: httpx.Client, server: FeedServer) -> None:
    seen: list[tuple[int, int | None]] = []

    body = fetch_feed(client, f"{server.base}/feed.ics", progress=lambda n, t: seen.append((n, t)))

    assert body == CALENDAR
    assert seen[-1] == (len(CALENDAR), len(CALENDAR))


def test_webcal_address_is_fetched_over_https(client: httpx.Client, server: FeedServer) -> None:
    address = server.base.replace("https://", "webcal://") + "/feed.ics"

    assert fetch_feed(client, address) == CALENDAR


def test_ssl_cert_file_from_the_environment_is_honoured(
    test_ca: CertificateFiles, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))

    with make_client() as made:
        assert fetch_feed(made, f"{server.base}/feed.ics") == CALENDAR


def test_redirect_is_followed_and_cookies_are_not_kept(
    client: httpx.Client, server: FeedServer
) -> None:
    assert fetch_feed(client, f"{server.base}/hop") == CALENDAR

    assert server.requests == [("/hop", None), ("/feed.ics", None)]
    assert len(client.cookies) == 0


def test_five_redirects_are_followed_six_are_refused(
    client: httpx.Client, server: FeedServer
) -> None:
    assert fetch_feed(client, f"{server.base}/chain/4") == CALENDAR

    with pytest.raises(FeedRedirectError) as caught:
        fetch_feed(client, f"{server.base}/chain/5")
    _assert_no_address(caught.value, server)


def test_redirect_to_http_is_refused(client: httpx.Client, server: FeedServer) -> None:
    with pytest.raises(FeedRedirectError, match="not secure") as caught:
        fetch_feed(client, f"{server.base}/to-http")

    _assert_no_address(caught.value, server)
    assert [path for path, _ in server.requests] == ["/to-http"]


def test_too_large_declared(client: httpx.Client, server: FeedServer) -> None:
    with pytest.raises(FeedTooLargeError):
        fetch_feed(client, f"{server.base}/big-declared", max_bytes=1000)


def test_too_large_streamed_without_length(client: httpx.Client, server: FeedServer) -> None:
    seen: list[int] = []

    with pytest.raises(FeedTooLargeError) as caught:
        fetch_feed(
            client,
            f"{server.base}/big-streamed",
            max_bytes=20_000,
            progress=lambda n, _t: seen.append(n),
        )

    assert max(seen) <= 20_000
    _assert_no_address(caught.value, server)


def test_timeout(test_ca: CertificateFiles, server: FeedServer) -> None:
    with (
        make_client(environ={"SSL_CERT_FILE": str(test_ca.ca_file)}, read_timeout=0.3) as made,
        pytest.raises(FeedTimeoutError) as caught,
    ):
        fetch_feed(made, f"{server.base}/stall")

    _assert_no_address(caught.value, server)


@pytest.mark.parametrize("path", ["/missing", "/unauthorised"])
def test_refused_address_says_it_may_have_been_reset(
    client: httpx.Client, server: FeedServer, path: str
) -> None:
    with pytest.raises(FeedAccessError, match="may have been reset") as caught:
        fetch_feed(client, f"{server.base}{path}")

    _assert_no_address(caught.value, server)


def test_server_error(client: httpx.Client, server: FeedServer) -> None:
    with pytest.raises(FeedHTTPError, match="500"):
        fetch_feed(client, f"{server.base}/broken")


def test_html_login_page_is_not_a_calendar(client: httpx.Client, server: FeedServer) -> None:
    with pytest.raises(FeedNotCalendarError, match="web page") as caught:
        fetch_feed(client, f"{server.base}/login")

    _assert_no_address(caught.value, server)


def test_untrusted_certificate_is_a_tls_failure(
    client: httpx.Client, rogue_server: FeedServer
) -> None:
    with pytest.raises(FeedTLSError) as caught:
        fetch_feed(client, f"{rogue_server.base}/feed.ics")

    _assert_no_address(caught.value, rogue_server)
    assert rogue_server.requests == []


def test_no_network(client: httpx.Client) -> None:
    # A port that was just free and is not listening: the connection is refused.
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_address[1]
    probe.server_close()

    with pytest.raises(FeedNetworkError) as caught:
        fetch_feed(client, f"https://127.0.0.1:{port}/feed.ics")

    assert "127.0.0.1" not in str(caught.value)


def test_cancel_while_streaming(client: httpx.Client, server: FeedServer) -> None:
    seen: list[int] = []

    with pytest.raises(FeedCancelledError):
        fetch_feed(
            client,
            f"{server.base}/big-streamed",
            cancelled=lambda: bool(seen),
            progress=lambda n, _t: seen.append(n),
        )

    assert len(seen) == 1


def test_cancel_before_anything_is_sent(client: httpx.Client, server: FeedServer) -> None:
    with pytest.raises(FeedCancelledError):
        fetch_feed(client, f"{server.base}/feed.ics", cancelled=lambda: True)

    assert server.requests == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "webcal://p01-caldav.icloud.com/published/2/abc",
            "https://p01-caldav.icloud.com/published/2/abc",
        ),
        ("  https://clinic.janeapp.com/ical/tok.ics \n", "https://clinic.janeapp.com/ical/tok.ics"),
        ("WEBCAL://Example.com/a.ics", "https://example.com/a.ics"),
    ],
)
def test_normalise_accepts_https_and_webcal(text: str, expected: str) -> None:
    assert normalise_feed_url(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "http://example.com/a.ics",
        "ftp://example.com/a.ics",
        "file:///etc/passwd",
        "",
        "   ",
        "example.com/a.ics",
        "https://",
        "https://exa mple.com/a.ics",
        "javascript:alert(1)",
    ],
)
def test_normalise_refuses_everything_else(text: str) -> None:
    with pytest.raises(FeedAddressError) as caught:
        normalise_feed_url(text)

    assert isinstance(caught.value, ValidationError)
    assert isinstance(caught.value, FeedError)


def test_fetch_refuses_http_before_connecting(client: httpx.Client) -> None:
    with pytest.raises(FeedAddressError):
        fetch_feed(client, "http://127.0.0.1:9/feed.ics")


def test_mask_hides_the_token() -> None:
    url = "https://example.janeapp.com/calendar/42/ical/s3cr3t-t0ken.ics?key=abc"

    masked = mask_feed_url(url)

    assert masked == "https://example.janeapp.com/…/••••••.ics"
    assert mask_feed_url("webcal://calendar.google.com/calendar/ical/x/private-y/basic.ics") == (
        "https://calendar.google.com/…/••••••.ics"
    )
    assert mask_feed_url("not an address") == "••••••"


def test_total_time_limit_covers_the_whole_download(
    client: httpx.Client, server: FeedServer
) -> None:
    with pytest.raises(FeedTimeoutError):
        fetch_feed(client, f"{server.base}/big-streamed", total_timeout=0)
