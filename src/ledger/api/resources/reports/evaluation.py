"""Evaluation references (考核评价参考) of a person or a unit for a period, as JSON, CSV or
with the proofs of every event they rest on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from aiohttp import web

from ledger.api.auth import reader
from ledger.api.csv_export import FORMAT_TYPES, csv_response, render_csv, wants_csv
from ledger.api.errors import ApiError, invalid
from ledger.api.http import json_response, path_uuid, query_bool, query_period
from ledger.api.keys import SETTINGS
from ledger.api.positions import read_position
from ledger.api.proving import PROOFS, prove_streams, query_proofs
from ledger.api.resources.reports.evaluation_csv import COLUMNS, person_rows, unit_rows
from ledger.api.resources.reports.evaluation_schemas import PersonReference, UnitReference
from ledger.api.routing import DAY, KNOWN_AT, MIN_POSITION, Param, RouteTable
from ledger.projections import evaluation
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.findings import NAME as FINDINGS
from ledger.projections.records import NAME as RECORDS

routes = RouteTable("evaluation")


PERIOD = (
    Param("from", "First day of the period, YYYY-MM-DD.", DAY, required=True),
    Param("to", "Last day of the period (included), YYYY-MM-DD.", DAY, required=True),
)


FORMATS = (
    " Served as JSON, or with `Accept: text/csv` as the one table a personnel department"
    " files (UTF-8 with BOM, CRLF): Chinese headers, codes by their labels (as"
    " `/v1/vocabularies`), a 类别 column (任职, 问题, 整改, 问责, 考核), the finding's"
    " description, the documents (文号) each row rests on, sanction reasons and steps, and"
    " the ledger position (账本位置) on every row; it is also in the `Ledger-Position`"
    " header."
)


@routes.route(
    "GET",
    "/v1/persons/{id}/evaluation-reference",
    "Evaluation reference of a person for a period: roles, findings by liability,"
    " rectification, accountability, assessments of the units led." + FORMATS,
    query=(*PERIOD, KNOWN_AT, MIN_POSITION, PROOFS),
    response=PersonReference,
    media_types=FORMAT_TYPES,
)
async def person_reference(request: web.Request) -> web.StreamResponse:
    person_id = path_uuid(request)
    start, end = query_period(request)
    with_proofs = _proofs_wanted(request)
    position, known_at = await read_position(request, CHAIN, FINDINGS, RECORDS)
    as_of = min(end, request.app[SETTINGS].today(known_at))
    found = await evaluation.person_reference(
        await reader(request), person_id, start, end, position, as_of
    )
    if found is None:
        raise ApiError(404, "Not found", f"no person with id {person_id}")
    answer = _head(start, end, position, known_at, as_of) | found
    if with_proofs:
        answer["proofs"] = await prove_streams(request, _rests_on(answer), position)
    name = f"evaluation-reference-person-{person_id}-{start}-{end}.csv"
    return _respond(request, answer, person_rows(answer), name)


@routes.route(
    "GET",
    "/v1/units/{id}/evaluation-reference",
    "Evaluation reference of a unit (or its jurisdiction) for a period: principals, findings"
    " and rectification rates, accountability, assessments." + FORMATS,
    query=(
        *PERIOD,
        Param(
            "include_subunits",
            "Cover the unit's jurisdiction: every unit below it (default false).",
            {"type": "boolean"},
        ),
        KNOWN_AT,
        MIN_POSITION,
        PROOFS,
    ),
    response=UnitReference,
    media_types=FORMAT_TYPES,
)
async def unit_reference(request: web.Request) -> web.StreamResponse:
    unit_id = path_uuid(request)
    start, end = query_period(request)
    with_proofs = _proofs_wanted(request)
    subunits = bool(query_bool(request, "include_subunits"))
    position, known_at = await read_position(request, CHAIN, FINDINGS, RECORDS)
    as_of = min(end, request.app[SETTINGS].today(known_at))
    found = await evaluation.unit_reference(
        await reader(request), unit_id, start, end, position, as_of, subunits
    )
    if found is None:
        raise ApiError(404, "Not found", f"no unit with id {unit_id}")
    answer = _head(start, end, position, known_at, as_of) | {"include_subunits": subunits} | found
    if with_proofs:
        answer["proofs"] = await prove_streams(request, _rests_on(answer), position)
    name = f"evaluation-reference-unit-{unit_id}-{start}-{end}.csv"
    return _respond(request, answer, unit_rows(answer), name)


def _proofs_wanted(request: web.Request) -> bool:
    wanted = query_proofs(request)
    if wanted and wants_csv(request):
        raise invalid("proofs", "format", "proofs come with the JSON answer, not with CSV")
    return wanted


def _rests_on(answer: dict[str, Any]) -> set[UUID]:
    """The streams whose events the reference states: the person or units, the roles,
    findings, cases (with their sanctions), assessments and their indicator sets."""
    ids: set[UUID] = set()
    if "person" in answer:
        ids.add(answer["person"]["id"])
        findings = [f for items in answer["findings"].values() for f in items]
        findings += answer["rectification"]["items"]
        roles = answer["roles"]
    else:
        ids.update(unit["id"] for unit in answer["units"])
        findings = answer["findings"]["items"]
        roles = answer["principals"]
    ids.update(role["assignment_id"] for role in roles)
    ids.update(finding["id"] for finding in findings)
    ids.update(case["id"] for case in answer["accountability"])
    for assessment in answer["assessments"]:
        ids.update((assessment["id"], assessment["indicator_set_id"]))
    return ids


def _head(
    start: date, end: date, position: int, known_at: datetime | None, as_of: date
) -> dict[str, Any]:
    return {
        "period": {"from": start, "to": end},
        "position": position,
        "known_at": known_at,
        "as_of": as_of,
    }


def _respond(
    request: web.Request, answer: dict[str, Any], rows: Iterable[dict[str, Any]], filename: str
) -> web.Response:
    headers = {"Ledger-Position": str(answer["position"])}
    if not wants_csv(request):
        return json_response(answer, headers=headers)
    return csv_response(request, render_csv(COLUMNS, rows), filename, headers)
