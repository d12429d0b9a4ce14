"""Tests in this folder need a real X display with a window manager and a tray host.

They run only inside the Xvfb runner (``tests/ui/test_xvfb_suite.py``), which starts Xvfb,
openbox and trayer and calls pytest on this folder in a subprocess with ``QT_QPA_PLATFORM=xcb``
(a QApplication cannot change platform inside one process, and the main suite runs offscreen).
"""

from __future__ import annotations

import os

RUNNER_FLAG = "SESSIONCLOCK_XVFB_RUNNER"

if os.environ.get(RUNNER_FLAG) != "1":
    collect_ignore_glob = ["test_*.py"]
