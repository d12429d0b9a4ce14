"""The sign-in dialog checks what it can before asking the service, carries the address from
page to page, and forgets passwords when it closes."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from sessionclock.ui.account.sign_in_dialog import Page, SignInDialog


def dialog_for(qtbot: QtBot, page: Page = Page.SIGN_IN) -> SignInDialog:
    dialog = SignInDialog(device_name="Front-Desk-PC", page=page)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_sign_in_asks_for_an_address_and_a_password_first(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot)
    with qtbot.assertNotEmitted(dialog.sign_in_requested):
        qtbot.keyClicks(dialog.email_edit, "not an address")
        dialog.sign_in_button.click()
    assert "e-mail address" in dialog._errors[Page.SIGN_IN].text()
    dialog.email_edit.setText(" Ann@Clinic.Example ")
    with qtbot.assertNotEmitted(dialog.sign_in_requested):
        dialog.sign_in_button.click()
    assert dialog._errors[Page.SIGN_IN].text() == "Enter the password."
    dialog.password_edit.setText("pw")
    with qtbot.waitSignal(dialog.sign_in_requested) as asked:
        dialog.sign_in_button.click()
    assert asked.args == ["ann@clinic.example", "pw", "Front-Desk-PC"]


def test_a_new_password_must_be_long_enough_and_typed_twice(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot, Page.SIGN_UP)
    dialog.new_email_edit.setText("ann@clinic.example")
    dialog.new_password_edit.setText("short")
    dialog.repeat_password_edit.setText("short")
    with qtbot.assertNotEmitted(dialog.sign_up_requested):
        dialog.sign_up_button.click()
    assert "at least 10 characters" in dialog._errors[Page.SIGN_UP].text()
    dialog.new_password_edit.setText("long enough password")
    with qtbot.waitSignal(dialog.sign_up_requested) as asked:
        dialog.repeat_password_edit.setText("long enough password")
        dialog.sign_up_button.click()
    assert asked.args == ["ann@clinic.example", "long enough password"]


def test_the_address_follows_to_the_other_pages_and_codes_lose_their_spaces(
    qtbot: QtBot,
) -> None:
    dialog = dialog_for(qtbot, Page.SIGN_UP)
    dialog.new_email_edit.setText("ann@clinic.example")
    dialog.new_password_edit.setText("long enough password")
    dialog.repeat_password_edit.setText("long enough password")
    dialog.sign_up_button.click()
    dialog.show_page(Page.CONFIRM)
    assert dialog.confirm_email_edit.text() == "ann@clinic.example"
    dialog.code_edit.setText("123 456")
    with qtbot.waitSignal(dialog.confirm_requested) as asked:
        dialog.confirm_button.click()
    assert asked.args == ["ann@clinic.example", "123456"]
    dialog.show_page(Page.FORGOT)
    assert dialog.forgot_email_edit.text() == "ann@clinic.example"


def test_busy_pages_take_no_second_request_and_closing_forgets_passwords(qtbot: QtBot) -> None:
    dialog = dialog_for(qtbot)
    dialog.email_edit.setText("ann@clinic.example")
    dialog.password_edit.setText("secret password")
    dialog.set_busy(True)
    assert dialog.sign_in_button.text() == "Please wait…"
    with qtbot.assertNotEmitted(dialog.sign_in_requested):
        dialog.password_edit.returnPressed.emit()
    dialog.set_busy(False)
    assert dialog.sign_in_button.text() == "&Sign in"
    dialog.reject()
    assert dialog.password_edit.text() == ""
    assert dialog.email_edit.text() == "ann@clinic.example"


def test_the_demo_is_offered_only_when_asked(qtbot: QtBot) -> None:
    offered = SignInDialog(device_name="PC", page=Page.WELCOME)
    hidden = SignInDialog(device_name="PC", offer_demo=False, page=Page.WELCOME)
    for dialog in (offered, hidden):
        qtbot.addWidget(dialog)
        dialog.show()
    assert offered.demo_button.isVisible()
    assert not hidden.demo_button.isVisible()
    with qtbot.waitSignal(offered.demo_requested):
        offered.demo_button.click()
