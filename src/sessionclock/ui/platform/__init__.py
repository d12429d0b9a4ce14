"""Platform services behind small interfaces: keeping the screen awake, starting at login.

Each service has one Protocol, one implementation per operating system, a harmless fallback and
a fake for tests; a ``create_*`` function picks the implementation for the running system.
"""
