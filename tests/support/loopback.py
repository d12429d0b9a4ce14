"""A threaded HTTP server on 127.0.0.1, the base of the fake Stripe and the fake Resend."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    """Request handler that does not print to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with an ephemeral port.

    The handler reaches the object that owns the server as ``self.server.fake``.
    """

    def __init__(self, handler: type[BaseHTTPRequestHandler], *, owner: object) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.fake = owner  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The server's address."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
