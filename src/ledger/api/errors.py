"""RFC 9457 problem+json answers, and the one place errors map to HTTP status."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from ledger.application.commands.types import in_words
from ledger.application.errors import (
    ClueRedelivered,
    ConcurrencyConflict,
    IdempotencyKeyReused,
    PreconditionFailed,
)
from ledger.domain.errors import (
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    OutsideJurisdiction,
)
from ledger.infra.database import OUT_OF_ROOM, TIMED_OUT, UNAVAILABLE

PROBLEM_JSON = "application/problem+json"


class ApiError(Exception):
    """An error answer: status, a short title, a detail, and per-field errors if any."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    def response(self) -> web.Response:
        body: dict[str, Any] = {
            "type": f"/problems/{self.title.lower().replace(' ', '-')}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return web.Response(
            status=self.status,
            body=json.dumps(body, ensure_ascii=False, default=str).encode(),
            content_type=PROBLEM_JSON,
            headers=self.headers,
        )


def invalid(field: str, rule: str, message: str) -> ApiError:
    return ApiError(
        422,
        "Invalid input",
        f"{field}: {message}",
        errors=[{"field": field, "rule": rule, "message": message}],
    )


# A time whose "+hh:mm" offset lost its plus sign: in a query string "+" means a space.
_PLUS_AS_SPACE = re.compile(r"[0-9-]{10}[T ][0-9:.]{5,} [0-9]{2}:?[0-9]{2}")


def check_plus_as_space(name: str, raw: str) -> None:
    """Raised when the time's "+" arrived as a space, with how to send it."""
    if _PLUS_AS_SPACE.fullmatch(raw):
        at = raw.rindex(" ")
        fixed = f"{raw[:at]}%2B{raw[at + 1 :]}"
        raise invalid(
            name,
            "plus_as_space",
            f"the + of the time's offset arrived as a space: in a query string + means a space,"
            f" so write it as %2B ({name}={fixed}), or give the time in UTC with Z",
        )


def from_validation(error: ValidationError, prefix: str = "") -> ApiError:
    errors = []
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"]) or "(body)"
        errors.append({"field": prefix + path, "rule": item["type"], "message": in_words(item)})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return ApiError(422, "Invalid input", summary, errors=errors)


def from_exception(error: Exception) -> ApiError | None:
    """Map a domain or application error to its answer; None for the unexpected."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, ValidationError):
        return from_validation(error)
    if isinstance(error, DomainError):
        rule = _snake(type(error).__name__)
        errors = [{"field": error.field, "rule": rule, "message": error.message}]
        if isinstance(error, NotFound):
            return ApiError(404, "Not found", error.message, errors=errors)
        if isinstance(error, OutsideJurisdiction):
            return ApiError(403, "Forbidden", error.message, errors=errors)
        if isinstance(error, InvalidInput):
            return ApiError(422, "Invalid input", error.message, errors=errors)
        if isinstance(error, IllegalTransition):
            return ApiError(
                409,
                "Illegal transition",
                error.message,
                errors=errors,
                extra={"stage": error.stage, "allowed": error.allowed},
            )
        return ApiError(409, "Conflict", error.message, errors=errors)  # InvariantViolation
    if isinstance(error, PreconditionFailed):
        return ApiError(
            412,
            "Precondition failed",
            str(error),
            headers={"ETag": f'"{error.current}"'},
            extra={"current_version": error.current},
        )
    if isinstance(error, IdempotencyKeyReused):
        return ApiError(
            422,
            "Idempotency key reused",
            str(error),
            errors=[{"field": "Idempotency-Key", "rule": "same_request", "message": str(error)}],
        )
    if isinstance(error, ClueRedelivered):
        return ApiError(
            409,
            "Clue redelivered with other content",
            str(error),
            errors=[
                {"field": name, "rule": "same_as_received", "message": f"{name} differs"}
                for name in error.differing
            ],
            extra={
                "id": str(error.clue_id),
                "stored": _plain(error.stored),
                "delivered": _plain(error.delivered),
            },
        )
    if isinstance(error, ConcurrencyConflict):
        return ApiError(409, "Concurrent change", str(error), headers={"Retry-After": "1"})
    if isinstance(error, TIMED_OUT):  # first: a cancelled statement is an operator's class
        return ApiError(
            504,
            "Timeout",
            "the database did not finish in time (its statement or lock timeout); nothing was"
            " written: try again",
            headers={"Retry-After": "5"},
        )
    if isinstance(error, OUT_OF_ROOM):  # within UNAVAILABLE: the operator's to fix
        return ApiError(
            503,
            "Service unavailable",
            "the database is out of room (disk full, out of memory or too many connections);"
            " nothing was written: try again later",
            headers={"Retry-After": "5"},
        )
    if isinstance(error, UNAVAILABLE):
        return ApiError(
            503,
            "Service unavailable",
            "the database does not answer; try again",
            headers={"Retry-After": "5"},
        )
    return None


def from_http(error: web.HTTPException) -> ApiError:
    detail = error.text if error.text and not error.text.startswith("<") else error.reason
    if error.status == 413:
        detail = "the request body is larger than the service accepts"
    allow = error.headers.get("Allow")  # a 405 must say which methods are allowed
    headers = {"Allow": allow} if allow is not None else None
    return ApiError(error.status, error.reason, detail or error.reason, headers=headers)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """Field values as JSON: times in RFC 3339, ids as strings."""
    return {
        k: v.isoformat() if isinstance(v, datetime) else v if v is None else str(v)
        for k, v in fields.items()
    }
