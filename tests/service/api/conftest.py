"""Fixtures of the HTTP-layer tests: a staff member signed in to the admin area."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.admin import add_staff, staff_sign_in


@pytest.fixture
def staff(client: TestClient) -> TestClient:
    """A second client of the same app, signed in as staff."""
    add_staff(client)
    return staff_sign_in(TestClient(client.app))
