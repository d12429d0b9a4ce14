"""GET /v1/entitlement at 50 concurrent clients, alone and during a bcrypt flood, in one run.

Runs the real ``sessionclock-service`` command on a SQLite file and on a throwaway PostgreSQL
cluster (initdb/pg_ctl, as the tests do), with 1, 2 and 4 uvicorn workers each. For every
combination it measures requests/s and p50/p99 latency of the entitlement route (the one every
app polls) first alone (the baseline), then while 40 more connections sign in non-stop with the
right password at the production bcrypt cost, so every one of them asks for a bcrypt check.
The allowances are raised for the run, so the flood really hashes: what is measured is the
hashing pool keeping bcrypt away from the reads, not the limits turning the flood away. The
flood's own answers are counted (201 signed in, 503 pool full)::

    .venv/bin/python benchmarks/service_entitlement.py [--seconds 8] [--clients 50]
        [--flooders 40] [--workers 1 2 4] [--rounds 12]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
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

# The flood must reach bcrypt: allowances far above what one loopback address would get.
RAISED = {
    "SESSIONCLOCK_HASH_MAX_PER_ADDRESS": "100000",
    "SESSIONCLOCK_HASH_MAX_PER_TARGET": "1000",
    "SESSIONCLOCK_MAIL_MAX_PER_ADDRESS": "100000",
    "SESSIONCLOCK_LOGIN_MAX_ADDRESS_FAILURES": "100000",
    "SESSIONCLOCK_MAX_TOKENS_PER_ACCOUNT": "1000",
    "SESSIONCLOCK_OUTBOX_INTERVAL_SECONDS": "0",
}


@dataclass(frozen=True)
class Figures:
    """What one phase measured.

    Attributes:
        rate: Entitlement answers per second.
        p50: Median latency in ms.
        p99: 99th-percentile latency in ms.
        errors: Entitlement answers other than 200.
        flood: The flood's answers by status.
    """

    rate: float
    p50: float
    p99: float
    errors: int
    flood: Counter[int]


def make_accounts(base: str, emails: list[str], mailbox: FakeResend, *, tokens: int) -> list[str]:
    """Sign up *emails* (confirmed through *mailbox*); return *tokens* API tokens, round robin."""
    issued = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for email in emails:
            sign_up(client, mailbox, email)
        for i in range(tokens):
            r = client.post(
                "/v1/tokens",
                json={"email": emails[i % len(emails)], "password": PASSWORD, "device_name": "b"},
            )
            r.raise_for_status()
            issued.append(r.json()["token"])
    return issued


async def measure(base: str, tokens: list[str], flooders: list[str], *, seconds: float) -> Figures:
    """Poll the entitlement from one connection per token, with *flooders* signing in meanwhile."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    flood: Counter[int] = Counter()
    stop = time.perf_counter() + seconds

    async def poll(token: str) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        request = (
            f"GET /v1/entitlement HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n"
        ).encode()
        try:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                status = await exchange(reader, writer, request)
                latencies.append(time.perf_counter() - started)
                errors += status != 200
        finally:
            writer.close()
            await writer.wait_closed()

    async def sign_in(email: str) -> None:
        body = json.dumps({"email": email, "password": PASSWORD, "device_name": "flood"}).encode()
        request = (
            f"POST /v1/tokens HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < stop:
                flood[await exchange(reader, writer, request)] += 1
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(poll(t) for t in tokens), *(sign_in(e) for e in flooders))
    q = statistics.quantiles(latencies, n=100)
    return Figures(len(latencies) / seconds, q[49] * 1000, q[98] * 1000, errors, flood)


def run(
    label: str, database_url: str, *, workers: int, args: argparse.Namespace, mailbox: FakeResend
) -> None:
    """Benchmark one database with *workers* workers and print a line per phase."""
    upgrade(database_url)
    env = service_env(
        database_url,
        **throwaway_secrets(bcrypt_rounds=args.rounds),
        **mail_env(mailbox),
        **RAISED,
    )
    proc, base = start_service(env, workers=workers)
    try:
        # Ten readers' accounts with several devices each; the flood signs in to other accounts
        # (its tokens would otherwise push the readers' out).
        readers = [f"reader-{label.lower()}-{workers}-{i}@example.org" for i in range(10)]
        tokens = make_accounts(base, readers, mailbox, tokens=args.clients)
        targets = [f"flooded-{label.lower()}-{workers}-{i}@example.org" for i in range(4)]
        make_accounts(base, targets, mailbox, tokens=0)
        flooders = [targets[i % len(targets)] for i in range(args.flooders)]
        asyncio.run(measure(base, tokens, [], seconds=2))  # warm-up
        alone = asyncio.run(measure(base, tokens, [], seconds=args.seconds))
        flooded = asyncio.run(measure(base, tokens, flooders, seconds=args.seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for phase, f in (("alone", alone), ("bcrypt flood", flooded)):
        extra = ""
        if f.flood:
            answers = ", ".join(f"{n} x {s}" for s, n in sorted(f.flood.items()))
            extra = f"  flood: {sum(f.flood.values()) / args.seconds:5.1f}/s ({answers})"
        print(
            f"{label:<10} workers={workers}  {phase:<12} {f.rate:7.0f} req/s"
            f"  p50 {f.p50:7.1f} ms  p99 {f.p99:7.1f} ms  errors {f.errors}{extra}",
            flush=True,
        )


def main() -> None:
    """Run every database and worker count in one go."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--flooders", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--rounds", type=int, default=12, help="bcrypt cost (production: 12)")
    args = parser.parse_args()
    print(
        f"entitlement at {args.clients} clients, {args.seconds:.0f} s a phase; flood: "
        f"{args.flooders} connections signing in at bcrypt cost {args.rounds}",
        flush=True,
    )
    mailbox = FakeResend()
    mailbox.server.start()
    try:
        for workers in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
                run("SQLite", url, workers=workers, args=args, mailbox=mailbox)
        bindir = postgres_bindir()
        if bindir is None:
            print("PostgreSQL not installed: skipped")
            return
        for workers in args.workers:
            cluster = PostgresCluster(bindir)
            cluster.start()
            try:
                run("PostgreSQL", cluster.url(), workers=workers, args=args, mailbox=mailbox)
            finally:
                cluster.stop()
    finally:
        mailbox.server.stop()


if __name__ == "__main__":
    main()
