"""Push and pull: newer versions win, sequence numbers, pages, expiring tombstones, and the caps
on records, pushes and accounts, each refusal changing nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sessionclock_service.db.models import SyncRecord
from sessionclock_service.usecases.operations import tidy
from tests.support.fake_resend import FakeResend
from tests.support.service import Customer, MutableClock, services_of, sign_up_and_in
from tests.support.sync import (
    Device,
    b64,
    keyed,
    new_device,
    record,
    refused,
    register,
    unb64,
    version_text,
)


def _push(client: TestClient, device: Device, *records: dict[str, Any]) -> Any:
    return client.post("/v1/sync/push", json={"records": list(records)}, headers=device.headers)


def _pushed(client: TestClient, device: Device, *records: dict[str, Any]) -> list[dict[str, Any]]:
    r = _push(client, device, *records)
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def _pull(client: TestClient, device: Device, since: int = 0, limit: int = 500) -> Any:
    r = client.get(f"/v1/sync/pull?since={since}&limit={limit}", headers=device.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _stored(client: TestClient) -> int:
    with services_of(client).db.read() as db:
        return db.scalar(select(func.count()).select_from(SyncRecord)) or 0


def test_a_record_pushed_is_pulled_as_it_was_sealed(client: TestClient, desk: Device) -> None:
    pushed = record(version=version_text(1))
    results = _pushed(client, desk, pushed)
    assert results == [
        {
            "record_id": pushed["record_id"],
            "status": "accepted",
            "version": pushed["version"],
            "epoch": 1,
            "seq": 1,
        }
    ]
    pulled = _pull(client, desk)
    assert pulled["cursor"] == 1 and pulled["more"] is False and pulled["epoch"] == 1
    [got] = pulled["records"]
    assert {k: got[k] for k in ("record_id", "version", "epoch", "seq", "expires_at")} == {
        "record_id": pushed["record_id"],
        "version": pushed["version"],
        "epoch": 1,
        "seq": 1,
        "expires_at": None,
    }
    assert unb64(got["ciphertext"]) == unb64(pushed["ciphertext"])
    assert _pull(client, desk, since=1) == {"records": [], "cursor": 1, "more": False, "epoch": 1}


def test_a_newer_version_wins_and_an_older_or_equal_one_is_stale(
    client: TestClient, desk: Device
) -> None:
    first = record(version=version_text(5))
    _pushed(client, desk, first)
    older = {**first, "version": version_text(4), "ciphertext": b64(b"older")}
    same = {**first, "ciphertext": b64(b"same version")}
    newer = {**first, "version": version_text(6), "ciphertext": b64(b"newer")}
    assert _pushed(client, desk, older) == [
        {
            "record_id": first["record_id"],
            "status": "stale",
            "version": first["version"],
            "epoch": 1,
            "seq": 1,
        }
    ]
    assert _pushed(client, desk, same)[0]["status"] == "stale"
    assert _pull(client, desk)["records"][0]["ciphertext"] == first["ciphertext"]
    assert _pushed(client, desk, newer)[0] | {"record_id": ""} == {
        "record_id": "",
        "status": "accepted",
        "version": newer["version"],
        "epoch": 1,
        "seq": 2,
    }
    # The record moved to its new seq: a pull after 1 finds it, once.
    pulled = _pull(client, desk, since=1)["records"]
    assert [(r["seq"], unb64(r["ciphertext"])) for r in pulled] == [(2, b"newer")]


def test_each_write_gets_the_next_sequence_number_in_push_order(
    client: TestClient, desk: Device
) -> None:
    records = [record(version=version_text(n)) for n in range(5)]
    results = _pushed(client, desk, *records)
    assert [r["seq"] for r in results] == [1, 2, 3, 4, 5]
    stale_and_new = [records[0], record()]
    results = _pushed(client, desk, *stale_and_new)
    assert [(r["status"], r["seq"]) for r in results] == [("stale", 1), ("accepted", 6)]


def test_pages_follow_the_cursor_until_nothing_is_missed(client: TestClient, desk: Device) -> None:
    ids = [r["record_id"] for r in [record() for _ in range(7)]]
    _pushed(client, desk, *[record(record_id=i) for i in ids])
    seen: list[str] = []
    cursor, more = 0, True
    while more:
        page = _pull(client, desk, since=cursor, limit=3)
        seen += [r["record_id"] for r in page["records"]]
        assert len(page["records"]) <= 3
        cursor, more = page["cursor"], page["more"]
    assert seen == ids and cursor == 7


def test_a_cursor_beyond_the_last_write_starts_over(client: TestClient, desk: Device) -> None:
    # A database restored from a backup has fewer writes than a device has seen.
    _pushed(client, desk, record(), record())
    page = _pull(client, desk, since=99)
    assert [r["seq"] for r in page["records"]] == [1, 2] and page["cursor"] == 2


def test_pull_and_push_need_a_device_and_push_the_current_key(
    client: TestClient, customer: Customer, desk: Device, fake_resend: FakeResend
) -> None:
    tablet = new_device(client, customer)  # registered, never paired
    refused(_push(client, tablet, record()), 409, "key_required")
    assert _pull(client, tablet)["records"] == []  # it may pull: it cannot open anything
    stranger = sign_up_and_in(client, fake_resend)
    refused(_push(client, register(client, stranger), record()), 409, "no_key")
    r = client.get("/v1/sync/pull", headers=stranger.headers)
    assert r.status_code == 200  # registered just above
    other = sign_up_and_in(client, fake_resend)
    refused(client.get("/v1/sync/pull", headers=other.headers), 409, "device_required")
    refused(
        client.post("/v1/sync/push", json={"records": [record()]}, headers=other.headers),
        409,
        "device_required",
    )
    assert _stored(client) == 0


def test_a_record_of_another_epoch_refuses_the_whole_push(client: TestClient, desk: Device) -> None:
    refused(_push(client, desk, record(), record(epoch=2)), 409, "epoch_changed")
    assert _stored(client) == 0


def test_malformed_pushes_are_refused_and_change_nothing(client: TestClient, desk: Device) -> None:
    good = record()
    for bad in [
        {**good, "record_id": good["record_id"].upper()},
        {**good, "record_id": "not-a-uuid"},
        {**good, "version": ""},
        {**good, "version": "v" * 65},
        {**good, "version": "with space"},
        {**good, "version": "é"},
        {**good, "epoch": 0},
        {**good, "ciphertext": ""},
        {**good, "ciphertext": "not base64!"},
        {**good, "expires_at": "2026-12-01T00:00:00"},  # no time zone
        {**good, "expires_at": "yesterday"},
        {**good, "extra": "field"},
    ]:
        refused(_push(client, desk, bad), 422)
    refused(_push(client, desk, good, {**good, "version": version_text(9)}), 422)  # twice
    refused(client.post("/v1/sync/push", json={"records": []}, headers=desk.headers), 422)
    for query in ["since=-1", "limit=0", "limit=1001", "since=x"]:
        refused(client.get(f"/v1/sync/pull?{query}", headers=desk.headers), 422)
    assert _stored(client) == 0


def test_a_record_over_the_cap_or_too_many_records_are_refused_whole(
    client: TestClient, desk: Device
) -> None:
    r = _push(client, desk, record(), record(size=16 * 1024 + 1))
    refused(r, 413, "record_too_large")
    assert _pushed(client, desk, record(size=16 * 1024))[0]["status"] == "accepted"
    r = _push(client, desk, *[record(size=1) for _ in range(501)])
    refused(r, 413, "push_too_large")
    assert _stored(client) == 1


def test_a_body_over_the_push_limit_is_refused_before_it_is_read(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(sync_max_push_bytes=64 * 1024, sync_max_record_bytes=16 * 1024)
    desk = keyed(client, sign_up_and_in(client, fake_resend))
    r = _push(client, desk, *[record(size=16 * 1024) for _ in range(4)])
    refused(r, 413)
    assert _stored(client) == 0
    assert _pushed(client, desk, *[record(size=16 * 1024) for _ in range(2)])


def test_an_account_keeps_a_limited_number_of_records_but_may_always_delete(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(sync_max_records=100)
    desk = keyed(client, sign_up_and_in(client, fake_resend))
    records = [record(version=version_text(1), size=300) for _ in range(100)]
    _pushed(client, desk, *records)
    r = _push(client, desk, record())
    refused(r, 409, "storage_full")
    assert "100" in r.json()["detail"]
    # Replacing records does not grow the count; a smaller tombstone is always accepted.
    tombstone = {**records[0], "version": version_text(2), "ciphertext": b64(os.urandom(50))}
    assert _pushed(client, desk, tombstone)[0]["status"] == "accepted"
    # Another account is not affected by this one's storage.
    other = keyed(client, sign_up_and_in(client, fake_resend))
    assert _pushed(client, other, record())[0]["status"] == "accepted"


def test_an_account_keeps_a_limited_number_of_bytes(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(sync_max_account_bytes=1024 * 1024)
    desk = keyed(client, sign_up_and_in(client, fake_resend))
    big = [record(size=16 * 1024) for _ in range(64)]
    for start in range(0, 64, 16):
        _pushed(client, desk, *big[start : start + 16])
    refused(_push(client, desk, record(size=1)), 409, "storage_full")
    # Growing a stored record is refused too; shrinking it is accepted.
    grown = {**big[0], "version": version_text(1), "ciphertext": b64(os.urandom(16 * 1024))}
    assert _pushed(client, desk, grown)[0]["status"] == "accepted"  # same size: no growth
    shrunk = {**big[1], "version": version_text(1), "ciphertext": b64(os.urandom(100))}
    assert _pushed(client, desk, shrunk)[0]["status"] == "accepted"
    assert _pushed(client, desk, record(size=1000))[0]["status"] == "accepted"


def test_a_device_pushes_a_limited_number_of_times_a_minute(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, clock: MutableClock
) -> None:
    client = make_client(sync_pushes_per_minute=3)
    customer = sign_up_and_in(client, fake_resend)
    desk = keyed(client, customer)
    for _ in range(3):
        _pushed(client, desk, record())
    r = _push(client, desk, record())
    refused(r, 429)
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert _stored(client) == 3
    # The limit is the token's: another device of the account still pushes.
    tablet = new_device(client, customer)
    client.put(
        "/v1/keys/envelope", json={"epoch": 1, "envelope": b64(b"x")}, headers=tablet.headers
    )
    assert _pushed(client, tablet, record())
    clock.advance(timedelta(minutes=1))
    assert _pushed(client, desk, record())


def test_an_expired_tombstone_is_never_returned_and_housekeeping_deletes_it(
    client: TestClient, desk: Device, clock: MutableClock
) -> None:
    soon = (clock.now() + timedelta(days=1)).isoformat()
    past = (clock.now() - timedelta(seconds=1)).isoformat()
    tombstone, kept, gone = record(expires_at=soon), record(), record(expires_at=past)
    results = _pushed(client, desk, tombstone, kept, gone)
    assert [r["status"] for r in results] == ["accepted"] * 3
    pulled = _pull(client, desk)["records"]
    assert [r["record_id"] for r in pulled] == [tombstone["record_id"], kept["record_id"]]
    assert pulled[0]["expires_at"] is not None
    clock.advance(timedelta(days=1))
    assert [r["record_id"] for r in _pull(client, desk)["records"]] == [kept["record_id"]]
    assert _stored(client) == 3
    tidy(services_of(client))
    assert _stored(client) == 1
    # Once expired, the record is unknown: an older version brings it back.
    again = {**tombstone, "version": version_text(0), "expires_at": None}
    assert _pushed(client, desk, again)[0]["status"] == "accepted"


def test_an_expiry_more_than_ten_years_ahead_isrefused(
    client: TestClient, desk: Device, clock: MutableClock
) -> None:
    far = (clock.now() + timedelta(days=3661)).isoformat()
    refused(_push(client, desk, record(expires_at=far)), 422)
    assert _stored(client) == 0
    near = (clock.now() + timedelta(days=3659)).isoformat()
    assert _pushed(client, desk, record(expires_at=near))[0]["status"] == "accepted"
