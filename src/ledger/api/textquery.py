"""Query parameters of the searches: a text to look for, and the (name, id) cursor of a
list by name."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from aiohttp import web

from ledger.api.errors import invalid
from ledger.api.http import decode_cursor, encode_cursor

MAX_TEXT = 100


def query_text(request: web.Request, name: str, *, required: bool = False) -> str | None:
    """A text of 1 to 100 printable characters once trimmed; None when absent (or 422
    naming ``name`` if ``required``). An empty one is refused: it would match everything."""
    raw = request.query.get(name)
    if raw is None:
        if required:
            raise invalid(name, "missing", f"{name} is required: the text to look for")
        return None
    text = raw.strip()
    if not text:
        raise invalid(name, "empty", f"{name} must not be empty")
    if len(text) > MAX_TEXT:
        raise invalid(name, "length", f"{name} must be at most {MAX_TEXT} characters")
    if not text.isprintable():  # PostgreSQL text holds no NUL; no control characters either
        raise invalid(name, "printable", f"{name} must hold printable characters only")
    return text


def name_cursor(request: web.Request) -> tuple[str, UUID] | None:
    """The (name, id) a page by name continues after; 422 if this service did not issue it."""
    cursor = decode_cursor(request)
    if cursor is None:
        return None
    try:
        return _name_after(cursor)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise invalid("cursor", "cursor", "cursor is not one this service issued") from None


def _name_after(cursor: list[Any]) -> tuple[str, UUID]:
    name, last = cursor
    if not isinstance(name, str) or "\x00" in name:  # PostgreSQL text cannot hold NUL
        raise ValueError("not a name")
    name.encode()  # nor a lone surrogate: UnicodeEncodeError
    return name, UUID(str(last))


def page(items: list[dict[str, Any]], limit: int, key: str = "name") -> dict[str, Any]:
    """A page of ``limit`` items read as ``limit + 1``: the items and the next cursor."""
    if len(items) <= limit:
        return {"items": items, "next_cursor": None}
    items = items[:limit]
    return {"items": items, "next_cursor": encode_cursor([items[-1][key], items[-1]["id"]])}
