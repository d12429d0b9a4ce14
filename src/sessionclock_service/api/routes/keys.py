"""The account's data key epochs (``/v1/keys``): envelopes, the recovery recipient, the first
key, rotation and starting over (docs/sync-api.md)."""

from __future__ import annotations

from fastapi import APIRouter, status

from sessionclock_service.api.deps import NO_TOKEN, CurrentUser, ServicesDep
from sessionclock_service.api.schemas import KeysOut, KeyStartIn, OwnEnvelopeIn, RotateIn, refusal
from sessionclock_service.usecases import keys

router = APIRouter(prefix="/v1/keys", tags=["keys"])

MALFORMED = refusal("Malformed body: a blob that is not base64 of the right length, and so on.")
KEY_CHANGES = refusal("The account changed its key too often this hour; see Retry-After.")


@router.get("", responses={401: NO_TOKEN})
def get_keys(caller: CurrentUser, services: ServicesDep) -> KeysOut:
    """Return the current epoch, the caller's envelope and the recovery recipient."""
    return KeysOut.of(keys.view_keys(services, caller=caller))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        401: NO_TOKEN,
        409: refusal("The account has a key, or the caller is no device (key_exists, ...)."),
        422: MALFORMED,
        429: KEY_CHANGES,
    },
)
def first_key(body: KeyStartIn, caller: CurrentUser, services: ServicesDep) -> KeysOut:
    """Set up the account's first key (epoch 1) and its recovery recipient."""
    return KeysOut.of(
        keys.first_key(
            services,
            caller=caller,
            epoch=body.epoch,
            envelope=body.envelope,
            recovery=body.recovery.value(),
        )
    )


@router.post(
    "/restart",
    responses={
        401: NO_TOKEN,
        409: refusal("No key yet, or not the current epoch + 1 (no_key, epoch_changed, ...)."),
        422: MALFORMED,
        429: KEY_CHANGES,
    },
)
def restart(body: KeyStartIn, caller: CurrentUser, services: ServicesDep) -> KeysOut:
    """Start over: a new key; every record, envelope and pairing of the account is deleted."""
    return KeysOut.of(
        keys.restart(
            services,
            caller=caller,
            epoch=body.epoch,
            envelope=body.envelope,
            recovery=body.recovery.value(),
        )
    )


@router.post(
    "/rotate",
    responses={
        401: NO_TOKEN,
        409: refusal(
            "Not the current epoch + 1, the caller lacks the current key, or the envelopes are "
            "not for exactly the devices holding it (epoch_changed, key_required, "
            "envelopes_mismatch, ...)."
        ),
        413: refusal("The body is larger than the push limit."),
        422: MALFORMED,
        429: KEY_CHANGES,
    },
)
def rotate(body: RotateIn, caller: CurrentUser, services: ServicesDep) -> KeysOut:
    """Make the next epoch current, sealed to every device holding the current key."""
    return KeysOut.of(
        keys.rotate(
            services,
            caller=caller,
            epoch=body.epoch,
            envelopes=[(e.device_id, e.envelope) for e in body.envelopes],
            recovery=body.recovery.value(),
        )
    )


@router.put(
    "/envelope",
    responses={
        401: NO_TOKEN,
        409: refusal("Not the current epoch, no key yet, or no device (epoch_changed, ...)."),
        422: MALFORMED,
    },
)
def keep_own_envelope(body: OwnEnvelopeIn, caller: CurrentUser, services: ServicesDep) -> KeysOut:
    """Keep the caller's own envelope of the current epoch."""
    return KeysOut.of(
        keys.keep_own_envelope(services, caller=caller, epoch=body.epoch, envelope=body.envelope)
    )
