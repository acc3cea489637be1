"""`ledger.client` against `api/openapi.json`: every operation the client calls exists in
the document with its method, sends only the query parameters and headers declared there,
sends the body schema the document names, and reads its answer into a model whose fields
the document's schema of that name holds (a field without a default required there)."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from ledger.client import LedgerClient
from ledger.client.operations import OPERATIONS, Operation

DOCUMENT = json.loads(
    (Path(__file__).resolve().parents[2] / "api" / "openapi.json").read_text(encoding="utf-8")
)
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]
# The inclusion proof's answer is a bare object in the document (its route names no model);
# the client's model is checked against the live answer in test_client.py instead.
UNDESCRIBED = {"INCLUSION"}


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


@pytest.mark.parametrize("name", sorted(n for n, op in OPERATIONS.items() if op.body))
def test_the_body_is_the_schema_the_document_names(name: str) -> None:
    op = OPERATIONS[name]
    assert op.body is not None
    schema = _operation(op)["requestBody"]["content"]["application/json"]["schema"]
    assert op.body.__name__ == _ref(schema)
    assert set(op.body.model_fields) == set(SCHEMAS[_ref(schema)]["properties"])


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
    """The client's methods name operations of the table: none builds a path by hand."""
    source = "".join(
        Path(module.__file__ or "").read_text(encoding="utf-8")
        for module in (
            __import__("ledger.client.client", fromlist=["x"]),
            __import__("ledger.client.feed", fromlist=["x"]),
            __import__("ledger.client.loop", fromlist=["x"]),
        )
    )
    assert "/v1/" not in source
    used = {name for name in OPERATIONS if f"ops.{name}" in source}
    assert used == set(OPERATIONS)
    assert callable(LedgerClient.deliver_clues)


def test_an_undeclared_parameter_is_refused_before_sending() -> None:
    client = LedgerClient("http://ledger.invalid", "t")
    with pytest.raises(ValueError, match="takes no colour"):
        client.prepare(OPERATIONS["EVENTS"], {}, {"colour": "red"}, {})
