"""Look through everything the service keeps and logs for what must never reach it: client
names, calendar addresses, markers written into records on a device.

Every column of every table is read (text, blobs and anything else, as text), on SQLite and
PostgreSQL alike; a text value that is base64 is also looked through decoded, so a record
relayed unsealed but encoded would be found too.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Iterable, Sequence

from sqlalchemy import MetaData, create_engine, select


def _forms(value: object) -> list[bytes]:
    if value is None:
        return []
    if isinstance(value, memoryview):
        value = value.tobytes()
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    forms = [data]
    with contextlib.suppress(binascii.Error, ValueError):
        forms.append(base64.b64decode(data, validate=True))
    return forms


def scan_text(data: bytes, secrets: Sequence[str]) -> list[str]:
    """Return the *secrets* found in *data* (case-insensitive)."""
    lowered = data.lower()
    return [s for s in secrets if s.lower().encode("utf-8") in lowered]


def scan_values(values: Iterable[object], secrets: Sequence[str]) -> list[str]:
    """Return the *secrets* found in any of *values*."""
    found: list[str] = []
    for value in values:
        for form in _forms(value):
            found += [s for s in scan_text(form, secrets) if s not in found]
    return found


def scan_database(url: str, secrets: Sequence[str]) -> list[tuple[str, str, str]]:
    """Return (table, column, secret) for every secret found in any column of any table of
    the database at *url*; also fails if the database has no tables at all."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        assert metadata.tables, "the service's database has no tables"
        found: list[tuple[str, str, str]] = []
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for column in table.columns:
                    values = connection.scalars(select(column)).all()
                    found += [(table.name, column.name, s) for s in scan_values(values, secrets)]
        return found
    finally:
        engine.dispose()
