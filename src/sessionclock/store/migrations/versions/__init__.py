"""Alembic revision scripts of the local store, oldest first."""
