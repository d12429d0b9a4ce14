"""The main window's Account menu: who is signed in, the other accounts on this computer, and
the way to sign in, switch, sign out, see the account and what is stored where."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget


@dataclass(frozen=True, slots=True)
class MenuAccount:
    """An account on this computer as the menu lists it.

    Attributes:
        account_id: the local account.
        email: the account's address.
        signed_in: whether it can be switched to without a password.
    """

    account_id: str
    email: str
    signed_in: bool


class AccountMenu(QMenu):
    """Account ▸ …; says what the practitioner chose through signals.

    Signals:
        account_page_requested: Your account….
        privacy_requested: What is stored where….
        switch_requested: emitted with the local account id to switch to.
        sign_in_requested: Sign in to another account… (or Sign in…).
        sign_out_requested: Sign out.
    """

    account_page_requested = Signal()
    privacy_requested = Signal()
    switch_requested = Signal(str)
    sign_in_requested = Signal()
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("&Account", parent)
        self.set_state(current=None, others=(), demo=False)

    def set_state(
        self, *, current: str | None, others: tuple[MenuAccount, ...], demo: bool
    ) -> None:
        """Rebuild the menu for the account shown (*current*: its e-mail) and the others."""
        self.clear()
        if current is not None:
            self._info(f"Signed in as {_plain(current)}")
            self._item("&Your account…", self.account_page_requested)
            self._item("What is &stored where…", self.privacy_requested)
        elif demo:
            self._info("Demo day: no account, nothing is kept")
        else:
            self._info("Not signed in")
        if others:
            self.addSeparator()
            self._info("Switch to")
            for account in others:
                email = _plain(account.email)
                label = email if account.signed_in else f"{email} (sign in)…"
                self._item(label, partial(self.switch_requested.emit, account.account_id))
        self.addSeparator()
        self._item(
            "Sign &in to another account…" if current is not None else "Sign &in…",
            self.sign_in_requested,
        )
        if current is not None:
            self._item("Sign &out", self.sign_out_requested)

    def action_texts(self) -> list[str]:
        """Return the texts of the menu's entries (for tests)."""
        return [a.text() for a in self.actions() if not a.isSeparator()]

    def action_named(self, text: str) -> QAction:
        """Return the entry whose text (without mnemonics) is *text*."""
        for action in self.actions():
            if action.text().replace("&", "") == text:
                return action
        raise KeyError(text)

    def _info(self, text: str) -> None:
        action = self.addAction(text)
        action.setEnabled(False)

    def _item(self, text: str, target: SignalInstance | Callable[[], object]) -> None:
        action = self.addAction(text)
        if isinstance(target, SignalInstance):
            action.triggered.connect(target)  # a signal takes no part of "checked"
        else:
            action.triggered.connect(lambda _checked=False: target())


def _plain(text: str) -> str:
    """Return *text* shown as it is in a menu (an ``&`` is not a keyboard mnemonic)."""
    return text.replace("&", "&&")
