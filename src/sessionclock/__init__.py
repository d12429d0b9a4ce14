"""Session Clock: a calm countdown for practitioners who work back-to-back sessions."""

__version__ = "0.1.0"
