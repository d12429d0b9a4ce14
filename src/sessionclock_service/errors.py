"""The one error type of the service: a refusal with an HTTP status and a message safe to show.

Every layer raises subclasses of `ServiceError`; the HTTP layer answers each of them with one
handler (``{"detail": message}``, its status and its headers). A subclass says its status and
its default message once, as class attributes, and is declared beside the code that raises it,
so the answer to a refusal is decided where the refusal is, not in a table of handlers far away.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from types import MappingProxyType
from typing import ClassVar


class ServiceError(Exception):
    """A refusal the caller may see.

    Attributes:
        status: The HTTP status of the answer.
        message: What the answer says by default (never anything secret).
        headers: Extra response headers (e.g. ``WWW-Authenticate``).
        code: A short name the caller can act on, where one status has several meanings
            (``epoch_changed``, ``storage_full``, ...); ``None`` leaves it out of the answer.
        retry_after: Seconds the caller should wait before trying again, when known.
    """

    status: ClassVar[HTTPStatus] = HTTPStatus.BAD_REQUEST
    message: ClassVar[str] = "The request cannot be served."
    headers: ClassVar[Mapping[str, str]] = MappingProxyType({})
    code: ClassVar[str | None] = None

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        super().__init__(message or self.message)
        self.retry_after = retry_after

    @property
    def detail(self) -> str:
        """What the answer says: the message given when raised, else the class's default."""
        return str(self)

    @property
    def response_headers(self) -> dict[str, str]:
        """The answer's extra headers: the class's, and ``Retry-After`` when known."""
        extra = dict(self.headers)
        if self.retry_after is not None:
            extra["Retry-After"] = str(self.retry_after)
        return extra


class NotFoundError(ServiceError):
    """Raised for anything that does not exist or is not the caller's (one answer for both)."""

    status = HTTPStatus.NOT_FOUND
    message = "Not found."


class InvalidInputError(ServiceError):
    """Raised when input is well-formed but not acceptable (e.g. a short password)."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY


class ConflictError(ServiceError):
    """Raised when a request cannot apply to the state it finds; ``code`` says which state."""

    status = HTTPStatus.CONFLICT
    message = "The request conflicts with the current state."


class TooLargeError(ServiceError):
    """Raised when something in a request is larger than the service keeps."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    message = "The request is too large."
