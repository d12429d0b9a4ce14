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


class FeedError(SessionClockError):
    """The calendar feed could not be fetched or is not a calendar (the message says what to do)."""


class FeedAddressError(FeedError, ValidationError):
    """The feed address is not one Session Clock will fetch (for example it is not https)."""


class FeedNotCalendarError(FeedError):
    """The bytes received are not an iCalendar feed (for example an HTML sign-in page)."""


class FeedTooBusyError(FeedError):
    """The feed has more events on one day than one practitioner can have (a clinic's calendar)."""


class FeedNetworkError(FeedError):
    """The booking platform could not be reached: no network or the name does not resolve."""


class FeedTimeoutError(FeedError):
    """The booking platform took too long to answer."""


class FeedTLSError(FeedError):
    """The secure connection could not be verified."""


class FeedAccessError(FeedError):
    """The platform refused the address (401, 403, 404): it may have been reset."""


class FeedHTTPError(FeedError):
    """The platform answered with an unexpected HTTP status."""


class FeedRedirectError(FeedError):
    """The platform redirected to an insecure address or redirected too many times."""


class FeedTooLargeError(FeedError):
    """The feed is larger than the size cap."""


class FeedCancelledError(FeedError):
    """The practitioner cancelled the sync (while it fetched or imported)."""

    def __init__(self, message: str = "The calendar sync was cancelled.") -> None:
        super().__init__(message)


class KeyMissingError(DecryptionError):
    """The key that sealed a value is not in the key store (it was deleted or never moved here)."""


class NotFoundError(SessionClockError):
    """The record asked for does not exist in the signed-in practitioner's data."""


class ManualSessionError(SessionClockError):
    """A calendar sync tried to remove a session the practitioner added by hand."""


class StorageError(SessionClockError):
    """The local database cannot be opened or written (read-only folder, full disk, damage)."""


class ServiceAddressError(ValidationError):
    """The account service's address is not one Session Clock will talk to (e.g. not https)."""


class AccountError(SessionClockError):
    """The account service refused a request or could not be asked (the message says why)."""


class ServiceUnreachableError(AccountError):
    """The account service could not be reached: no network, a name that does not resolve, a
    connection refused, a secure connection that could not be verified, or no answer in time."""


class ServiceFailedError(AccountError):
    """The account service answered with a server error (5xx) or an answer this app cannot read."""


class BillingUnavailableError(ServiceFailedError):
    """The account service cannot take payments right now (it answered 503 for billing)."""


class SignInFailedError(AccountError):
    """Sign-in was refused: a wrong password, an unknown address or an unconfirmed one (the
    service gives one answer for all three, so nobody can learn who has an account)."""


class WrongPasswordError(AccountError):
    """The password given to confirm a change (new password, account deletion) is not right."""


class SignedOutError(AccountError):
    """This device's sign-in is no longer valid: signed out elsewhere, expired, or the password
    was reset."""


class RateLimitedError(AccountError):
    """Too many attempts: the service asks to wait before trying again.

    Attributes:
        retry_after: seconds the service asked to wait (0 when it did not say).
    """

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CodeRefusedError(AccountError):
    """A code from an e-mail was refused: wrong, used, expired, or for another address."""


class PasswordRulesError(AccountError, ValidationError):
    """The service refused a new password (too short, too common); the message says why."""


class DeviceSyncError(SessionClockError):
    """Syncing between the practitioner's devices cannot go on (the message says why)."""


class KeyNotVerifiedError(DeviceSyncError):
    """A data key handed over by the service could not be verified as coming from one of the
    practitioner's own devices (or from the recovery code), so it was not used."""


class PairingRefusedError(DeviceSyncError):
    """A pairing exchange did not check out (the other side's commitment did not match), or it
    was denied, expired or cancelled."""


class RecoveryCodeError(ValidationError):
    """A recovery code as typed cannot be right (wrong length, a typo the check catches), or it
    does not open the account's key."""


class SyncRefusedError(AccountError):
    """The account service refused a device, key or sync request; ``code`` says why.

    Attributes:
        code: the service's refusal code (``docs/sync-api.md``), e.g. ``epoch_changed``.
        status: the HTTP status.
    """

    def __init__(self, message: str, *, code: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
