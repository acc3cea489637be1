"""The text side of a search: a substring pattern for ILIKE, and a snippet of a match."""

from __future__ import annotations

SNIPPET = 24  # characters either side of the match


def contains(text: str) -> str:
    """An ILIKE pattern matching ``text`` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def snippet(text: str, query: str) -> str | None:
    """The part of ``text`` around the first match of ``query`` (case-insensitively), with
    … where it is cut; None when ``query`` is not in it."""
    at = text.casefold().find(query.casefold())
    if at < 0:
        return None
    start, end = max(0, at - SNIPPET), min(len(text), at + len(query) + SNIPPET)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
