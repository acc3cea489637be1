"""Bulletins (通报): issue one on an inspection's findings, read it, list them."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.http import query_int, query_uuid
from ledger.api.positions import read_position
from ledger.api.reads import PAGE, READ, UUID_SCHEMA, after_day_and_id, answer_record, page_of
from ledger.api.routing import Param, RouteTable
from ledger.api.schemas import KNOWN_AT_FIELD, POSITION_FIELD, View
from ledger.application.commands import IssueBulletin
from ledger.domain.vocab import (
    BulletinKind,
    UnitKind,
)
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.records import NAME as RECORDS
from ledger.projections.records import bulletins as records_bulletins

routes = RouteTable("bulletins")


class Recipient(View):
    unit_id: UUID
    name: str | None
    kind: UnitKind | None


class BulletinSummary(View):
    """A bulletin as a list holds it."""

    id: UUID
    version: int
    kind: BulletinKind
    title: str
    inspection_id: UUID
    inspection_title: str | None
    finding_ids: list[UUID]
    issued_on: date
    summary: str | None
    basis: str | None
    recorded_at: datetime
    recipients: list[Recipient] = Field(description="In the order named.")


class BulletinView(BulletinSummary):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD


class BulletinPage(View):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD
    items: list[BulletinSummary] = Field(description="Latest issued first (issued_on, then id).")
    next_cursor: str | None = Field(description="The next page's cursor; null on the last.")


routes.command(
    "POST",
    "/v1/bulletins",
    "Issue a brief (简报) or special report (专报) on an inspection's findings",
    body=IssueBulletin,
    status=201,
    handler=lambda ledger: ledger.bulletins.issue_bulletin,
)


@routes.route(
    "GET",
    "/v1/bulletins/{id}",
    "A bulletin with its recipients",
    query=READ,
    response=BulletinView,
)
async def get_bulletin(request: web.Request) -> web.Response:
    return await answer_record(request, "bulletin", records_bulletins.get_bulletin)


@routes.route(
    "GET",
    "/v1/bulletins",
    "List bulletins, latest issued first (of one inspection, with inspection_id)",
    query=(Param("inspection_id", "Only the bulletins on this inspection.", UUID_SCHEMA), *PAGE),
    response=BulletinPage,
)
async def list_bulletins(request: web.Request) -> web.Response:
    inspection_id = query_uuid(request, "inspection_id")
    limit = query_int(request, "limit", 50, 1, 500)
    after = after_day_and_id(request)
    position, known_at = await read_position(request, CHAIN, RECORDS)
    items = await records_bulletins.list_bulletins(
        await reader(request),
        limit=limit + 1,
        position=position,
        inspection_id=inspection_id,
        after=after,
    )
    return page_of(items, limit, "issued_on", known_at, position)
