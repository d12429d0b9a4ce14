"""The recovery code: its printed form, forgiving typing, the typo check, and what it derives."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionclock.core.devices.keys import RECOVERY_RECIPIENT, AccountKeys, open_envelope
from sessionclock.core.devices.keys import seal_envelope as seal
from sessionclock.core.devices.recovery import (
    ALPHABET,
    GROUPS,
    LENGTH,
    MSG_CHARACTER,
    MSG_LENGTH,
    MSG_TYPO,
    RecoveryCode,
    derive,
    group_matches,
    new_salt,
)
from sessionclock.core.errors import RecoveryCodeError


def test_a_code_prints_as_seven_groups_of_four_unambiguous_characters() -> None:
    code = RecoveryCode.generate()
    groups = code.groups()
    assert len(groups) == GROUPS == 7 and all(len(g) == 4 for g in groups)
    assert LENGTH == 28
    assert all(c in ALPHABET for c in "".join(groups))
    assert not set("ILOU") & set("".join(groups))
    assert code.text() == "-".join(groups)
    assert code.secret.hex() not in repr(code)


@settings(deadline=None)
@given(st.binary(min_size=16, max_size=16))
def test_every_code_reads_back_from_its_text(secret: bytes) -> None:
    code = RecoveryCode(secret)
    assert RecoveryCode.parse(code.text()) == code


def test_typing_forgives_case_spaces_and_look_alike_characters() -> None:
    code = RecoveryCode(bytes(range(16)))
    text = code.text()
    sloppy = " ".join(code.groups()).lower().replace("0", "o").replace("1", "l")
    assert RecoveryCode.parse(sloppy) == code
    assert RecoveryCode.parse(text.replace("-", "")) == code


def test_a_typo_is_caught_before_anything_is_asked_of_the_service() -> None:
    code = RecoveryCode(bytes(range(16)))
    text = code.text()
    typo = ("Z" if text[5] != "Z" else "Y") + text[6:]
    with pytest.raises(RecoveryCodeError, match="typo") as caught:
        RecoveryCode.parse(text[:5] + typo)
    assert str(caught.value) == MSG_TYPO


@pytest.mark.parametrize(
    ("typed", "message"),
    [("ABCD-EFGH", MSG_LENGTH), ("U" * 28, MSG_CHARACTER), ("ABCD!" * 6, MSG_CHARACTER)],
)
def test_a_code_that_cannot_be_one_says_why(typed: str, message: str) -> None:
    with pytest.raises(RecoveryCodeError) as caught:
        RecoveryCode.parse(typed)
    assert str(caught.value) == message


def test_the_kept_check_asks_for_groups_back() -> None:
    code = RecoveryCode.generate()
    second = code.groups()[1]
    assert group_matches(code, 1, second.lower())
    assert group_matches(code, 1, f" {second} ")
    assert not group_matches(code, 1, code.groups()[2] if code.groups()[2] != second else "0000")
    assert not group_matches(code, 1, "")


def test_the_code_and_salt_derive_a_recipient_and_a_check_key_that_open_the_key() -> None:
    code, salt = RecoveryCode.generate(), new_salt()
    started = time.perf_counter()
    derived = derive(code, salt)
    assert time.perf_counter() - started >= 0  # the real cost (scrypt 2^17) runs here
    keys = AccountKeys.first(
        account="acc", recovery_public=derived.recipient.public, check_key=derived.check_key
    )
    blob = seal(keys, recipient_public=keys.recovery_public, recipient_id=RECOVERY_RECIPIENT)
    again = derive(RecoveryCode.parse(code.text()), salt)
    assert again == derived
    opened = open_envelope(
        blob,
        recipient=again.recipient,
        recipient_id=RECOVERY_RECIPIENT,
        account="acc",
        epoch=1,
        check_key=again.check_key,
    )
    assert opened == keys
    other = derive(code, new_salt())
    assert other.recipient.public != derived.recipient.public
    assert other.check_key != derived.check_key


def test_a_salt_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(RecoveryCodeError, match="cannot use"):
        derive(RecoveryCode.generate(), b"short")
