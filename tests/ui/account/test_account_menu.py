"""The Account menu lists who is signed in and the other accounts, and says what was chosen."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from sessionclock.ui.account.account_menu import AccountMenu, MenuAccount


def test_the_menu_shows_who_is_signed_in_and_who_can_be_switched_to(qtbot: QtBot) -> None:
    menu = AccountMenu()
    menu.set_state(
        current="ann&co@clinic.example",
        others=(MenuAccount("b", "ben@clinic.example", True), MenuAccount("c", "cy@x.org", False)),
        demo=False,
    )
    texts = menu.action_texts()
    assert texts[0] == "Signed in as ann&&co@clinic.example"  # & shown as itself, not a mnemonic
    assert "ben@clinic.example" in texts
    assert "cy@x.org (sign in)…" in texts
    assert texts[-1] == "Sign &out"
    with qtbot.waitSignal(menu.switch_requested) as switched:
        menu.action_named("ben@clinic.example").trigger()
    assert switched.args == ["b"]
    with qtbot.waitSignal(menu.account_page_requested):
        menu.action_named("Your account…").trigger()


def test_signed_out_and_demo_offer_sign_in_only(qtbot: QtBot) -> None:
    menu = AccountMenu()
    assert menu.action_texts() == ["Not signed in", "Sign &in…"]
    menu.set_state(current=None, others=(), demo=True)
    assert menu.action_texts() == ["Demo day: no account, nothing is kept", "Sign &in…"]
    with qtbot.waitSignal(menu.sign_in_requested):
        menu.action_named("Sign in…").trigger()
