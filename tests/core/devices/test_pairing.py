"""Pairing: the commitment holds the new device to its nonce, and the six digits depend on every
part of the exchange, so a service in the middle cannot make both screens agree."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sessionclock.core.devices.keys import DeviceKey
from sessionclock.core.devices.pairing import (
    MSG_COMMITMENT,
    Transcript,
    check_reveal,
    commitment,
    new_nonce,
)
from sessionclock.core.errors import PairingRefusedError


def transcript() -> Transcript:
    return Transcript(
        pairing_id="p-1",
        new_device_public=DeviceKey.generate().public,
        approver_public=DeviceKey.generate().public,
        nonce_approver=new_nonce(),
        nonce_new=new_nonce(),
    )


def test_a_revealed_nonce_must_be_the_one_committed_to() -> None:
    nonce = new_nonce()
    promised = commitment(nonce)
    check_reveal(nonce, promised)
    with pytest.raises(PairingRefusedError) as caught:
        check_reveal(new_nonce(), promised)
    assert str(caught.value) == MSG_COMMITMENT
    with pytest.raises(PairingRefusedError):
        check_reveal(nonce[:16], commitment(nonce[:16]))


def test_both_sides_compute_the_same_six_digits() -> None:
    t = transcript()
    code = t.code()
    assert len(code) == 7 and code[3] == " " and code.replace(" ", "").isdigit()
    same = Transcript(
        t.pairing_id, t.new_device_public, t.approver_public, t.nonce_approver, t.nonce_new
    )
    assert same.code() == code


@pytest.mark.parametrize(
    "field", ["pairing_id", "new_device_public", "approver_public", "nonce_approver", "nonce_new"]
)
def test_changing_any_part_of_the_exchange_changes_the_code(field: str) -> None:
    t = transcript()
    value = getattr(t, field)
    other: object = "p-2" if isinstance(value, str) else bytes([value[0] ^ 1]) + value[1:]
    changed: Transcript = replace(t, **{field: other})  # type: ignore[arg-type]
    assert changed.code() != t.code()


def test_codes_spread_over_all_six_digits() -> None:
    codes = {transcript().code() for _ in range(300)}
    assert len(codes) > 290
    assert {code[0] for code in codes} == set("0123456789")
