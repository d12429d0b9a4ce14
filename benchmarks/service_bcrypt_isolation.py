"""Health-endpoint latency while sign-ins (bcrypt at the production cost) run flat out.

bcrypt runs in FastAPI's threadpool (sign-in is a sync route), never on the event loop, so
``GET /health`` keeps answering while every core hashes. Runs one uvicorn worker on SQLite::

    .venv/bin/python benchmarks/service_bcrypt_isolation.py [--seconds 10] [--signers 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
from tests.support.service import (
    PASSWORD,
    mail_env,
    service_env,
    sign_up,
    start_service,
    throwaway_secrets,
)


async def measure(
    port: int, *, seconds: float, signers: int, email: str
) -> tuple[list[float], int]:
    """Poll /health every 10 ms for *seconds* while *signers* connections sign in non-stop."""
    stop = time.perf_counter() + seconds
    sign_ins = 0
    body = json.dumps({"email": email, "password": PASSWORD, "device_name": "bench"}).encode()
    sign_in = (
        b"POST /v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    health = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    async def signer() -> None:
        nonlocal sign_ins
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                assert await exchange(reader, writer, sign_in) == 201
                sign_ins += 1
        finally:
            writer.close()
            await writer.wait_closed()

    async def prober() -> list[float]:
        latencies = []
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                assert await exchange(reader, writer, health) == 200
                latencies.append(time.perf_counter() - started)
                await asyncio.sleep(0.01)
        finally:
            writer.close()
            await writer.wait_closed()
        return latencies

    probe = asyncio.create_task(prober())
    await asyncio.gather(*(signer() for _ in range(signers)))
    return await probe, sign_ins


def _summary(label: str, latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100)
    return (
        f"{label:<28} health p50 {q[49] * 1000:6.2f} ms  p99 {q[98] * 1000:6.2f} ms"
        f"  max {max(latencies) * 1000:6.1f} ms  ({len(latencies)} probes)"
    )


def main() -> None:
    """Measure /health alone, then with sign-ins running flat out."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--signers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=12, help="bcrypt cost (production: 12)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        mailbox = FakeResend()
        mailbox.server.start()
        secrets = throwaway_secrets(bcrypt_rounds=args.rounds)
        proc, base = start_service(service_env(url, **secrets, **mail_env(mailbox)))
        port = int(base.rsplit(":", 1)[1])
        try:
            email = "bcrypt-bench@example.org"
            with httpx.Client(base_url=base, timeout=30) as client:
                sign_up(client, mailbox, email)
            idle, _ = asyncio.run(measure(port, seconds=args.seconds, signers=0, email=email))
            busy, sign_ins = asyncio.run(
                measure(port, seconds=args.seconds, signers=args.signers, email=email)
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            mailbox.server.stop()
    print(_summary("idle", idle))
    print(_summary(f"{args.signers} sign-ins flat out", busy))
    print(f"{'':<28} sign-ins: {sign_ins / args.seconds:.1f}/s at bcrypt cost {args.rounds}")


if __name__ == "__main__":
    main()
