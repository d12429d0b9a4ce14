"""Render the admin area's pages and the address-confirmation page to PNG in Chromium, for review.

Runs the real ``sessionclock-service`` on a throwaway SQLite file with one staff member and a few
accounts. Usage: .venv/bin/python scripts/render_admin.py [OUTPUT_DIR]   (default:
screenshots/admin)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from playwright.sync_api import sync_playwright

from tests.support import chromium
from tests.support.fake_resend import FakeResend
from tests.support.service import (
    PASSWORD,
    mail_env,
    mailed_code,
    service_env,
    sign_up,
    start_service,
    throwaway_secrets,
)
from tests.support.sync import b64, record, recovery, version_text

STAFF = "staff@example.org"
STAFF_PASSWORD = "staff password for renders"  # noqa: S105 - a throwaway render account


def _sync_a_little(client: httpx.Client, email: str) -> None:
    """Give *email* a device with a key and a few sealed records (the account page counts them)."""
    token = client.post(
        "/v1/tokens", json={"email": email, "password": PASSWORD, "device_name": "Front desk"}
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    client.post("/v1/devices", json={"public_key": b64(os.urandom(32))}, headers=auth)
    client.post(
        "/v1/keys",
        json={"epoch": 1, "envelope": b64(os.urandom(120)), "recovery": recovery()},
        headers=auth,
    )
    records = [record(version=version_text(n), size=512) for n in range(12)]
    client.post("/v1/sync/push", json={"records": records}, headers=auth).raise_for_status()


def main() -> int:
    """Render the sign-in, search, account and audit pages and print where they went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/admin")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'render.sqlite3'}"
        mailbox = FakeResend()
        mailbox.server.start()
        env = service_env(
            url,
            **throwaway_secrets(),
            **mail_env(mailbox),
            SESSIONCLOCK_STAFF_PASSWORD=STAFF_PASSWORD,
        )
        command = [sys.executable, "-m", "sessionclock_service", "create-staff", STAFF]
        subprocess.run(command, env=env, check=True, capture_output=True)
        proc, base = start_service(env)
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                for i in range(3):
                    sign_up(client, mailbox, f"practitioner{i}@example.org")
                _sync_a_little(client, "practitioner1@example.org")
                client.post("/v1/accounts", json={"email": "new@example.org", "password": PASSWORD})
            with sync_playwright() as playwright:
                browser = chromium.launch(playwright)
                page = browser.new_page(viewport={"width": 1100, "height": 700})
                page.goto(f"{base}/admin")
                page.screenshot(path=str(out / "sign-in.png"))
                page.fill("input[name=email]", STAFF)
                page.fill("input[name=password]", STAFF_PASSWORD)
                page.click("#sign-in")
                page.fill("input[name=q]", "practitioner")
                page.keyboard.press("Enter")
                page.wait_for_selector("text=practitioner1@example.org")
                page.screenshot(path=str(out / "search.png"))
                page.click("text=practitioner1@example.org")
                page.click("#grant")
                page.screenshot(path=str(out / "account.png"))
                page.click("text=Audit log")
                page.screenshot(path=str(out / "audit.png"))
                # The page the sign-up e-mail links to, often opened on a phone.
                phone = browser.new_page(viewport={"width": 390, "height": 844})
                phone.goto(f"{base}/confirm?email=new%40example.org&code=123")
                phone.fill("input[name=code]", "000000")
                phone.click("#confirm")
                phone.wait_for_selector("#error")
                phone.screenshot(path=str(out / "confirm-refused.png"))
                page.goto(f"{base}/confirm?email=new%40example.org&code=")
                page.screenshot(path=str(out / "confirm.png"))
                page.fill("input[name=code]", mailed_code(mailbox, "new@example.org"))
                page.click("#confirm")
                page.wait_for_selector("#confirmed")
                page.screenshot(path=str(out / "confirmed.png"))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            mailbox.server.stop()
    for name in (
        "sign-in",
        "search",
        "account",
        "audit",
        "confirm",
        "confirm-refused",
        "confirmed",
    ):
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
