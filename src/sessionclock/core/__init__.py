"""Pure-Python core of Session Clock: no Qt, no database, no wall-clock reads."""
