"""Search (检索): one text across units (name, code), persons (name), findings
(description, documents) and inspections (title, documents), within the caller's
jurisdiction, best match first. The trigram design and why: ``projections/search.sql``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Literal
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.errors import invalid
from ledger.api.http import decode_cursor, encode_cursor, json_response, query_choice, query_int
from ledger.api.keys import PRINCIPAL
from ledger.api.positions import wait_for_position
from ledger.api.routing import CURSOR, LIMIT, MIN_POSITION, Param, RouteTable
from ledger.api.schemas import View
from ledger.api.textquery import MAX_TEXT, query_text
from ledger.application.policy import allows
from ledger.projections import chain, findings, records
from ledger.projections import search as search_query

routes = RouteTable("search")

# A kind is searched for a caller whose role may read one of its kind.
_READ_OF = {"unit": "get_unit", "person": "get_person", "finding": "get_finding"}
_READ_OF |= {"inspection": "get_inspection"}
assert tuple(_READ_OF) == search_query.KINDS


class Hit(View):
    kind: Literal["unit", "person", "finding", "inspection"]
    id: UUID
    label: str = Field(
        description="The unit's or person's name, the inspection's title, the finding's"
        " description (cut at 60 characters)."
    )
    snippet: str | None = Field(
        None,
        description="Where the text was found, when the label does not show it: the text"
        " around it in a long description, a unit's code, or the document number (文号)"
        " of a finding or inspection.",
    )
    score: float = Field(
        description="Trigram similarity of the matched text to the query (0 to 1, 1: equal);"
        " hits come in descending score."
    )


class SearchPage(View):
    items: list[Hit]
    next_cursor: str | None


@routes.route(
    "GET",
    "/v1/search",
    "Search units, persons, findings and inspections by a text, best match first",
    query=(
        Param(
            "q",
            "The text to find, 1 to 100 characters: a substring of a unit's name or code, a"
            " person's name, a finding's description or an inspection's title (司法 finds"
            " 无锡市司法局), or of a document number (文号) a finding's or an inspection's"
            " events cite (锡法督〔2023〕5号). From 3 characters the trigram indexes serve it.",
            {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
            required=True,
        ),
        Param(
            "kind",
            "Only hits of this kind.",
            {"type": "string", "enum": list(search_query.KINDS)},
        ),
        LIMIT,
        CURSOR,
        MIN_POSITION,
    ),
    response=SearchPage,
)
async def search(request: web.Request) -> web.Response:
    """Hits of the kinds the caller's role may read, inside its jurisdiction."""
    text = query_text(request, "q", required=True)
    assert text is not None
    only = query_choice(request, "kind", search_query.KINDS)
    limit = query_int(request, "limit", 50, 1, 500)
    after = _after(request)
    for projection in (chain.NAME, findings.NAME, records.NAME):
        await wait_for_position(request, projection)
    role = request[PRINCIPAL].role
    kinds = [k for k, read in _READ_OF.items() if allows(role, read) and only in (None, k)]
    hits = await search_query.search(await reader(request), text, kinds, limit + 1, after)
    next_cursor = None
    if len(hits) > limit:
        hits = hits[:limit]
        last = hits[-1]
        next_cursor = encode_cursor([str(last["score"]), last["kind"], last["id"]])
    return json_response({"items": hits, "next_cursor": next_cursor})


def _after(request: web.Request) -> tuple[Decimal, str, UUID] | None:
    """The (score, kind, id) of the last hit of the previous page."""
    cursor = decode_cursor(request)
    if cursor is None:
        return None
    try:
        score, kind, last = cursor
        if kind not in search_query.KINDS:
            raise ValueError(kind)
        value = Decimal(str(score))
        if not value.is_finite():
            raise ValueError(score)
        return value, kind, UUID(str(last))
    except (ValueError, TypeError, InvalidOperation):
        raise invalid("cursor", "cursor", "cursor is not one this service issued") from None
