"""Shared by the service benchmarks: start the real service and talk raw HTTP/1.1 to it.

A minimal client on asyncio streams is used for the load: httpx's own overhead would otherwise be
what is measured, since the load generator shares the machine with the service.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx

PASSWORD = "benchmark password 1"  # noqa: S105 - a throwaway benchmark account


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def service_env(database_url: str, *, bcrypt_rounds: int = 4) -> dict[str, str]:
    """Return the environment the service runs with: this database, throwaway secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SESSIONCLOCK_", "STRIPE_"))}
    env.update(
        SESSIONCLOCK_DATABASE_URL=database_url,
        SESSIONCLOCK_BCRYPT_ROUNDS=str(bcrypt_rounds),
        SESSIONCLOCK_SECRET_KEY="b" * 40,
        SESSIONCLOCK_PASSWORD_PEPPER="p" * 40,
    )
    return env


def start_service(
    database_url: str, *, workers: int = 1, bcrypt_rounds: int = 4
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``sessionclock-service``, wait for its health endpoint; return it and its address."""
    port = free_port()
    env = service_env(database_url, bcrypt_rounds=bcrypt_rounds)
    command = [sys.executable, "-m", "sessionclock_service", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the service did not start")


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one keep-alive request and read its whole answer; return the status code."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])
