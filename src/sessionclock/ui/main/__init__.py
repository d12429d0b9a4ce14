"""The main window on the clinic computer: the countdown beside the day's schedule, with its
menus, toolbar and notice slot.
"""
