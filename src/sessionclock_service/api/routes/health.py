"""Liveness (the event loop answers) and readiness (the database answers)."""

from __future__ import annotations

from fastapi import APIRouter

from sessionclock_service.api.deps import ServicesDep
from sessionclock_service.api.schemas import HealthOut, refusal
from sessionclock_service.usecases.operations import check_ready

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> HealthOut:
    """Say the process is up (and its event loop free), without touching the database."""
    return HealthOut(status="ok")


@router.get("/ready", responses={503: refusal("The database cannot be reached.")})
def ready(services: ServicesDep) -> HealthOut:
    """Say the service can serve: its database answers (for a load balancer's probe)."""
    check_ready(services)
    return HealthOut(status="ok")
