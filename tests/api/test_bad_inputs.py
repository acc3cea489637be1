"""Bad input over HTTP: every refusal is a problem+json 4xx naming the field, and writes nothing."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from tests.conftest import log_count

PROBLEM_JSON = "application/problem+json"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
MAX_BODY = 1_048_576


async def assert_problem(
    response: ClientResponse,
    status: int,
    field: str | None = None,
    rule: str | None = None,
) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with ``status``, naming ``field`` and ``rule`` if given."""
    text = await response.text()
    assert response.status == status, text
    assert response.content_type == PROBLEM_JSON
    assert "Traceback" not in text
    body = json.loads(text)
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    named = [(e["field"], e["rule"]) for e in body.get("errors", [])]
    assert all(r for _, r in named), body
    if field is not None:
        assert field in [f for f, _ in named], body
    if rule is not None:
        assert (field, rule) in named if field else rule in [r for _, r in named], body
    return body


async def post(
    client: TestClient[Any, Any], path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=headers)
    assert response.status in (200, 201), await response.text()
    return dict(await response.json())


@dataclass(frozen=True)
class World:
    """Ids of what a test may refer to (see the ``world`` fixture)."""

    gov: str
    dept: str
    other: str
    gone: str
    person: str
    person2: str
    secretary: str
    leader: str
    other_head: str

    def ids(self) -> dict[str, str]:
        return {k: str(v) for k, v in vars(self).items()} | {"unknown": UNKNOWN}


@pytest.fixture
async def world(client: TestClient[Any, Any], headers: dict[str, str]) -> World:
    """A city government (code NJ-GOV) with a department, its party secretary from
    2021-03-01 and a leader reporting to them; another unit with its head; a dissolved unit."""

    async def unit(name: str, kind: str = "government", **extra: Any) -> str:
        body = {"name": name, "kind": kind, "level": "municipal", **extra}
        return str((await post(client, "/v1/units", body, headers))["id"])

    async def person(name: str) -> str:
        return str((await post(client, "/v1/persons", {"name": name}, headers))["id"])

    gov = await unit("南京市人民政府", code="NJ-GOV")
    dept = await unit("南京市司法局", "department", parent_id=gov)
    other = await unit("苏州市人民政府")
    gone = await unit("已撤销的办公室", "other")
    await post(client, f"/v1/units/{gone}/dissolve", {"reason": "机构改革"}, headers)
    first, second, third = await person("王明"), await person("李华"), await person("张伟")

    async def assign(unit_id: str, person_id: str, role: str, **extra: Any) -> str:
        body = {
            "unit_id": unit_id,
            "person_id": person_id,
            "role": role,
            "title": "书记",
            "effective_from": "2021-03-01",
            **extra,
        }
        return str((await post(client, "/v1/assignments", body, headers))["id"])

    secretary = await assign(gov, first, "principal", principal_title="party_secretary")
    leader = await assign(gov, second, "leader", reports_to=secretary, portfolio=["other"])
    other_head = await assign(other, third, "principal", principal_title="government_head")
    return World(gov, dept, other, gone, first, second, secretary, leader, other_head)


@dataclass(frozen=True)
class Ref:
    """A placeholder in a case body for an id of the ``World``."""

    name: str


def resolve(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, Ref):
        return ids[value.name]
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    return value


@dataclass(frozen=True)
class Case:
    """One bad request: path (formatted with the world's ids), JSON body, expected answer."""

    path: str
    body: Any
    status: int = 422
    field: str | None = None
    rule: str | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def unit_body(**changes: Any) -> dict[str, Any]:
    body = {"name": "江宁区人民政府", "kind": "government", "level": "county"}
    return {k: v for k, v in (body | changes).items() if v is not None}


def assign_body(**changes: Any) -> dict[str, Any]:
    body = {
        "unit_id": Ref("gov"),
        "person_id": Ref("person2"),
        "role": "staff",
        "title": "科员",
        "effective_from": "2021-06-01",
    }
    return {k: v for k, v in (body | changes).items() if v is not None}


def principal_body(**changes: Any) -> dict[str, Any]:
    return assign_body(**({"role": "principal", "principal_title": "party_secretary"} | changes))


def correct_body(name: str, new: Any) -> dict[str, Any]:
    return {"field": name, "new": new, "reason": "录入错误"}


COMMAND_CASES: dict[str, Case] = {
    # POST /v1/units: types, required and unknown fields, vocabularies, strings
    "unit-missing-name": Case("/v1/units", unit_body(name=None), field="name", rule="missing"),
    "unit-name-not-a-string": Case(
        "/v1/units", unit_body(name=123), field="name", rule="string_type"
    ),
    "unit-unknown-field": Case(
        "/v1/units", unit_body(colour="red"), field="colour", rule="extra_forbidden"
    ),
    "unit-unknown-kind": Case("/v1/units", unit_body(kind="ministry"), field="kind", rule="enum"),
    "unit-unknown-level": Case(
        "/v1/units", unit_body(level="galactic"), field="level", rule="enum"
    ),
    "unit-kind-as-list": Case(
        "/v1/units", unit_body(kind=["government"]), field="kind", rule="enum"
    ),
    "unit-name-201-chars": Case(
        "/v1/units", unit_body(name="局" * 201), field="name", rule="string_too_long"
    ),
    "unit-name-bell-char": Case(
        "/v1/units", unit_body(name="南京\x07市"), field="name", rule="string_pattern_mismatch"
    ),
    "unit-name-inner-newline": Case(
        "/v1/units", unit_body(name="南京\n市"), field="name", rule="string_pattern_mismatch"
    ),
    "unit-name-nul": Case(
        "/v1/units", unit_body(name="南京\x00市"), field="name", rule="string_pattern_mismatch"
    ),
    "unit-name-blank": Case(
        "/v1/units", unit_body(name="   "), field="name", rule="string_too_short"
    ),
    "unit-code-with-space": Case(
        "/v1/units", unit_body(code="NJ GOV"), field="code", rule="string_pattern_mismatch"
    ),
    "unit-parent-not-uuid": Case(
        "/v1/units", unit_body(parent_id="abc"), field="parent_id", rule="uuid_parsing"
    ),
    "unit-parent-as-number": Case(
        "/v1/units", unit_body(parent_id=5), field="parent_id", rule="uuid_type"
    ),
    "unit-unknown-parent": Case(
        "/v1/units", unit_body(parent_id=UNKNOWN), 404, "parent_id", "not_found"
    ),
    "unit-reason-control-character": Case(
        "/v1/units",
        unit_body(reason="机构\u0007调整"),
        field="reason",
        rule="string_pattern_mismatch",
    ),
    "unit-dissolved-parent": Case(
        "/v1/units", unit_body(parent_id=Ref("gone")), 409, "parent_id", "unit_dissolved"
    ),
    "unit-duplicate-code": Case(
        "/v1/units", unit_body(code="NJ-GOV"), 409, "code", "invariant_violation"
    ),
    "unit-basis-too-long": Case(
        "/v1/units", unit_body(basis="号" * 201), field="basis", rule="string_too_long"
    ),
    # POST /v1/persons
    "person-missing-name": Case("/v1/persons", {"person_no": "P1"}, field="name", rule="missing"),
    "person-no-as-number": Case(
        "/v1/persons", {"name": "赵六", "person_no": 12}, field="person_no", rule="string_type"
    ),
    "person-unknown-field": Case(
        "/v1/persons", {"name": "赵六", "age": 40}, field="age", rule="extra_forbidden"
    ),
    # POST /v1/assignments
    "assign-unknown-unit": Case(
        "/v1/assignments", assign_body(unit_id=UNKNOWN), 404, "unit_id", "not_found"
    ),
    "assign-unknown-person": Case(
        "/v1/assignments", assign_body(person_id=UNKNOWN), 404, "person_id", "not_found"
    ),
    "assign-unknown-reports-to": Case(
        "/v1/assignments", assign_body(reports_to=UNKNOWN), 404, "reports_to", "not_found"
    ),
    "assign-dissolved-unit": Case(
        "/v1/assignments", assign_body(unit_id=Ref("gone")), 409, "unit_id", "unit_dissolved"
    ),
    "assign-unknown-role": Case(
        "/v1/assignments", assign_body(role="deputy"), field="role", rule="enum"
    ),
    "assign-missing-title": Case(
        "/v1/assignments", assign_body(title=None), field="title", rule="missing"
    ),
    "assign-missing-effective-from": Case(
        "/v1/assignments", assign_body(effective_from=None), field="effective_from", rule="missing"
    ),
    "assign-principal-without-title": Case(
        "/v1/assignments",
        assign_body(role="principal"),
        field="principal_title",
        rule="invalid_input",
    ),
    "assign-staff-with-principal-title": Case(
        "/v1/assignments",
        assign_body(principal_title="unit_head"),
        field="principal_title",
        rule="invalid_input",
    ),
    "assign-unknown-principal-title": Case(
        "/v1/assignments",
        principal_body(principal_title="mayor"),
        field="principal_title",
        rule="enum",
    ),
    "assign-overlapping-principal": Case(
        "/v1/assignments", principal_body(), 409, "effective_from", "principal_overlap"
    ),
    "assign-overlapping-principal-before": Case(
        "/v1/assignments",
        principal_body(effective_from="2020-01-01"),
        409,
        "effective_from",
        "principal_overlap",
    ),
    "assign-reports-to-other-unit": Case(
        "/v1/assignments",
        assign_body(reports_to=Ref("other_head")),
        409,
        "reports_to",
        "reports_to_error",
    ),
    "assign-reports-to-not-yet-in-effect": Case(
        "/v1/assignments",
        assign_body(reports_to=Ref("secretary"), effective_from="2021-01-01"),
        409,
        "reports_to",
        "reports_to_error",
    ),
    "assign-date-feb-30": Case(
        "/v1/assignments",
        assign_body(effective_from="2021-02-30"),
        field="effective_from",
        rule="date_parsing",
    ),
    "assign-date-month-13": Case(
        "/v1/assignments",
        assign_body(effective_from="2021-13-01"),
        field="effective_from",
        rule="date_parsing",
    ),
    "assign-date-yesterday": Case(
        "/v1/assignments",
        assign_body(effective_from="yesterday"),
        field="effective_from",
        rule="date_parsing",
    ),
    "assign-date-year-0021": Case(
        "/v1/assignments",
        assign_body(effective_from="0021-03-01"),
        field="effective_from",
        rule="value_error",
    ),
    "assign-date-as-number": Case(
        "/v1/assignments",
        assign_body(effective_from=20210301),
        field="effective_from",
        rule="date_type",
    ),
    "assign-unit-not-uuid": Case(
        "/v1/assignments", assign_body(unit_id="南京"), field="unit_id", rule="uuid_parsing"
    ),
    "assign-unknown-category": Case(
        "/v1/assignments", assign_body(portfolio=["taxes"]), field="portfolio.0", rule="enum"
    ),
    "assign-portfolio-not-list": Case(
        "/v1/assignments", assign_body(portfolio="other"), field="portfolio", rule="list_type"
    ),
    # POST /v1/assignments/{id}/end
    "end-before-start": Case(
        "/v1/assignments/{leader}/end",
        {"effective_to": "2021-01-01", "reason": "transferred"},
        field="effective_to",
        rule="period_error",
    ),
    "end-on-start": Case(
        "/v1/assignments/{leader}/end",
        {"effective_to": "2021-03-01", "reason": "transferred"},
        field="effective_to",
        rule="period_error",
    ),
    "end-unknown-reason": Case(
        "/v1/assignments/{leader}/end",
        {"effective_to": "2022-01-01", "reason": "fired"},
        field="reason",
        rule="enum",
    ),
    "end-missing-reason": Case(
        "/v1/assignments/{leader}/end",
        {"effective_to": "2022-01-01"},
        field="reason",
        rule="missing",
    ),
    "end-unknown-assignment": Case(
        "/v1/assignments/{unknown}/end",
        {"effective_to": "2022-01-01", "reason": "retired"},
        404,
        "id",
        "not_found",
    ),
    "end-malformed-path-id": Case(
        "/v1/assignments/123/end",
        {"effective_to": "2022-01-01", "reason": "retired"},
        field="id",
        rule="uuid",
    ),
    # POST /v1/assignments/{id}/portfolio
    "portfolio-unknown-category": Case(
        "/v1/assignments/{leader}/portfolio",
        {"portfolio": ["taxes"], "effective_on": "2022-01-01"},
        field="portfolio.0",
        rule="enum",
    ),
    "portfolio-before-start": Case(
        "/v1/assignments/{leader}/portfolio",
        {"portfolio": ["law_enforcement"], "effective_on": "2020-01-01"},
        field="effective_on",
        rule="period_error",
    ),
    "portfolio-unchanged": Case(
        "/v1/assignments/{leader}/portfolio",
        {"portfolio": ["other"], "effective_on": "2022-01-01"},
        field="portfolio",
        rule="invalid_input",
    ),
    "portfolio-missing-date": Case(
        "/v1/assignments/{leader}/portfolio",
        {"portfolio": ["other"]},
        field="effective_on",
        rule="missing",
    ),
    # POST /v1/assignments/{id}/correct
    "correct-unknown-field": Case(
        "/v1/assignments/{leader}/correct",
        correct_body("person_id", UNKNOWN),
        field="field",
        rule="enum",
    ),
    "correct-reports-to-itself": Case(
        "/v1/assignments/{leader}/correct",
        correct_body("reports_to", Ref("leader")),
        409,
        "new",
        "cycle_error",
    ),
    "correct-reports-to-unknown": Case(
        "/v1/assignments/{leader}/correct",
        correct_body("reports_to", UNKNOWN),
        404,
        "new",
        "not_found",
    ),
    "correct-reports-to-other-unit": Case(
        "/v1/assignments/{leader}/correct",
        correct_body("reports_to", Ref("other_head")),
        409,
        "new",
        "reports_to_error",
    ),
    "correct-bad-date": Case(
        "/v1/assignments/{leader}/correct",
        correct_body("effective_from", "2021-02-30"),
        field="new",
        rule="date_parsing",
    ),
    "correct-principal-title-of-leader": Case(
        "/v1/assignments/{leader}/correct",
        correct_body("principal_title", "unit_head"),
        field="principal_title",
        rule="invalid_input",
    ),
    "correct-end-of-current": Case(
        "/v1/assignments/{leader}/correct",
        correct_body("effective_to", "2022-01-01"),
        field="field",
        rule="invalid_input",
    ),
    "correct-same-value": Case(
        "/v1/assignments/{leader}/correct",
        correct_body("effective_from", "2021-03-01"),
        field="new",
        rule="invalid_input",
    ),
    "correct-missing-reason": Case(
        "/v1/assignments/{leader}/correct",
        {"field": "title", "new": "副市长"},
        field="reason",
        rule="missing",
    ),
    # POST /v1/units/{id}/rename | move | dissolve
    "rename-same-name": Case(
        "/v1/units/{gov}/rename", {"name": "南京市人民政府"}, field="name", rule="invalid_input"
    ),
    "rename-too-long": Case(
        "/v1/units/{gov}/rename", {"name": "x" * 201}, field="name", rule="string_too_long"
    ),
    "rename-dissolved": Case(
        "/v1/units/{gone}/rename", {"name": "新名称"}, 409, rule="unit_dissolved"
    ),
    "rename-unknown-unit": Case(
        "/v1/units/{unknown}/rename", {"name": "新名称"}, 404, "id", "not_found"
    ),
    "rename-malformed-path-id": Case(
        "/v1/units/not-a-uuid/rename", {"name": "新名称"}, field="id", rule="uuid"
    ),
    "move-makes-cycle": Case(
        "/v1/units/{gov}/move", {"parent_id": Ref("dept")}, 409, "parent_id", "cycle_error"
    ),
    "move-under-itself": Case(
        "/v1/units/{gov}/move", {"parent_id": Ref("gov")}, 409, "parent_id", "cycle_error"
    ),
    "move-unknown-parent": Case(
        "/v1/units/{dept}/move", {"parent_id": UNKNOWN}, 404, "parent_id", "not_found"
    ),
    "move-same-parent": Case(
        "/v1/units/{dept}/move", {"parent_id": Ref("gov")}, field="parent_id", rule="invalid_input"
    ),
    "move-under-dissolved": Case(
        "/v1/units/{dept}/move", {"parent_id": Ref("gone")}, 409, "parent_id", "unit_dissolved"
    ),
    "move-missing-parent": Case("/v1/units/{dept}/move", {}, field="parent_id", rule="missing"),
    "dissolve-into-itself": Case(
        "/v1/units/{dept}/dissolve",
        {"merged_into": Ref("dept")},
        field="merged_into",
        rule="invalid_input",
    ),
    "dissolve-into-unknown": Case(
        "/v1/units/{dept}/dissolve", {"merged_into": UNKNOWN}, 404, "merged_into", "not_found"
    ),
    "dissolve-twice": Case("/v1/units/{gone}/dissolve", {}, 409, rule="unit_dissolved"),
    "dissolve-bad-date": Case(
        "/v1/units/{dept}/dissolve",
        {"effective_on": "2021-13-01"},
        field="effective_on",
        rule="date_parsing",
    ),
    # POST /v1/persons/{id}/correct
    "person-correct-missing-reason": Case(
        "/v1/persons/{person}/correct", {"name": "王明明"}, field="reason", rule="missing"
    ),
    "person-correct-changes-nothing": Case(
        "/v1/persons/{person}/correct",
        {"name": "王明", "reason": "核对"},
        field="name",
        rule="invalid_input",
    ),
    "person-correct-unknown": Case(
        "/v1/persons/{unknown}/correct",
        {"name": "王明明", "reason": "核对"},
        404,
        "id",
        "not_found",
    ),
    # headers of a command
    "if-match-not-a-version": Case(
        "/v1/units/{gov}/rename",
        {"name": "新名称"},
        field="If-Match",
        rule="etag",
        headers={"If-Match": "abc"},
    ),
    "if-match-superscript-digit": Case(
        "/v1/units/{gov}/rename",
        {"name": "新名称"},
        field="If-Match",
        rule="etag",
        headers={"If-Match": '"²"'},
    ),
    "if-match-huge-number": Case(
        "/v1/units/{gov}/rename",
        {"name": "新名称"},
        field="If-Match",
        rule="etag",
        headers={"If-Match": '"' + "9" * 5000 + '"'},
    ),
    "idempotency-key-too-long": Case(
        "/v1/units",
        unit_body(),
        field="Idempotency-Key",
        rule="format",
        headers={"Idempotency-Key": "k" * 201},
    ),
}


@pytest.mark.parametrize("case", COMMAND_CASES.values(), ids=COMMAND_CASES.keys())
async def test_bad_command_is_refused_and_writes_nothing(
    case: Case,
    client: TestClient[Any, Any],
    pool: asyncpg.Pool,
    headers: dict[str, str],
    world: World,
) -> None:
    ids = world.ids()
    before = await log_count(pool)
    response = await client.post(
        case.path.format(**ids), json=resolve(case.body, ids), headers=headers | case.headers
    )
    await assert_problem(response, case.status, case.field, case.rule)
    assert await log_count(pool) == before


def oversize_body() -> bytes:
    body = json.dumps(unit_body(name="局" * (MAX_BODY // 3 + 1)), ensure_ascii=False).encode()
    assert len(body) > MAX_BODY
    return body


RAW_CASES: dict[str, tuple[bytes, str | None, int, str | None]] = {
    "malformed-json": (b'{"name": "x", ', "application/json", 400, None),
    "empty-body": (b"", "application/json", 400, None),
    "whitespace-body": (b"  \n ", "application/json", 400, None),
    "json-array": (b'[{"name": "x"}]', "application/json", 422, "(body)"),
    "json-string": (b'"x"', "application/json", 422, "(body)"),
    "json-null": (b"null", "application/json", 422, "(body)"),
    "invalid-utf8": (b'{"name": "\xff\xfe"}', "application/json", 400, None),
    "lone-surrogate": (
        b'{"name": "a\\ud800b", "kind": "government", "level": "county"}',
        "application/json",
        422,
        "(body)",
    ),
    "deeply-nested": (b"[" * 100_000, "application/json", 400, None),
    "number-over-digit-limit": (b'{"name": ' + b"1" * 5000 + b"}", "application/json", 400, None),
    "text-plain": (b'{"name": "x"}', "text/plain", 415, None),
    "form-encoded": (b"name=x", "application/x-www-form-urlencoded", 415, None),
    "no-content-type": (b'{"name": "x"}', None, 415, None),
    "over-size-limit": (oversize_body(), "application/json", 413, None),
}


@pytest.mark.parametrize("path", ["/v1/units", "/v1/persons", "/v1/units/{gov}/rename"])
@pytest.mark.parametrize(
    ("data", "content_type", "status", "field"), RAW_CASES.values(), ids=RAW_CASES.keys()
)
async def test_bad_body_is_refused_and_writes_nothing(
    path: str,
    data: bytes,
    content_type: str | None,
    status: int,
    field: str | None,
    client: TestClient[Any, Any],
    pool: asyncpg.Pool,
    headers: dict[str, str],
    world: World,
) -> None:
    before = await log_count(pool)
    sent = dict(headers)
    if content_type is not None:
        sent["Content-Type"] = content_type
    response = await client.post(path.format(**world.ids()), data=io.BytesIO(data), headers=sent)
    await assert_problem(response, status, field)
    assert await log_count(pool) == before


def cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


QUERY_CASES: dict[str, tuple[str, dict[str, str], int, str | None, str | None]] = {
    "valid-at-feb-30": (
        "/v1/units/{gov}/chain",
        {"valid_at": "2021-02-30"},
        422,
        "valid_at",
        "date",
    ),
    "valid-at-month-13": (
        "/v1/units/{gov}/chain",
        {"valid_at": "2021-13-01"},
        422,
        "valid_at",
        "date",
    ),
    "valid-at-yesterday": (
        "/v1/units/{gov}/chain",
        {"valid_at": "yesterday"},
        422,
        "valid_at",
        "date",
    ),
    "valid-at-year-21": (
        "/v1/units/{gov}/chain",
        {"valid_at": "0021-01-01"},
        422,
        "valid_at",
        "range",
    ),
    "valid-at-empty": ("/v1/assignments/{leader}", {"valid_at": ""}, 422, "valid_at", "date"),
    "valid-at-on-person": (
        "/v1/persons/{person}",
        {"valid_at": "2021-02-29"},
        422,
        "valid_at",
        "date",
    ),
    "known-at-without-offset": (
        "/v1/units/{gov}/chain",
        {"known_at": "2021-06-01T00:00:00"},
        422,
        "known_at",
        "datetime",
    ),
    "known-at-a-date": (
        "/v1/units/{gov}/chain",
        {"known_at": "2021-06-01"},
        422,
        "known_at",
        "datetime",
    ),
    "known-at-garbage": (
        "/v1/units/{gov}/chain",
        {"known_at": "last week"},
        422,
        "known_at",
        "datetime",
    ),
    "min-position-negative": (
        "/v1/units/{gov}",
        {"min_position": "-1"},
        422,
        "min_position",
        "range",
    ),
    "min-position-word": (
        "/v1/units/{gov}",
        {"min_position": "ten"},
        422,
        "min_position",
        "integer",
    ),
    "min-position-double-minus": (
        "/v1/units/{gov}",
        {"min_position": "--1"},
        422,
        "min_position",
        "integer",
    ),
    "min-position-superscript": (
        "/v1/units/{gov}",
        {"min_position": "²"},
        422,
        "min_position",
        "integer",
    ),
    "min-position-5000-digits": (
        "/v1/units/{gov}",
        {"min_position": "9" * 5000},
        422,
        "min_position",
        None,
    ),
    "limit-zero": ("/v1/units", {"limit": "0"}, 422, "limit", "range"),
    "limit-501": ("/v1/units", {"limit": "501"}, 422, "limit", "range"),
    "limit-float": ("/v1/units", {"limit": "2.5"}, 422, "limit", "integer"),
    "cursor-not-base64": ("/v1/units", {"cursor": "!!!"}, 422, "cursor", "cursor"),
    "cursor-not-a-list": ("/v1/units", {"cursor": cursor({"a": 1})}, 422, "cursor", "cursor"),
    "cursor-empty-list": ("/v1/units", {"cursor": cursor([])}, 422, "cursor", "cursor"),
    "cursor-bad-uuid": ("/v1/units", {"cursor": cursor(["a", "b"])}, 422, "cursor", "cursor"),
    "cursor-nul-name": (
        "/v1/units",
        {"cursor": cursor(["\x00", UNKNOWN])},
        422,
        "cursor",
        "cursor",
    ),
    "cursor-lone-surrogate": (
        "/v1/units",
        {"cursor": cursor(["\ud800", UNKNOWN])},
        422,
        "cursor",
        "cursor",
    ),
    "known-at-past-year-9999": (
        "/v1/units/{gov}/chain",
        {"known_at": "9999-12-31T23:59:59-12:00"},
        422,
        "known_at",
        None,
    ),
    "known-at-before-year-1": (
        "/v1/units/{gov}/chain",
        {"known_at": "0001-01-01T00:00:00+14:00"},
        422,
        "known_at",
        None,
    ),
    "parent-id-not-uuid": ("/v1/units", {"parent_id": "xyz"}, 422, "parent_id", "uuid"),
    "events-after-negative": ("/v1/events", {"after": "-5"}, 422, "after", "range"),
    "unit-malformed-id": ("/v1/units/not-a-uuid", {}, 422, "id", "uuid"),
    "person-malformed-id": ("/v1/persons/12345", {}, 422, "id", "uuid"),
    "assignment-malformed-id": ("/v1/assignments/x", {}, 422, "id", "uuid"),
    "chain-malformed-id": ("/v1/units/x/chain", {}, 422, "id", "uuid"),
    "unit-unknown-id": ("/v1/units/{unknown}", {}, 404, None, None),
    "person-unknown-id": ("/v1/persons/{unknown}", {}, 404, None, None),
    "assignment-unknown-id": ("/v1/assignments/{unknown}", {}, 404, None, None),
    "chain-unknown-unit": ("/v1/units/{unknown}/chain", {}, 404, None, None),
    "unknown-route": ("/v1/nothing-here", {}, 404, None, None),
    "unknown-version": ("/v2/units", {}, 404, None, None),
}


@pytest.mark.parametrize(
    ("path", "params", "status", "field", "rule"), QUERY_CASES.values(), ids=QUERY_CASES.keys()
)
async def test_bad_query_is_refused(
    path: str,
    params: dict[str, str],
    status: int,
    field: str | None,
    rule: str | None,
    client: TestClient[Any, Any],
    pool: asyncpg.Pool,
    world: World,
) -> None:
    before = await log_count(pool)
    response = await client.get(path.format(**world.ids()), params=params)
    await assert_problem(response, status, field, rule)
    assert await log_count(pool) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/v1/units/{gov}"),
        ("PUT", "/v1/units"),
        ("PATCH", "/v1/persons/{person}"),
        ("GET", "/v1/units/{gov}/rename"),
        ("DELETE", "/v1/assignments/{leader}"),
    ],
)
async def test_wrong_method_is_405(
    method: str,
    path: str,
    client: TestClient[Any, Any],
    pool: asyncpg.Pool,
    headers: dict[str, str],
    world: World,
) -> None:
    before = await log_count(pool)
    response = await client.request(method, path.format(**world.ids()), json={}, headers=headers)
    body = await assert_problem(response, 405)
    assert method in body["detail"]
    assert "Allow" in response.headers
    assert await log_count(pool) == before


async def test_unknown_route_names_the_path(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str]
) -> None:
    before = await log_count(pool)
    response = await client.post("/v1/nothing", json={"name": "x"}, headers=headers)
    body = await assert_problem(response, 404)
    assert "/v1/nothing" in body["detail"]
    assert await log_count(pool) == before
