"""Fixtures of the devices, keys and sync tests: the account's first device, holding the key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.service import Customer
from tests.support.sync import Device, keyed


@pytest.fixture
def desk(client: TestClient, customer: Customer) -> Device:
    """The customer's own sign-in as the account's first device, holding the key."""
    return keyed(client, customer)
