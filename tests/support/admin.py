"""Helpers for the admin-area tests: a staff member, its sign-in form, and reading pages."""

from __future__ import annotations

import re

import httpx2
from fastapi.testclient import TestClient

from sessionclock_service.usecases.staff import create_staff
from tests.support.service import services_of

STAFF_EMAIL = "staff@sessionclock.test"
STAFF_PASSWORD = "staff password for tests"


def csrf_of(html: str) -> str:
    """Return the CSRF token a page's form carries."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None, html
    return match.group(1)


def add_staff(client: TestClient, *, email: str = STAFF_EMAIL) -> None:
    """Create a staff account (password `STAFF_PASSWORD`) on the app of *client*."""
    create_staff(services_of(client), email=email, password=STAFF_PASSWORD)


def submit_sign_in(
    client: TestClient, *, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD
) -> httpx2.Response:
    """Fill in and send the staff sign-in form; return the answer (not followed)."""
    form = client.get("/admin/login")
    assert form.status_code == 200
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )


def staff_sign_in(
    client: TestClient, *, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD
) -> TestClient:
    """Sign *client* in as staff through the form; return it."""
    r = submit_sign_in(client, email=email, password=password)
    assert r.status_code == 303, r.text
    return client


def account_id_of(staff: TestClient, query: str) -> str:
    """Search the admin area for *query* and return the id of the first account found."""
    r = staff.get("/admin", params={"q": query})
    match = re.search(r'href="/admin/accounts/([0-9a-f]{32})"', r.text)
    assert match is not None, r.text
    return match.group(1)
