"""Requests per second and p50/p99 latency of GET /v1/entitlement at 50 concurrent clients.

Runs the real ``sessionclock-service`` command with 4 uvicorn workers, first on a SQLite file,
then on a throwaway PostgreSQL cluster (started with initdb/pg_ctl, as the tests do)::

    .venv/bin/python benchmarks/service_entitlement.py [--seconds 10] [--clients 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks._service import exchange
from sessionclock_service.db.migrate import upgrade
from tests.support.fake_resend import FakeResend
from tests.support.postgres import PostgresCluster, postgres_bindir
from tests.support.service import (
    PASSWORD,
    mail_env,
    service_env,
    sign_up,
    start_service,
    throwaway_secrets,
)


def make_tokens(base: str, count: int, mailbox: FakeResend) -> list[str]:
    """Sign up *count* accounts (confirmed through *mailbox*) and return one API token for each."""
    tokens = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(count):
            email = f"bench{i}@example.org"
            sign_up(client, mailbox, email)
            r = client.post(
                "/v1/tokens", json={"email": email, "password": PASSWORD, "device_name": "bench"}
            )
            r.raise_for_status()
            tokens.append(r.json()["token"])
    return tokens


async def hammer(
    base: str, tokens: list[str], *, seconds: float, path: str = "/v1/entitlement"
) -> tuple[list[float], int]:
    """Have one keep-alive connection per token call *path* in a loop."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def one(token: str) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n"
        ).encode()
        try:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                status = await exchange(reader, writer, request)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors += 1
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(one(t) for t in tokens))
    return latencies, errors


def run(label: str, database_url: str, *, clients: int, seconds: float, workers: int) -> None:
    """Benchmark one database and print the figures."""
    upgrade(database_url)
    mailbox = FakeResend()
    mailbox.server.start()
    env = service_env(database_url, **throwaway_secrets(), **mail_env(mailbox))
    proc, base = start_service(env, workers=workers)
    try:
        tokens = make_tokens(base, clients, mailbox)
        asyncio.run(hammer(base, tokens, seconds=2))  # warm-up
        latencies, errors = asyncio.run(hammer(base, tokens, seconds=seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        mailbox.server.stop()
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{label:<10} workers={workers} clients={clients}: {len(latencies) / seconds:8.0f} req/s"
        f"  p50 {q[49] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms  errors {errors}"
    )


def main() -> None:
    """Run the benchmark on SQLite, then on PostgreSQL when it is installed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        run("SQLite", url, clients=args.clients, seconds=args.seconds, workers=args.workers)
    bindir = postgres_bindir()
    if bindir is None:
        print("PostgreSQL     not installed: skipped")
        return
    cluster = PostgresCluster(bindir)
    cluster.start()
    try:
        run(
            "PostgreSQL",
            cluster.url(),
            clients=args.clients,
            seconds=args.seconds,
            workers=args.workers,
        )
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
