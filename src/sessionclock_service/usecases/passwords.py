"""Password hashing on its own small, bounded set of threads.

bcrypt is slow on purpose (about a quarter of a second at cost 12). Run in the request threadpool,
a flood of hashing requests would take every thread and every core, and the routes that only read
(the entitlement every app polls) would queue behind it. Here bcrypt gets ``hash_workers``
threads of its own and at most ``hash_queue`` waiting jobs; a request beyond that is refused at
once with 503 and ``Retry-After`` instead of waiting, so the threads left to the readers stay
free. Every route that hashes is also limited per client address and per target (`ratelimit`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from http import HTTPStatus
from typing import TypeVar

from sessionclock_service.errors import ServiceError
from sessionclock_service.security import PasswordHasher

T = TypeVar("T")


class HashingBusyError(ServiceError):
    """Raised when every bcrypt thread is busy and the queue is full."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    message = "The service is busy. Try again in a moment."

    def __init__(self) -> None:
        super().__init__(retry_after=1)


class BoundedPool:
    """A thread pool that refuses work beyond its threads and a short queue.

    Attributes:
        workers: Threads running jobs.
        capacity: Jobs admitted at once (running and waiting).
    """

    def __init__(self, *, workers: int, queue: int, name: str) -> None:
        self.workers = workers
        self.capacity = workers + queue
        self._admitted = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)

    @property
    def admitted(self) -> int:
        """Jobs running or waiting now."""
        return self._admitted

    def require_room(self) -> None:
        """Refuse at once when the pool is full, before any other work is done for the request.

        Raises:
            HashingBusyError: The pool has ``capacity`` jobs already.
        """
        if self._admitted >= self.capacity:
            raise HashingBusyError

    def _leave(self, _done: object = None) -> None:
        with self._lock:
            self._admitted -= 1

    def run(self, job: Callable[[], T]) -> T:
        """Run *job* on the pool and return its result, or refuse at once when full.

        Raises:
            HashingBusyError: The pool has ``capacity`` jobs already.
        """
        with self._lock:
            if self._admitted >= self.capacity:
                raise HashingBusyError
            self._admitted += 1
        try:
            future: Future[T] = self._executor.submit(job)
        except BaseException:
            self._leave()
            raise
        future.add_done_callback(self._leave)
        return future.result()

    def shutdown(self) -> None:
        """Finish the running jobs and stop the threads."""
        self._executor.shutdown(wait=True, cancel_futures=True)


class Passwords:
    """Hash and check passwords on the bounded pool (see `security.PasswordHasher`).

    Attributes:
        pool: The threads bcrypt runs on.
    """

    def __init__(self, hasher: PasswordHasher, pool: BoundedPool) -> None:
        self._hasher = hasher
        self.pool = pool

    def hash(self, password: str) -> str:
        """Return the hash of *password*.

        Raises:
            HashingBusyError: The pool is full.
        """
        return self.pool.run(lambda: self._hasher.hash(password))

    def verify(self, password: str, password_hash: str | None) -> bool:
        """Return whether *password* matches (the same work when there is no hash).

        Raises:
            HashingBusyError: The pool is full.
        """
        return self.pool.run(lambda: self._hasher.verify(password, password_hash))

    def require_room(self) -> None:
        """Refuse at once (503) when the pool is full, before a request does any other work.

        A flood then costs the database nothing; `hash` and `verify` still refuse when the pool
        filled up in between.

        Raises:
            HashingBusyError: The pool is full.
        """
        self.pool.require_room()

    def outdated(self, password_hash: str) -> bool:
        """Return whether *password_hash* was made at a lower cost than the current one."""
        return self._hasher.outdated(password_hash)
