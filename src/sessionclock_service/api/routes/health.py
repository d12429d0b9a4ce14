"""Liveness: answered on the event loop without touching the database."""

from __future__ import annotations

from fastapi import APIRouter

from sessionclock_service.api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> HealthOut:
    """Say the process is up (and its event loop free)."""
    return HealthOut(status="ok")
