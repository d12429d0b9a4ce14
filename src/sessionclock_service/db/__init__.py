"""The database layer: the engine and its read and write transactions, the tables, migrations.

It knows SQL and nothing of the rules: it never imports the use cases, the integrations or the
HTTP layer.
"""
