"""The local store: SQLAlchemy on SQLite, one database per computer, data scoped per account.

Only ``Database``, ``AccountRepository``, ``SyncRecords`` and ``default_database_path`` are meant
to be used from outside; ORM objects never leave this package.
"""

from sessionclock.store.database import Database, default_database_path
from sessionclock.store.repository import AccountRepository, JSONValue
from sessionclock.store.sync_records import SyncRecords

__all__ = ["AccountRepository", "Database", "JSONValue", "SyncRecords", "default_database_path"]
