"""An in-memory relay with the service's push and pull rules (``docs/sync-api.md``), for the
store's tests of syncing between two databases.

The service itself is tested on its own, and the app's end-to-end tests run the real service on
loopback; this relay lets the store's tests drive many interleavings quickly, and lets a test
replay or alter what it hands out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sessionclock.core.devices.api import PULL_LIMIT, PulledRecord, PullPage, Pushing, PushResult
from sessionclock.core.devices.records import SealedRecord
from sessionclock.core.errors import SyncRefusedError


@dataclass
class Relay:
    """One account's records as the service keeps them: one version of each, with a sequence.

    Attributes:
        epoch: the account's current key epoch.
        records: the stored records by id, with their sequence numbers.
        seq: the last sequence number given.
    """

    epoch: int = 1
    records: dict[str, PulledRecord] = field(default_factory=dict)
    seq: int = 0

    def push(self, records: Sequence[Pushing]) -> tuple[PushResult, ...]:
        """Store each record whose version is newer (or equal, re-sealed in a newer epoch)."""
        if any(item.record.epoch != self.epoch for item in records):
            raise SyncRefusedError("epoch changed", code="epoch_changed", status=409)
        results = []
        for item in records:
            record = item.record
            stored = self.records.get(record.record_id)
            newer = stored is None or record.version > stored.record.version
            resealed = (
                stored is not None
                and record.version == stored.record.version
                and record.epoch > stored.record.epoch
            )
            if newer or resealed:
                self.seq += 1
                self.records[record.record_id] = PulledRecord(record, self.seq)
                results.append(
                    PushResult(record.record_id, True, record.version, record.epoch, self.seq)
                )
            else:
                assert stored is not None
                results.append(
                    PushResult(
                        record.record_id,
                        False,
                        stored.record.version,
                        stored.record.epoch,
                        stored.seq,
                    )
                )
        return tuple(results)

    def pull(self, *, since: int, limit: int = PULL_LIMIT) -> PullPage:
        """Return the records written after *since*, in sequence order."""
        newer = sorted((r for r in self.records.values() if r.seq > since), key=lambda r: r.seq)
        page = tuple(newer[:limit])
        cursor = page[-1].seq if page else since
        return PullPage(page, cursor, len(newer) > limit, self.epoch)

    def overwrite(self, record: SealedRecord) -> None:
        """Store *record* as the service would if it were tampered with: under a new sequence
        number, whatever its version."""
        self.seq += 1
        self.records[record.record_id] = PulledRecord(record, self.seq)

    def stored(self, record_id: str) -> SealedRecord:
        """Return the record stored under *record_id*."""
        return self.records[record_id].record

    def relabel(self, record_id: str, **changes: object) -> SealedRecord:
        """Return the stored record with *changes* (for tampering)."""
        return replace(self.stored(record_id), **changes)  # type: ignore[arg-type]
