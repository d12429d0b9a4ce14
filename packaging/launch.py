"""The frozen app's entry point: PyInstaller starts from a script, not a console-script entry.

Not ``src/sessionclock/__main__.py``: PyInstaller puts the script's folder on its search path, and
from ``src/sessionclock`` the package's ``platform`` folder would hide the standard library's.
"""

import sys

from sessionclock.app import main

sys.exit(main())
