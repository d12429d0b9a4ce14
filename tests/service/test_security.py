"""Passwords, tokens and the small checks the service relies on (full coverage of security.py)."""

from __future__ import annotations

import pytest

from sessionclock_service.security import (
    API_TOKEN_PREFIX,
    CODE_DIGITS,
    CodeHasher,
    PasswordHasher,
    clean_device_name,
    constant_time_equal,
    has_control_characters,
    hash_token,
    is_row_id,
    new_code,
    new_id,
    new_token,
    normalise_email,
    typed_code,
)


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher(pepper="p" * 40, rounds=4)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "ü" * 100,  # 200 bytes: far past bcrypt's 72
        "😀" * 19,  # 76 bytes
        "a" * 72 + "b",  # differs only after byte 72
        "lone \ud800 surrogate",
    ],
)
def test_any_password_round_trips_and_nothing_is_truncated(
    hasher: PasswordHasher, password: str
) -> None:
    stored = hasher.hash(password)
    assert stored.startswith("$2b$04$")
    assert hasher.verify(password, stored)
    assert not hasher.verify(password[:-1], stored)


def test_passwords_sharing_their_first_72_bytes_are_different(hasher: PasswordHasher) -> None:
    stored = hasher.hash("a" * 72 + "first")
    assert not hasher.verify("a" * 72 + "second", stored)


def test_an_unknown_account_spends_the_same_work_and_says_no(hasher: PasswordHasher) -> None:
    assert not hasher.verify("anything", None)
    assert hasher.dummy_hash.startswith("$2b$04$")


def test_a_damaged_hash_is_a_refusal_not_an_error(hasher: PasswordHasher) -> None:
    assert not hasher.verify("anything", "not a bcrypt hash")


def test_another_pepper_does_not_verify(hasher: PasswordHasher) -> None:
    stored = hasher.hash("correct horse battery")
    assert not PasswordHasher(pepper="q" * 40, rounds=4).verify("correct horse battery", stored)


def test_tokens_are_long_random_and_stored_as_hashes() -> None:
    first, second = new_token(API_TOKEN_PREFIX), new_token(API_TOKEN_PREFIX)
    assert first != second
    assert first.startswith(API_TOKEN_PREFIX)
    assert len(first) == len(API_TOKEN_PREFIX) + 43  # 32 bytes, base64url
    digest = hash_token(first)
    assert len(digest) == 64
    assert first not in digest
    assert hash_token(first) == digest


def test_row_ids_and_their_shape() -> None:
    row_id = new_id()
    assert is_row_id(row_id)
    assert not is_row_id(row_id.upper())
    assert not is_row_id(row_id[:-1])
    assert not is_row_id("g" * 32)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("plain@example.org", False), ("nul\x00", True), ("del\x7f", True), ("\udc80", True)],
)
def test_control_characters(value: str, expected: bool) -> None:
    assert has_control_characters(value) is expected


def test_constant_time_equal() -> None:
    assert constant_time_equal("abc", "abc")
    assert not constant_time_equal("abc", "abd")
    assert not constant_time_equal("abc", "abcd")


def test_a_hash_of_a_lower_cost_is_outdated(hasher: PasswordHasher) -> None:
    stored = hasher.hash("a password of some length")
    assert not hasher.outdated(stored)
    stronger = PasswordHasher(pepper="p" * 40, rounds=5)
    assert stronger.outdated(stored)
    assert not stronger.outdated(stronger.hash("a password of some length"))
    assert not stronger.outdated("not a bcrypt hash")
    assert not stronger.outdated("$2b$xx$abc")


def test_codes_are_six_random_digits() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == CODE_DIGITS and c.isascii() and c.isdigit() for c in codes)
    assert len(codes) > 190


def test_typed_codes_lose_spaces_and_dashes_and_wide_digits() -> None:
    assert typed_code(" 123-456 ") == "123456"
    assert typed_code("１２３４５６") == "123456"  # full-width digits from a phone keyboard


def test_code_hashes_are_keyed_and_bound_to_purpose_and_row() -> None:
    hasher = CodeHasher("s" * 40)
    stored = hasher.hash("123456", purpose="reset", subject="row1")
    assert len(stored) == 64 and "123456" not in stored
    assert hasher.matches("123456", stored, purpose="reset", subject="row1")
    assert not hasher.matches("123457", stored, purpose="reset", subject="row1")
    assert not hasher.matches("123456", stored, purpose="signup", subject="row1")
    assert not hasher.matches("123456", stored, purpose="reset", subject="row2")
    assert not CodeHasher("t" * 40).matches("123456", stored, purpose="reset", subject="row1")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Clinic PC", "Clinic PC"),
        (" Room\t2\n\u00a0tab ", "Room 2 tab"),
        ("A\x00B\x7fC", "ABC"),
        ("left\u202eright\u200d", "leftright"),
        ("\ud800lone", "lone"),
        ("\ue000private", "private"),
        ("x" * 10 + " " + "y" * 10, "x" * 10),
        ("\x00\u200b", ""),
    ],
)
def test_device_names_keep_only_what_shows(given: str, kept: str) -> None:
    assert clean_device_name(given, limit=11) == kept


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Ann@Example.ORG", "ann@example.org"),
        ("  ann@example.org\n", "ann@example.org"),
        ("ａｎｎ@ｅｘａｍｐｌｅ.org", "ann@example.org"),  # full-width letters
        ("ann@bücher.de", "ann@xn--bcher-kva.de"),  # the domain in its IDNA ASCII form
        ("ann@XN--BCHER-KVA.de", "ann@xn--bcher-kva.de"),
        ("ﬁona@example.org", "fiona@example.org"),  # the fi ligature
    ],
)
def test_email_addresses_have_one_spelling(given: str, stored: str) -> None:
    assert normalise_email(given) == stored


@pytest.mark.parametrize(
    "given",
    [
        "no-at-sign",
        "a@b",
        "two@@example.org",
        "a" * 250 + "@x.org",
        "nul\x00@x.org",
        "ann@exa\u200bmple.org",  # zero-width space
        "ann\u200d@example.org",  # zero-width joiner
        "\u202eann@example.org",  # right-to-left override
        "ann@example..org",
        "ann@-dash-.org",
        "ann\udc80@example.org",
        "ann@" + "a" * 245 + ".org",
    ],
)
def test_what_is_not_an_email_address_is_refused(given: str) -> None:
    with pytest.raises(ValueError, match="not an e-mail address"):
        normalise_email(given)
