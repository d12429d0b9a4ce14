"""The feed fetcher against a real HTTPS server on loopback, trusted through a test CA."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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

CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Client\r\n"
    b"DTSTART:20250601T090000Z\r\nDTEND:20250601T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
LOGIN_PAGE = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>" + b"x" * 500


# ---------------------------------------------------------------------------- certificates


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _make_ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_leaf(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _write_pem(path: Path, *, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
    path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@dataclass
class CertificateFiles:
    """Files of a generated test certificate authority and a server certificate it signed.

    Attributes:
        ca_file: the CA certificate (PEM), to trust.
        server_pem: the server's certificate and key (PEM).
        untrusted_pem: a server certificate and key signed by another, untrusted CA.
    """

    ca_file: Path
    server_pem: Path
    untrusted_pem: Path


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    folder = tmp_path_factory.mktemp("ca")
    ca_key, ca_cert = _make_ca("Session Clock Test CA")
    leaf_key, leaf_cert = _make_leaf(ca_key, ca_cert)
    other_key, other_cert = _make_ca("Untrusted CA")
    rogue_key, rogue_cert = _make_leaf(other_key, other_cert)
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    _write_pem(folder / "server.pem", key=leaf_key, cert=leaf_cert)
    _write_pem(folder / "rogue.pem", key=rogue_key, cert=rogue_cert)
    return CertificateFiles(ca_file, folder / "server.pem", folder / "rogue.pem")


# ---------------------------------------------------------------------------- the server


@dataclass
class FeedServer:
    """A threaded HTTPS server on loopback with one route per scenario.

    Attributes:
        base: ``https://127.0.0.1:<port>``.
        requests: (path, Cookie header) of each request received, in order.
        release: set to let a deliberately stalled answer finish.
    """

    base: str
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _handler(state: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Routes for the scenarios of the fetch tests."""

        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

        def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str, **headers: str) -> None:
            self._send(302, b"", "text/plain", Location=location, **headers)

        def do_GET(self) -> None:
            state.requests.append((self.path, self.headers.get("Cookie")))
            path = self.path
            if path == "/feed.ics":
                self._send(200, CALENDAR, "text/calendar; charset=utf-8")
            elif path == "/hop":
                self._redirect("/feed.ics", Set_Cookie="session=tracking; Path=/")
            elif path.startswith("/chain/"):
                left = int(path.rsplit("/", 1)[1])
                self._redirect(f"{state.base}/chain/{left - 1}" if left else "/feed.ics")
            elif path == "/to-http":
                self._redirect(state.base.replace("https://", "http://") + "/feed.ics")
            elif path == "/missing":
                self._send(404, b"Not found", "text/plain")
            elif path == "/unauthorised":
                self._send(401, b"", "text/plain")
            elif path == "/broken":
                self._send(500, b"", "text/plain")
            elif path == "/login":
                self._send(200, LOGIN_PAGE, "text/html; charset=utf-8")
            elif path == "/big-declared":
                self._send(200, CALENDAR + b"X" * 5000, "text/calendar")
            elif path == "/big-streamed":
                self._stream(CALENDAR + b"X" * 100_000)
            elif path == "/stall":
                state.release.wait(timeout=10)
                self._send(200, CALENDAR, "text/calendar")
            else:
                self._send(404, b"", "text/plain")

        def _stream(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 4096):
                piece = body[start : start + 4096]
                try:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                except OSError:
                    return  # the client stopped reading, as it should
            self.wfile.write(b"0\r\n\r\n")

    return Handler


def _serve(pem: Path) -> Iterator[FeedServer]:
    state = FeedServer(base="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.base = f"https://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def server(test_ca: CertificateFiles) -> Iterator[FeedServer]:
    yield from _serve(test_ca.server_pem)


@pytest.fixture
def rogue_server(test_ca: CertificateFiles) -> Iterator[FeedServer]:
    yield from _serve(test_ca.untrusted_pem)


@pytest.fixture
def client(test_ca: CertificateFiles) -> Iterator[httpx.Client]:
    with make_client(environ={"SSL_CERT_FILE": str(test_ca.ca_file)}, read_timeout=5) as made:
        yield made


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
