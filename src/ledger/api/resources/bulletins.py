"""Bulletins (通报): issue one on an inspection's findings, and read it."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.reads import READ, answer_record
from ledger.api.routing import RouteTable
from ledger.api.schemas import KNOWN_AT_FIELD, POSITION_FIELD, View
from ledger.application.commands import IssueBulletin
from ledger.domain.vocab import (
    BulletinKind,
    UnitKind,
)
from ledger.projections.records import queries as records_query

routes = RouteTable("bulletins")


class Recipient(View):
    unit_id: UUID
    name: str | None
    kind: UnitKind | None


class BulletinView(View):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD
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
    return await answer_record(request, "bulletin", records_query.get_bulletin)
