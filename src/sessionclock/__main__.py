"""``python -m sessionclock`` starts Session Clock, as the ``sessionclock`` command does."""

import sys

from sessionclock.app import main

if __name__ == "__main__":
    sys.exit(main())
