"""Room mode: the countdown fullscreen on the treatment-room tablet."""
