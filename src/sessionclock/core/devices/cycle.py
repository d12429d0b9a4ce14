"""One sync with the service: pull everything newer than the cursor, then push what changed here.

Pulling first matters for a device that just joined: what it kept from before (its own default
preferences, say) counts as older than anything the account's other devices wrote, so theirs
wins; only then are its own records stamped and pushed.

Every pulled record is opened and verified before anything is written; one that does not open,
or that an older version replays, is counted and never applied, and the cursor moves past it.
A record sealed in a newer epoch than this device holds stops the pull before it: the caller
fetches the new key and syncs again, so nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sessionclock.core.devices.api import (
    PULL_LIMIT,
    PUSH_LIMIT,
    DevicesApi,
    PullPage,
    Pushing,
    PushResult,
)
from sessionclock.core.devices.engine import Outgoing, Received, SyncState
from sessionclock.core.devices.keys import AccountKeys, load_account_keys, load_device_key
from sessionclock.core.devices.membership import MSG_LEFT_OUT, MSG_NOT_JOINED, catch_up
from sessionclock.core.devices.records import (
    OpenedRecord,
    RecordRefusedError,
    open_record,
    seal_record,
)
from sessionclock.core.errors import DeviceSyncError, SyncRefusedError
from sessionclock.core.keystore import KeyStore


class Transport(Protocol):
    """The service's push and pull for one signed-in device."""

    def pull(self, *, since: int, limit: int = PULL_LIMIT) -> PullPage:
        """Return the records written after *since*."""
        ...

    def push(self, records: Sequence[Pushing]) -> tuple[PushResult, ...]:
        """Push sealed records; return what became of each."""
        ...


class RecordStore(Protocol):
    """The account's synced records on this device (``store.sync_records.SyncRecords``)."""

    def state(self) -> SyncState:
        """Return where the sync stands."""
        ...

    def outgoing(self, *, everything: bool = False) -> tuple[Outgoing, ...]:
        """Return the records to push."""
        ...

    def pushed(self, accepted: Mapping[str, str]) -> None:
        """Mark records the service accepted as synced."""
        ...

    def receive(self, records: Sequence[OpenedRecord], *, cursor: int) -> Received:
        """Apply opened records and move the cursor."""
        ...

    def start_reseal(self, epoch: int) -> None:
        """Push every record again at the next sync, sealed in *epoch*."""
        ...

    def finish_reseal(self, epoch: int) -> None:
        """Every record was pushed again in *epoch*."""
        ...


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one sync did.

    Attributes:
        received: what the pulled records changed here.
        pushed: records the service accepted.
        stale: records the service already had newer (they come with the next pull).
        refused: records that did not verify (tampered, or replayed): never applied.
        unreadable: records another device wrote in a form this version cannot read.
        new_epoch: the account's key changed: fetch the new one and sync again.
    """

    received: Received
    pushed: int = 0
    stale: int = 0
    refused: int = 0
    unreadable: int = 0
    new_epoch: bool = False

    def plus(self, other: CycleReport) -> CycleReport:
        """Return what this sync and the *other*, run after it, did together."""
        return CycleReport(
            self.received.plus(other.received),
            self.pushed + other.pushed,
            self.stale + other.stale,
            self.refused + other.refused,
            self.unreadable + other.unreadable,
            other.new_epoch,
        )

    @property
    def tampered(self) -> int:
        """Return every record refused as not genuine (not opening, or replayed)."""
        return self.refused + self.received.replays


def sync_once(
    transport: Transport,
    store: RecordStore,
    keys: AccountKeys,
    *,
    cancelled: Callable[[], bool] = lambda: False,
) -> CycleReport:
    """Pull, then push, once; return what happened."""
    state = store.state()
    cursor, received = state.cursor, Received()
    refused = unreadable = 0
    while not cancelled():
        page = transport.pull(since=cursor)
        opened: list[OpenedRecord] = []
        newer_key = page.epoch > keys.epoch
        next_cursor = cursor
        for item in page.records:
            if item.record.epoch > keys.epoch:
                newer_key = True
                break
            next_cursor = item.seq
            try:
                opened.append(open_record(item.record, keys=keys))
            except RecordRefusedError as e:
                refused += int(e.tampered)
                unreadable += int(not e.tampered and item.record.epoch == keys.epoch)
        else:
            next_cursor = page.cursor
        received = received.plus(store.receive(opened, cursor=next_cursor))
        cursor = next_cursor
        if newer_key:
            return CycleReport(received, refused=refused, unreadable=unreadable, new_epoch=True)
        if not page.more:
            break
    pushed = stale = 0
    everything = state.reseal_epoch == keys.epoch
    outgoing = store.outgoing(everything=everything)
    for start in range(0, len(outgoing), PUSH_LIMIT):
        if cancelled():
            break
        batch = [
            Pushing(seal_record(o.record_id, o.version, o.payload, keys=keys), o.expires_at)
            for o in outgoing[start : start + PUSH_LIMIT]
        ]
        try:
            results = transport.push(batch)
        except SyncRefusedError as e:
            if e.code == "epoch_changed":
                return CycleReport(received, pushed, stale, refused, unreadable, new_epoch=True)
            raise
        store.pushed({r.record_id: r.version for r in results if r.accepted})
        pushed += sum(r.accepted for r in results)
        stale += sum(not r.accepted for r in results)
    else:
        if everything:
            store.finish_reseal(keys.epoch)
    return CycleReport(received, pushed, stale, refused, unreadable)


class ServiceTransport:
    """The service's push and pull for the device signed in with *token*."""

    def __init__(self, devices: DevicesApi, *, token: str) -> None:
        self._devices = devices
        self._token = token

    def pull(self, *, since: int, limit: int = PULL_LIMIT) -> PullPage:
        """Return the records written after *since*."""
        return self._devices.pull(token=self._token, since=since, limit=limit)

    def push(self, records: Sequence[Pushing]) -> tuple[PushResult, ...]:
        """Push sealed records; return what became of each."""
        return self._devices.push(token=self._token, records=records)


MAX_KEY_CHANGES = 3
"""Newer epochs one sync follows before it leaves the rest for the next (a rotation storm)."""


def sync_account(
    devices: DevicesApi,
    *,
    token: str,
    keystore: KeyStore,
    account_id: str,
    store: RecordStore,
    cancelled: Callable[[], bool] = lambda: False,
) -> CycleReport:
    """Sync the account signed in with *token* once: pull, merge, push; follow a key change.

    Raises:
        DeviceSyncError: this device does not hold the account's key (not paired yet, or left
            out of a key change).
        KeyNotVerifiedError: the service handed over a key that is not genuine.
        AccountError: the service could not be reached, or refused (the message says why).
    """
    keys = load_account_keys(keystore, account_id)
    if keys is None:
        raise DeviceSyncError(MSG_NOT_JOINED)
    transport = ServiceTransport(devices, token=token)
    report = sync_once(transport, store, keys, cancelled=cancelled)
    changes = 0
    while report.new_epoch and changes < MAX_KEY_CHANGES and not cancelled():
        key = load_device_key(keystore, account_id)
        if key is None:
            raise DeviceSyncError(MSG_LEFT_OUT)
        followed = catch_up(
            devices, token=token, keys=keys, key=key, keystore=keystore, account_id=account_id
        )
        if followed.epoch > keys.epoch:
            # Seal everything held here again too: a record another device wrote just before
            # the change may not have reached the device that changed the key.
            store.start_reseal(followed.epoch)
        keys = followed
        report = report.plus(sync_once(transport, store, keys, cancelled=cancelled))
        changes += 1
    return report
