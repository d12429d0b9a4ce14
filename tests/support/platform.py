"""Test doubles for the platform adapters (``sessionclock.platform``): they touch nothing real."""

from __future__ import annotations


class FakeScreenAwake:
    """A wake lock for tests that records what was asked of it.

    Attributes:
        calls: ``"hold"`` and ``"release"`` in the order they took effect.
    """

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._held = False

    @property
    def held(self) -> bool:
        """Return True between a hold and a release."""
        return self._held

    def hold(self) -> None:
        """Record a hold."""
        if not self._held:
            self._held = True
            self.calls.append("hold")

    def release(self) -> None:
        """Record a release."""
        if self._held:
            self._held = False
            self.calls.append("release")


class FakeLoginItem:
    """A login item for tests that only remembers the switch."""

    def __init__(self, enabled: bool = False) -> None:
        self._enabled = enabled

    def is_enabled(self) -> bool:
        """Return the remembered switch."""
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Remember the switch."""
        self._enabled = enabled
