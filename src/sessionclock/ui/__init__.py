"""The PySide6 user interface: windows, widgets, Qt models, workers and dialogs."""
