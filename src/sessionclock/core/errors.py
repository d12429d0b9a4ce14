"""The project's own error hierarchy.

Every error that can reach the practitioner derives from SessionClockError and carries a message
that can be shown as it is: it never contains a client name, a feed address, a token or a password.
"""


class SessionClockError(Exception):
    """Base class for errors with a user-presentable message."""


class KeyStoreUnavailableError(SessionClockError):
    """The operating system's key store cannot be reached, so no secret can be stored."""


class DecryptionError(SessionClockError):
    """A sealed value could not be opened: wrong key, wrong account or damaged data."""


class ValidationError(SessionClockError):
    """A value entered by the practitioner is not acceptable (the message says why)."""
