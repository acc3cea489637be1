"""What a refused request raises: the problem+json answer (RFC 9457), typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One entry of a problem's ``errors``: the field (or header, or parameter) named, the
    rule it broke, and the message; for a refused import, the ``line`` of the file (from 1)
    and the field within it (``create.name``; none when the line is not JSON)."""

    field: str | None
    rule: str
    message: str
    line: int | None = None


@dataclass
class ProblemError(Exception):
    """The service refused: its status, title and detail, the ``errors`` it names, and
    ``Retry-After`` (seconds) when it says when to try again (429, 503, 504, a concurrent 409).
    The client never retries by itself."""

    status: int
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    retry_after: float | None = None
    etag: str | None = None
    body: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.title}: {self.detail}")

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


def problem(status: int, headers: Any, answer: Any) -> ProblemError:
    """The exception for an answer of ``status``: a problem+json body read whole, any other
    body (a proxy's page) as its detail."""
    body: dict[str, Any] = answer if isinstance(answer, dict) else {}
    errors = [
        FieldError(
            item.get("field"),
            str(item.get("rule", "")),
            str(item.get("message", "")),
            item["line"] if isinstance(item.get("line"), int) else None,
        )
        for item in body.get("errors") or []
        if isinstance(item, dict)
    ]
    retry = headers.get("Retry-After")
    return ProblemError(
        status=status,
        title=str(body.get("title", "HTTP error")),
        detail=str(body.get("detail", answer if isinstance(answer, str) else "")),
        errors=errors,
        retry_after=float(retry) if retry is not None and retry.strip().isdigit() else None,
        etag=headers.get("ETag"),
        body=body,
    )
