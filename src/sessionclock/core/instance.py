"""The name a running Session Clock answers to, so a second launch finds it instead of starting.

One name per user and profile: two people logged in to the same clinic computer each run their
own clock, and a test (or a practitioner with ``--data-dir``) can run beside the everyday one.
The name is a hash, so neither the user name nor a folder shows in the socket's path, and it
stays short enough for a Unix socket path.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from pathlib import Path


def current_user() -> str:
    """Return the logged-in user's name (the user id where there is no name)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def instance_name(*, user: str, data_dir: Path | None, demo: bool) -> str:
    """Return the local socket name for *user*'s clock on the profile in *data_dir*.

    ``data_dir`` None is the platform's data folder; a demo profile is its own.
    """
    folder = str(data_dir.resolve()) if data_dir is not None else ""
    key = "\0".join((user, folder, "demo" if demo else "profile"))
    return "sessionclock-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
