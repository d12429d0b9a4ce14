"""Run the account service on this computer for trying the app against it, with the e-mail it
sends printed here instead of mailed (a stand-in for Resend on loopback), so sign-up and
password-reset codes can be typed into the app.

Usage: .venv/bin/python scripts/local_service.py [--port 8765] [--folder DIR]

Then start the app against it:

    .venv/bin/sessionclock --service-url http://127.0.0.1:8765 --data-dir /tmp/sessionclock-local

Billing answers 503 (no Stripe here); Ctrl+C stops the service. The database is a SQLite file in
the folder (default: a temporary one, gone afterwards). Throwaway secrets: never for real use.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.fake_resend import FakeResend
from tests.support.service import mail_env, service_env, start_service, throwaway_secrets

_CODE = re.compile(r"Your (confirmation|reset) code is: (\d{6})")


def main() -> int:
    """Start the mailbox and the service; print each message's code until Ctrl+C."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765, help="port of the service")
    parser.add_argument("--folder", type=Path, help="keep the service's database here")
    args = parser.parse_args()
    scratch = None if args.folder else tempfile.TemporaryDirectory(prefix="sessionclock-svc-")
    folder = args.folder or Path(scratch.name)  # type: ignore[union-attr]
    folder.mkdir(parents=True, exist_ok=True)
    mailbox = FakeResend()
    mailbox.server.start()
    env = service_env(
        f"sqlite:///{folder / 'service.sqlite3'}",
        **throwaway_secrets(),
        **mail_env(mailbox),
        SESSIONCLOCK_PUBLIC_BASE_URL=f"http://127.0.0.1:{args.port}",
    )
    process, base = start_service(env, port=args.port)
    print(f"The account service answers at {base} (database in {folder}).")
    print(f"Start the app with: sessionclock --service-url {base}")
    print("Codes from the e-mails it sends appear here. Ctrl+C stops it.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    shown = 0
    try:
        while not stop.wait(0.5) and process.poll() is None:
            for message in mailbox.sent[shown:]:
                found = _CODE.search(message.payload.get("text", ""))
                subject = message.payload.get("subject", "")
                to = ", ".join(message.payload.get("to", []))
                detail = f"{found.group(1)} code {found.group(2)}" if found else subject
                print(f"E-mail to {to}: {detail}", flush=True)
            shown = len(mailbox.sent)
    finally:
        process.terminate()
        process.wait(timeout=15)
        mailbox.server.stop()
        if scratch is not None:
            scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
