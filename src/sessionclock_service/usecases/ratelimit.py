"""Limits on attempts, work and mail, kept in the database so they hold across workers and hosts.

Each limited thing is an event row under a key: a wrong password, a password hash, a wrong code,
a mailed code, a sign-in that worked from an address. A check and the recording of what it lets
through happen in one write transaction that first locks the keys (`db.engine.hold_locks`), so
requests arriving together see each other: N guesses at once get exactly the allowance, not N.

A quota (password hashes a minute, mails a day) refuses until its oldest counted event leaves the
window. A failure allowance does not block for good: each further try must wait after the key's
latest event, 30 s first, doubling, up to the key's cap (a progressive delay). Password failures
are counted three ways, so a stranger cannot lock an owner out:

- per client address and e-mail together (the stranger's own tries at this account),
- per client address (the stranger's tries at every account),
- per e-mail from every address (many strangers at one account); an address that signed in to
  the account in the last 30 days never waits for these, and others wait a few minutes at most.

Keys start with their kind and hold keyed hashes (HMAC under the server's secret) of e-mail and
client addresses, never the addresses: the table tells nothing without the secret, and an
account's deletion finds its rows by the hash of its address.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sessionclock_service.clock import as_utc
from sessionclock_service.db.engine import hold_locks
from sessionclock_service.db.models import RateEvent
from sessionclock_service.errors import ServiceError
from sessionclock_service.settings import Settings

Door = Literal["customer", "staff"]
"""Who signs in: a customer (with an API token) or a staff member (the admin area)."""

FIRST_WAIT = timedelta(seconds=30)
"""The first wait beyond an allowance; each further event doubles it, up to the key's cap."""

KNOWN_FOR = timedelta(days=30)
"""How long an address that signed in to an account is spared the waits strangers cause it."""

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

# How long events of each kind matter (and are kept).
_KEPT = {
    "fail": None,
    "code": None,
    "work": MINUTE,
    "mail": DAY,
    "asked": HOUR,
    "known": KNOWN_FOR,
    "pair": HOUR,
    "keys": HOUR,
    "push": MINUTE,
}


class RateLimitedError(ServiceError):
    """Raised when a key is over its allowance; ``retry_after`` says how long to wait."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    message = "Too many attempts. Try again later."


@dataclass(frozen=True, kw_only=True)
class Rule:
    """The allowance of one key.

    Attributes:
        key: The key its events are recorded under.
        free: Events allowed in the window before any wait.
        window: How far back events count.
        cap: The longest wait after a failure allowance; ``None`` makes the rule a quota.
    """

    key: str
    free: int
    window: timedelta
    cap: timedelta | None = None


@dataclass(frozen=True, kw_only=True)
class PasswordAttempt:
    """The keys one password check is counted under.

    Attributes:
        pair: Failures of this client address at this e-mail.
        address: Failures of this client address at any e-mail.
        account: Failures at this e-mail from any address.
        known: Sign-ins that worked from this address to this e-mail.
        work_address: Password hashes this client address caused.
        work_target: Password hashes aimed at this e-mail.
    """

    pair: str
    address: str
    account: str
    known: str
    work_address: str
    work_target: str

    @property
    def failure_keys(self) -> tuple[str, str, str]:
        """The keys a failure counts under."""
        return (self.pair, self.address, self.account)


@dataclass(frozen=True)
class Reservation:
    """The failure events recorded before a password check, dropped again if it succeeds.

    Attributes:
        failure_ids: The rows recorded.
    """

    failure_ids: tuple[int, ...]


class Limiter:
    """Builds the keys and allowances from the settings and keeps the events."""

    def __init__(self, *, settings: Settings) -> None:
        self._settings = settings
        self._secret = hmac.new(
            settings.secret_key.encode("utf-8", "surrogatepass"),
            b"sessionclock rate-limit keys",
            hashlib.sha256,
        ).digest()
        self._window = timedelta(seconds=settings.login_window_seconds)

    def subject(self, value: str) -> str:
        """Return the keyed hash under which an e-mail or client address appears in keys."""
        return hmac.new(
            self._secret, value.encode("utf-8", "surrogatepass"), hashlib.sha256
        ).hexdigest()[:32]

    # -- the events ------------------------------------------------------------------------------

    def wait(self, db: Session, rule: Rule, *, now: datetime) -> float:
        """Return the seconds *rule*'s key must still wait at *now* (0 when it may go)."""
        count, latest = db.execute(
            select(func.count(), func.max(RateEvent.at)).where(
                RateEvent.key == rule.key, RateEvent.at > now - rule.window
            )
        ).one()
        if count < rule.free or latest is None:
            return 0.0
        if rule.cap is None:
            # A quota: wait until enough of the counted events have left the window.
            leaving = db.scalar(
                select(RateEvent.at)
                .where(RateEvent.key == rule.key, RateEvent.at > now - rule.window)
                .order_by(RateEvent.at)
                .offset(count - rule.free)
                .limit(1)
            )
            until = as_utc(leaving) + rule.window if leaving is not None else now
        else:
            until = as_utc(latest) + min(FIRST_WAIT * 2 ** min(count - rule.free, 30), rule.cap)
        return max(0.0, (until - now).total_seconds())

    def check(self, db: Session, rules: Sequence[Rule], *, now: datetime) -> None:
        """Refuse when any of *rules* must wait (the caller holds their keys' locks).

        Raises:
            RateLimitedError: With the longest wait as ``retry_after``.
        """
        longest = max((self.wait(db, rule, now=now) for rule in rules), default=0.0)
        if longest > 0:
            raise RateLimitedError(retry_after=max(1, math.ceil(longest)))

    def record(self, db: Session, keys: Sequence[str], *, now: datetime) -> tuple[int, ...]:
        """Record one event under each of *keys*; return the rows' ids."""
        rows = [RateEvent(key=key, at=now) for key in keys]
        db.add_all(rows)
        db.flush()
        return tuple(row.id for row in rows)

    def purge(self, db: Session, *, now: datetime) -> None:
        """Delete events too old to count under any allowance."""
        for kind, kept in _KEPT.items():
            older = now - (kept or self._window)
            db.execute(
                delete(RateEvent).where(RateEvent.key.startswith(f"{kind}:"), RateEvent.at < older)
            )

    def scrub(self, db: Session, *, email: str) -> None:
        """Delete every event whose key mentions *email* (when its account is deleted)."""
        db.execute(delete(RateEvent).where(RateEvent.key.contains(self.subject(email))))

    # -- password checks -------------------------------------------------------------------------

    def password_attempt(self, *, door: Door, email: str, address: str) -> PasswordAttempt:
        """Return the keys a password check for *email* from *address* at *door* counts under."""
        e, a = self.subject(email), self.subject(address)
        return PasswordAttempt(
            pair=f"fail:{door}:pair:{e}:{a}",
            address=f"fail:{door}:addr:{a}",
            account=f"fail:{door}:acct:{e}",
            known=f"known:{door}:{e}:{a}",
            work_address=f"work:addr:{a}",
            work_target=f"work:to:{e}",
        )

    def reserve(self, db: Session, attempt: PasswordAttempt, *, now: datetime) -> Reservation:
        """Check the allowances of a password check and count it as a failure in advance.

        The failure is recorded before the password is checked, in the transaction that checked
        the allowances with their keys locked, so concurrent guesses cannot all slip through;
        `settle` drops it again when the password was right.

        Raises:
            RateLimitedError: A key must wait.
        """
        settings = self._settings
        self._hold(db, attempt)
        rules = [
            Rule(
                key=attempt.pair,
                free=settings.login_max_failures,
                window=self._window,
                cap=self._window,
            ),
            Rule(
                key=attempt.address,
                free=settings.login_max_address_failures,
                window=self._window,
                cap=self._window,
            ),
            *self._work_rules(attempt.work_address, attempt.work_target),
        ]
        if not self._known(db, attempt.known, now=now):
            rules.append(
                Rule(
                    key=attempt.account,
                    free=settings.login_max_account_failures,
                    window=self._window,
                    cap=timedelta(seconds=settings.login_max_delay_seconds),
                )
            )
        self.check(db, rules, now=now)
        self.record(db, [attempt.work_address, attempt.work_target], now=now)
        return Reservation(self.record(db, attempt.failure_keys, now=now))

    def settle(
        self,
        db: Session,
        attempt: PasswordAttempt,
        reservation: Reservation,
        *,
        now: datetime,
    ) -> None:
        """After a right password: drop its reserved failure, clear the account's failures from
        this address and everywhere, and remember the address as one its owner uses."""
        # The same locks as `reserve`: two right passwords settling at once would otherwise
        # delete each other's rows in opposite orders (a deadlock on PostgreSQL).
        self._hold(db, attempt)
        db.execute(delete(RateEvent).where(RateEvent.id.in_(reservation.failure_ids)))
        db.execute(delete(RateEvent).where(RateEvent.key.in_([attempt.pair, attempt.account])))
        self.record(db, [attempt.known], now=now)

    def release(self, db: Session, attempt: PasswordAttempt, reservation: Reservation) -> None:
        """Drop a reservation's failures: the check did not happen (the hashing pool was full)."""
        self._hold(db, attempt)
        db.execute(delete(RateEvent).where(RateEvent.id.in_(reservation.failure_ids)))

    def _hold(self, db: Session, attempt: PasswordAttempt) -> None:
        hold_locks(db, [*attempt.failure_keys, attempt.work_address, attempt.work_target])

    def _known(self, db: Session, key: str, *, now: datetime) -> bool:
        found = db.scalar(
            select(RateEvent.id)
            .where(RateEvent.key == key, RateEvent.at > now - KNOWN_FOR)
            .limit(1)
        )
        return found is not None

    # -- password hashing without a check (sign-up, a new password after a reset) ----------------

    def _work_rules(self, work_address: str, work_target: str) -> list[Rule]:
        return [
            Rule(key=work_address, free=self._settings.hash_max_per_address, window=MINUTE),
            Rule(key=work_target, free=self._settings.hash_max_per_target, window=MINUTE),
        ]

    def reserve_hash(
        self, db: Session, *, email: str, address: str, now: datetime, asks_mail: bool = False
    ) -> None:
        """Check and count one password hash caused by *address* for *email*.

        Args:
            db: The caller's write transaction.
            email: The address the hash is for.
            address: The client's network address.
            now: The time.
            asks_mail: The request may also send mail (a sign-up): count it as such too.

        Raises:
            RateLimitedError: The address or the e-mail has had its hashes this minute, or the
                address asked for mail too often this hour.
        """
        rules = self._work_rules(
            f"work:addr:{self.subject(address)}", f"work:to:{self.subject(email)}"
        )
        if asks_mail:
            rules.append(self._asked_rule(address))
        hold_locks(db, [rule.key for rule in rules])
        self.check(db, rules, now=now)
        self.record(db, [rule.key for rule in rules], now=now)

    # -- one-time codes --------------------------------------------------------------------------

    def code_rule(self, address: str) -> Rule:
        """Return the allowance of wrong codes from *address* (any e-mail)."""
        return Rule(
            key=f"code:addr:{self.subject(address)}",
            free=self._settings.login_max_address_failures,
            window=self._window,
            cap=self._window,
        )

    def check_codes(self, db: Session, *, address: str, now: datetime) -> Rule:
        """Lock and check the wrong-code allowance of *address*; return its rule.

        Raises:
            RateLimitedError: The address tried too many wrong codes.
        """
        rule = self.code_rule(address)
        hold_locks(db, [rule.key])
        self.check(db, [rule], now=now)
        return rule

    # -- devices and sync ------------------------------------------------------------------------

    def forget_quotas(self, db: Session, *, subjects: Sequence[str]) -> None:
        """Delete the device quotas' events of *subjects* (an account's and its tokens' ids,
        when the account is deleted)."""
        keys = [f"{kind}:{subject}" for kind in ("pair", "keys", "push") for subject in subjects]
        db.execute(delete(RateEvent).where(RateEvent.key.in_(keys)))

    def take(self, db: Session, *, kind: str, subject: str, free: int, now: datetime) -> None:
        """Check and count one event of a device quota: pairings and key changes of an account
        an hour, pushes of a token a minute.

        Args:
            db: The caller's write transaction.
            kind: ``pair``, ``keys`` (an hour) or ``push`` (a minute).
            subject: The account's or the token's id (random, not personal).
            free: Events allowed in the window.
            now: The time.

        Raises:
            RateLimitedError: The quota is used up; ``retry_after`` says until when.
        """
        window = _KEPT[kind]
        assert window is not None
        rule = Rule(key=f"{kind}:{subject}", free=free, window=window)
        hold_locks(db, [rule.key])
        self.check(db, [rule], now=now)
        self.record(db, [rule.key], now=now)

    # -- mail ------------------------------------------------------------------------------------

    def accept_mail_request(self, db: Session, *, address: str, now: datetime) -> None:
        """Check and count a request that may send mail (a sign-up, a reset) from *address*.

        Raises:
            RateLimitedError: The address asked too often this hour.
        """
        rule = self._asked_rule(address)
        hold_locks(db, [rule.key])
        self.check(db, [rule], now=now)
        self.record(db, [rule.key], now=now)

    def _asked_rule(self, address: str) -> Rule:
        return Rule(
            key=f"asked:{self.subject(address)}",
            free=self._settings.mail_max_per_address,
            window=HOUR,
        )

    def mail_allowed(self, db: Session, *, email: str, now: datetime) -> bool:
        """Return whether one more code or notice may be mailed to *email* today; count it if so.

        The caller's answer is the same either way: a refusal here is silent.
        """
        rule = Rule(
            key=f"mail:{self.subject(email)}",
            free=self._settings.mail_max_per_recipient,
            window=DAY,
        )
        hold_locks(db, [rule.key])
        if self.wait(db, rule, now=now) > 0:
            return False
        self.record(db, [rule.key], now=now)
        return True
