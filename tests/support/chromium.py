"""Debian's Chromium for the admin-area tests and renders (not a Playwright download)."""

from __future__ import annotations

from playwright.sync_api import Browser, Playwright

EXECUTABLE = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright: Playwright) -> Browser:
    """Start Debian's Chromium headless, quiet and without network chatter."""
    return playwright.chromium.launch(executable_path=EXECUTABLE, args=ARGS)
