"""bcrypt runs on a small bounded pool: never more at once than its threads, never a long queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import bcrypt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from sessionclock_service.usecases.passwords import BoundedPool, HashingBusyError
from tests.support.fake_resend import FakeResend
from tests.support.service import PASSWORD, new_email, services_of, sign_in_status, sign_up


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Poll *condition* until it holds, failing after *seconds*."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)  # polling, not waiting for a result


def test_the_pool_runs_at_most_its_threads_and_refuses_beyond_its_queue() -> None:
    pool = BoundedPool(workers=2, queue=3, name="test")
    release = threading.Event()
    running = 0
    most = 0
    lock = threading.Lock()

    def job() -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(timeout=30)
        with lock:
            running -= 1
        return 7

    try:
        with ThreadPoolExecutor(max_workers=5) as callers:
            admitted = [callers.submit(pool.run, job) for _ in range(5)]
            # Five admitted (two running, three waiting): the sixth is refused at once.
            wait_until(lambda: pool.admitted == 5 and running == 2)
            with pytest.raises(HashingBusyError) as refused:
                pool.run(job)
            assert refused.value.retry_after == 1
            release.set()
            assert [f.result(timeout=30) for f in admitted] == [7] * 5
        assert most == 2
        assert pool.admitted == 0 and pool.run(lambda: 8) == 8  # the slots came back
    finally:
        release.set()
        pool.shutdown()


def test_a_job_that_fails_gives_its_slot_back() -> None:
    pool = BoundedPool(workers=1, queue=0, name="test")

    def boom() -> int:
        raise ValueError("boom")

    try:
        with pytest.raises(ValueError, match="boom"):
            pool.run(boom)
        assert pool.run(lambda: 1) == 1
    finally:
        pool.shutdown()


def test_hashing_routes_answer_503_when_the_pool_is_full(
    make_client: Callable[..., TestClient],
    fake_resend: FakeResend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = make_client(hash_workers=1, hash_queue=1)
    email = new_email()
    sign_up(client, fake_resend, email)
    token = sign_in_status(client, email)[1]["token"]
    inside = threading.Semaphore(0)
    release = threading.Event()
    real = bcrypt.checkpw
    threads: set[str] = set()

    def slow(password: bytes, hashed: bytes) -> bool:
        threads.add(threading.current_thread().name)
        inside.release()
        release.wait(timeout=30)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", slow)
    body = {"email": email, "password": PASSWORD, "device_name": "Tablet"}
    pool = services_of(client).passwords.pool
    with ThreadPoolExecutor(max_workers=2) as callers:
        held = [callers.submit(client.post, "/v1/tokens", json=body) for _ in range(2)]
        assert inside.acquire(timeout=30)
        wait_until(lambda: pool.admitted == 2)  # one check runs, one waits in the queue
        statements: list[str] = []

        def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
            statements.append(statement)

        engine = services_of(client).db.engine
        event.listen(engine, "before_cursor_execute", note)
        try:
            refused = client.post("/v1/tokens", json=body)
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert refused.status_code == 503
        assert statements == []  # refused before any work: a flood costs the database nothing
        assert refused.headers["retry-after"] == "1"
        # Reads do not wait for the pool.
        reading = client.get("/v1/entitlement", headers={"Authorization": f"Bearer {token}"})
        assert reading.status_code == 200
        release.set()
        assert [f.result(timeout=30).status_code for f in held] == [201, 201]
    assert {name.split("_")[0] for name in threads} == {"bcrypt"}  # never the request threads
