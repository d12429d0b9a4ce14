"""The service as deployed: real uvicorn processes with several workers, on SQLite and on one
PostgreSQL, behind Debian's nginx, with the outbox sender running in every worker."""

from __future__ import annotations

import os
import ssl
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from sessionclock_service.clock import SystemClock
from sessionclock_service.db.engine import Database
from sessionclock_service.db.migrate import upgrade
from sessionclock_service.db.models import OutboxEmail
from sessionclock_service.integrations.email import EmailMessage, UnconfiguredEmailSender
from sessionclock_service.usecases.outbox import Outbox
from tests.support.fake_resend import FakeResend
from tests.support.nginx import Nginx, nginx_binary
from tests.support.service import (
    PASSWORD,
    mail_env,
    new_email,
    service_env,
    sign_in_status,
    sign_up,
    sign_up_and_in,
    start_service,
    throwaway_secrets,
)
from tests.support.sync import Device, b64, first_key, new_device, record, register, version_text

WRONG = "not the password at all"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database for real service processes: a SQLite file, or a PostgreSQL one."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    else:
        new_database: Callable[[str], str] = request.getfixturevalue("new_postgres_database")
        url = new_database("served")
    upgrade(url)
    return url


@pytest.fixture
def serve(fake_resend: FakeResend) -> Iterator[Callable[..., str]]:
    """Return a starter of service processes (mail to the fake Resend); all stop after the test."""
    running: list[subprocess.Popen[bytes]] = []

    def start(database_url: str, *, workers: int = 1, **settings: str) -> str:
        env = service_env(
            database_url,
            **throwaway_secrets(),
            **mail_env(fake_resend),
            **{f"SESSIONCLOCK_{name.upper()}": value for name, value in settings.items()},
        )
        proc, base = start_service(env, workers=workers)
        running.append(proc)
        return base

    yield start
    for proc in running:
        proc.terminate()
        proc.wait(timeout=30)


def test_concurrent_guesses_across_two_workers_cost_exactly_the_allowance(
    served_database: str, serve: Callable[..., str], fake_resend: FakeResend
) -> None:
    base = serve(
        served_database,
        workers=2,
        login_max_failures="10",
        hash_max_per_target="1000",
        hash_queue="64",
    )
    email = new_email()
    with httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_connections=50)) as client:
        sign_up(client, fake_resend, email)
        guesses = [WRONG + str(n) for n in range(40)]
        with ThreadPoolExecutor(max_workers=40) as pool:
            statuses = list(pool.map(lambda p: sign_in_status(client, email, p)[0], guesses))
        assert statuses.count(401) == 10, statuses  # checked: exactly the allowance
        assert statuses.count(429) == 30, statuses
        # The right password, found by the 25th guess, would wait now too.
        assert sign_in_status(client, email)[0] == 429


@pytest.mark.postgres
def test_two_services_on_one_postgresql_send_every_message_once(
    new_postgres_database: Callable[[str], str], serve: Callable[..., str], fake_resend: FakeResend
) -> None:
    url = new_postgres_database("outbox")
    upgrade(url)
    secret = throwaway_secrets()["SESSIONCLOCK_SECRET_KEY"]
    db = Database.connect(url)
    try:
        queued = Outbox(
            db=db, secret_key=secret, sender=UnconfiguredEmailSender(), clock=SystemClock()
        )
        recipients = [f"queued{n}@example.org" for n in range(60)]
        with db.write() as session:
            for to in recipients:
                message = EmailMessage(to=to, subject="Queued", text="t", html="h")
                queued.enqueue(session, kind="test", message=message)
        # Two hosts, two workers each: four outbox senders claiming from one table.
        bases = [serve(url, workers=2, outbox_interval_seconds="0.05") for _ in range(2)]
        signed_up = []
        with ThreadPoolExecutor(max_workers=10) as pool:
            for n in range(20):
                email = f"signup{n}@example.org"
                signed_up.append(email)
                pool.submit(
                    httpx.post,
                    f"{bases[n % 2]}/v1/accounts",
                    json={"email": email, "password": PASSWORD},
                    timeout=30,
                )
        deadline = time.monotonic() + 60
        while True:
            with db.read() as session:
                left = session.scalar(select(func.count()).select_from(OutboxEmail))
            if left == 0 and len(fake_resend.sent) >= 80:
                break
            assert time.monotonic() < deadline, f"{left} messages still queued"
            time.sleep(0.1)  # polling the outbox, not waiting for a result
    finally:
        db.dispose()
    sent = sorted(m.payload["to"][0] for m in fake_resend.sent)
    assert sent == sorted(recipients + signed_up)  # every message, each exactly once
    keys = [m.headers["idempotency-key"] for m in fake_resend.sent]
    assert len(set(keys)) == len(keys)


def test_concurrent_pushes_to_one_account_get_increasing_seqs_and_a_puller_misses_none(
    served_database: str, serve: Callable[..., str], fake_resend: FakeResend
) -> None:
    base = serve(served_database, workers=2, sync_pushes_per_minute="10000")
    with httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_connections=20)) as client:
        customer = sign_up_and_in(client, fake_resend)
        desk = register(client, customer)
        first_key(client, desk)
        devices = [desk]
        for n in range(3):
            device = new_device(client, customer, f"Device {n}")
            r = client.put(
                "/v1/keys/envelope",
                json={"epoch": 1, "envelope": b64(b"e" * 80)},
                headers=device.headers,
            )
            assert r.status_code == 200, r.text
            devices.append(device)
        done = threading.Event()

        def pushes(device: Device) -> list[tuple[str, str, int]]:
            """Push 20 times 3 records, each record twice (a new one, then a newer version)."""
            accepted = []
            ids = [str(uuid.uuid4()) for _ in range(30)]
            for n in range(20):
                batch = [
                    record(record_id=ids[(n * 3 + k) % 30], version=version_text(n * 3 + k))
                    for k in range(3)
                ]
                r = client.post("/v1/sync/push", json={"records": batch}, headers=device.headers)
                assert r.status_code == 200, r.text
                accepted += [(x["record_id"], x["version"], x["seq"]) for x in r.json()["results"]]
                assert {x["status"] for x in r.json()["results"]} == {"accepted"}
            return accepted

        def pulls() -> dict[str, tuple[str, int]]:
            """Pull in small pages until the pushes are over and nothing more comes."""
            seen: dict[str, tuple[str, int]] = {}
            cursor, last_round = 0, False
            deadline = time.monotonic() + 300
            while True:
                assert time.monotonic() < deadline, "the pushes never ended"
                over = done.is_set()
                page = client.get(f"/v1/sync/pull?since={cursor}&limit=7", headers=desk.headers)
                assert page.status_code == 200, page.text
                body = page.json()
                seqs = [x["seq"] for x in body["records"]]
                assert seqs == sorted(seqs) and all(s > cursor for s in seqs)
                for x in body["records"]:
                    seen[x["record_id"]] = (x["version"], x["seq"])
                cursor = body["cursor"]
                if not body["more"] and last_round:
                    return seen
                last_round = over and not body["more"]

        with ThreadPoolExecutor(max_workers=len(devices) + 1) as pool:
            puller = pool.submit(pulls)
            pushers = [pool.submit(pushes, d) for d in devices]
            try:
                written = [f.result() for f in pushers]
            finally:
                done.set()  # the puller stops even when a push failed
            seen = puller.result()
        # Every accepted write took its own number, and each device's numbers only grew.
        seqs = [seq for one in written for _, _, seq in one]
        assert sorted(seqs) == list(range(1, 4 * 60 + 1))
        for one in written:
            assert [seq for _, _, seq in one] == sorted(seq for _, _, seq in one)
        # The puller, following its cursor while the writes went on, missed no final version.
        final = {}
        for record_id, version, seq in sorted(
            (w for one in written for w in one), key=lambda w: w[2]
        ):
            final[record_id] = (version, seq)
        assert seen == final


@pytest.fixture
def nginx_path() -> str:
    """Debian's nginx (CI must have it: fail loudly there)."""
    found = nginx_binary()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing in CI (scripts/_common.sh installs it)")
        pytest.skip("nginx is not installed here")
    return found


def _from(host: str, certificate: Path) -> httpx.Client:
    """A client whose connections leave from loopback address *host*."""
    trust = ssl.create_default_context(cafile=str(certificate))
    transport = httpx.HTTPTransport(local_address=host, verify=trust)
    return httpx.Client(transport=transport, timeout=30)


def test_behind_nginx_the_client_address_is_the_real_one(
    nginx_path: str, serve: Callable[..., str], tmp_path: Path, fake_resend: FakeResend
) -> None:
    url = f"sqlite:///{tmp_path / 'proxied.sqlite3'}"
    upgrade(url)
    proxy_root = tmp_path / "nginx"
    proxy_root.mkdir()
    service = serve(
        url,
        workers=2,
        trusted_proxies="127.0.0.1",
        login_max_address_failures="3",
        public_base_url="https://127.0.0.1",
    )
    proxy = Nginx(nginx_path, proxy_root, upstream=service)
    proxy.start()
    try:
        with (
            _from("127.0.0.2", proxy.certificate) as two,
            _from("127.0.0.3", proxy.certificate) as three,
        ):
            two.base_url = three.base_url = httpx.URL(proxy.base_url)
            for _ in range(3):
                assert sign_in_status(two, new_email(), WRONG)[0] == 401
            assert sign_in_status(two, new_email(), WRONG)[0] == 429  # 127.0.0.2 waits...
            assert sign_in_status(three, new_email(), WRONG)[0] == 401  # ...127.0.0.3 does not
            # A client cannot pass for another by sending the header itself: nginx appends the
            # address it saw, and the service believes only what its proxy adds.
            spoofed = three.post(
                "/v1/tokens",
                json={"email": new_email(), "password": WRONG, "device_name": "x"},
                headers={"X-Forwarded-For": "127.0.0.2"},
            )
            assert spoofed.status_code == 401
            # Nor straight to the service: only the proxy's headers are believed.
            direct = httpx.Client(
                base_url=service,
                transport=httpx.HTTPTransport(local_address="127.0.0.2"),
                timeout=30,
            )
            with direct:
                r = direct.post(
                    "/v1/tokens",
                    json={"email": new_email(), "password": WRONG, "device_name": "x"},
                    headers={"X-Forwarded-For": "127.0.0.9"},
                )
                assert r.status_code == 429  # it is 127.0.0.2, whatever the header says
            # The admin area's cookies are Secure: the public address is https.
            form = three.get("/admin/login")
            assert form.status_code == 200 and "secure" in form.headers["set-cookie"].lower()
    finally:
        proxy.stop()
