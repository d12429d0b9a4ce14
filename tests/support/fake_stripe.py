"""A fake Stripe on loopback: enough of the API for the service, with state tests can set.

It is a real HTTP server on 127.0.0.1, so the real ``stripe`` library talks to it over the network.
`sign_webhook` and `stripe_event` make webhook deliveries as Stripe sends them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from tests.support.loopback import LoopbackServer, QuietHandler

WEBHOOK_SECRET = "whsec_test_0123456789abcdef0123456789abcdef"


def _nested_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Turn Stripe's ``a[b][0][c]=v`` form encoding back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node: Any = root
        for part, nxt in itertools.pairwise(parts):
            container: Any = [] if nxt.isdigit() else {}
            if isinstance(node, list):
                idx = int(part)
                while len(node) <= idx:
                    node.append(container)
                node = node[idx]
            else:
                node = node.setdefault(part, container)
        last = parts[-1]
        if isinstance(node, list):
            node.append(value)
        else:
            node[last] = value
    return root


@dataclass
class StripeRequest:
    """One request the fake Stripe received."""

    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]


class FakeStripe:
    """Enough of the Stripe API for the service, with state tests can set.

    Attributes:
        requests: Every request received, in order.
        customers: Customers by id.
        subscriptions: Subscriptions by id (as Stripe renders them).
        fail_with: When set, every request answers this HTTP status.
    """

    def __init__(self) -> None:
        self.requests: list[StripeRequest] = []
        self.customers: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, dict[str, Any]] = {}
        self.fail_with: int | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = LoopbackServer(_StripeHandler, owner=self)

    def reset(self) -> None:
        """Forget everything between tests."""
        with self._lock:
            self.requests.clear()
            self.customers.clear()
            self.subscriptions.clear()
            self.idempotent.clear()
            self.fail_with = None

    def new_id(self, prefix: str) -> str:
        """Return a fresh Stripe-looking id."""
        return f"{prefix}_{next(self._ids):08d}"

    def put_subscription(
        self, *, customer: str, status: str, period_end: datetime, sub_id: str | None = None
    ) -> str:
        """Create or replace a subscription (current_period_end on its item, as since 2025-03)."""
        sub_id = sub_id or self.new_id("sub")
        self.subscriptions[sub_id] = {
            "id": sub_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": self.new_id("si"),
                        "object": "subscription_item",
                        "current_period_end": int(period_end.timestamp()),
                    }
                ],
            },
        }
        return sub_id

    def handle(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, Any]:
        """Answer one API request."""
        if self.fail_with is not None:
            return self.fail_with, _stripe_error("api_error", "fake failure")
        parts = path.strip("/").split("/")
        if parts[:2] == ["v1", "customers"]:
            if method == "POST" and len(parts) == 2:
                cid = self.new_id("cus")
                self.customers[cid] = {"id": cid, "object": "customer", **params}
                return 200, self.customers[cid]
            if method == "DELETE" and len(parts) == 3:
                if self.customers.pop(parts[2], None) is None:
                    return 404, _stripe_error("invalid_request_error", "No such customer")
                for existing in self.subscriptions.values():
                    if existing["customer"] == parts[2]:
                        existing["status"] = "canceled"
                return 200, {"id": parts[2], "object": "customer", "deleted": True}
        if parts[:3] == ["v1", "checkout", "sessions"] and method == "POST":
            if params.get("customer") not in self.customers:
                return 400, _stripe_error("invalid_request_error", "No such customer")
            sid = self.new_id("cs")
            return 200, {
                "id": sid,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/{sid}",
                **params,
            }
        if parts[:3] == ["v1", "billing_portal", "sessions"] and method == "POST":
            if params.get("customer") not in self.customers:
                return 400, _stripe_error("invalid_request_error", "No such customer")
            pid = self.new_id("bps")
            return 200, {
                "id": pid,
                "object": "billing_portal.session",
                "url": f"https://billing.stripe.test/p/{pid}",
            }
        if parts[:2] == ["v1", "subscriptions"] and len(parts) == 3:
            sub = self.subscriptions.get(parts[2])
            if sub is None:
                return 404, _stripe_error("invalid_request_error", "No such subscription")
            if method == "DELETE":
                sub["status"] = "canceled"
            return 200, sub
        return 404, _stripe_error("invalid_request_error", f"Unrecognized request {path}")


def _stripe_error(kind: str, message: str) -> dict[str, Any]:
    code = "resource_missing" if message.startswith("No such") else None
    return {"error": {"type": kind, "message": message, "code": code}}


class _StripeHandler(QuietHandler):
    """Routes HTTP requests to the `FakeStripe` that owns the server."""

    def _serve(self) -> None:
        fake: FakeStripe = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path, _, query = self.path.partition("?")
        params = _nested_form(parse_qsl(body or query, keep_blank_values=True))
        key = self.headers.get("Idempotency-Key")
        with fake._lock:
            fake.requests.append(
                StripeRequest(
                    self.command, path, params, {k.lower(): v for k, v in self.headers.items()}
                )
            )
            if key and self.command == "POST" and key in fake.idempotent:
                status, payload = 200, fake.idempotent[key]
            else:
                status, payload = fake.handle(self.command, path, params)
                if key and self.command == "POST" and status == 200:
                    fake.idempotent[key] = payload
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Stripe-Should-Retry", "false")
        self.end_headers()
        self.wfile.write(data)

    do_GET = _serve
    do_POST = _serve
    do_DELETE = _serve


def sign_webhook(
    payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    """Return a ``Stripe-Signature`` header: ``t=<t>,v1=HMAC-SHA256(secret, "<t>.<payload>")``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


_events = itertools.count(1)


def stripe_event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> str:
    """Render a webhook event as Stripe sends it (API version 2026-10-28.endive)."""
    return json.dumps(
        {
            "id": event_id or f"evt_{next(_events):010d}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "type": event_type,
            "livemode": False,
            "data": {"object": obj},
        }
    )
