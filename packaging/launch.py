"""The frozen app's entry point: PyInstaller starts from a script, not a console-script entry."""

import sys

from sessionclock.app import main

sys.exit(main())
