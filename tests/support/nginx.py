"""Debian's nginx as a TLS-terminating reverse proxy on loopback, in front of a service."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.service import free_port

_CONFIG = """\
daemon off;
worker_processes 1;
{user}
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {root}/cert.pem;
        ssl_certificate_key {root}/key.pem;
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    """Return the path of Debian's nginx, if installed."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def self_signed(root: Path) -> Path:
    """Write a key and a self-signed certificate for 127.0.0.1 into *root*; return the cert."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.fromtimestamp(time.time(), dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (root / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path = root / "cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


class Nginx:
    """nginx proxying ``https://127.0.0.1:port`` to *upstream*, started and stopped by a test.

    Attributes:
        base_url: Where clients reach it.
        certificate: The certificate clients trust.
    """

    def __init__(self, binary: str, root: Path, *, upstream: str) -> None:
        self._binary = binary
        self._root = root
        self._port = free_port()
        self.base_url = f"https://127.0.0.1:{self._port}"
        self.certificate = self_signed(root)
        # As root, nginx's workers would run as "nobody" and could not use the temp folders.
        user = "user root root;" if os.geteuid() == 0 else ""
        config = _CONFIG.format(user=user, root=root, port=self._port, upstream=upstream)
        (root / "nginx.conf").write_text(config)
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, deadline_seconds: float = 20) -> None:
        """Start nginx and wait for its port to open."""
        self._proc = subprocess.Popen(
            [
                self._binary,
                "-p",
                str(self._root),
                "-e",
                str(self._root / "error.log"),
                "-c",
                str(self._root / "nginx.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline and self._proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self._port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)  # waiting for the port to open, not for a result
        log = (self._root / "error.log").read_text() if (self._root / "error.log").exists() else ""
        self.stop()
        raise RuntimeError(f"nginx did not start: {log[-500:]}")

    def stop(self) -> None:
        """Stop nginx."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=15)
