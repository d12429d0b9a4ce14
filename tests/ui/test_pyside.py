"""Guards against PySide6 defects the app would otherwise crash on.

PySide6 6.12.0 drops a reference to True or False every time Python emits a bool through a
signal; after enough emissions the interpreter aborts with "bool_dealloc". The project pins
PySide6 below 6.12 for that reason; this test fails if a version with the defect is installed.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    """Emits booleans the way the app's objects do.

    Signals:
        flag: a typed bool signal.
        value: an object signal carrying a bool.
    """

    flag = Signal(bool)
    value = Signal(object)


def test_emitting_bools_keeps_their_reference_counts(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.flag.connect(received.append)
    true_before, false_before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(200):
        emitter.flag.emit(True)
        emitter.value.emit(False)
    del received[:]
    # With the defect each emission takes one reference away (-200 here); other code may hold
    # or release a stray reference or two meanwhile, which is no defect.
    assert sys.getrefcount(True) - true_before > -20
    assert sys.getrefcount(False) - false_before > -20
