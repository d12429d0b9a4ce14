"""Sealed records (``/v1/sync``): push and pull, in the account's sequence order
(docs/sync-api.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sessionclock_service.api.deps import NO_TOKEN, CurrentUser, ServicesDep
from sessionclock_service.api.schemas import (
    MAX_PULL_RECORDS,
    PullOut,
    PushIn,
    PushOut,
    PushResultOut,
    refusal,
)
from sessionclock_service.usecases import sync

router = APIRouter(prefix="/v1/sync", tags=["sync"])


@router.post(
    "/push",
    responses={
        401: NO_TOKEN,
        409: refusal(
            "Not the current epoch, the account is full, or the caller is no device holding "
            "the key (epoch_changed, storage_full, key_required, device_required, no_key)."
        ),
        413: refusal("A record, the number of records or the body is over its cap."),
        422: refusal("Malformed body, or an expiry too far ahead."),
        429: refusal("This device pushed too often this minute; see Retry-After."),
    },
)
def push(body: PushIn, caller: CurrentUser, services: ServicesDep) -> PushOut:
    """Store the records newer than the stored ones; one result per record, in order."""
    results = sync.push(services, caller=caller, records=[r.value() for r in body.records])
    return PushOut(results=[PushResultOut.of(r) for r in results])


@router.get(
    "/pull",
    responses={
        401: NO_TOKEN,
        409: refusal("The caller is no registered device (device_required)."),
        422: refusal("since below 0, or limit outside 1 to 1000."),
    },
)
def pull(
    caller: CurrentUser,
    services: ServicesDep,
    since: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_RECORDS)] = 500,
) -> PullOut:
    """Return the records written after *since*, in sequence order, and the next cursor."""
    return PullOut.of(sync.pull(services, caller=caller, since=since, limit=limit))
