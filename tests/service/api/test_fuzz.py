"""Bad input on every documented operation (from /openapi.json): never a server error."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fake_resend import FakeResend
from tests.support.service import PASSWORD, new_email, sign_up_and_in

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "\x00", "a" * 300, "😀" * 40, "\udcff", "a@b.c", "sct_" + "A" * 43]),
)


def _operations(client: TestClient) -> list[tuple[str, str, list[str]]]:
    spec = client.get("/openapi.json").json()
    ops = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            props = (
                list(spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"])
                if ref
                else []
            )
            ops.append((method.upper(), path, props))
    return ops


def test_fuzz_every_operation_without_server_errors(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(
        login_max_failures=1000, login_max_address_failures=100_000, login_max_account_failures=1000
    )
    owner = sign_up_and_in(client, fake_resend)
    operations = _operations(client)
    assert len(operations) >= 13

    @settings(
        max_examples=250,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        method, path, props = data.draw(st.sampled_from(operations))
        concrete = re.sub(
            r"\{[^}]+\}",
            lambda _m: quote(data.draw(TEXT).encode("utf-8", "surrogatepass"), safe="") or "x",
            path,
        )
        headers: dict[str, str] = {"Content-Type": "application/json"}
        auth = data.draw(st.sampled_from(["none", "owner", "junk"]))
        if auth == "owner":
            fresh = client.post(
                "/v1/tokens",
                json={"email": owner.email, "password": PASSWORD, "device_name": "fuzz"},
            )
            headers["Authorization"] = f"Bearer {fresh.json()['token']}"
        elif auth == "junk":
            headers["Authorization"] = "Bearer " + data.draw(
                st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=60)
            )
        shape = data.draw(st.sampled_from(["fields", "json", "raw"]))
        if shape == "fields" and props:
            body: Any = {
                p: data.draw(st.one_of(TEXT, JSON)) for p in props if data.draw(st.booleans())
            }
            if data.draw(st.booleans()):
                body["email"] = data.draw(st.sampled_from([owner.email, new_email(), "x"]))
            content = json.dumps(body).encode()
        elif shape == "json":
            content = json.dumps(data.draw(JSON)).encode()
        else:
            content = data.draw(st.binary(max_size=200))
        r = client.request(method, concrete, content=content, headers=headers)
        assert r.status_code < 500, (method, concrete, content[:200], r.status_code, r.text[:300])

    run()
