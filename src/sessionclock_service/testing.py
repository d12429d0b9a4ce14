"""Test doubles for the service: a manual clock, a throwaway PostgreSQL, fake Stripe and Resend.

Shipped with the package (never imported by the app) so the test suite and the benchmarks share
them. The fakes are real HTTP servers on 127.0.0.1, so the real ``stripe`` library and the real
httpx e-mail sender run over the network against them.
"""

from __future__ import annotations

import glob
import hashlib
import hmac
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl

WEBHOOK_SECRET = "whsec_test_0123456789abcdef0123456789abcdef"  # noqa: S105 - test double
PASSWORD = "correct horse battery staple"  # noqa: S105 - test double


class HttpResponse(Protocol):
    """The part of an httpx response the helpers use."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        ...

    @property
    def text(self) -> str:
        """The body as text."""
        ...

    def json(self) -> Any:
        """The body as JSON."""
        ...


class HttpClient(Protocol):
    """The part of an httpx (or Starlette test) client the helpers use."""

    def post(self, url: str, *, json: Any = None) -> HttpResponse:
        """Send a POST with a JSON body."""
        ...


# -- time ------------------------------------------------------------------------------------


@dataclass
class MutableClock:
    """A clock the test moves by hand; starts at the real time (Stripe signatures use it)."""

    current: datetime = field(default_factory=lambda: datetime.fromtimestamp(time.time(), UTC))

    def now(self) -> datetime:
        """Return the current test time."""
        return self.current

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self.current += delta


# -- PostgreSQL ------------------------------------------------------------------------------


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temp dir, listening on a unix socket only.

    initdb refuses to run as root, so as root the binaries run as the ``postgres`` system
    user (created by the Debian package) through ``runuser``, in a directory chowned to it.
    """

    def __init__(self, bindir: str) -> None:
        self._bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="sc-pg-"))
        self.datadir = self.root / "data"
        self.sockdir = self.root / "sock"
        self._as_root = os.geteuid() == 0
        self._user = "postgres" if self._as_root else None

    def _run(self, *args: str) -> None:
        cmd = [os.path.join(self._bindir, args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)  # noqa: S603

    def start(self) -> None:
        """Create the cluster and start the server."""
        self.sockdir.mkdir()
        if self._as_root:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sockdir, "postgres")
        self._run("initdb", "-D", str(self.datadir), "-A", "trust", "-U", "postgres", "--no-sync")
        options = (
            f"-k {self.sockdir} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def url(self, database: str = "postgres") -> str:
        """Return the SQLAlchemy URL of *database* on this cluster."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.sockdir}"

    def stop(self) -> None:
        """Stop the server and remove its files."""
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def postgres_bindir() -> str | None:
    """Return the newest installed PostgreSQL binary directory, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


# -- fake HTTP servers -----------------------------------------------------------------------


class _QuietHandler(BaseHTTPRequestHandler):
    """Request handler that does not print to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with an ephemeral port."""

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


class _StripeHandler(_QuietHandler):
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


class _ResendHandler(_QuietHandler):
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


# -- helpers ---------------------------------------------------------------------------------


_emails = itertools.count(1)


def new_email() -> str:
    """Return a fresh e-mail address."""
    return f"practitioner{next(_emails)}@example.org"


@dataclass
class Customer:
    """A signed-up, signed-in customer."""

    email: str
    password: str
    token: str
    token_id: str

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header of its token."""
        return {"Authorization": f"Bearer {self.token}"}


def sign_up_and_in(client: HttpClient, email: str | None = None) -> Customer:
    """Create an account and sign it in."""
    email = email or new_email()
    assert (
        client.post("/v1/accounts", json={"email": email, "password": PASSWORD}).status_code == 202
    )
    r = client.post(
        "/v1/tokens", json={"email": email, "password": PASSWORD, "device_name": "Front desk"}
    )
    assert r.status_code == 201, r.text
    return Customer(
        email=email, password=PASSWORD, token=r.json()["token"], token_id=r.json()["id"]
    )


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
