"""What the app keeps in the OS key store for the account service: sign-in tokens, and the
account deletions that still have to reach the service.

Never in the database, never in a settings file, never in a log. A token is filed under the
local account it belongs to (``api-token/<local account id>``); an account holds a token exactly
while it is signed in on this computer.

An account deleted while the service cannot be reached is deleted on this computer at once; what
the service needs to finish the job (its address, the token and the password, since the
service's delete route asks for the password) waits in the key store under
``pending-deletion/<id>``, listed in ``pending-deletions``, and is removed as soon as the service
has answered for good. Only the key store ever holds that password, and only until then.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from sessionclock.core.errors import KeyStoreUnavailableError
from sessionclock.core.keystore import KeyStore

_PENDING_INDEX = "pending-deletions"


def token_name(account_id: str) -> str:
    """Return the key store name of the sign-in token of local account *account_id*."""
    return f"api-token/{account_id}"


def save_token(keystore: KeyStore, account_id: str, token: str) -> None:
    """Keep *token* as the sign-in of local account *account_id* (replacing any other)."""
    keystore.set_secret(token_name(account_id), token.encode("utf-8"))


def load_token(keystore: KeyStore, account_id: str) -> str | None:
    """Return the sign-in token of *account_id*, or None when it is signed out here."""
    secret = keystore.get_secret(token_name(account_id))
    return None if secret is None else secret.decode("utf-8", "replace")


def delete_token(keystore: KeyStore, account_id: str) -> None:
    """Forget the sign-in token of *account_id* (signed out on this computer)."""
    keystore.delete_secret(token_name(account_id))


@dataclass(frozen=True, slots=True)
class PendingDeletion:
    """An account deletion the service has not confirmed yet.

    Attributes:
        id: a random id naming the key store entry.
        service_url: the service the account lives at.
        token: a sign-in token of the account.
        password: the account's password (the service's delete route asks for it).
    """

    service_url: str
    token: str = field(repr=False)
    password: str = field(repr=False)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_secret(self) -> bytes:
        """Return the key store form."""
        values = {"service_url": self.service_url, "token": self.token, "password": self.password}
        return json.dumps(values).encode("utf-8")


def _entry_name(deletion_id: str) -> str:
    return f"pending-deletion/{deletion_id}"


def _index(keystore: KeyStore) -> list[str]:
    secret = keystore.get_secret(_PENDING_INDEX)
    if secret is None:
        return []
    try:
        ids = json.loads(secret)
    except ValueError:
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def add_pending_deletion(keystore: KeyStore, deletion: PendingDeletion) -> None:
    """Keep *deletion* until the service confirms it.

    Raises:
        KeyStoreUnavailableError: the key store refused (nothing is kept).
    """
    keystore.set_secret(_entry_name(deletion.id), deletion.to_secret())
    ids = _index(keystore)
    if deletion.id not in ids:
        ids.append(deletion.id)
    try:
        keystore.set_secret(_PENDING_INDEX, json.dumps(ids).encode("utf-8"))
    except KeyStoreUnavailableError:
        keystore.delete_secret(_entry_name(deletion.id))
        raise


def pending_deletions(keystore: KeyStore) -> tuple[PendingDeletion, ...]:
    """Return the deletions still waiting for the service (damaged entries are skipped)."""
    found: list[PendingDeletion] = []
    for deletion_id in _index(keystore):
        secret = keystore.get_secret(_entry_name(deletion_id))
        if secret is None:
            continue
        try:
            values = json.loads(secret)
            found.append(
                PendingDeletion(
                    id=deletion_id,
                    service_url=str(values["service_url"]),
                    token=str(values["token"]),
                    password=str(values["password"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return tuple(found)


def remove_pending_deletion(keystore: KeyStore, deletion_id: str) -> None:
    """Forget a deletion the service has answered for good (its password with it)."""
    keystore.delete_secret(_entry_name(deletion_id))
    ids = [i for i in _index(keystore) if i != deletion_id]
    if ids:
        keystore.set_secret(_PENDING_INDEX, json.dumps(ids).encode("utf-8"))
    else:
        keystore.delete_secret(_PENDING_INDEX)
