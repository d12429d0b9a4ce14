"""Devices and pairing (``/v1/devices``): registered public keys, and the commit-then-reveal
exchange that hands a new device the account's key (docs/sync-api.md)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from sessionclock_service.api.deps import NO_TOKEN, CurrentUser, ServicesDep
from sessionclock_service.api.schemas import (
    DeviceIn,
    DeviceOut,
    PairingAnswerIn,
    PairingApproveIn,
    PairingIn,
    PairingOut,
    PairingRevealIn,
    refusal,
)
from sessionclock_service.usecases import devices, pairings

router = APIRouter(prefix="/v1/devices", tags=["devices"])

NO_PAIRING = refusal("No such live pairing of the account (or it expired).")
PAIRING_STEP = refusal(
    "The step does not apply now or from this device (code: pairing_state, device_required, "
    "public_key_mismatch, key_required, commitment_mismatch, epoch_changed)."
)
MALFORMED = refusal("Malformed body: a blob that is not base64 of the right length, and so on.")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        401: NO_TOKEN,
        409: refusal("This token registered another key, or another device uses this one."),
        422: MALFORMED,
    },
)
def register(body: DeviceIn, caller: CurrentUser, services: ServicesDep) -> DeviceOut:
    """Register this device's public key for the caller's token (again: the same device)."""
    return DeviceOut.of(
        devices.register_device(services, caller=caller, public_key=body.public_key)
    )


@router.get("", responses={401: NO_TOKEN})
def list_devices(caller: CurrentUser, services: ServicesDep) -> list[DeviceOut]:
    """List the account's devices, oldest first."""
    return [DeviceOut.of(d) for d in devices.list_devices(services, caller=caller)]


@router.post(
    "/pairings",
    status_code=status.HTTP_201_CREATED,
    responses={
        401: NO_TOKEN,
        409: refusal("Not a registered device, or not its public key."),
        422: MALFORMED,
        429: refusal("The account started too many pairings this hour; see Retry-After."),
    },
)
def start_pairing(body: PairingIn, caller: CurrentUser, services: ServicesDep) -> PairingOut:
    """Ask to join as the caller's device (replacing its previous pairing)."""
    return PairingOut.of(
        pairings.start_pairing(
            services, caller=caller, public_key=body.public_key, commitment=body.commitment
        )
    )


@router.get("/pairings", responses={401: NO_TOKEN})
def list_pairings(caller: CurrentUser, services: ServicesDep) -> list[PairingOut]:
    """List the account's live pairings, newest first."""
    return [PairingOut.of(p) for p in pairings.list_pairings(services, caller=caller)]


@router.get("/pairings/{pairing_id}", responses={401: NO_TOKEN, 404: NO_PAIRING})
def get_pairing(pairing_id: str, caller: CurrentUser, services: ServicesDep) -> PairingOut:
    """Return one live pairing of the account."""
    return PairingOut.of(pairings.get_pairing(services, caller=caller, pairing_id=pairing_id))


@router.post(
    "/pairings/{pairing_id}/answer",
    responses={401: NO_TOKEN, 404: NO_PAIRING, 409: PAIRING_STEP, 422: MALFORMED},
)
def answer_pairing(
    pairing_id: str, body: PairingAnswerIn, caller: CurrentUser, services: ServicesDep
) -> PairingOut:
    """Answer a waiting pairing with this device's nonce (a device holding the current key)."""
    return PairingOut.of(
        pairings.answer_pairing(
            services,
            caller=caller,
            pairing_id=pairing_id,
            nonce_a=body.nonce_a,
            approver_public_key=body.approver_public_key,
        )
    )


@router.post(
    "/pairings/{pairing_id}/reveal",
    responses={401: NO_TOKEN, 404: NO_PAIRING, 409: PAIRING_STEP, 422: MALFORMED},
)
def reveal_pairing(
    pairing_id: str, body: PairingRevealIn, caller: CurrentUser, services: ServicesDep
) -> PairingOut:
    """Reveal the new device's nonce, once a device answered."""
    return PairingOut.of(
        pairings.reveal_pairing(
            services, caller=caller, pairing_id=pairing_id, nonce_b=body.nonce_b
        )
    )


@router.post(
    "/pairings/{pairing_id}/approve",
    responses={401: NO_TOKEN, 404: NO_PAIRING, 409: PAIRING_STEP, 422: MALFORMED},
)
def approve_pairing(
    pairing_id: str, body: PairingApproveIn, caller: CurrentUser, services: ServicesDep
) -> PairingOut:
    """Hand the new device the current key, sealed to it (the device that answered)."""
    return PairingOut.of(
        pairings.approve_pairing(
            services,
            caller=caller,
            pairing_id=pairing_id,
            epoch=body.epoch,
            envelope=body.envelope,
        )
    )


@router.post(
    "/pairings/{pairing_id}/deny",
    responses={401: NO_TOKEN, 404: NO_PAIRING, 409: PAIRING_STEP},
)
def deny_pairing(pairing_id: str, caller: CurrentUser, services: ServicesDep) -> PairingOut:
    """Deny (or cancel) a pairing not approved yet."""
    return PairingOut.of(pairings.deny_pairing(services, caller=caller, pairing_id=pairing_id))


@router.delete(
    "/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: NO_TOKEN, 404: refusal("No such device of the account.")},
)
def remove_device(device_id: str, caller: CurrentUser, services: ServicesDep) -> Response:
    """Remove a device: its token is revoked; a rotation is due if it held the key."""
    devices.remove_device(services, caller=caller, device_id=device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
