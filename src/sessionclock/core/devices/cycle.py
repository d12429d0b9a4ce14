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

from sessionclock.core.devices.api import PULL_LIMIT, PUSH_LIMIT, PullPage, Pushing, PushResult
from sessionclock.core.devices.engine import Outgoing, Received, SyncState
from sessionclock.core.devices.keys import AccountKeys
from sessionclock.core.devices.records import (
    OpenedRecord,
    RecordRefusedError,
    open_record,
    seal_record,
)
from sessionclock.core.errors import SyncRefusedError


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
