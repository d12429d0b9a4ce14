"""A fake Resend on loopback: ``POST /emails``, with a switch to fail the next requests.

It is a real HTTP server on 127.0.0.1, so the service's real httpx sender talks to it over the
network.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from tests.support.loopback import LoopbackServer, QuietHandler


@dataclass
class SentEmail:
    """One message the fake Resend accepted."""

    payload: dict[str, Any]
    headers: dict[str, str]


class FakeResend:
    """Resend's ``POST /emails``, with a switch to fail the next N requests.

    Attributes:
        sent: Messages accepted.
        attempts: Every request, accepted or not.
        fail_next: How many coming requests answer 500.
    """

    def __init__(self) -> None:
        self.sent: list[SentEmail] = []
        self.attempts = 0
        self.fail_next = 0
        self._lock = threading.Lock()
        self.server = LoopbackServer(_ResendHandler, owner=self)

    def reset(self) -> None:
        """Forget everything between tests."""
        with self._lock:
            self.sent.clear()
            self.attempts = 0
            self.fail_next = 0


class _ResendHandler(QuietHandler):
    """Routes HTTP requests to the `FakeResend` that owns the server."""

    def do_POST(self) -> None:
        """Accept (or fail) one message."""
        fake: FakeResend = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length))
        with fake._lock:
            fake.attempts += 1
            if self.path != "/emails" or not self.headers.get("Authorization", "").startswith(
                "Bearer re_"
            ):
                status = 401
            elif fake.fail_next > 0:
                fake.fail_next -= 1
                status = 500
            else:
                status = 200
                fake.sent.append(
                    SentEmail(payload, {k.lower(): v for k, v in self.headers.items()})
                )
        data = json.dumps({"id": "email_1"} if status == 200 else {"message": "no"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
