"""A core function run off the GUI thread: its result or its error comes back, a cancel answers at
once, and a call started right after a shutdown is not mistaken for the one before."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from sessionclock.core.errors import FeedNetworkError
from sessionclock.ui.background import BackgroundCall, CallContext, CancelledError


def test_the_result_comes_back_from_another_thread(qtbot: QtBot) -> None:
    threads: list[threading.Thread] = []

    def work(context: CallContext) -> int:
        threads.append(threading.current_thread())
        context.progress(1, 2)
        return 42

    call = BackgroundCall()
    with (
        qtbot.waitSignal(call.returned) as returned,
        qtbot.waitSignal(call.finished),
        qtbot.assertNotEmitted(call.failed),
    ):
        assert call.start(work, name="t", cancelled_message="cancelled")
        assert not call.start(work, name="t", cancelled_message="cancelled")
    assert returned.args == [42]
    assert threads[0] is not threading.main_thread()
    assert not call.is_running()


def test_an_error_of_the_app_comes_back_as_itself(qtbot: QtBot) -> None:
    def work(context: CallContext) -> None:
        raise FeedNetworkError("no network")

    call = BackgroundCall()
    with qtbot.waitSignal(call.failed) as failed, qtbot.assertNotEmitted(call.returned):
        call.start(work, name="t", cancelled_message="cancelled")
    assert isinstance(failed.args[0], FeedNetworkError)
    qtbot.waitUntil(lambda: not call.is_running())
    call.shutdown()


def test_a_cancel_answers_at_once_and_abandons_the_stalled_function(qtbot: QtBot) -> None:
    release = threading.Event()

    def work(context: CallContext) -> str:
        release.wait(30)
        return "late"

    call = BackgroundCall()
    try:
        with qtbot.waitSignal(call.failed) as failed, qtbot.assertNotEmitted(call.returned):
            call.start(work, name="t", cancelled_message="The call was cancelled.")
            call.cancel()
        assert isinstance(failed.args[0], CancelledError)
        assert str(failed.args[0]) == "The call was cancelled."
        qtbot.waitUntil(lambda: not call.is_running())
    finally:
        release.set()
        call.shutdown()


def test_a_call_started_right_after_a_shutdown_is_not_taken_for_the_old_one(
    qtbot: QtBot,
) -> None:
    first_release, second_release = threading.Event(), threading.Event()
    call = BackgroundCall()
    try:
        call.start(lambda c: first_release.wait(30), name="t", cancelled_message="c")
        assert call.shutdown()
        assert not call.is_running()
        with qtbot.waitSignal(call.returned) as returned:
            assert call.start(lambda c: "second", name="t", cancelled_message="c")
        assert returned.args == ["second"]
        qtbot.waitUntil(lambda: not call.is_running())
        # The first thread's own late "finished" changed nothing and hung nothing.
        with qtbot.waitSignal(call.returned):
            assert call.start(
                lambda c: second_release.is_set() or "third", name="t", cancelled_message="c"
            )
    finally:
        first_release.set()
        second_release.set()
        call.shutdown()


def test_nothing_of_a_call_that_was_shut_down_comes_back_later(qtbot: QtBot) -> None:
    # Its cancel is answered on the worker thread while shutdown() waits: that answer must not
    # reach the owner afterwards (after Quit, or as the next call's outcome).
    release = threading.Event()
    call = BackgroundCall()
    try:
        call.start(lambda c: release.wait(30), name="t", cancelled_message="c")
        assert call.shutdown()
        with qtbot.assertNotEmitted(call.failed), qtbot.waitSignal(call.returned) as returned:
            assert call.start(lambda c: "next", name="t", cancelled_message="c")
        assert returned.args == ["next"]
        qtbot.waitUntil(lambda: not call.is_running())
    finally:
        release.set()
        call.shutdown()
