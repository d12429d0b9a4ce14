"""A booking platform that will not answer: a real HTTPS server on loopback that stalls.

The certificates come from ``openssl`` (a throwaway CA and a server certificate for 127.0.0.1);
point ``SSL_CERT_FILE`` at ``ca_file`` and the app's own feed client trusts the server. Each
connection is held until the test ends, in one of three ways (``Stall``):

- ``HANDSHAKE``: the connection is accepted and nothing more is said, not even TLS;
- ``HEADERS``: the request is read and no answer comes;
- ``DRIBBLE``: a calendar starts to arrive, one byte at a time, and never ends.
"""

from __future__ import annotations

import enum
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

DRIBBLE_INTERVAL_S = 0.2


class Stall(enum.Enum):
    """Where the server stops answering."""

    HANDSHAKE = "handshake"
    HEADERS = "headers"
    DRIBBLE = "dribble"


def make_certificates(folder: Path) -> tuple[Path, Path]:
    """Write a CA and a server certificate for 127.0.0.1 into *folder*.

    Returns:
        (the CA certificate to trust, the server's certificate and key in one PEM file).
    """

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    curve = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl(
        *("req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650"),
        *("-subj", "/CN=Session Clock slow feed test CA"),
        *("-addext", "basicConstraints=critical,CA:TRUE"),
        *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
    )
    openssl("req", *curve, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1\n"
        "basicConstraints=critical,CA:FALSE\n"
        "extendedKeyUsage=serverAuth\n",
        encoding="ascii",
    )
    openssl(
        *("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-out", "server.crt", "-days", "3650", "-extfile", "server.ext"),
    )
    pem = folder / "server.pem"
    pem.write_bytes((folder / "server.crt").read_bytes() + (folder / "server.key").read_bytes())
    return folder / "ca.pem", pem


@dataclass
class SlowFeed:
    """The running server.

    Attributes:
        url: the feed's address (``https://127.0.0.1:<port>/feed.ics``).
        ca_file: the CA certificate that makes the server trusted.
        connected: set once a client connected (and, past ``HANDSHAKE``, sent its request).
        release: set when the test is over; every held connection then closes.
    """

    url: str
    ca_file: Path
    connected: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


def _hold(connection: socket.socket, stall: Stall, context: ssl.SSLContext, feed: SlowFeed) -> None:
    try:
        if stall is Stall.HANDSHAKE:
            feed.connected.set()
            feed.release.wait()
            return
        with context.wrap_socket(connection, server_side=True) as tls:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = tls.recv(4096)
                if not chunk:
                    return
                request += chunk
            feed.connected.set()
            if stall is Stall.HEADERS:
                feed.release.wait()
                return
            tls.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            body = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + b"X" * 1_000_000
            for byte in body:
                if feed.release.wait(DRIBBLE_INTERVAL_S):
                    return
                tls.sendall(b"1\r\n" + bytes([byte]) + b"\r\n")
    except OSError:
        return  # the client went away, as it may
    finally:
        connection.close()


@contextmanager
def slow_feed(folder: Path, stall: Stall) -> Iterator[SlowFeed]:
    """Serve a stalling feed on loopback until the block ends; certificates go in *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, pem = make_certificates(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    feed = SlowFeed(url=f"https://127.0.0.1:{port}/feed.ics", ca_file=ca_file)
    holders: list[threading.Thread] = []

    def serve() -> None:
        while not feed.release.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            holder = threading.Thread(
                target=_hold, args=(connection, stall, context, feed), daemon=True
            )
            holders.append(holder)
            holder.start()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield feed
    finally:
        feed.release.set()
        server.join(timeout=5)
        listener.close()
        for holder in holders:
            holder.join(timeout=5)
