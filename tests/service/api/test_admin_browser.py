"""The admin area driven in Debian's Chromium through Playwright, served by uvicorn on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support import chromium
from tests.support.admin import STAFF_EMAIL, STAFF_PASSWORD, add_staff
from tests.support.fake_resend import FakeResend
from tests.support.service import PASSWORD, new_email, sign_up
from tests.support.sync import b64, record, recovery, version_text

pytestmark = pytest.mark.browser


class ThreadedServer:
    """uvicorn serving an app from a background thread on a loopback port."""

    def __init__(self, client: TestClient) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(client.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)  # waiting for the listener, not for a result
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (Playwright's own downloads are not used)."""
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


def _sign_in(page: Page, base: str, password: str = STAFF_PASSWORD) -> None:
    page.goto(f"{base}/admin")
    assert page.url.endswith("/admin/login")
    page.fill("input[name=email]", STAFF_EMAIL)
    page.fill("input[name=password]", password)
    page.click("#sign-in")


def test_admin_in_chromium(browser: Browser, client: TestClient, fake_resend: FakeResend) -> None:
    add_staff(client)
    email = new_email()
    sign_up(client, fake_resend, email)
    # The desktop app names its device; such text must never appear in the admin area.
    device = "Jane Doe 10:00 deep tissue"
    token = client.post(
        "/v1/tokens", json={"email": email, "password": PASSWORD, "device_name": device}
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    # A device with synced records: staff see how many and how large, never one of them.
    public_key = b"p" * 32
    client.post("/v1/devices", json={"public_key": b64(public_key)}, headers=auth)
    client.post(
        "/v1/keys",
        json={"epoch": 1, "envelope": b64(b"envelope"), "recovery": recovery()},
        headers=auth,
    )
    sealed = [b"Jane Doe sealed record " + bytes([n]) * 100 for n in range(2)]
    pushed = [
        record(version=version_text(n)) | {"ciphertext": b64(c)} for n, c in enumerate(sealed)
    ]
    assert client.post("/v1/sync/push", json={"records": pushed}, headers=auth).status_code == 200

    with ThreadedServer(client) as base:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(10_000)
        seen: list[str] = []
        page.on("response", lambda r: seen.append(r.url))
        try:
            _sign_in(page, base, password="not the password")
            assert "Incorrect e-mail or password." in page.inner_text("main")
            _sign_in(page, base)
            assert page.inner_text("h1") == "Find an account"

            page.fill("input[name=q]", email.split("@")[0])
            page.click("#search-button")
            assert page.inner_text("#results").count("@") == 1
            page.click(f"text={email}")
            assert page.inner_text("#email") == email
            assert page.inner_text("#complimentary") == "no"
            assert page.inner_text("#access").startswith("trial until")
            assert page.inner_text("#devices") == "1"
            size = sum(len(c) for c in sealed)
            assert page.inner_text("#records") == f"2, {size:,} bytes sealed on the devices"

            page.click("#grant")
            assert page.inner_text("#notice") == "Complimentary access granted."
            assert page.inner_text("#complimentary") == "yes"
            assert client.get("/v1/entitlement", headers=auth).json()["source"] == "complimentary"

            page.click("#revoke")
            assert page.inner_text("#notice") == "Complimentary access revoked."
            assert page.inner_text("#complimentary") == "no"
            assert client.get("/v1/entitlement", headers=auth).json()["source"] == "trial"

            # CSRF: a tampered token is refused and changes nothing.
            page.eval_on_selector(
                "form[action$='/grant'] input[name=csrf_token]", "e => { e.value = 'forged' }"
            )
            page.click("#grant")
            assert "CSRF check failed." in page.content()
            assert client.get("/v1/entitlement", headers=auth).json()["source"] == "trial"

            # No page renders client data, secrets or scripts.
            pages = {}
            for path in ["/admin", f"/admin?q={email}", "/admin/audit"]:
                page.goto(base + path)
                pages[path] = page.content()
            page.go_back()
            page.goto(base + "/admin?q=" + email)
            page.click(f"text={email}")
            pages["account"] = page.content()
            for path, html in pages.items():
                lowered = html.lower()
                assert device.lower() not in lowered, path
                assert "jane doe" not in lowered, path
                for secret in [token, "sct_", "$2b$", PASSWORD, b64(public_key)]:
                    assert secret not in html, path
                assert "<script" not in lowered, path
                for one in pushed:
                    assert one["record_id"] not in html and one["ciphertext"] not in html, path
            assert "grant_complimentary" in pages["/admin/audit"]
            assert all(url.startswith(base) for url in seen)  # nothing loaded from elsewhere
        finally:
            context.close()
