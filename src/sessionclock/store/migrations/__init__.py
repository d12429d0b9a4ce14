"""Alembic migrations of the local store, run in code by ``Database.open`` (no alembic.ini)."""
