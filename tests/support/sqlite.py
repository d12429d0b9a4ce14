"""Looking at SQLite's locks from outside: can another connection write right now?"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def write_lock_is_free(path: Path) -> bool:
    """Return whether a separate connection can take the write lock now, without waiting.

    It asks with ``BEGIN IMMEDIATE`` and a busy timeout of zero, then lets go at once.
    """
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return False
    else:
        probe.execute("ROLLBACK")
        return True
    finally:
        probe.close()
