"""Count the work a piece of code does, as the number of function calls it makes.

A count does not depend on how fast or busy the computer is, so a test can compare the work for
two sizes of input and tell linear growth from quadratic without timing anything.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType


def calls_made(work: Callable[[], object]) -> int:
    """Run *work* and return how many Python and built-in function calls it made (generators
    resumed included)."""
    calls = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        work()
    finally:
        sys.setprofile(previous)
    return calls
