"""What someone holding the service's database can do to a record: rewrite it (an old version,
a flipped bit, another account's ciphertext) under a new sequence number, so that every device
pulls it next. Plain SQL on SQLite or PostgreSQL, as such an adversary would write it.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text


def rewrite_record(
    database_url: str,
    *,
    account: str,
    record_id: str,
    version: str,
    epoch: int,
    ciphertext: bytes,
) -> None:
    """Store (*version*, *epoch*, *ciphertext*) as *account*'s record *record_id*, pulled next."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            seq = connection.execute(
                text(
                    "UPDATE sync_states SET last_seq = last_seq + 1 WHERE account_id = :account "
                    "RETURNING last_seq"
                ),
                {"account": account},
            ).scalar_one()
            updated = connection.execute(
                text(
                    "UPDATE sync_records SET version = :version, epoch = :epoch, "
                    "ciphertext = :ciphertext, size = :size, seq = :seq "
                    "WHERE account_id = :account AND record_id = :record_id"
                ),
                {
                    "version": version,
                    "epoch": epoch,
                    "ciphertext": ciphertext,
                    "size": len(ciphertext),
                    "seq": seq,
                    "account": account,
                    "record_id": record_id,
                },
            )
            assert updated.rowcount == 1, "no such record at the service"
    finally:
        engine.dispose()


def flipped(ciphertext: bytes, index: int = -1) -> bytes:
    """Return *ciphertext* with one bit of byte *index* flipped."""
    data = bytearray(ciphertext)
    data[index] ^= 0x01
    return bytes(data)
