"""`ledger.client` against `api/openapi.json`: every operation the client calls exists in
the document with its method, sends only the query parameters and headers declared there,
sends the body schema the document names, and reads its answer into a model whose fields
the document's schema of that name holds (a field without a default required there); and
the other way round, every operation of the document (but the five served for people and
tools) has a row, with every parameter and header it takes, so a new route or parameter
without a client call fails here."""

from __future__ import annotations

import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from ledger.client import LedgerClient
from ledger.client.operations import NDJSON, OPERATIONS, Operation

DOCUMENT = json.loads(
    (Path(__file__).resolve().parents[2] / "api" / "openapi.json").read_text(encoding="utf-8")
)
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]
# The proofs' and the checkpoints' answers are bare objects in the document (their routes
# name no model); the client's models are checked against live answers in test_client.py.
UNDESCRIBED = {"INCLUSION", "CONSISTENCY", "CHECKPOINTS"}
# Served for people and tools, not called by a program through the client.
NOT_CALLED = {
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
}


def _operation(op: Operation) -> dict[str, Any]:
    return typing.cast(dict[str, Any], DOCUMENT["paths"][op.path][op.method.lower()])


def _ref(schema: dict[str, Any]) -> str:
    return typing.cast(str, schema["$ref"]).rsplit("/", 1)[-1]


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_the_operation_is_in_the_document(name: str) -> None:
    op = OPERATIONS[name]
    assert op.path in DOCUMENT["paths"], op.path
    operation = _operation(op)
    declared = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
    for query in op.query:
        assert ("query", query) in declared, f"{name}: {query} is not a parameter of {op.path}"
    for header in op.headers:
        if header == "Last-Event-ID":  # SSE's own header, named in the operation's text
            assert "Last-Event-ID" in json.dumps(operation)
            continue
        assert ("header", header) in declared, f"{name}: {header} is not a header of {op.path}"
    success = next(a for status, a in operation["responses"].items() if status.startswith("2"))
    assert op.media in success["content"], f"{name}: {op.path} does not answer {op.media}"


def _document_operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_operation_of_the_document_has_a_row() -> None:
    rows = {(op.method, op.path) for op in OPERATIONS.values()}
    missing = _document_operations() - NOT_CALLED - rows
    assert missing == set(), f"no client call for {sorted(missing)}"
    assert _document_operations() >= NOT_CALLED  # still served, still left out


@pytest.mark.parametrize("key", sorted(_document_operations() - NOT_CALLED))
def test_the_rows_send_every_parameter_the_operation_takes(key: tuple[str, str]) -> None:
    """The rows of an operation (a path may have two: a clue by its key, or a page) name,
    together, every query parameter and header the document declares for it."""
    method, path = key
    rows = [op for op in OPERATIONS.values() if (op.method, op.path) == key]
    named = {name for op in rows for name in (*op.query, *op.headers)}
    parameters = DOCUMENT["paths"][path][method.lower()].get("parameters", [])
    declared = {p["name"] for p in parameters if p["in"] in ("query", "header")}
    unsent = declared - named
    assert unsent == set(), f"{method} {path}: the client cannot send {sorted(unsent)}"


@pytest.mark.parametrize("name", sorted(n for n, op in OPERATIONS.items() if op.body))
def test_the_body_is_the_schema_the_document_names(name: str) -> None:
    op = OPERATIONS[name]
    assert op.body is not None
    content = _operation(op)["requestBody"]["content"]
    assert list(content) == [op.body_media]
    schema = content[op.body_media]["schema"]
    assert op.body.__name__ == _ref(schema)
    assert set(op.body.model_fields) == set(SCHEMAS[_ref(schema)]["properties"])


def test_only_the_import_sends_json_lines() -> None:
    """Its body is a file, one `Line` a line; the schema the document names is a line's."""
    assert {n for n, op in OPERATIONS.items() if op.body_media != "application/json"} == {"IMPORT"}
    assert OPERATIONS["IMPORT"].body_media == NDJSON


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation names: M, M | None, list[M]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models(arg)]
    return []


def _schema_of(prop: dict[str, Any]) -> dict[str, Any] | None:
    """The named schema a property holds: $ref, array of $ref, or one of anyOf."""
    if "$ref" in prop:
        return typing.cast(dict[str, Any], SCHEMAS[_ref(prop)])
    if prop.get("type") == "array" and "$ref" in prop.get("items", {}):
        return typing.cast(dict[str, Any], SCHEMAS[_ref(prop["items"])])
    for option in prop.get("anyOf", []):
        found = _schema_of(option)
        if found is not None:
            return found
    return None


def _fits(model: type[BaseModel], schema: dict[str, Any], where: str) -> list[str]:
    wrong = []
    properties, required = schema.get("properties", {}), set(schema.get("required", []))
    for field_name, info in model.model_fields.items():
        if field_name not in properties:
            wrong.append(f"{where}.{field_name} is not in the document")
            continue
        if info.is_required() and field_name not in required:
            wrong.append(f"{where}.{field_name} is required by the client, optional there")
        nested = _schema_of(properties[field_name])
        for inner in _models(info.annotation):
            if nested is None:
                wrong.append(f"{where}.{field_name} is an object the document does not name")
            else:
                wrong += _fits(inner, nested, f"{where}.{field_name}")
    return wrong


@pytest.mark.parametrize(
    "name", sorted(n for n, op in OPERATIONS.items() if op.answer and n not in UNDESCRIBED)
)
def test_the_answer_is_read_as_the_document_says(name: str) -> None:
    op = OPERATIONS[name]
    assert op.answer is not None
    operation = _operation(op)
    success = next(a for status, a in operation["responses"].items() if status.startswith("2"))
    if op.media != "application/json":  # the stream: each message is a PublicEvent
        schema = SCHEMAS["PublicEvent"]
    else:
        named = success["content"]["application/json"]["schema"]
        if "$ref" in named and "anyOf" in SCHEMAS[_ref(named)]:  # one of several shapes
            names = [_ref(option) for option in SCHEMAS[_ref(named)]["anyOf"]]
            assert op.answer.__name__ in names
        else:
            assert op.answer.__name__ == _ref(named)
        schema = SCHEMAS[op.answer.__name__]
    assert op.answer.__name__ == schema.get("title", op.answer.__name__)
    assert _fits(op.answer, schema, op.answer.__name__) == []


def test_the_undescribed_answers_are_still_undescribed() -> None:
    """When the document names one of them, it leaves UNDESCRIBED and is checked."""
    for name in UNDESCRIBED:
        success = _operation(OPERATIONS[name])["responses"]["200"]
        assert success["content"]["application/json"]["schema"] == {"type": "object"}


def test_every_method_sends_through_the_table() -> None:
    """The client's methods (every class LedgerClient is composed of) name operations of
    the table: none builds a path by hand, and every row is called."""
    modules = {
        sys.modules[cls.__module__]
        for cls in LedgerClient.__mro__
        if cls.__module__.startswith("ledger.client")
    }
    assert {m.__name__.rsplit(".", 1)[-1] for m in modules} >= {
        "client",
        "feed",
        "loop",
        "records",
        "reads",
        "webhooks",
        "admin",
    }
    source = "".join(Path(m.__file__ or "").read_text(encoding="utf-8") for m in modules)
    assert "/v1/" not in source
    used = {name for name in OPERATIONS if re.search(rf"\bops\.{name}\b", source)}
    assert used == set(OPERATIONS)


def test_no_part_of_the_client_hides_a_method_of_another() -> None:
    parts = [c for c in LedgerClient.__mro__ if c.__module__.startswith("ledger.client")]
    names = [n for part in parts for n in vars(part) if not n.startswith("__")]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_an_undeclared_parameter_is_refused_before_sending() -> None:
    client = LedgerClient("http://ledger.invalid", "t")
    with pytest.raises(ValueError, match="takes no colour"):
        client.prepare(OPERATIONS["EVENTS"], {}, {"colour": "red"}, {})
