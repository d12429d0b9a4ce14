"""The devices screens as the practitioner lives them: joining the account's other devices on a
new device, approving a new device on one already in use, the recovery code, and the account
page's devices with Remove.

``DevicesFlow`` follows ``AccountFlow``: when an account opens it registers this device and
checks the account's key (off the GUI thread, through ``ServiceCalls``: every conversation is a
function of ``joining``), then

- the account's first device makes the key and shows the recovery code once;
- a device without the key asks to join and shows the pairing screen (or the recovery code
  entry, or starts over when the practitioner confirms it);
- a device with the key watches for new devices asking to join and asks the practitioner.

It emits ``joined`` whenever this device holds the account's current key (the sync may run). A
failure is said in plain words where it happened and changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

import httpx
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from sessionclock.core.account.credentials import load_token
from sessionclock.core.clock import Clock
from sessionclock.core.devices.api import DeviceInfo, PairingInfo
from sessionclock.core.devices.membership import Answering, Asking
from sessionclock.core.devices.recovery import GROUPS, RecoveryCode
from sessionclock.core.errors import NotFoundError, SessionClockError, SyncRefusedError
from sessionclock.core.keystore import KeyStore
from sessionclock.store.database import Database
from sessionclock.ui.account.account_dialog import AccountDialog
from sessionclock.ui.account.account_flow import AccountFlow
from sessionclock.ui.account.service_calls import ClientMaker, ServiceCalls
from sessionclock.ui.devices import joining
from sessionclock.ui.devices.devices_panel import DevicesPanel
from sessionclock.ui.devices.joining import Checked, DevicesPage, Followed, Here, Progress, Standing
from sessionclock.ui.devices.pairing_dialogs import ApproveDialog, JoinDialog
from sessionclock.ui.devices.recovery_dialogs import RecoveryCodeDialog, RecoveryEntryDialog
from sessionclock.ui.prompts import Prompts

T = TypeVar("T")

POLL_MS = 2000
"""How often a pairing under way is asked after (both sides)."""
WATCH_MS = 5000
"""How often a device holding the key asks whether a new device wants to join."""

MSG_EXPIRED = "The request expired or was withdrawn. Start again on the new device."
MSG_WITHDRAWN = "The new device withdrew its request."
MSG_EMPTY_DAY = (
    "This device starts with an empty day and a new key for your account.\n\n"
    "• Your calendar, once connected here, imports its bookings again.\n"
    "• Sessions added by hand and actual times synced so far can no longer be read on any "
    "device: the account service deletes them, and your other devices must be paired with this "
    "one again.\n"
    "• A new recovery code is made; the old one stops working.\n\n"
    "This cannot be undone. Start over?"
)
MSG_REMOVE = (
    "“{name}” is signed out at once and can read nothing synced after this. Your other devices "
    "get a new key (this takes a moment). Remove it?"
)


class OpenProfile(Protocol):
    """The profile an account opened with (``sessionclock.profile.Profile``)."""

    database: Database
    keystore: KeyStore
    account_id: str
    demo: bool


class DevicesFlow(QObject):
    """The devices screens of the account shown.

    Attributes:
        here: the account followed, while one is.
        checked: where this device stands with the account's key, once known.
        asking: this device's request to join, while one is under way.
        join_dialog: the new device's pairing screen, while open.
        approve_dialog: the question about a new device, while open.
        code_dialog: the recovery code shown once, while open.
        entry_dialog: the recovery code entry, while open.
        panel: the account page's devices, while open.

    Signals:
        joined: this device holds the account's current key (again): the sync may run.
        noticed: emitted with (title, message) for something that happened in the background.
    """

    joined = Signal()
    noticed = Signal(str, str)

    def __init__(
        self,
        *,
        make_client: ClientMaker,
        url: str,
        clock: Clock,
        prompts: Prompts,
        window: QWidget,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._calls = ServiceCalls(make_client, url, self)
        self._clock = clock
        self._prompts = prompts
        self._window = window
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._on_watch)
        self.here: Here | None = None
        self.checked: Checked | None = None
        self.asking: Asking | None = None
        self._code: str | None = None
        self._answer: Answering | None = None
        self._dismissed: set[str] = set()
        self.join_dialog: JoinDialog | None = None
        self.approve_dialog: ApproveDialog | None = None
        self.code_dialog: RecoveryCodeDialog | None = None
        self.entry_dialog: RecoveryEntryDialog | None = None
        self.panel: DevicesPanel | None = None

    # -- following the account -------------------------------------------------------------------

    def follow(self, accounts: AccountFlow) -> None:
        """Follow the account *accounts* shows, and add the devices to its account page."""
        accounts.opened.connect(self.attach)
        accounts.locked.connect(self.detach)
        accounts.account_page_opened.connect(self.add_to_account_page)

    @Slot(object)
    def attach(self, profile: OpenProfile) -> None:
        """Follow the account *profile* opened with: register, check the key, act on it."""
        self.detach()
        token = None if profile.demo else load_token(profile.keystore, profile.account_id)
        if token is None:
            return
        records = profile.database.sync_records(
            profile.account_id, profile.keystore, clock=self._clock
        )
        self.here = Here(token, profile.keystore, records)
        self.check()

    @Slot()
    def detach(self) -> None:
        """Stop following the account (signed out, switched, deleted, quitting): close every
        screen; a conversation still waiting for the service writes nothing more here."""
        if self.here is not None:
            self.here.close()
        self.here = self.checked = None
        self.asking = self._answer = None
        self._code = None
        self._poll.stop()
        self._watch.stop()
        if self.code_dialog is not None:
            self.code_dialog.dismiss()
        for dialog in (self.join_dialog, self.approve_dialog, self.entry_dialog):
            if dialog is not None:
                dialog.close()
        self.join_dialog = self.approve_dialog = self.code_dialog = self.entry_dialog = None
        self.panel = None
        self._calls.shutdown()

    def _call(
        self,
        work: Callable[[httpx.Client, Here], T],
        done: Callable[[T], None],
        failed: Callable[[SessionClockError], None],
    ) -> None:
        here = self.here
        if here is None:
            return

        def guarded_done(value: T) -> None:
            if self.here is here:
                done(value)

        def guarded_failed(error: SessionClockError) -> None:
            if self.here is here:
                failed(error)

        self._calls.run_on_client(
            lambda client: work(client, here), done=guarded_done, failed=guarded_failed
        )

    def is_busy(self) -> bool:
        """Return whether a conversation with the service is under way (or waiting)."""
        return self._calls.is_busy()

    def _say(self, message: str) -> None:
        self.noticed.emit("Devices", message)

    @Slot()
    def check(self) -> None:
        """Register this device and act on where it stands with the account's key."""
        self._call(joining.check, self._on_checked, lambda e: self._say(str(e)))

    def _on_checked(self, checked: Checked) -> None:
        self.checked = checked
        if checked.standing is Standing.JOINED:
            self._watch.start()
            self.joined.emit()
        elif checked.standing is Standing.FIRST:
            self._call(
                lambda client, here: joining.new_key_history(client, here, checked),
                self._on_new_key,
                self._on_first_key_failed,
            )
        else:
            self.open_join()

    def _on_first_key_failed(self, error: SessionClockError) -> None:
        if isinstance(error, SyncRefusedError) and error.code == "key_exists":
            self.check()
        else:
            self._say(str(error))

    def _on_new_key(self, code: RecoveryCode) -> None:
        self._close_join()
        self._watch.start()
        self.joined.emit()
        self.show_recovery_code(code)

    # -- the recovery code, shown once -----------------------------------------------------------

    def show_recovery_code(self, code: RecoveryCode) -> RecoveryCodeDialog:
        """Show *code* once, until two of its groups were typed back."""
        first, second = sorted(secrets.SystemRandom().sample(range(GROUPS), 2))
        dialog = RecoveryCodeDialog(code, (first, second), self._window)
        dialog.save_requested.connect(self._on_code_save_requested)
        self.code_dialog = dialog
        dialog.finished.connect(lambda _r: self._forget("code_dialog", dialog))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _forget(self, attribute: str, dialog: QDialog) -> None:
        if getattr(self, attribute) is dialog:
            setattr(self, attribute, None)

    @Slot(str)
    def _on_code_save_requested(self, text: str) -> None:
        dialog = self.code_dialog
        if dialog is None:
            return
        path = self._prompts.choose_save_path(
            dialog,
            "Save the recovery code",
            Path.home() / "Session Clock recovery code.txt",
            "Text (*.txt)",
        )
        if path is None:
            return
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as e:
            dialog.say_saved(f"It could not be saved there ({e.strerror}). Choose another place.")
            return
        dialog.say_saved(f"Saved as {path.name}: print it from there, then keep it safe.")

    # -- joining: the new device -----------------------------------------------------------------

    def open_join(self) -> JoinDialog:
        """Show the pairing screen and ask the account's other devices to let this one in."""
        if self.join_dialog is None:
            dialog = JoinDialog(self._window)
            dialog.retry_requested.connect(self._ask)
            dialog.recovery_requested.connect(self.open_recovery_entry)
            dialog.empty_day_requested.connect(self._on_empty_day_requested)
            dialog.rejected.connect(self._on_join_dialog_rejected)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda _r: self._forget("join_dialog", dialog))
            self.join_dialog = dialog
            dialog.open()
        self._ask()
        return self.join_dialog

    @Slot()
    def _ask(self) -> None:
        checked = self.checked
        if checked is None:
            return
        if self.join_dialog is not None:
            self.join_dialog.show_waiting()
        self._call(
            lambda client, here: joining.ask_to_join(client, here, checked),
            self._on_asked,
            self._on_request_failed,
        )

    def _on_asked(self, asking: Asking) -> None:
        self.asking, self._code = asking, None
        self._poll.start()

    def _on_request_failed(self, error: SessionClockError) -> None:
        self._poll.stop()
        self.asking = self._code = None
        if self.join_dialog is not None:
            message = MSG_EXPIRED if isinstance(error, NotFoundError) else str(error)
            self.join_dialog.show_refused(message)

    def _follow_request(self) -> None:
        asking, code, checked = self.asking, self._code, self.checked
        if asking is None or checked is None:
            return
        self._call(
            lambda client, here: joining.follow_request(client, here, checked, asking, code),
            self._on_request_followed,
            self._on_request_failed,
        )

    def _on_request_followed(self, followed: Followed) -> None:
        if self.asking is None:
            return  # withdrawn meanwhile
        self.asking, self._code = followed.asking, followed.code
        dialog = self.join_dialog
        if followed.progress is Progress.APPROVED:
            self._poll.stop()
            self.asking = self._code = None
            self._close_join()
            self._watch.start()
            self._say("This device now shares your day with your other devices.")
            self.joined.emit()
        elif dialog is None:
            return
        elif followed.progress is Progress.DENIED:
            self._poll.stop()
            self.asking = self._code = None
            dialog.show_refused(joining.MSG_DENIED)
        elif followed.code is not None:
            dialog.show_code(followed.code)

    def _close_join(self) -> None:
        for dialog in (self.join_dialog, self.entry_dialog):
            if dialog is not None:
                dialog.accept()
        self.join_dialog = self.entry_dialog = None

    @Slot()
    def _on_join_dialog_rejected(self) -> None:
        self._poll.stop()
        asking, self.asking, self._code = self.asking, None, None
        if asking is not None:
            self._call(
                lambda client, here: joining.deny(client, here, asking.pairing.id),
                lambda _v: None,
                lambda _e: None,
            )

    @Slot()
    def _on_empty_day_requested(self) -> None:
        checked = self.checked
        if checked is None or not self._prompts.confirm(
            self.join_dialog, "Start with an empty day?", MSG_EMPTY_DAY, serious=True
        ):
            return
        self._poll.stop()
        if self.join_dialog is not None:
            self.join_dialog.set_busy(True, "Making a new key: this takes a few seconds…")

        def failed(error: SessionClockError) -> None:
            if self.join_dialog is not None:
                self.join_dialog.set_busy(False)
                self.join_dialog.show_refused(str(error))

        self._call(
            lambda client, here: joining.new_key_history(client, here, checked),
            self._on_new_key,
            failed,
        )

    # -- the recovery code, entered --------------------------------------------------------------

    @Slot()
    def open_recovery_entry(self) -> RecoveryEntryDialog:
        """Ask for the recovery code (the pairing screen stays behind it)."""
        if self.entry_dialog is None:
            dialog = RecoveryEntryDialog(self.join_dialog or self._window)
            dialog.entered.connect(self._on_code_entered)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda _r: self._forget("entry_dialog", dialog))
            self.entry_dialog = dialog
            dialog.open()
        return self.entry_dialog

    @Slot(str)
    def _on_code_entered(self, typed: str) -> None:
        checked, dialog = self.checked, self.entry_dialog
        if checked is None or dialog is None:
            return
        dialog.set_busy(True)

        def done(_keys: object) -> None:
            self._poll.stop()
            self._close_join()
            self._watch.start()
            self._say("The recovery code opened your day: this device now shares it.")
            self.joined.emit()

        def failed(error: SessionClockError) -> None:
            if self.entry_dialog is not None:
                self.entry_dialog.show_error(str(error))

        self._call(lambda client, here: joining.recover(client, here, checked, typed), done, failed)

    # -- approving: a device already in use ------------------------------------------------------

    @Slot()
    def _on_watch(self) -> None:
        checked = self.checked
        if checked is None or self.approve_dialog is not None or self._calls.is_busy():
            return
        self._call(
            lambda client, here: joining.requests(client, here, checked),
            self._on_requests,
            lambda _e: None,  # the next look asks again; the sync reports a lost connection
        )

    def _on_requests(self, found: tuple[PairingInfo, ...]) -> None:
        waiting = [p for p in found if p.id not in self._dismissed]
        if not waiting or self.approve_dialog is not None:
            return
        pairing = waiting[0]
        dialog = ApproveDialog(pairing.device_name, self._window)
        dialog.approve_requested.connect(self._on_approve_requested)
        dialog.deny_requested.connect(lambda: self._deny(pairing.id))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._on_approve_dialog_finished(dialog))
        self.approve_dialog = dialog
        dialog.open()
        checked = self.checked
        assert checked is not None
        self._call(
            lambda client, here: joining.answer(client, here, checked, pairing),
            self._on_answered,
            self._on_answer_failed,
        )

    def _on_answered(self, answering: Answering) -> None:
        self._answer = answering
        self._poll.start()

    def _on_answer_failed(self, error: SessionClockError) -> None:
        self._poll.stop()
        if self.approve_dialog is not None:
            message = MSG_EXPIRED if isinstance(error, NotFoundError) else str(error)
            self.approve_dialog.show_problem(message)

    def _follow_answer(self) -> None:
        answering, checked = self._answer, self.checked
        if answering is None or checked is None:
            return
        self._call(
            lambda client, here: joining.follow_answer(client, here, checked, answering),
            self._on_answer_followed,
            self._on_answer_failed,
        )

    def _on_answer_followed(self, followed: Followed) -> None:
        dialog = self.approve_dialog
        if dialog is None:
            return
        if followed.progress is Progress.DENIED:
            self._poll.stop()
            dialog.show_problem(MSG_WITHDRAWN)
        elif followed.code is not None:
            self._poll.stop()
            self._answer = followed.answering
            dialog.show_code(followed.code)

    @Slot()
    def _on_approve_requested(self) -> None:
        answering, checked, dialog = self._answer, self.checked, self.approve_dialog
        if answering is None or checked is None or dialog is None:
            return
        dialog.set_busy(True)

        def done(_value: object) -> None:
            self._answer = None
            if self.approve_dialog is not None:
                self.approve_dialog.accept()
            self._say(f"“{answering.pairing.device_name}” now shares your day.")

        def failed(error: SessionClockError) -> None:
            if self.approve_dialog is not None:
                self.approve_dialog.set_busy(False)
                self._on_answer_failed(error)

        self._call(
            lambda client, here: joining.approve(client, here, checked, answering), done, failed
        )

    def _deny(self, pairing_id: str) -> None:
        self._poll.stop()
        self._dismissed.add(pairing_id)
        self._answer = None
        self._call(
            lambda client, here: joining.deny(client, here, pairing_id),
            lambda _v: None,
            lambda e: self._say(str(e)),
        )

    def _on_approve_dialog_finished(self, dialog: ApproveDialog) -> None:
        if self.approve_dialog is dialog:
            self.approve_dialog = None
            self._poll.stop()

    @Slot()
    def _on_poll(self) -> None:
        if self._calls.is_busy():
            return
        if self.asking is not None:
            self._follow_request()
        elif self._answer is not None:
            self._follow_answer()

    # -- the account page ------------------------------------------------------------------------

    @Slot(object)
    def add_to_account_page(self, dialog: AccountDialog) -> DevicesPanel | None:
        """Show the devices that sync on the account page, with Remove (a key change that was
        due is made first)."""
        if self.here is None:
            return None
        panel = DevicesPanel(tz=self._clock.zone(), now=self._clock.now())
        panel.remove_requested.connect(self._on_remove_requested)
        panel.pair_requested.connect(self.open_join)
        dialog.finished.connect(lambda _r: self._forget_panel(panel))
        self.panel = panel

        def listed(page: DevicesPage) -> None:
            if self.panel is panel:
                dialog.use_devices_panel(panel)
                self._on_devices(page)

        # Shown once the service lists the devices; until then (or with a service without
        # devices) the page keeps its list of devices signed in.
        self._call(joining.devices_page, listed, self._on_devices_failed)
        return panel

    def _forget_panel(self, panel: DevicesPanel) -> None:
        if self.panel is panel:
            self.panel = None

    def _on_devices(self, page: DevicesPage) -> None:
        devices, problem = page
        if self.panel is not None:
            self.panel.set_busy(False)
            self.panel.set_devices(devices)
            self.panel.show_error(problem)

    def _on_devices_failed(self, error: SessionClockError) -> None:
        if self.panel is not None:
            self.panel.set_busy(False)
            self.panel.show_error(str(error))

    @Slot(str, str)
    def _on_remove_requested(self, device_id: str, name: str) -> None:
        panel = self.panel
        if panel is None or not self._prompts.confirm(
            panel.window(), "Remove this device?", MSG_REMOVE.format(name=name), serious=True
        ):
            return
        panel.set_busy(True, f"Removing “{name}” and changing the key…")

        def done(devices: tuple[DeviceInfo, ...]) -> None:
            self._on_devices((devices, ""))
            if self.panel is not None:
                self.panel.show_status(f"“{name}” is removed. Your other devices have a new key.")

        def failed(error: SessionClockError) -> None:
            def relisted(page: DevicesPage) -> None:
                self._on_devices((page[0], str(error)))

            self._on_devices_failed(error)
            self._call(joining.devices_page, relisted, lambda _e: None)

        self._call(
            lambda client, here: joining.remove_device(client, here, device_id), done, failed
        )
