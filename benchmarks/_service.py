"""Shared by the service benchmarks: talk raw HTTP/1.1 to the service.

A minimal client on asyncio streams is used for the load: httpx's own overhead would otherwise be
what is measured, since the load generator shares the machine with the service. Starting the
service is `tests.support.service.start_service`.
"""

from __future__ import annotations

import asyncio


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
