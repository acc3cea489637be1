"""The lists of records over HTTP: inspections and accountability cases, newest first,
filtered, a page at a time, as known at a time."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.api.keys import LEDGER, POOL
from ledger.api.resources.cases import CasePage
from ledger.api.resources.inspections import InspectionPage
from ledger.application import Ledger
from ledger.application.commands import (
    CloseCase,
    CloseInspection,
    FeedBackResults,
    ImposeSanction,
    OpenCase,
    PlanInspection,
    StartInspection,
)
from ledger.domain.vocab import Category, SanctionKind
from tests.api.test_record_views import conforms, read
from tests.world import CTX, World, build_world, raised_finding, started_inspection

Client = TestClient[Any, Any]
UNKNOWN = "00000000-0000-4000-8000-000000000000"
INSPECTIONS, CASES = "/v1/inspections", "/v1/accountability-cases"


@dataclass
class Records:
    world: World
    inspections: dict[str, tuple[date, UUID]]  # by letter: (starts_on, id)
    findings: dict[str, UUID]
    cases: dict[str, tuple[date, UUID]]  # by letter: (opened_on, id)
    second_finding: int  # the position that raised findings["f2"]
    last_case: int  # the position that opened cases["K4"]


def newest_first(items: dict[str, tuple[date, UUID]], *letters: str) -> list[str]:
    """The ids of ``letters`` (all when none) in the lists' order: day desc, then id."""
    chosen = [items[k] for k in letters or items]
    return [str(i) for _, i in sorted(chosen, key=lambda d: (-d[0].toordinal(), d[1]))]


async def records(ledger: Ledger, pool: asyncpg.Pool) -> Records:
    """Five inspections (two starting the same day) at every stage, two findings raised by
    A, and four cases (two opened the same day), one closed, one with a sanction."""
    world = await build_world(ledger)
    a = await started_inspection(ledger, world)  # 2024, office → bureau, started

    async def plan(year: int, organizer: UUID, targets: list[UUID], starts_on: date) -> UUID:
        planned = await ledger.inspections.plan_inspection(
            CTX,
            PlanInspection(
                title=f"{year}年专项督察",
                year=year,
                organizer_unit_id=organizer,
                target_unit_ids=targets,
                team=[world.inspector],
                topics=[Category.LAW_ENFORCEMENT],
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=14),
            ),
        )
        return planned.id

    b = await plan(2024, world.city, [world.bureau, world.personnel], date(2024, 9, 1))
    c = await plan(2023, world.office, [world.personnel], date(2023, 10, 10))
    await ledger.inspections.start_inspection(
        CTX, c, StartInspection(started_on=date(2023, 10, 10))
    )
    await ledger.inspections.feed_back(
        CTX, c, FeedBackResults(fed_back_on=date(2023, 10, 24), summary="无问题")
    )
    await ledger.inspections.close_inspection(CTX, c, CloseInspection(closed_on=date(2023, 11, 1)))
    d = await plan(2024, world.office, [world.discipline], date(2024, 5, 6))
    await ledger.inspections.start_inspection(CTX, d, StartInspection(started_on=date(2024, 5, 6)))
    await ledger.inspections.feed_back(
        CTX, d, FeedBackResults(fed_back_on=date(2024, 5, 20), summary="无问题")
    )
    e = await plan(2025, world.office, [world.bureau], date(2025, 3, 1))
    f1 = await raised_finding(ledger, world, a)  # head (principal), deputy (leadership)
    f2 = await raised_finding(ledger, world, a, Category.MAJOR_DECISION)  # head only
    second_finding = int(await pool.fetchval("SELECT max(position) FROM ledger_events"))

    async def case(person: UUID, findings: list[UUID], unit: UUID, opened_on: date) -> UUID:
        opened = await ledger.cases.open_case(
            CTX,
            OpenCase(
                person_id=person, finding_ids=findings, handling_unit_id=unit, opened_on=opened_on
            ),
        )
        return opened.id

    k1 = await case(world.deputy, [f1], world.discipline, date(2024, 9, 1))
    await ledger.cases.close_case(CTX, k1, CloseCase(closed_on=date(2024, 10, 1), reason="办结"))
    k2 = await case(world.head, [f1, f2], world.discipline, date(2024, 10, 1))
    k3 = await case(world.head, [f2], world.personnel, date(2024, 10, 1))
    await ledger.cases.impose_sanction(
        CTX,
        k3,
        ImposeSanction(kind=SanctionKind.WRITTEN_SELF_CRITICISM, decided_on=date(2024, 10, 20)),
    )
    k4 = await ledger.cases.open_case(
        CTX,
        OpenCase(
            person_id=world.deputy,
            finding_ids=[f1],
            handling_unit_id=world.personnel,
            opened_on=date(2024, 11, 15),
        ),
    )
    inspections = {
        "A": (date(2024, 5, 6), a),
        "B": (date(2024, 9, 1), b),
        "C": (date(2023, 10, 10), c),
        "D": (date(2024, 5, 6), d),
        "E": (date(2025, 3, 1), e),
    }
    cases = {
        "K1": (date(2024, 9, 1), k1),
        "K2": (date(2024, 10, 1), k2),
        "K3": (date(2024, 10, 1), k3),
        "K4": (date(2024, 11, 15), k4.id),
    }
    return Records(world, inspections, {"f1": f1, "f2": f2}, cases, second_finding, k4.position)


@pytest.fixture
async def made(client: Client) -> Records:
    return await records(client.app[LEDGER], client.app[POOL])


async def ids(client: Client, url: str) -> list[str]:
    path = url.split("?")[0]
    body = await read(client, url)
    conforms(body, path, InspectionPage if path == INSPECTIONS else CasePage)
    assert body["next_cursor"] is None
    return [item["id"] for item in body["items"]]


async def test_inspections_newest_first_with_their_targets_and_findings(
    client: Client, made: Records
) -> None:
    body = await read(client, INSPECTIONS)
    conforms(body, INSPECTIONS, InspectionPage)
    assert [i["id"] for i in body["items"]] == newest_first(made.inspections)
    assert (body["known_at"], body["next_cursor"]) == (None, None)
    by_id = {i["id"]: i for i in body["items"]}
    a = by_id[str(made.inspections["A"][1])]
    assert (a["stage"], a["year"], a["findings_raised"], a["version"]) == ("started", 2024, 2, 2)
    assert a["organizer"] == {"id": str(made.world.office), "name": "市委依法治市办"}
    assert a["targets"] == [{"id": str(made.world.bureau), "name": "无锡市司法局"}]
    b = by_id[str(made.inspections["B"][1])]
    assert [t["name"] for t in b["targets"]] == ["无锡市司法局", "市委组织部"]
    assert (b["stage"], b["started_on"], b["findings_raised"]) == ("planned", None, 0)
    c = by_id[str(made.inspections["C"][1])]
    assert (c["stage"], c["started_on"], c["fed_back_on"], c["closed_on"]) == (
        "closed",
        "2023-10-10",
        "2023-10-24",
        "2023-11-01",
    )


async def test_inspection_filters_each_narrow(client: Client, made: Records) -> None:
    w, i = made.world, made.inspections
    assert await ids(client, f"{INSPECTIONS}?year=2024") == newest_first(i, "A", "B", "D")
    assert await ids(client, f"{INSPECTIONS}?year=2022") == []
    assert await ids(client, f"{INSPECTIONS}?organizer_unit_id={w.city}") == newest_first(i, "B")
    assert await ids(client, f"{INSPECTIONS}?organizer_unit_id={w.office}") == newest_first(
        i, "A", "C", "D", "E"
    )
    assert await ids(client, f"{INSPECTIONS}?target_unit_id={w.bureau}") == newest_first(
        i, "A", "B", "E"
    )
    assert await ids(client, f"{INSPECTIONS}?target_unit_id={w.personnel}") == newest_first(
        i, "B", "C"
    )
    assert await ids(client, f"{INSPECTIONS}?target_unit_id={UNKNOWN}") == []
    for stage, letters in {
        "planned": ("B", "E"),
        "started": ("A",),
        "fed_back": ("D",),
        "closed": ("C",),
    }.items():
        assert await ids(client, f"{INSPECTIONS}?stage={stage}") == newest_first(i, *letters)
    both = f"{INSPECTIONS}?year=2024&target_unit_id={w.bureau}&stage=planned"
    assert await ids(client, both) == newest_first(i, "B")


async def pages(client: Client, url: str, limit: int) -> list[list[str]]:
    """Every page of ``url``, following next_cursor to the last."""
    path = url.split("?")[0]
    model = InspectionPage if path == INSPECTIONS else CasePage
    separator = "&" if "?" in url else "?"
    found: list[list[str]] = []
    cursor = ""
    while True:
        body = await read(client, f"{url}{separator}limit={limit}{cursor}")
        conforms(body, path, model)
        found.append([item["id"] for item in body["items"]])
        if body["next_cursor"] is None:
            return found
        assert len(body["items"]) == limit
        cursor = f"&cursor={body['next_cursor']}"


def flat(found: list[list[str]]) -> list[str]:
    return [item for page in found for item in page]


async def test_pages_return_every_item_once_in_order(client: Client, made: Records) -> None:
    inspections = await pages(client, INSPECTIONS, 2)
    assert [len(p) for p in inspections] == [2, 2, 1]
    assert flat(inspections) == newest_first(made.inspections)
    assert flat(await pages(client, INSPECTIONS, 1)) == newest_first(made.inspections)
    assert await pages(client, INSPECTIONS, 5) == [newest_first(made.inspections)]
    cases = await pages(client, CASES, 3)
    assert [len(p) for p in cases] == [3, 1]
    assert flat(cases) == newest_first(made.cases)
    assert flat(await pages(client, CASES, 1)) == newest_first(made.cases)
    # with a filter: the cursor continues within it
    office = await pages(client, f"{INSPECTIONS}?organizer_unit_id={made.world.office}", 1)
    assert flat(office) == newest_first(made.inspections, "A", "C", "D", "E")
    head = await pages(client, f"{CASES}?person_id={made.world.head}", 1)
    assert head == [[i] for i in newest_first(made.cases, "K2", "K3")]


async def test_cases_newest_first_with_their_sanctions(client: Client, made: Records) -> None:
    body = await read(client, CASES)
    conforms(body, CASES, CasePage)
    assert [c["id"] for c in body["items"]] == newest_first(made.cases)
    by_id = {c["id"]: c for c in body["items"]}
    k3 = by_id[str(made.cases["K3"][1])]
    single = await read(client, f"{CASES}/{made.cases['K3'][1]}")
    assert k3 == {k: v for k, v in single.items() if k not in ("known_at", "position")}
    (sanction,) = k3["sanctions"]
    assert (sanction["kind"], sanction["in_force"]) == ("written_self_criticism", True)
    k1 = by_id[str(made.cases["K1"][1])]
    assert (k1["person_name"], k1["handling_unit_name"], k1["closed_on"]) == (
        "孙副局长",
        "市纪委监委",
        "2024-10-01",
    )
    assert k1["sanctions"] == []


async def test_case_filters_each_narrow(client: Client, made: Records) -> None:
    w, k, f = made.world, made.cases, made.findings
    assert await ids(client, f"{CASES}?person_id={w.head}") == newest_first(k, "K2", "K3")
    assert await ids(client, f"{CASES}?person_id={w.deputy}") == newest_first(k, "K1", "K4")
    assert await ids(client, f"{CASES}?person_id={w.clerk}") == []
    assert await ids(client, f"{CASES}?handling_unit_id={w.discipline}") == newest_first(
        k, "K1", "K2"
    )
    assert await ids(client, f"{CASES}?handling_unit_id={w.personnel}") == newest_first(
        k, "K3", "K4"
    )
    assert await ids(client, f"{CASES}?finding_id={f['f1']}") == newest_first(k, "K1", "K2", "K4")
    assert await ids(client, f"{CASES}?finding_id={f['f2']}") == newest_first(k, "K2", "K3")
    assert await ids(client, f"{CASES}?finding_id={UNKNOWN}") == []
    assert await ids(client, f"{CASES}?open=true") == newest_first(k, "K2", "K3", "K4")
    assert await ids(client, f"{CASES}?open=false") == newest_first(k, "K1")
    combined = f"{CASES}?person_id={w.deputy}&open=true&finding_id={f['f1']}"
    assert await ids(client, combined) == newest_first(k, "K4")


async def known_at(client: Client, position: int) -> str:
    """A time just before ``position`` was recorded."""
    recorded_at = await client.app[POOL].fetchval(
        "SELECT recorded_at FROM ledger_seal WHERE position = $1", position
    )
    return str((recorded_at - timedelta(microseconds=1)).isoformat()).replace("+00:00", "Z")


async def test_known_at_before_a_record_hides_it(client: Client, made: Records) -> None:
    before_k4 = await known_at(client, made.last_case)
    body = await read(client, f"{CASES}?known_at={before_k4}")
    conforms(body, CASES, CasePage)
    assert [c["id"] for c in body["items"]] == newest_first(made.cases, "K1", "K2", "K3")
    assert body["known_at"] is not None and body["position"] < made.last_case
    assert await ids(client, f"{CASES}?known_at={before_k4}&person_id={made.world.deputy}") == (
        newest_first(made.cases, "K1")
    )
    now = await read(client, CASES)
    assert str(made.cases["K4"][1]) in [c["id"] for c in now["items"]]
    # Before the second finding was raised, inspection A had raised one.
    before_f2 = await known_at(client, made.second_finding)
    body = await read(client, f"{INSPECTIONS}?known_at={before_f2}&stage=started")
    conforms(body, INSPECTIONS, InspectionPage)
    (a,) = body["items"]
    assert (a["id"], a["findings_raised"]) == (str(made.inspections["A"][1]), 1)
    # Before anything was recorded, there was nothing to list.
    empty = await read(client, f"{INSPECTIONS}?known_at=2000-01-01T00:00:00Z")
    assert (empty["items"], empty["position"], empty["next_cursor"]) == ([], 0, None)


def cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


BAD: dict[str, tuple[str, dict[str, str], str, str]] = {
    "year-word": (INSPECTIONS, {"year": "2024x"}, "year", "integer"),
    "year-empty": (INSPECTIONS, {"year": ""}, "year", "integer"),
    "year-1899": (INSPECTIONS, {"year": "1899"}, "year", "range"),
    "year-2200": (INSPECTIONS, {"year": "2200"}, "year", "range"),
    "organizer-not-uuid": (INSPECTIONS, {"organizer_unit_id": "x"}, "organizer_unit_id", "uuid"),
    "target-not-uuid": (INSPECTIONS, {"target_unit_id": "1"}, "target_unit_id", "uuid"),
    "stage-unknown": (INSPECTIONS, {"stage": "done"}, "stage", "enum"),
    "stage-empty": (INSPECTIONS, {"stage": ""}, "stage", "enum"),
    "inspections-limit-zero": (INSPECTIONS, {"limit": "0"}, "limit", "range"),
    "inspections-limit-501": (INSPECTIONS, {"limit": "501"}, "limit", "range"),
    "inspections-cursor-not-base64": (INSPECTIONS, {"cursor": "!!!"}, "cursor", "cursor"),
    "inspections-cursor-not-a-date": (
        INSPECTIONS,
        {"cursor": cursor(["x", UNKNOWN])},
        "cursor",
        "cursor",
    ),
    "inspections-cursor-short": (
        INSPECTIONS,
        {"cursor": cursor(["2024-01-01"])},
        "cursor",
        "cursor",
    ),
    "inspections-known-at-naive": (
        INSPECTIONS,
        {"known_at": "2024-06-01T00:00:00"},
        "known_at",
        "datetime",
    ),
    "inspections-min-position": (INSPECTIONS, {"min_position": "-1"}, "min_position", "range"),
    "person-not-uuid": (CASES, {"person_id": "x"}, "person_id", "uuid"),
    "handling-unit-not-uuid": (CASES, {"handling_unit_id": "x"}, "handling_unit_id", "uuid"),
    "finding-not-uuid": (CASES, {"finding_id": "12345"}, "finding_id", "uuid"),
    "open-yes": (CASES, {"open": "yes"}, "open", "boolean"),
    "open-one": (CASES, {"open": "1"}, "open", "boolean"),
    "cases-limit-word": (CASES, {"limit": "ten"}, "limit", "integer"),
    "cases-limit-501": (CASES, {"limit": "501"}, "limit", "range"),
    "cases-cursor-numbers": (CASES, {"cursor": cursor([1, 2])}, "cursor", "cursor"),
    "cases-cursor-not-a-list": (CASES, {"cursor": cursor({"a": 1})}, "cursor", "cursor"),
    "cases-known-at-naive": (CASES, {"known_at": "2024-06-01T00:00:00"}, "known_at", "datetime"),
    "cases-known-at-word": (CASES, {"known_at": "yesterday"}, "known_at", "datetime"),
}


@pytest.mark.parametrize(("path", "params", "field", "rule"), BAD.values(), ids=BAD.keys())
async def test_bad_query_names_the_parameter(
    client: Client, path: str, params: dict[str, str], field: str, rule: str
) -> None:
    response = await client.get(path, params=params)
    text = await response.text()
    assert response.status == 422, text
    assert response.content_type == "application/problem+json"
    assert [(e["field"], e["rule"]) for e in json.loads(text)["errors"]] == [(field, rule)]
