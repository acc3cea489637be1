"""Inspections (督察): plan, start, record evidence, feed results back, close."""

from __future__ import annotations

from aiohttp import web

from ledger.api import schemas_loop as schemas
from ledger.api.http import command_answer, context, path_uuid, read_body
from ledger.api.keys import LEDGER
from ledger.api.routing import route

TAG = "inspections"


@route(
    "POST",
    "/v1/inspections",
    "Plan an inspection of one or more units",
    tag=TAG,
    body=schemas.PlanInspection,
    status=201,
)
async def plan_inspection(request: web.Request) -> web.Response:
    body = await read_body(request, schemas.PlanInspection)
    result = await request.app[LEDGER].plan_inspection(
        context(request, body),
        title=body.title,
        year=body.year,
        organizer_unit_id=body.organizer_unit_id,
        target_unit_ids=body.target_unit_ids,
        team=body.team,
        topics=body.topics,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result, 201)


@route(
    "POST",
    "/v1/inspections/{id}/start",
    "Start an inspection",
    tag=TAG,
    body=schemas.StartInspection,
)
async def start_inspection(request: web.Request) -> web.Response:
    inspection_id = path_uuid(request)
    body = await read_body(request, schemas.StartInspection)
    result = await request.app[LEDGER].start_inspection(
        context(request, body), inspection_id, started_on=body.started_on, basis=body.basis
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/inspections/{id}/evidence",
    "Record evidence (interview, document review, site visit) by reference and hash",
    tag=TAG,
    body=schemas.RecordEvidence,
)
async def record_evidence(request: web.Request) -> web.Response:
    inspection_id = path_uuid(request)
    body = await read_body(request, schemas.RecordEvidence)
    result = await request.app[LEDGER].record_evidence(
        context(request, body),
        inspection_id,
        method=body.method,
        summary=body.summary,
        document=body.document,
        sha256=body.sha256,
        unit_id=body.unit_id,
        collected_on=body.collected_on,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/inspections/{id}/feedback",
    "Feed the results back to the inspected units",
    tag=TAG,
    body=schemas.FeedBackResults,
)
async def feed_back_results(request: web.Request) -> web.Response:
    inspection_id = path_uuid(request)
    body = await read_body(request, schemas.FeedBackResults)
    result = await request.app[LEDGER].feed_back(
        context(request, body),
        inspection_id,
        fed_back_on=body.fed_back_on,
        summary=body.summary,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/inspections/{id}/close",
    "Close an inspection after its feedback",
    tag=TAG,
    body=schemas.CloseInspection,
)
async def close_inspection(request: web.Request) -> web.Response:
    inspection_id = path_uuid(request)
    body = await read_body(request, schemas.CloseInspection)
    result = await request.app[LEDGER].close_inspection(
        context(request, body),
        inspection_id,
        closed_on=body.closed_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)
