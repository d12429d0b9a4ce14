"""The day's schedule: its table model and the add/edit session dialog."""
