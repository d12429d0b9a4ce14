"""Python's cycle collector, run where the caller chooses instead of in whichever thread allocates.

CPython runs its cycle collector in whatever thread happens to cross an allocation threshold. In
a Qt app that may be a worker thread (a calendar fetch, an account call, a sync), and if the
garbage holds a PySide6 wrapper, its Qt object is then destroyed outside the GUI thread: the
process can crash. So the app turns automatic collection off and calls :func:`collect_due` from
its GUI thread (``sessionclock.ui.cycles``); the tests do the same between tests.
"""

from __future__ import annotations

import gc


def collect_due() -> int:
    """Collect the generations whose thresholds are crossed, as the automatic collector would.

    Returns:
        The generation collected, or -1 when nothing was due.
    """
    first, second, third = gc.get_threshold()
    young, middle, old = gc.get_count()
    if first == 0 or young <= first:
        return -1
    generation = 0
    if middle > second:
        generation = 1
        if old > third:
            generation = 2
    gc.collect(generation)
    return generation
