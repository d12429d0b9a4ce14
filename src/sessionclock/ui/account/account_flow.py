"""The practitioners' accounts on this computer, as they live them: signing up and in, switching,
signing out, the subscription, devices, privacy and deleting an account.

``AccountFlow`` owns the account screens and the conversations with the service (run off the
GUI thread by ``ServiceCalls``), keeps sign-in tokens in the OS key store (``credentials``) and
says which profile to show through ``opened`` and ``locked``; the app shows it. It never logs an
e-mail address, a password, a code or a token.

Several practitioners can share the computer: each has a local account tied to their service
account. The one shown is the one signed in last; others that are still signed in can be
switched to from the Account menu, and signed-out ones need their password again. Signing out
forgets the token (the data and its key stay, locked until the next sign-in).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QDialog, QWidget

from sessionclock.core.account.access import Access, describe, explain
from sessionclock.core.account.address import ServiceAddress
from sessionclock.core.account.client import AccountApi
from sessionclock.core.account.credentials import (
    PendingDeletion,
    add_pending_deletion,
    delete_token,
    load_token,
    pending_deletions,
    remove_pending_deletion,
    save_token,
)
from sessionclock.core.account.models import (
    AccountView,
    Device,
    IssuedToken,
    LocalAccount,
    ServiceLink,
)
from sessionclock.core.clock import Clock
from sessionclock.core.errors import (
    AccountError,
    NotFoundError,
    ServiceFailedError,
    ServiceUnreachableError,
    SessionClockError,
    SignedOutError,
    WrongPasswordError,
)
from sessionclock.core.keystore import KeyStore
from sessionclock.core.privacy import LocalFacts, service_facts
from sessionclock.ui.account.account_dialog import AccountDialog
from sessionclock.ui.account.account_menu import AccountMenu, MenuAccount
from sessionclock.ui.account.change_password_dialog import ChangePasswordDialog
from sessionclock.ui.account.delete_account_dialog import DeleteAccountDialog
from sessionclock.ui.account.entitlement_watch import (
    EntitlementStore,
    EntitlementWatch,
    ReturnWatcher,
)
from sessionclock.ui.account.privacy_dialog import PrivacyDialog
from sessionclock.ui.account.service_calls import ClientMaker, ServiceCalls
from sessionclock.ui.account.sign_in_dialog import Page, SignInDialog
from sessionclock.ui.desktop import Desktop
from sessionclock.ui.prompts import Prompts

log = logging.getLogger(__name__)

PENDING_RETRY_MS = 15 * 60_000
"""How often deletions waiting for the service are tried again while the app runs."""

MSG_NO_BROWSER = (
    "No web browser could be opened. Open a browser, then try again (or set a default browser "
    "in the system's settings)."
)


def wire(*pairs: tuple[SignalInstance, Callable[..., object]]) -> None:
    """Connect each (signal, what it sets off)."""
    for signal, slot in pairs:
        signal.connect(slot)


class AccountsHere(Protocol):
    """The practitioners' profiles on this computer (``sessionclock.profile.LocalData``)."""

    keystore: KeyStore

    def accounts(self) -> tuple[LocalAccount, ...]:
        """Return the profiles tied to a service account."""
        ...

    def find(self, email: str) -> str | None:
        """Return the local account of the service account *email*, if any."""
        ...

    def unlinked_with_data(self) -> str | None:
        """Return a profile from before accounts that holds sessions, if any."""
        ...

    def tie(self, link: ServiceLink, *, adopt: str | None = None) -> str:
        """Return the local account for *link* (found, adopted or new), tied to it."""
        ...

    def profile(self, account_id: str) -> object:
        """Open the profile of *account_id* (what the app shows)."""
        ...

    def repository(self, account_id: str) -> EntitlementStore:
        """Return where the account's subscription checks are kept."""
        ...

    def delete(self, account_id: str) -> None:
        """Delete everything of *account_id* here: rows, key and sign-in token."""
        ...

    def privacy_facts(self, account_id: str) -> LocalFacts:
        """Return what is stored here for *account_id*."""
        ...


class AccountFlow(QObject):
    """Signing in and out, switching and deleting accounts; the account screens.

    Attributes:
        watch: checks the subscription of the account shown.
        menu: the Account menu for the main window.

    Signals:
        opened: emitted with the profile of the account to show (signed in or switched to).
        locked: the account shown was signed out, switched away from or deleted: show nothing
            of it.
        demo_requested: the practitioner chose to try the demo day.
        access_changed: emitted with the ``Access`` of the account shown when it changes.
        noticed: emitted with (title, message) for something that happened in the background.
        account_page_opened: emitted with the ``AccountDialog`` just opened (the devices
            screens add their part to it).
    """

    opened = Signal(object)
    locked = Signal()
    demo_requested = Signal()
    access_changed = Signal(object)
    noticed = Signal(str, str)
    account_page_opened = Signal(object)

    def __init__(
        self,
        *,
        local: AccountsHere,
        address: ServiceAddress,
        make_client: ClientMaker,
        clock: Clock,
        desktop: Desktop,
        prompts: Prompts,
        window: QWidget,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.local = local
        self.address = address
        self._clock = clock
        self._desktop = desktop
        self._prompts = prompts
        self._window = window
        self._calls = ServiceCalls(make_client, address.url, self)
        self._pending_calls = ServiceCalls(make_client, address.url, self)
        self.watch = EntitlementWatch(make_client=make_client, url=address.url, clock=clock)
        self.watch.setParent(self)
        self.watch.access_changed.connect(self.access_changed)
        self.watch.signed_out.connect(self._on_watch_signed_out)
        self._return_watcher = ReturnWatcher(self.watch, self)
        window.installEventFilter(self._return_watcher)
        self.menu = AccountMenu(window)
        wire(
            (self.menu.account_page_requested, self.open_account_page),
            (self.menu.privacy_requested, self.open_privacy),
            (self.menu.switch_requested, self.switch_to),
            (self.menu.sign_in_requested, self._on_menu_sign_in_requested),
            (self.menu.sign_out_requested, self.sign_out),
        )
        self._pending_timer = QTimer(self)
        self._pending_timer.setInterval(PENDING_RETRY_MS)
        self._pending_timer.timeout.connect(self.finish_pending_deletions)

        self.current: LocalAccount | None = None
        self.demo = False
        self._token: str | None = None
        self._lock_after_session = False
        self._signing_up: tuple[str, str] | None = None
        self.sign_in_dialog: SignInDialog | None = None
        self.account_dialog: AccountDialog | None = None
        self.password_dialog: ChangePasswordDialog | None = None
        self.delete_dialog: DeleteAccountDialog | None = None
        self.privacy_dialog: PrivacyDialog | None = None

    # -- starting --------------------------------------------------------------------------------

    def start(self) -> None:
        """Show the account signed in last (or another still signed in), else the welcome."""
        self.finish_pending_deletions()
        self._pending_timer.start()
        accounts = {a.account_id: a for a in self._accounts() if a.signed_in}
        last = self._desktop.settings.last_account()
        chosen = accounts.get(last or "") or next(iter(accounts.values()), None)
        if chosen is None:
            self._refresh_menu()
            self.open_sign_in(Page.WELCOME)
            return
        self._open(chosen)

    def _accounts(self) -> tuple[LocalAccount, ...]:
        try:
            return self.local.accounts()
        except SessionClockError as e:
            self._prompts.report(self._window, "Accounts cannot be read", str(e), serious=True)
            return ()

    def _open(self, account: LocalAccount) -> None:
        token = load_token(self.local.keystore, account.account_id)
        if token is None:
            self.open_sign_in(Page.SIGN_IN, email=account.link.email)
            return
        self._close_current()
        profile = self.local.profile(account.account_id)
        self.current, self._token, self.demo = account, token, False
        self._desktop.settings.set_last_account(account.account_id)
        self._refresh_menu()
        self.watch.attach(self.local.repository(account.account_id), token=token)
        self.opened.emit(profile)

    def _close_current(self) -> None:
        """Show nothing of the account shown (its token, data and key stay)."""
        self.watch.detach()
        self._close_dialogs()
        shown = self.current is not None or self.demo
        self.current, self._token = None, None
        self.demo = False
        self._lock_after_session = False
        if shown:
            self.locked.emit()

    def _close_dialogs(self) -> None:
        for dialog in (
            self.account_dialog,
            self.password_dialog,
            self.delete_dialog,
            self.privacy_dialog,
        ):
            if dialog is not None:
                dialog.close()
        self.account_dialog = self.password_dialog = self.delete_dialog = None
        self.privacy_dialog = None

    def _show(self, dialog: QDialog, attribute: str) -> None:
        """Open *dialog* window-modal as the flow's *attribute*, forgotten and deleted when it
        closes (its connections to the flow go with it)."""
        setattr(self, attribute, dialog)

        def forget(_result: int) -> None:
            if getattr(self, attribute) is dialog:
                setattr(self, attribute, None)

        dialog.finished.connect(forget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _refresh_menu(self) -> None:
        shown = self.current.account_id if self.current is not None else None
        others = tuple(
            MenuAccount(a.account_id, a.link.email, a.signed_in)
            for a in self._accounts()
            if a.account_id != shown
        )
        email = self.current.link.email if self.current is not None else None
        self.menu.set_state(current=email, others=others, demo=self.demo)

    def tick(self, running_since: datetime | None) -> None:
        """Follow the clock: re-evaluate access, and lock an account signed out elsewhere once
        the session under way has ended."""
        if self._lock_after_session and running_since is None:
            self._close_current()
            self._refresh_menu()
            self.open_sign_in(Page.SIGN_IN)
            return
        self.watch.evaluate(running_since)

    def shutdown(self) -> None:
        """Stop every call and timer (on quit)."""
        self._pending_timer.stop()
        self.watch.shutdown()
        self._calls.shutdown()
        self._pending_calls.shutdown()
        self._close_dialogs()
        if self.sign_in_dialog is not None:
            self.sign_in_dialog.close()

    # -- demo ------------------------------------------------------------------------------------

    def start_demo(self) -> None:
        """Leave the account shown and ask the app for the demo day."""
        self._close_current()
        self.demo = True
        self._refresh_menu()
        self.demo_requested.emit()

    # -- sign in, sign up, confirm, reset --------------------------------------------------------

    def open_sign_in(self, page: Page = Page.SIGN_IN, *, email: str = "") -> SignInDialog:
        """Open the sign-in dialog on *page* (one at a time)."""
        dialog = self.sign_in_dialog
        if dialog is None:
            dialog = SignInDialog(
                device_name=self._desktop.computer_name(),
                offer_demo=self.current is None and not self.demo,
                parent=self._window,
            )
            wire(
                (dialog.sign_in_requested, self._on_dialog_sign_in_requested),
                (dialog.sign_up_requested, self._on_dialog_sign_up_requested),
                (dialog.confirm_requested, self._on_dialog_confirm_requested),
                (dialog.reset_code_requested, self._on_dialog_reset_code_requested),
                (dialog.reset_requested, self._on_dialog_reset_requested),
                (dialog.demo_requested, self._on_dialog_demo_requested),
                (dialog.finished, self._on_sign_in_dialog_finished),
            )
            self._show(dialog, "sign_in_dialog")
        if email:
            dialog.email_edit.setText(email)
        dialog.show_page(page)
        return dialog

    @Slot()
    def _on_menu_sign_in_requested(self) -> None:
        self.open_sign_in(Page.SIGN_IN)

    @Slot(int)
    def _on_sign_in_dialog_finished(self, _result: int) -> None:
        self._signing_up = None

    def _dialog_call(
        self, work: Callable[[AccountApi], object], done: Callable[[object], None]
    ) -> None:
        dialog = self.sign_in_dialog
        if dialog is None:
            return

        def failed(error: SessionClockError) -> None:
            if self.sign_in_dialog is not None:
                self.sign_in_dialog.set_busy(False)
                self.sign_in_dialog.show_error(str(error))

        def succeeded(value: object) -> None:
            if self.sign_in_dialog is not None:
                self.sign_in_dialog.set_busy(False)
                done(value)

        dialog.set_busy(True)
        self._calls.run(work, done=succeeded, failed=failed)

    @Slot(str, str, str)
    def _on_dialog_sign_in_requested(self, email: str, password: str, device: str) -> None:
        self._sign_in(email, password, device)

    def _sign_in(self, email: str, password: str, device: str) -> None:
        def work(api: AccountApi) -> IssuedToken:
            return api.sign_in(email=email, password=password, device_name=device)

        self._dialog_call(work, lambda issued: self._on_signed_in(email, issued))

    def _on_signed_in(self, email: str, issued: object) -> None:
        assert isinstance(issued, IssuedToken)
        link = ServiceLink(service_url=self.address.url, email=email)
        try:
            adopt = None
            if self.local.find(email) is None:
                adopt = self._adopt_earlier_schedule()
            account_id = self.local.tie(link, adopt=adopt)
            previous = load_token(self.local.keystore, account_id)
            save_token(self.local.keystore, account_id, issued.token)
        except SessionClockError as e:
            if self.sign_in_dialog is not None:
                self.sign_in_dialog.show_error(str(e))
            self._forget_token(issued.token)
            return
        if previous is not None and previous != issued.token:
            self._forget_token(previous)
        if self.sign_in_dialog is not None:
            self.sign_in_dialog.accept()
        self._open(LocalAccount(account_id, link, signed_in=True))

    def _adopt_earlier_schedule(self) -> str | None:
        earlier = self.local.unlinked_with_data()
        if earlier is None:
            return None
        keep = self._prompts.confirm(
            self.sign_in_dialog or self._window,
            "Keep the schedule on this computer?",
            "This computer has a schedule from before accounts. Make it part of this account? "
            "Choose No to start this account empty; the earlier schedule then stays hidden.",
        )
        return earlier if keep else None

    def _forget_token(self, token: str) -> None:
        """Sign a token out at the service, quietly (it is no longer kept anywhere)."""

        def work(api: AccountApi) -> None:
            api.sign_out(token=token)

        def ignore(error: SessionClockError) -> None:
            log.info("A sign-in could not be revoked at the service (%s)", type(error).__name__)

        self._pending_calls.run(work, done=lambda _v: None, failed=ignore)

    @Slot(str, str)
    def _on_dialog_sign_up_requested(self, email: str, password: str) -> None:
        def work(api: AccountApi) -> None:
            api.sign_up(email=email, password=password)

        def done(_value: object) -> None:
            self._signing_up = (email, password)
            if self.sign_in_dialog is not None:
                self.sign_in_dialog.confirm_email_edit.setText(email)
                self.sign_in_dialog.code_edit.clear()
                self.sign_in_dialog.show_page(
                    Page.CONFIRM,
                    notice="Check your e-mail: a six-digit code is on its way (it can take a "
                    "minute; look in the spam folder too).",
                )

        self._dialog_call(work, done)

    @Slot(str, str)
    def _on_dialog_confirm_requested(self, email: str, code: str) -> None:
        def work(api: AccountApi) -> None:
            api.confirm_sign_up(email=email, code=code)

        def done(_value: object) -> None:
            dialog = self.sign_in_dialog
            if dialog is None:
                return
            signing_up, self._signing_up = self._signing_up, None
            if signing_up is not None and signing_up[0] == email:
                dialog.show_notice("Your address is confirmed. Signing in…")
                self._sign_in(email, signing_up[1], dialog.device_name)
                return
            dialog.email_edit.setText(email)
            dialog.show_page(
                Page.SIGN_IN, notice="Your address is confirmed. Sign in to start your trial."
            )

        self._dialog_call(work, done)

    @Slot(str)
    def _on_dialog_reset_code_requested(self, email: str) -> None:
        def work(api: AccountApi) -> None:
            api.request_password_reset(email=email)

        def done(_value: object) -> None:
            if self.sign_in_dialog is not None:
                self.sign_in_dialog.show_page(
                    Page.RESET,
                    notice="If an account uses this address, a six-digit code is on its way.",
                )

        self._dialog_call(work, done)

    @Slot(str, str, str)
    def _on_dialog_reset_requested(self, email: str, code: str, new_password: str) -> None:
        def work(api: AccountApi) -> None:
            api.confirm_password_reset(email=email, code=code, new_password=new_password)

        def done(_value: object) -> None:
            dialog = self.sign_in_dialog
            if dialog is None:
                return
            dialog.show_notice("Your password is changed. Signing in…")
            self._sign_in(email, new_password, dialog.device_name)

        self._dialog_call(work, done)

    @Slot()
    def _on_dialog_demo_requested(self) -> None:
        if self.sign_in_dialog is not None:
            self.sign_in_dialog.accept()
        self.start_demo()

    # -- switching and signing out ---------------------------------------------------------------

    @Slot(str)
    def switch_to(self, account_id: str) -> None:
        """Show another account on this computer (signed out ones ask for the password)."""
        for account in self._accounts():
            if account.account_id == account_id:
                if account.signed_in:
                    self._open(account)
                else:
                    self.open_sign_in(Page.SIGN_IN, email=account.link.email)
                return

    @Slot()
    def sign_out(self) -> None:
        """Sign the account shown out on this computer: its data locks, its key stays."""
        account, token = self.current, self._token
        if account is None:
            return
        try:
            delete_token(self.local.keystore, account.account_id)
        except SessionClockError as e:
            self._prompts.report(self._window, "Sign-out failed", str(e))
            return
        self._close_current()
        self._desktop.settings.set_last_account(None)
        if token is not None:
            self._forget_token(token)
        self._refresh_menu()
        self.open_sign_in(Page.SIGN_IN)

    @Slot()
    def _on_watch_signed_out(self) -> None:
        account = self.current
        if account is None:
            return
        try:
            delete_token(self.local.keystore, account.account_id)
        except SessionClockError as e:
            log.warning("A sign-in the service refused could not be forgotten: %s", e)
        self._token = None
        self.noticed.emit(
            "Signed out",
            "This computer was signed out of the account (from another device, by a password "
            "change or reset, or after a long time unused). Sign in again to go on; the "
            "session under way is not interrupted.",
        )
        self._lock_after_session = True

    # -- the account page ------------------------------------------------------------------------

    @Slot()
    def open_account_page(self) -> AccountDialog | None:
        """Open the account page: subscription, devices, password, sign out, delete."""
        account = self.current
        if account is None:
            return None
        if self.account_dialog is not None:
            self.account_dialog.raise_()
            return self.account_dialog
        dialog = AccountDialog(
            email=account.link.email,
            tz=self._clock.zone(),
            now=self._clock.now(),
            parent=self._window,
        )
        dialog.set_access(self.watch.access)
        wire(
            (dialog.subscribe_requested, self.subscribe),
            (dialog.manage_requested, self.manage_subscription),
            (dialog.device_sign_out_requested, self.sign_out_device),
            (dialog.change_password_requested, self.open_change_password),
            (dialog.privacy_requested, self.open_privacy),
            (dialog.sign_out_requested, self.sign_out),
            (dialog.delete_requested, self.open_delete_account),
            (self.access_changed, dialog.set_access),
        )
        self._show(dialog, "account_dialog")
        self._load_account_view()
        self.account_page_opened.emit(dialog)
        return dialog

    def _token_call(
        self,
        work: Callable[[AccountApi, str], object],
        *,
        done: Callable[[object], None],
        failed: Callable[[SessionClockError], None],
    ) -> bool:
        token = self._token
        if token is None:
            failed(SignedOutError("This computer is not signed in. Sign in again."))
            return False

        def call(api: AccountApi) -> object:
            return work(api, token)

        def refused(error: SessionClockError) -> None:
            if isinstance(error, SignedOutError):
                self._on_watch_signed_out()
            failed(error)

        self._calls.run(call, done=done, failed=refused)
        return True

    def _page_call(
        self, work: Callable[[AccountApi, str], object], done: Callable[[object], None]
    ) -> None:
        dialog = self.account_dialog

        def finish() -> None:
            if self.account_dialog is not None:
                self.account_dialog.set_busy(False)

        def succeeded(value: object) -> None:
            finish()
            done(value)

        def failed(error: SessionClockError) -> None:
            finish()
            if self.account_dialog is not None:
                self.account_dialog.show_error(str(error))

        if self._token_call(work, done=succeeded, failed=failed) and dialog is not None:
            dialog.set_busy(True)

    def _load_account_view(self) -> None:
        def work(api: AccountApi, token: str) -> AccountView:
            return api.account(token=token)

        def done(view: object) -> None:
            assert isinstance(view, AccountView)
            self.watch.record_answer(view.entitlement)
            if self.account_dialog is not None:
                self.account_dialog.set_devices(view.devices)

        def failed(error: SessionClockError) -> None:
            if self.account_dialog is not None:
                self.account_dialog.set_devices_unavailable(str(error))

        self._token_call(work, done=done, failed=failed)

    @Slot()
    def subscribe(self) -> None:
        """Open Stripe Checkout in the browser and watch for the subscription to arrive."""
        self._open_billing(lambda api, token: api.checkout_url(token=token))

    @Slot()
    def manage_subscription(self) -> None:
        """Open Stripe's customer portal in the browser and watch for changes."""
        self._open_billing(lambda api, token: api.portal_url(token=token))

    def _open_billing(self, work: Callable[[AccountApi, str], str]) -> None:
        def done(url: object) -> None:
            assert isinstance(url, str)
            if not self._desktop.open_url(url):
                self._say_on_page(MSG_NO_BROWSER, error=True)
                return
            self.watch.watch_for_change()
            self._say_on_page(
                "Stripe's page is open in your browser. This window updates once you are done.",
                error=False,
            )

        self._page_call(work, done)

    def _say_on_page(self, message: str, *, error: bool) -> None:
        dialog = self.account_dialog
        if dialog is None:
            self.noticed.emit("Account", message)
        elif error:
            dialog.show_error(message)
        else:
            dialog.show_notice(message)

    @Slot(str)
    def sign_out_device(self, device_id: str) -> None:
        """Sign one device out of the account (this computer too, if it is the one chosen)."""

        def work(api: AccountApi, token: str) -> tuple[Device, ...]:
            devices = api.devices(token=token)
            this = next((d for d in devices if d.id == device_id), None)
            if this is None:
                raise NotFoundError("That device is already signed out.")
            api.sign_out_device(token=token, device_id=device_id)
            return tuple(d for d in devices if d.id != device_id) if not this.current else ()

        def done(devices: object) -> None:
            assert isinstance(devices, tuple)
            if not devices:
                self.sign_out()
                return
            if self.account_dialog is not None:
                self.account_dialog.set_devices(devices)
                self.account_dialog.show_notice("The device is signed out.")

        self._page_call(work, done)

    # -- password --------------------------------------------------------------------------------

    @Slot()
    def open_change_password(self) -> ChangePasswordDialog | None:
        """Ask for the current and a new password, then change it at the service."""
        if self.current is None:
            return None
        dialog = ChangePasswordDialog(parent=self.account_dialog or self._window)
        dialog.change_requested.connect(self._on_password_dialog_change_requested)
        self._show(dialog, "password_dialog")
        return dialog

    @Slot(str, str)
    def _on_password_dialog_change_requested(self, current: str, new: str) -> None:
        dialog = self.password_dialog
        if dialog is None:
            return

        def work(api: AccountApi, token: str) -> None:
            api.change_password(token=token, current_password=current, new_password=new)

        def done(_value: object) -> None:
            if self.password_dialog is not None:
                self.password_dialog.accept()
            self._say_on_page(
                "Your password is changed. Every other device was signed out.", error=False
            )
            if self.account_dialog is not None:
                self._load_account_view()

        def failed(error: SessionClockError) -> None:
            if self.password_dialog is not None:
                self.password_dialog.set_busy(False)
                self.password_dialog.show_error(str(error))

        if self._token_call(work, done=done, failed=failed):
            dialog.set_busy(True)

    # -- privacy ---------------------------------------------------------------------------------

    @Slot()
    def open_privacy(self) -> PrivacyDialog | None:
        """Show what is stored where for the account shown, from the live data."""
        account = self.current
        if account is None:
            return None
        try:
            facts = self.local.privacy_facts(account.account_id)
        except SessionClockError as e:
            self._prompts.report(self._window, "Privacy", str(e))
            return None
        dialog = PrivacyDialog(
            facts, tz=self._clock.zone(), parent=self.account_dialog or self._window
        )
        self._show(dialog, "privacy_dialog")

        def work(api: AccountApi, token: str) -> AccountView:
            return api.account(token=token)

        def done(view: object) -> None:
            assert isinstance(view, AccountView)
            self.watch.record_answer(view.entitlement)
            if self.privacy_dialog is not None:
                standing = describe(self.watch.access, tz=self._clock.zone())
                self.privacy_dialog.set_service_facts(service_facts(view, standing=standing))

        def failed(error: SessionClockError) -> None:
            if self.privacy_dialog is not None:
                self.privacy_dialog.set_service_unavailable(
                    f"{error} What it knows: your e-mail address, your subscription state and "
                    "the names of the devices you signed in with."
                )

        self._token_call(work, done=done, failed=failed)
        return dialog

    # -- deleting the account --------------------------------------------------------------------

    @Slot()
    def open_delete_account(self) -> DeleteAccountDialog | None:
        """Ask for the password again, then delete the account everywhere."""
        account = self.current
        if account is None:
            return None
        dialog = DeleteAccountDialog(
            email=account.link.email, parent=self.account_dialog or self._window
        )
        dialog.delete_requested.connect(self._on_delete_dialog_delete_requested)
        self._show(dialog, "delete_dialog")
        return dialog

    @Slot(str)
    def _on_delete_dialog_delete_requested(self, password: str) -> None:
        dialog, account, token = self.delete_dialog, self.current, self._token
        if dialog is None or account is None or token is None:
            return

        def work(api: AccountApi) -> None:
            api.delete_account(token=token, password=password)

        def done(_value: object) -> None:
            self._delete_here(
                account,
                title="Account deleted",
                message=("The account is deleted at the account service and on this computer."),
            )

        def failed(error: SessionClockError) -> None:
            if isinstance(error, ServiceUnreachableError | ServiceFailedError):
                self._delete_later(account, token=token, password=password, error=error)
                return
            if self.delete_dialog is not None:
                self.delete_dialog.set_busy(False)
                message = str(error)
                if isinstance(error, SignedOutError):
                    message += " Then delete the account again."
                self.delete_dialog.show_error(message)

        dialog.set_busy(True)
        self._calls.run(work, done=done, failed=failed)

    def _delete_later(
        self, account: LocalAccount, *, token: str, password: str, error: AccountError
    ) -> None:
        deletion = PendingDeletion(service_url=self.address.url, token=token, password=password)
        try:
            add_pending_deletion(self.local.keystore, deletion)
        except SessionClockError as e:
            if self.delete_dialog is not None:
                self.delete_dialog.set_busy(False)
                self.delete_dialog.show_error(
                    f"{error} The deletion could not be kept for later either ({e}) so nothing "
                    "was deleted; try again when the account service can be reached."
                )
            return
        self._delete_here(
            account,
            title="Account deleted on this computer",
            message=(
                "Everything of the account is deleted on this computer. The account service "
                "cannot be reached right now, so Session Clock deletes the account there as "
                "soon as it can reach it."
            ),
        )

    def _delete_here(self, account: LocalAccount, *, title: str, message: str) -> None:
        self._close_current()
        if self.delete_dialog is not None:
            self.delete_dialog.accept()
        try:
            self.local.delete(account.account_id)
        except SessionClockError as e:
            self._prompts.report(self._window, "Data could not be deleted", str(e), serious=True)
            return
        if self._desktop.settings.last_account() == account.account_id:
            self._desktop.settings.set_last_account(None)
        self._refresh_menu()
        self._prompts.report(self._window, title, message)
        self.open_sign_in(Page.WELCOME)

    @Slot()
    def finish_pending_deletions(self) -> None:
        """Try the account deletions still waiting for the service (one at a time)."""
        try:
            waiting = pending_deletions(self.local.keystore)
        except SessionClockError as e:
            log.warning("Waiting account deletions could not be read: %s", e)
            return
        if not waiting or self._pending_calls.is_busy():
            return
        deletion = waiting[0]

        def work(api: AccountApi) -> None:
            api.delete_account(token=deletion.token, password=deletion.password)

        def done(_value: object) -> None:
            remove_pending_deletion(self.local.keystore, deletion.id)
            self.noticed.emit(
                "Account deleted", "A deleted account is now deleted at the account service too."
            )
            self.finish_pending_deletions()

        def failed(error: SessionClockError) -> None:
            if isinstance(error, SignedOutError | WrongPasswordError):
                remove_pending_deletion(self.local.keystore, deletion.id)
                self.noticed.emit(
                    "Account not deleted at the service",
                    "A deleted account could not be deleted at the account service: its "
                    "password or sign-in was changed there. Sign in to it and delete it again.",
                )

        self._pending_calls.run(work, done=done, failed=failed, url=deletion.service_url)

    # -- for the app's status line ---------------------------------------------------------------

    def status_text(self, access: Access) -> str:
        """Return the window's status line for *access* (empty when no account is shown)."""
        if self.current is None:
            return "Demo day: nothing is kept" if self.demo else "Not signed in"
        return describe(access, tz=self._clock.zone())

    def explanation(self, access: Access) -> str:
        """Return the longer explanation of *access* (the status line's tooltip)."""
        return explain(access, tz=self._clock.zone())

    def dialogs(self) -> list[QDialog]:
        """Return the account screens open now (for tests)."""
        open_ones: list[QDialog | None] = [
            self.sign_in_dialog,
            self.account_dialog,
            self.password_dialog,
            self.delete_dialog,
            self.privacy_dialog,
        ]
        return [d for d in open_ones if d is not None]
