"""The OpenAPI 3.1 document, generated from the route table and the pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic.json_schema import models_json_schema

from ledger import __version__
from ledger.api.schemas import Created

_PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "rule": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def _problem_ref(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def build_openapi() -> dict[str, Any]:
    from ledger.api.resources import all_routes  # the ops resource serves this document

    routes = all_routes()
    answers = {r.response for r in routes if r.response is not None}
    models = {r.body for r in routes if r.body is not None} | answers | {Created}
    keyed, components = models_json_schema(
        [
            (m, "serialization" if m in answers else "validation")
            for m in sorted(models, key=lambda m: m.__name__)
        ],
        ref_template="#/components/schemas/{model}",
    )
    schemas = components.get("$defs", {})
    schemas["Problem"] = _PROBLEM
    paths: dict[str, Any] = {}
    for r in routes:
        params: list[dict[str, Any]] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
            }
            for name in re.findall(r"{(\w+)}", r.path)
        ]
        params += [
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "description": p.description,
                "schema": p.schema,
            }
            for p in r.query
        ]
        responses: dict[str, Any] = {}
        if r.command:
            responses[str(r.status)] = {
                "description": "Written: the id, stream version and ledger position.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Created"}}
                },
            }
            responses["409"] = _problem_ref("Conflicts with what the ledger holds")
            responses["412"] = _problem_ref("If-Match names another version")
            responses["422"] = _problem_ref("Invalid input")
        elif r.response is not None:
            responses[str(r.status)] = {
                "description": "OK",
                "content": {"application/json": {"schema": keyed[(r.response, "serialization")]}},
            }
        else:
            responses[str(r.status)] = {"description": "OK"}
        if params:
            responses["422"] = _problem_ref("Invalid input")
        if "{" in r.path:
            responses["404"] = _problem_ref("Not found")
        operation: dict[str, Any] = {
            "summary": r.summary,
            "operationId": r.handler.__name__,
            "tags": [r.tag],
            "responses": responses,
        }
        if r.command:
            params += [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 200},
                },
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                },
            ]
        if params:
            operation["parameters"] = params
        if r.body is not None:
            ref = keyed[(r.body, "validation")]
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref}},
            }
        paths.setdefault(r.path, {})[r.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ledger",
            "version": __version__,
            "description": "Event-sourced accountability ledger for rule-of-law inspection "
            "and responsibility implementation (法治政府建设与责任落实督察).",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
