"""The JSON Schema of an import's line, published as ``api/import-line.schema.json``.

Derived, not written: the frame is ``Line``'s, each kind's ``create`` and steps are the
schemas of the commands in ``kinds.KINDS``, with every field that names a record turned into
a ``Reference`` (a key, or an id). ``ledger import-schema`` writes it; a test keeps the
committed file equal to this and checks real lines against it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ledger.application.imports.kinds import EXCLUDED, KINDS
from ledger.application.imports.lines import MAX_STEPS, Line, references

ID = "https://ledger.example/api/import-line.schema.json"
REFERENCE = {
    "type": "string",
    "minLength": 1,
    "maxLength": 200,
    "description": "The key of an earlier line (of this file or an earlier import), or the"
    " id of a record in the ledger.",
}
ACTOR = {
    "type": "string",
    "minLength": 1,
    "maxLength": 200,
    "description": "Who took this step, as the record says (default: the line's actor).",
}


def line_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {"Reference": REFERENCE}
    frame = Line.model_json_schema()
    properties = frame["properties"]
    properties["of"] = {"$ref": "#/$defs/Reference", "description": properties["of"]["description"]}
    properties["create"] = {"type": "object", "description": properties["create"]["description"]}
    properties["steps"] = {"type": "array", "maxItems": MAX_STEPS, "items": {"type": "object"}}
    branches = []
    for name, kind in KINDS.items():
        create = _command(kind.create, defs, exclude=EXCLUDED.get(name, frozenset()))
        steps = []
        for op_name, op in kind.steps.items():
            step = _command(op.command, defs)
            step["properties"] = {
                "op": {"const": op_name},
                "actor": ACTOR,
                **{p: {"$ref": "#/$defs/Reference"} for p in op.path},
                **step["properties"],
            }
            if op_name == "sanctions":
                step["properties"]["key"] = {
                    "type": "string",
                    "description": "Names the sanction for the line's later steps.",
                }
            if "sanction_id" in step["properties"] or "sanction_id" in op.path:
                step["properties"]["sanction_id"] = {
                    "type": "string",
                    "description": "The key of a sanction imposed earlier in the line"
                    " (default: the last one).",
                }
                step["required"] = [r for r in step.get("required", []) if r != "sanction_id"]
            step["required"] = ["op", *step.get("required", [])]
            step["title"] = f"{name}: {op_name}"
            steps.append(step)
        branches.append(
            {
                "if": {"properties": {"kind": {"const": name}}},
                "then": {
                    "properties": {
                        "create": create,
                        "steps": {"items": {"oneOf": steps}},
                    }
                },
            }
        )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ID,
        "title": "A line of an import (ledger import, POST /v1/import)",
        "description": frame.get("description", ""),
        "type": "object",
        "properties": properties,
        "required": frame["required"],
        "additionalProperties": False,
        "oneOf": [{"required": ["create"]}, {"required": ["of", "steps"]}],
        "allOf": branches,
        "$defs": defs,
    }


def _command(
    model: type[BaseModel], defs: dict[str, Any], exclude: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The command's schema, references as ``Reference``, its definitions in ``defs``."""
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(schema.pop("$defs", {}))
    properties = schema.setdefault("properties", {})
    for name in exclude:
        properties.pop(name, None)
    for name, many in references(model).items():
        if name in properties:
            properties[name] = _as_reference(properties[name], many)
    schema["required"] = [r for r in schema.get("required", []) if r not in exclude]
    return schema


def _as_reference(field: dict[str, Any], many: bool) -> dict[str, Any]:
    kept = {k: v for k, v in field.items() if k in ("description", "title", "default")}
    if many:
        array = {k: v for k, v in field.items() if k in ("minItems", "maxItems")}
        return {**kept, "type": "array", "items": {"$ref": "#/$defs/Reference"}, **array}
    if "anyOf" in field:  # optional
        return {**kept, "anyOf": [{"$ref": "#/$defs/Reference"}, {"type": "null"}]}
    return {**kept, "$ref": "#/$defs/Reference"}
