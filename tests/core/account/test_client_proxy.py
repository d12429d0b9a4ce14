"""The account client goes through the proxy a clinic's computer is set to use, as feeds do.

A real HTTPS server and a real CONNECT proxy on loopback (``tests/support/feed_server.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sessionclock.core.account.client import make_service_client
from tests.support.feed_server import (
    CertificateFiles,
    ConnectProxy,
    FeedServer,
    make_certificates,
    run_proxy,
    serve,
)

ANSWER = b'{"status": "ok"}'


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    return make_certificates(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def service(certificates: CertificateFiles) -> Iterator[FeedServer]:
    yield from serve(
        certificates.server_pem,
        {"/health": lambda handler, _state: handler.send(200, ANSWER, "application/json")},
    )


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    yield from run_proxy()


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test's output quiet."""


@pytest.fixture
def plain_service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _health(base: str, ca_file: Path) -> bytes:
    with make_service_client(base, environ={"SSL_CERT_FILE": str(ca_file)}) as client:
        return client.get("/health").content


def test_the_proxy_set_for_https_carries_the_tunnel(
    certificates: CertificateFiles,
    service: FeedServer,
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    assert _health(service.base, certificates.ca_file) == ANSWER
    assert proxy.tunnels == [service.base.removeprefix("https://")]


def test_no_proxy_reaches_the_service_directly(
    certificates: CertificateFiles,
    service: FeedServer,
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.address)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    assert _health(service.base, certificates.ca_file) == ANSWER
    assert proxy.tunnels == []


def test_a_plain_http_service_never_goes_through_a_proxy(
    plain_service: str, proxy: ConnectProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy would read a plain request, password and all: only https tunnels through one.
    monkeypatch.setenv("HTTPS_PROXY", proxy.address)
    monkeypatch.setenv("HTTP_PROXY", proxy.address)
    monkeypatch.setenv("ALL_PROXY", proxy.address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    with make_service_client(plain_service) as client:
        assert client.get("/health").content == ANSWER
    assert proxy.tunnels == []
