"""Which account service the app talks to: command line, environment, settings, built-in."""

from __future__ import annotations

import pytest

from sessionclock.core.account.address import (
    DEFAULT_SERVICE_URL,
    ENVIRONMENT_VARIABLE,
    AddressSource,
    is_loopback,
    normalise_service_url,
    service_address,
)
from sessionclock.core.errors import ServiceAddressError


def test_the_command_line_wins_then_the_environment_then_settings_then_the_default() -> None:
    env = {ENVIRONMENT_VARIABLE: "https://env.example"}
    assert service_address(
        command_line="https://cli.example/", environ=env, setting="https://set.example"
    ) == (service_address(command_line="https://cli.example", environ={}, setting=None))
    chosen = service_address(command_line=None, environ=env, setting="https://set.example")
    assert (chosen.url, chosen.source) == ("https://env.example", AddressSource.ENVIRONMENT)
    chosen = service_address(command_line=None, environ={}, setting="https://set.example/api/")
    assert (chosen.url, chosen.source) == ("https://set.example/api", AddressSource.SETTINGS)
    chosen = service_address(command_line="  ", environ={ENVIRONMENT_VARIABLE: ""}, setting=None)
    assert (chosen.url, chosen.source) == (DEFAULT_SERVICE_URL, AddressSource.BUILT_IN)
    assert DEFAULT_SERVICE_URL.startswith("https://")


def test_a_bad_address_is_refused_naming_where_it_came_from_not_skipped() -> None:
    with pytest.raises(ServiceAddressError, match="SESSIONCLOCK_SERVICE_URL"):
        service_address(
            command_line=None,
            environ={ENVIRONMENT_VARIABLE: "http://accounts.example"},
            setting="https://fine.example",
        )
    with pytest.raises(ServiceAddressError, match="--service-url"):
        service_address(command_line="ftp://x.example", environ={}, setting=None)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8765", "http://localhost:8000/", "http://[::1]:9000", "http://127.3.4.5"],
)
def test_plain_http_is_accepted_only_on_this_computer(url: str) -> None:
    assert normalise_service_url(url).startswith("http://")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://accounts.example", "https"),
        ("http://10.0.0.5:8765", "https"),
        ("accounts.example", "https"),
        ("https://user:pw@accounts.example", "password"),
        ("https://accounts.example/?next=x", "query"),
        ("https://accounts.example/#top", "fragment"),
        ("https://", "https"),
        ("https://exa mple.com", "web address"),
    ],
)
def test_addresses_that_could_leak_a_password_are_refused(url: str, why: str) -> None:
    with pytest.raises(ServiceAddressError, match=why):
        normalise_service_url(url)


def test_loopback_names() -> None:
    assert is_loopback("localhost")
    assert is_loopback("::1")
    assert not is_loopback("localhost.example")
    assert not is_loopback("192.168.1.2")
