"""The local socket a running clock listens on, and a second launch's knock on it."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from pytestqt.qtbot import QtBot

from sessionclock.ui.single_instance import InstanceServer, ask_running_to_activate


@pytest.fixture
def name() -> str:
    return f"sessionclock-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def server(name: str) -> Iterator[InstanceServer]:
    listening = InstanceServer(name)
    assert listening.listen()
    yield listening
    listening.close()


def test_a_second_launch_asks_the_running_clock_to_come_forward(
    qtbot: QtBot, server: InstanceServer, name: str
) -> None:
    with qtbot.waitSignal(server.activation_requested, timeout=5000):
        assert ask_running_to_activate(name)


def test_with_no_clock_running_nobody_answers(name: str) -> None:
    assert not ask_running_to_activate(name)


def test_another_profiles_clock_is_not_asked(
    qtbot: QtBot, server: InstanceServer, name: str
) -> None:
    with qtbot.assertNotEmitted(server.activation_requested, wait=200):
        assert not ask_running_to_activate(name + "-other")


def test_anything_but_activate_is_ignored(qtbot: QtBot, server: InstanceServer, name: str) -> None:
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    assert socket.waitForConnected(1000)
    with qtbot.assertNotEmitted(server.activation_requested, wait=300):
        socket.write(b"quit\n")
        socket.waitForBytesWritten(1000)
    socket.disconnectFromServer()


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no file behind")
def test_a_socket_left_by_a_crashed_clock_is_taken_over(qtbot: QtBot, name: str) -> None:
    # On Unix the socket is a file in the temporary folder; a crash leaves it behind.
    stale = Path(QDir.tempPath()) / name
    stale.write_bytes(b"")
    server = InstanceServer(name)
    try:
        assert server.listen()
        with qtbot.waitSignal(server.activation_requested, timeout=5000):
            assert ask_running_to_activate(name)
    finally:
        server.close()
        stale.unlink(missing_ok=True)
