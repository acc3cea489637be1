"""Inspections (督察): plan, start, record evidence, feed back, close; read one with its
evidence and findings, and list them."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.http import query_choice, query_int, query_uuid
from ledger.api.positions import read_position
from ledger.api.reads import PAGE, READ, UUID_SCHEMA, after_day_and_id, answer_record, page_of
from ledger.api.routing import Param, RouteTable
from ledger.api.schemas import KNOWN_AT_FIELD, POSITION_FIELD, Named, View
from ledger.application.commands import (
    CloseInspection,
    FeedBackResults,
    PlanInspection,
    RecordEvidence,
    StartInspection,
)
from ledger.domain.vocab import (
    Category,
    EvidenceMethod,
    FindingStage,
    InspectionStage,
    Outcome,
    Severity,
)
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.findings import NAME as FINDINGS
from ledger.projections.records import NAME as RECORDS
from ledger.projections.records import lists as records_lists
from ledger.projections.records import queries as records_query

routes = RouteTable("inspections")


class Evidence(View):
    version: int = Field(description="The inspection's stream version that recorded it.")
    method: EvidenceMethod
    summary: str
    document: str | None = Field(description="Reference of the stored document.")
    sha256: str | None
    unit_id: UUID | None
    collected_on: date
    actor: str
    basis: str | None
    recorded_at: datetime


class RaisedFinding(View):
    id: UUID
    unit_id: UUID
    unit_name: str | None
    category: Category
    severity: Severity
    description: str
    found_on: date
    original_deadline: date
    deadline: date = Field(description="The current deadline, after extensions.")
    stage: FindingStage
    outcome: Outcome | None
    verified_on: date | None
    closed_on: date | None


class InspectionView(View):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD
    id: UUID
    version: int
    title: str
    year: int
    organizer_unit_id: UUID
    organizer_name: str | None
    targets: list[Named]
    team: list[Named]
    topics: list[Category]
    starts_on: date
    ends_on: date
    stage: InspectionStage
    started_on: date | None
    fed_back_on: date | None
    feedback_summary: str | None
    closed_on: date | None
    documents: list[str] = Field(
        description="Every document (文号) the inspection's events cite, in ledger order, each"
        " once: its plan, evidence, feedback and closing."
    )
    evidence: list[Evidence] = Field(description="In the order recorded.")
    findings: list[RaisedFinding] = Field(description="Raised by this inspection.")


class InspectionSummary(View):
    id: UUID
    version: int
    title: str
    year: int
    organizer: Named
    targets: list[Named] = Field(description="The units inspected, in the order named.")
    stage: InspectionStage
    starts_on: date
    ends_on: date
    started_on: date | None
    fed_back_on: date | None
    closed_on: date | None
    findings_raised: int = Field(description="How many findings it raised, as known then.")


class InspectionPage(View):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD
    items: list[InspectionSummary] = Field(description="Latest start first (starts_on, then id).")
    next_cursor: str | None = Field(description="The next page's cursor; null on the last.")


routes.command(
    "POST",
    "/v1/inspections",
    "Plan an inspection of one or more units",
    body=PlanInspection,
    status=201,
    handler=lambda ledger: ledger.inspections.plan_inspection,
)


routes.command(
    "POST",
    "/v1/inspections/{id}/start",
    "Start an inspection",
    body=StartInspection,
    handler=lambda ledger: ledger.inspections.start_inspection,
)


routes.command(
    "POST",
    "/v1/inspections/{id}/evidence",
    "Record evidence (interview, document review, site visit) by reference and hash",
    body=RecordEvidence,
    handler=lambda ledger: ledger.inspections.record_evidence,
)


routes.command(
    "POST",
    "/v1/inspections/{id}/feedback",
    "Feed the results back to the inspected units",
    body=FeedBackResults,
    handler=lambda ledger: ledger.inspections.feed_back,
)


routes.command(
    "POST",
    "/v1/inspections/{id}/close",
    "Close an inspection after its feedback",
    body=CloseInspection,
    handler=lambda ledger: ledger.inspections.close_inspection,
)


@routes.route(
    "GET",
    "/v1/inspections/{id}",
    "An inspection with its evidence and the findings it raised",
    query=READ,
    response=InspectionView,
)
async def get_inspection(request: web.Request) -> web.Response:
    return await answer_record(request, "inspection", records_query.get_inspection, FINDINGS)


STAGES = [s.value for s in InspectionStage]


@routes.route(
    "GET",
    "/v1/inspections",
    "Inspections, latest start first, each with its targets and the findings it raised",
    query=(
        Param(
            "year",
            "The inspection's year.",
            {"type": "integer", "minimum": 1900, "maximum": 2199},
        ),
        Param("organizer_unit_id", "Only inspections this unit organized.", UUID_SCHEMA),
        Param("target_unit_id", "Only inspections of this unit (one of its targets).", UUID_SCHEMA),
        Param("stage", "Only inspections at this stage.", {"type": "string", "enum": STAGES}),
        *PAGE,
    ),
    response=InspectionPage,
)
async def list_inspections(request: web.Request) -> web.Response:
    year = query_int(request, "year", 0, 1900, 2199) if "year" in request.query else None
    organizer_unit_id = query_uuid(request, "organizer_unit_id")
    target_unit_id = query_uuid(request, "target_unit_id")
    stage = query_choice(request, "stage", STAGES)
    limit = query_int(request, "limit", 50, 1, 500)
    after = after_day_and_id(request)
    position, known_at = await read_position(request, CHAIN, RECORDS, FINDINGS)
    items = await records_lists.list_inspections(
        await reader(request),
        limit=limit + 1,
        position=position,
        year=year,
        organizer_unit_id=organizer_unit_id,
        target_unit_id=target_unit_id,
        stage=stage,
        after=after,
    )
    return page_of(items, limit, "starts_on", known_at, position)
