"""Platform services behind small interfaces: keeping the screen awake, starting at login.

Each service has one Protocol, one implementation per operating system and a harmless fallback;
a ``create_*`` function picks the implementation for the running system. Nothing here imports Qt
(an import-linter contract holds it to that), so each adapter is tested without a display. Test
doubles live in ``tests/support/platform.py``.
"""
