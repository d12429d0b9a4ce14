"""One clock per user and profile: a second launch asks the running one to come to the front.

The first Session Clock listens on a local socket (a named pipe on Windows, a socket file on Unix)
named by ``core.instance.instance_name``; a second launch finds it, sends ``activate`` and ends.
Only the same user can connect (``QLocalServer.SocketOption.UserAccessOption``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

_log = logging.getLogger(__name__)

ACTIVATE = b"activate\n"
_TIMEOUT_MS = 1000


def ask_running_to_activate(name: str) -> bool:
    """Tell the clock listening on *name* to come to the front; False if none is running."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    socket.write(ACTIVATE)
    delivered = socket.waitForBytesWritten(_TIMEOUT_MS)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(_TIMEOUT_MS)
    return delivered


class InstanceServer(QObject):
    """Listens for later launches of Session Clock by the same user on the same profile.

    Signals:
        activation_requested: a second launch asked this clock to come to the front.
    """

    activation_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)

    def listen(self) -> bool:
        """Start listening; False (and the clock runs alone) if the name cannot be taken."""
        if self._server.listen(self._name):
            return True
        # A clock that crashed leaves its socket file behind on Unix; nobody answers on it (a
        # running clock would have been found before this), so it can go.
        QLocalServer.removeServer(self._name)
        if self._server.listen(self._name):
            return True
        _log.warning("a second launch will not find this clock: %s", self._server.errorString())
        return False

    def close(self) -> None:
        """Stop listening."""
        self._server.close()

    @Slot()
    def _on_server_new_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(self._on_socket_ready_read)
            socket.disconnected.connect(socket.deleteLater)
            self._read(socket)

    @Slot()
    def _on_socket_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            if bytes(socket.readLine().data()) == ACTIVATE:
                _log.info("a second launch asked this clock to come to the front")
                self.activation_requested.emit()
