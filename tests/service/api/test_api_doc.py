"""docs/service-api.md and docs/sync-api.md say what the service answers: their route tables
match /openapi.json."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sessionclock_service.app import create_app
from tests.support.service import settings_from

DOCS = Path(__file__).resolve().parents[3] / "docs"
TABLES = {"service-api.md": 17, "sync-api.md": 17}
"""Each document with its route table, and how many routes it lists."""
ROW = re.compile(
    r"^\| `(?P<method>[A-Z]+) (?P<path>\S+)`[^|]*\|(?P<body>[^|]*)\|(?P<ok>[^|]*)\|(?P<no>[^|]*)\|$"
)


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The service's OpenAPI document, as served."""
    url = f"sqlite:///{tmp_path_factory.mktemp('doc') / 'unused.sqlite3'}"
    served: dict[str, Any] = (
        TestClient(create_app(settings_from(database_url=url, allowed_hosts=["testserver"])))
        .get("/openapi.json")
        .json()
    )
    return served


def _documented(doc: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = {}
    for line in (DOCS / doc).read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match is None:
            continue
        ok = match["ok"].split()
        path = match["path"].split("?")[0].replace("{id}", "{token_id}")
        rows[(match["method"], path)] = {
            "body": match["body"].strip().strip("`") or None,
            "success": ok[0],
            "answer": ok[1].strip("`[]") if len(ok) > 1 and ok[1].startswith("`") else None,
            "refusals": set(re.findall(r"\d{3}", match["no"])),
        }
    return rows


def _ref(node: dict[str, Any]) -> str | None:
    schema = node.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


@pytest.mark.parametrize("doc", sorted(TABLES))
def test_the_route_table_matches_the_openapi_document(spec: dict[str, Any], doc: str) -> None:
    documented = _documented(doc)
    assert len(documented) == TABLES[doc]
    for (method, path), row in documented.items():
        operation = spec["paths"][path][method.lower()]
        where = f"{method} {path}"
        statuses = set(operation["responses"])
        assert statuses == {row["success"], *row["refusals"]}, where
        assert _ref(operation.get("requestBody", {})) == row["body"], where
        if row["answer"] is not None:
            assert _ref(operation["responses"][row["success"]]) == row["answer"], where


def test_every_route_of_the_app_is_in_the_table(spec: dict[str, Any]) -> None:
    served = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if path != "/v1/stripe/webhook"  # Stripe's, not the app's
    }
    assert served == {route for doc in TABLES for route in _documented(doc)}


@pytest.mark.parametrize("doc", sorted(TABLES))
def test_every_answer_shape_in_the_text_exists(spec: dict[str, Any], doc: str) -> None:
    schemas = set(spec["components"]["schemas"])
    named = set(re.findall(r"`([A-Z][A-Za-z]+(?:In|Out))`", (DOCS / doc).read_text("utf-8")))
    assert named and named <= schemas
