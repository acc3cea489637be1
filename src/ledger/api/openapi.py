"""The OpenAPI 3.1 document, generated from the route table and the pydantic models.

Every answer an operation can give is named, derived from the route's properties (never
listed per operation): who may call it (open, a token, or a token if the settings close
it), its path ids, its query parameters, its body, whether the access log records it and
whether it needs the database. Each problem is ``application/problem+json`` of the one
``Problem`` schema.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic.json_schema import models_json_schema

from ledger import __version__
from ledger.api.access import AUDITED, HEADER, MAX_PURPOSE
from ledger.api.contract_problems import BY_STATUS, PROBLEM_SCHEMA, PROBLEMS
from ledger.api.routing import Route
from ledger.api.schemas import Created
from ledger.application.policy import CLOSABLE, OPEN, PERSON_READS

BEARER = "bearerAuth"


def _access(r: Route) -> str:
    """``open``, ``token``, or ``either`` (open unless the settings close it)."""
    if r.action in CLOSABLE:
        return "either"
    return "open" if r.action in OPEN else "token"


def _problems(r: Route) -> dict[int, str]:
    """The problem answers of a route (their names in PROBLEMS), from its properties."""
    access, body = _access(r), r.body is not None
    statuses = {422, *r.errors}
    if access != "open":
        statuses |= {401, 403}
    if access == "token":
        statuses.add(429)
    if "{" in r.path or r.command:
        statuses.add(404)
    if r.command:
        statuses |= {409, 412}
    if body:
        statuses |= {413, 415}
    if r.database:
        statuses |= {503, 504}
    found = {status: BY_STATUS[status] for status in statuses}
    if body and r.action in PERSON_READS:  # a read sent as POST: the lookup by number
        found[400] = "PurposeOrJson"
    elif body:
        found[400] = "MalformedJson"
    elif r.action in PERSON_READS:
        found[400] = "PurposeRequired"
    elif r.action in AUDITED:
        found[400] = "PurposeMalformed"
    return found


def _success(r: Route, keyed: dict[Any, Any]) -> dict[str, Any]:
    if r.response is not None:
        json_schema = keyed[(r.response, "serialization")]
    elif r.command:
        json_schema = {"$ref": "#/components/schemas/Created"}
    else:
        json_schema = {"type": "object"}
    content = {
        media: {"schema": json_schema if media == "application/json" else {"type": "string"}}
        for media in r.media_types
    }
    description = "Written: the id, stream version and ledger position." if r.command else "OK"
    return {"description": description, "content": content}


def _responses(r: Route, keyed: dict[Any, Any]) -> dict[str, Any]:
    answers = {
        status: {"$ref": f"#/components/responses/{name}"} for status, name in _problems(r).items()
    }
    answers[r.status] = _success(r, keyed)
    for status, description in r.also:
        answers[status] = _success(r, keyed) | {"description": description}
    return {str(status): answers[status] for status in sorted(answers)}


def _parameters(r: Route) -> list[dict[str, Any]]:
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
    if r.action in AUDITED:
        why = "Why you read it, percent-encoded UTF-8; recorded in the access log."
        if r.action in PERSON_READS:
            why += " Required of personnel, discipline and auditor for a person's data."
        params.append(
            {
                "name": HEADER,
                "in": "header",
                "required": False,
                "description": why + f" At most {MAX_PURPOSE} characters once decoded.",
                "schema": {"type": "string", "minLength": 1},
            }
        )
    if r.command:
        params += [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Repeat a command safely: the same key and body answer the "
                "first answer again, written once.",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200,
                    "pattern": "^[ -~]+$",
                },
            },
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "The stream version the command expects, as an ETag.",
                "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]{1,18}"?$'},
            },
        ]
    return params


_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "open": [],
    "token": [{BEARER: []}],
    "either": [{}, {BEARER: []}],
}


def _operation(r: Route, keyed: dict[Any, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": r.summary,
        "operationId": r.action,
        "tags": [r.tag],
        "security": _SECURITY[_access(r)],
        "responses": _responses(r, keyed),
    }
    params = _parameters(r)
    if params:
        operation["parameters"] = params
    if r.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {r.body_media_type: {"schema": keyed[(r.body, "validation")]}},
        }
    return operation


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
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, Any] = {}
    for r in routes:
        paths.setdefault(r.path, {})[r.method.lower()] = _operation(r, keyed)
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
            "responses": PROBLEMS,
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A token from `ledger token issue` or the identity "
                    "provider; its role and unit decide what the caller may do and see.",
                }
            },
        },
    }
