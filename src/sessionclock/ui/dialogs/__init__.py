"""Dialogs of their own: settings and today's summary."""
