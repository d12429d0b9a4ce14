"""How the clock tells the practitioner things: the tray, the in-window banner where there is no
tray, reminders and their chimes.
"""
