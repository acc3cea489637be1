"""The problem answers of the contract: the one ``Problem`` schema, and each kind of
problem once (``components.responses``), by the status it answers with."""

from __future__ import annotations

from typing import Any

from ledger.api.access import HEADER
from ledger.api.errors import PROBLEM_JSON

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; some problems add fields of their own.",
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
                    "line": {"type": "integer", "description": "An import's line, from 1."},
                    "field": {"type": ["string", "null"]},
                    "rule": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}


def _problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if headers:
        answer["headers"] = headers
    return answer


# The problem answers, each once in components.responses; operations refer to them.
PROBLEMS: dict[str, dict[str, Any]] = {
    "MalformedJson": _problem("Bad request: the body is not a JSON object"),
    "PurposeRequired": _problem(
        f"Bad request: {HEADER} is missing (of personnel, discipline and auditor) or malformed"
    ),
    "PurposeMalformed": _problem(f"Bad request: {HEADER} is malformed"),
    "PurposeOrJson": _problem(
        f"Bad request: {HEADER} is missing (of personnel, discipline and auditor) or "
        "malformed, or the body is not a JSON object"
    ),
    "Unauthorized": _problem(
        "No valid bearer token",
        {
            "WWW-Authenticate": {
                "description": "The bearer challenge (RFC 6750).",
                "required": True,
                "schema": {"type": "string"},
            }
        },
    ),
    "Forbidden": _problem("The role may not, or the record is outside the jurisdiction"),
    "NotFound": _problem("Not found: an id it names names nothing (at that time)"),
    "Conflict": _problem("Conflicts with what the ledger holds, or a concurrent change"),
    "PreconditionFailed": _problem(
        "If-Match names another version",
        {"ETag": {"description": "The current version.", "schema": {"type": "string"}}},
    ),
    "TooLarge": _problem("The body is larger than the service accepts"),
    "UnsupportedMediaType": _problem("The body is not application/json"),
    "Invalid": _problem("Invalid input: a parameter, header or field, named in `errors`"),
    "TooManyRequests": _problem("Too many requests", _RETRY_AFTER),
    "Unavailable": _problem(
        "Unavailable: the database, the access log, or min_position not reached in time",
        _RETRY_AFTER,
    ),
    "Timeout": _problem(
        "Timeout: the database cancelled the statement at its statement or lock timeout;"
        " nothing was written",
        _RETRY_AFTER,
    ),
}
BY_STATUS = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    412: "PreconditionFailed",
    413: "TooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    503: "Unavailable",
    504: "Timeout",
}
