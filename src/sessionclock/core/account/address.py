"""Which account service the app talks to, and whether it is an address the app accepts.

The address comes from, in this order: the ``--service-url`` command-line option, the
``SESSIONCLOCK_SERVICE_URL`` environment variable, this computer's settings, then the built-in
address. The first one given wins; a bad one is refused with a message naming where it came
from, rather than silently falling through to the next (a typo must not send the practitioner's
password somewhere else).

Only https is accepted, except on the computer itself (``localhost``, 127.0.0.0/8, ``::1``),
where a service run for development or tests speaks plain http.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from sessionclock.core.errors import ServiceAddressError

DEFAULT_SERVICE_URL = "https://accounts.sessionclock.app"
"""The hosted service the released app signs in to."""

ENVIRONMENT_VARIABLE = "SESSIONCLOCK_SERVICE_URL"


class AddressSource(enum.StrEnum):
    """Where the service address in force came from."""

    COMMAND_LINE = "the --service-url option"
    ENVIRONMENT = f"the {ENVIRONMENT_VARIABLE} variable"
    SETTINGS = "this computer's settings"
    BUILT_IN = "the built-in address"


@dataclass(frozen=True, slots=True)
class ServiceAddress:
    """The account service to talk to.

    Attributes:
        url: the base address, normalised (no trailing slash).
        source: where it came from.
    """

    url: str
    source: AddressSource


def is_loopback(host: str) -> bool:
    """Return whether *host* names this computer (``localhost`` or a loopback address)."""
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalise_service_url(text: str) -> str:
    """Return the base address for *text*, or raise ``ServiceAddressError``.

    https is required except for loopback hosts; user names, passwords, queries and fragments
    are refused (they have no place in a base address and would end up in every request).
    """
    stripped = text.strip()
    try:
        if any(c.isspace() for c in stripped):
            raise httpx.InvalidURL("spaces")
        url = httpx.URL(stripped)
    except (httpx.InvalidURL, TypeError):
        raise ServiceAddressError("The account service address is not a web address.") from None
    if url.scheme not in {"https", "http"} or not url.host:
        raise ServiceAddressError("The account service address must start with https://.")
    if url.scheme == "http" and not is_loopback(url.host):
        raise ServiceAddressError(
            "The account service address must start with https:// (plain http is only "
            "accepted for a service on this computer)."
        )
    if url.userinfo or url.query or url.fragment:
        raise ServiceAddressError(
            "The account service address must not carry a user name, a password, a query or "
            "a fragment."
        )
    return str(url).rstrip("/")


def service_address(
    *, command_line: str | None, environ: Mapping[str, str], setting: str | None
) -> ServiceAddress:
    """Return the service address in force (see the module's docstring for the order).

    Raises:
        ServiceAddressError: the first address given is not acceptable (the message says where
            it came from).
    """
    candidates = (
        (command_line, AddressSource.COMMAND_LINE),
        (environ.get(ENVIRONMENT_VARIABLE), AddressSource.ENVIRONMENT),
        (setting, AddressSource.SETTINGS),
    )
    for value, source in candidates:
        if value is not None and value.strip():
            try:
                return ServiceAddress(normalise_service_url(value), source)
            except ServiceAddressError as e:
                raise ServiceAddressError(f"{e} (from {source.value})") from None
    return ServiceAddress(DEFAULT_SERVICE_URL, AddressSource.BUILT_IN)
