"""Real servers on loopback for the fetcher's tests: HTTPS (trusted through a test CA), a CONNECT
proxy, and a tarpit that accepts connections and never answers.

Each test module gives the HTTPS server its routes: functions of (request handler, server state)
that answer one path. The handler offers small helpers (``send``, ``redirect``, ``chunked``) and its
``wfile`` for answers written byte by byte.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


def make_certificates(folder: Path) -> CertificateFiles:
    """Write a test CA, a server certificate it signed and one signed by another CA."""
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
        release: set to let a deliberately stalled answer finish (and when the server stops).
        gone: set when a route saw the client hang up.
        asked: set once a request has arrived.
    """

    base: str
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    gone: threading.Event = field(default_factory=threading.Event)
    asked: threading.Event = field(default_factory=threading.Event)


class RouteHandler(BaseHTTPRequestHandler):
    """Answers GET requests with the route registered for the path (404 for anything else)."""

    protocol_version = "HTTP/1.1"
    routes: Mapping[str, Route] = {}
    state: FeedServer

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        """Answer with *body* and a Content-Length (``Set_Cookie`` means ``Set-Cookie``)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, **headers: str) -> None:
        """Answer 302 to *location*."""
        self.send(302, b"", "text/plain", Location=location, **headers)

    def chunked(self, pieces: Iterable[bytes], **headers: str) -> None:
        """Answer 200 with a chunked body, stopping when the client goes away."""
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        try:
            for piece in pieces:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.state.gone.set()  # the client stopped reading, as it should

    def do_GET(self) -> None:
        """Record the request and answer it with its route."""
        self.state.requests.append((self.path, self.headers.get("Cookie")))
        self.state.asked.set()
        prefix = self.path.rsplit("/", 1)[0] + "/" if self.path.count("/") > 1 else self.path
        route = self.routes.get(self.path) or self.routes.get(prefix)
        if route is None:
            self.send(404, b"", "text/plain")
        else:
            route(self, self.state)


Route = Callable[[RouteHandler, FeedServer], None]


def serve(pem: Path, routes: Mapping[str, Route]) -> Iterator[FeedServer]:
    """Run an HTTPS server with *routes* (a path, or a prefix ending in "/") for a fixture."""
    state = FeedServer(base="")
    handler = type("Handler", (RouteHandler,), {"routes": routes, "state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
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


# ---------------------------------------------------------------------------- a proxy, a tarpit


@dataclass
class ConnectProxy:
    """An HTTP proxy on loopback that tunnels CONNECT requests (as a clinic's proxy would).

    Attributes:
        address: ``http://127.0.0.1:<port>``.
        tunnels: the target (``host:port``) of each CONNECT request, in order.
        refuse: answer 403 instead of tunnelling.
    """

    address: str
    tunnels: list[str] = field(default_factory=list)
    refuse: bool = False


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        with suppress(OSError):
            target.shutdown(socket.SHUT_WR)


@contextmanager
def _accepting(handle: Callable[[socket.socket], None]) -> Iterator[socket.socket]:
    """Listen on loopback and give each connection to *handle* until the block ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            handle(client)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def run_proxy() -> Iterator[ConnectProxy]:
    """Run a CONNECT proxy for a fixture."""
    state = ConnectProxy(address="")

    def tunnel(client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                data = client.recv(4096)
                if not data:
                    return
                head += data
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            state.tunnels.append(target)
            if state.refuse or method != "CONNECT":
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port))) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
                back.start()
                _pump(client, upstream)
                back.join(timeout=5)

    def start(client: socket.socket) -> None:
        threading.Thread(target=tunnel, args=(client,), daemon=True).start()

    with _accepting(start) as listener:
        state.address = f"http://127.0.0.1:{listener.getsockname()[1]}"
        yield state


def run_tarpit() -> Iterator[tuple[str, threading.Event]]:
    """Run a server that accepts connections and never says a word (not even TLS); yield its
    address and an event set once a connection was made."""
    connected = threading.Event()
    held: list[socket.socket] = []

    def hold(client: socket.socket) -> None:
        held.append(client)
        connected.set()

    try:
        with _accepting(hold) as listener:
            yield f"https://127.0.0.1:{listener.getsockname()[1]}", connected
    finally:
        for client in held:
            client.close()
