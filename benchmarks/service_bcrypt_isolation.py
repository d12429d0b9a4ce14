"""Health-endpoint latency while sign-ins (bcrypt at the production cost) run flat out.

bcrypt runs in FastAPI's threadpool (sign-in is a sync route), never on the event loop, so
``GET /health`` keeps answering while every core hashes. Runs one uvicorn worker on SQLite::

    .venv/bin/python benchmarks/service_bcrypt_isolation.py [--seconds 10] [--signers 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from sessionclock_service.migrate import upgrade

PASSWORD = "benchmark password 1"  # noqa: S105 - a throwaway benchmark account


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_service(database_url: str, *, rounds: int) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``sessionclock-service`` (one worker) and wait for its health endpoint."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SESSIONCLOCK_", "STRIPE_"))}
    env.update(
        SESSIONCLOCK_DATABASE_URL=database_url,
        SESSIONCLOCK_BCRYPT_ROUNDS=str(rounds),
        SESSIONCLOCK_SECRET_KEY="b" * 40,
        SESSIONCLOCK_PASSWORD_PEPPER="p" * 40,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionclock_service", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc, port
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the service did not start")


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


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
                assert await _request(reader, writer, sign_in) == 201
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
                assert await _request(reader, writer, health) == 200
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
        proc, port = start_service(url, rounds=args.rounds)
        try:
            email = "bcrypt-bench@example.org"
            httpx.post(
                f"http://127.0.0.1:{port}/v1/accounts",
                json={"email": email, "password": PASSWORD},
                timeout=30,
            ).raise_for_status()
            idle, _ = asyncio.run(measure(port, seconds=args.seconds, signers=0, email=email))
            busy, sign_ins = asyncio.run(
                measure(port, seconds=args.seconds, signers=args.signers, email=email)
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(_summary("idle", idle))
    print(_summary(f"{args.signers} sign-ins flat out", busy))
    print(f"{'':<28} sign-ins: {sign_ins / args.seconds:.1f}/s at bcrypt cost {args.rounds}")


if __name__ == "__main__":
    main()
