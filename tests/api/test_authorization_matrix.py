"""Who may do what: every operation × every role × inside and outside the jurisdiction.

``MATRIX`` is the README's table (*Who may do what*) written out again, operation by
operation, on purpose apart from ``application/policy.py``: the policy is the code under
test, this is the statement it is checked against. Every caller holds a token scoped to
our city; "outside" sends the same request built from the other city's ids
(``authorization_world``). Expected, for each role:

- a role the table does not name: 403, and nothing written to the log;
- a read inside: 200, and a list holds our items and none of theirs;
- a read of one thing outside: 404, so nothing tells that it exists;
- a command inside: done (200, 201), or refused by a rule of the domain on the state the
  matrix's own earlier commands left (409): past authorization either way;
- a command outside: 403 and nothing written, before any rule could answer 409 about
  the state of something the caller may not see. 403 rather than 404: every refusal is
  written to the access log, an attempt to act outside one's jurisdiction included.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.api.openapi import build_openapi
from ledger.application import Ledger
from ledger.infra.settings import Settings
from tests.api.authorization_world import (
    BODIES,
    IDS,
    LISTS,
    QUERIES,
    UNSCOPED,
    Side,
    build_sides,
    request,
)
from tests.conftest import Issue, bearer, log_count

Client = TestClient[Any, Any]
COMMITTED = Path(__file__).resolve().parents[2] / "api" / "openapi.json"

ROLES = ("admin", "personnel", "inspector", "unit_officer", "discipline", "integration", "auditor")
ADMIN, HR, INS, UNIT, DIS, INT, AUD = ROLES

# operationId → the roles allowed besides admin (who may do everything in its jurisdiction)
MATRIX: dict[str, set[str]] = {
    # units: admin alone; persons and assignments: personnel
    "register_unit": set(),
    "rename_unit": set(),
    "move_unit": set(),
    "dissolve_unit": set(),
    "register_person": {HR},
    "correct_person": {HR},
    "assign": {HR},
    "end_assignment": {HR},
    "change_portfolio": {HR},
    "correct_assignment": {HR},
    "change_line": {HR},
    # inspections and the loop: the inspector; rectification: the inspected unit
    "plan_inspection": {INS},
    "start_inspection": {INS},
    "record_evidence": {INS},
    "feed_back_results": {INS},
    "close_inspection": {INS},
    "raise_finding": {INS},
    "attribute_finding": {INS},
    "withdraw_attribution": {INS},
    "plan_rectification": {UNIT},
    "report_progress": {UNIT},
    "verify_rectification": {INS},
    "reject_rectification": {INS},
    "extend_deadline": {INS},
    "refer_finding": {INS},
    "close_finding": {INS},
    "correct_finding": {INS},
    # clues: received from other systems (and the inspector), triaged by the inspector
    "receive_clue": {INT, INS},
    "receive_clues": {INT, INS},
    "triage_clue": {INS},
    "issue_bulletin": {INS},
    "define_indicator_set": {INS},
    "assess_unit": {INS},
    # accountability: the discipline body
    "open_case": {DIS},
    "impose_sanction": {DIS},
    "appeal_sanction": {DIS},
    "uphold_sanction": {DIS},
    "modify_sanction": {DIS},
    "revoke_sanction": {DIS},
    "close_case": {DIS},
    # reads: discipline and auditor read everything in their jurisdiction
    "get_unit": {HR, INS, UNIT, DIS, AUD},
    "list_units": {HR, INS, UNIT, DIS, AUD},
    "get_chain": {HR, INS, UNIT, DIS, AUD},
    "get_person": {HR, INS, DIS, AUD},
    "find_person": {HR, INS, DIS, AUD},
    "list_persons": {HR, INS, DIS, AUD},
    "search": {HR, INS, DIS, AUD},
    "get_assignment": {HR, INS, DIS, AUD},
    "chain_changes": {HR, INS, UNIT, DIS, AUD},
    "unit_persons": {HR, INS, DIS, AUD},
    "person_assignments": {HR, INS, DIS, AUD},
    "get_inspection": {INS, DIS, AUD},
    "list_inspections": {INS, DIS, AUD},
    "get_finding": {INS, UNIT, DIS, AUD},
    "search_findings": {INS, UNIT, DIS, AUD},
    "open_loop_report": {INS, DIS, AUD},
    "get_clue": {INS, DIS, AUD},
    "find_clue": {INT, INS, DIS, AUD},
    "get_bulletin": {INS, DIS, AUD},
    "list_bulletins": {INS, DIS, AUD},
    "get_indicator_set": {HR, INS, DIS, AUD},
    "unit_assessments": {HR, INS, DIS, AUD},
    "get_case": {DIS, AUD},
    "list_cases": {DIS, AUD},
    "person_reference": {HR, DIS, AUD},
    "unit_reference": {HR, DIS, AUD},
    "history": {INS, DIS, AUD},
    "list_events": {INT, DIS, AUD},
    "stream_events": {INT, DIS, AUD},
    "checkpoint": {HR, INS, UNIT, DIS, INT, AUD},
    "checkpoints": {HR, INS, UNIT, DIS, INT, AUD},
    "list_vocabularies": {HR, INS, UNIT, DIS, INT, AUD},
    "inclusion": {INT, DIS, AUD},
    "consistency": {INT, DIS, AUD},
    # who read whose dossier: the auditor watches the readers (last: it sees this run's)
    "list_access_log": {AUD},
    # webhooks (deleted last: the other operations act on the same subscription)
    "create_webhook": {INT},
    "list_webhooks": {INT},
    "get_webhook": {INT},
    "pause_webhook": {INT},
    "resume_webhook": {INT},
    "rotate_webhook_secret": {INT},
    "list_deliveries": {INT},
    "replay_delivery": {INT},
    "replay_webhook": {INT},
    "delete_webhook": {INT},
    # history in bulk: the operator's alone
    "import_history": set(),
}
OPEN = {"healthz", "readyz", "openapi", "docs", "metrics", "public_key"}
PERSON_READS = {"get_person", "person_assignments", "find_person", "person_reference", "history"}
POST_READS = {"find_person"}  # a read sent as POST (the number stays out of URLs)
PER_ITEM = {"receive_clues"}  # a batch refuses an item outside, not the request (200)
PER_LINE = {"import_history"}  # an import names each refused line (422), writes none
NDJSON = {"import_history"}  # the body is a JSON Lines file
PURPOSE = {"X-Access-Purpose": quote("干部考察")}

Operation = tuple[str, str]  # method, path


def operations(document: dict[str, Any]) -> dict[str, Operation]:
    return {
        op["operationId"]: (method.upper(), path)
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    }


OPERATIONS = operations(build_openapi())


def test_every_operation_has_a_row_and_every_row_an_operation() -> None:
    committed = operations(json.loads(COMMITTED.read_text(encoding="utf-8")))
    assert committed == OPERATIONS
    assert not OPEN & set(MATRIX)
    assert sorted(set(OPERATIONS) - OPEN - set(MATRIX)) == [], "operations without a row"
    assert sorted(set(MATRIX) - set(OPERATIONS)) == [], "rows of no operation"
    assert sorted(set(OPEN) - set(OPERATIONS)) == [], "open operations that are gone"
    # and every row a request: a body for each command, ids for each path that takes them
    assert set(BODIES) == {op for op in MATRIX if OPERATIONS[op][0] == "POST"}
    assert set(IDS) == {op for op in MATRIX if "{" in OPERATIONS[op][1]}
    assert set(QUERIES) <= set(MATRIX) and set(LISTS) | UNSCOPED <= set(MATRIX)


async def send(client: Client, op: str, request: Any, headers: dict[str, str]) -> tuple[int, Any]:
    method, template = OPERATIONS[op]
    ids, query, body = request
    path = template.format(**{name: str(value) for name, value in ids.items()})
    headers = headers | (PURPOSE if op in PERSON_READS else {})
    data = None
    if method == "POST" and op in NDJSON:
        data = "\n".join(
            json.dumps(line, default=str, ensure_ascii=False) for line in body.get("lines", [])
        )
        headers = headers | {"Content-Type": "application/x-ndjson"}
    elif method == "POST":
        data = json.dumps(body, default=str, ensure_ascii=False)
        headers = headers | {"Content-Type": "application/json"}
    params = {name: str(value) for name, value in query.items()}
    async with client.request(method, path, params=params, data=data, headers=headers) as answer:
        if op == "stream_events" and answer.status == 200:  # an endless stream: headers only
            return 200, answer.headers["Content-Type"]
        text = await answer.text()
        return answer.status, json.loads(text) if "json" in answer.content_type else text


async def test_open_operations_need_no_token_and_every_other_one_does(client: Client) -> None:
    anonymous = {"Authorization": ""}
    wrong = []
    for op, (_, template) in OPERATIONS.items():
        ids = {name: uuid4() for name in re.findall(r"{(\w+)}", template)}
        status, _ = await send(client, op, (ids, {}, {}), anonymous)
        if status != (200 if op in OPEN else 401):
            wrong.append(f"{op}: {status}")
    assert wrong == []


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No rate limit: one token sends every operation twice, more than a burst allows."""
    return settings.model_copy(update={"rate_limit": 0, "webhook_allow": ["receiver.example"]})


@pytest.fixture
async def sides(ledger: Ledger, project: Any, client: Client, pool: asyncpg.Pool) -> list[Side]:
    ours, theirs = await build_sides(ledger)
    await project()
    head = int(await pool.fetchval("SELECT max(position) FROM ledger_events"))
    for _ in range(100):  # the app's sealer signs a checkpoint covering the world
        answer = await client.get("/v1/ledger/checkpoint")
        if answer.status == 200 and int((await answer.text()).splitlines()[1]) >= head:
            return [ours, theirs]
        await asyncio.sleep(0.1)
    raise AssertionError("no checkpoint covers the world")


def _expected(op: str, allowed: bool, inside: bool) -> str:
    if not allowed:
        return "403"
    if op in PER_ITEM and not inside:
        return "items refused"
    if op in PER_LINE and not inside:
        return "lines refused"
    if OPERATIONS[op][0] == "POST" and op not in POST_READS:
        return "past authorization" if inside else "403"
    return "200" if inside else "404"


def _meets(expected: str, status: int, answer: Any) -> bool:
    if expected == "past authorization":
        return status in (200, 201, 409)
    if expected == "lines refused":  # each line refused, naming the jurisdiction
        return status == 422 and all(
            error["rule"] == "outside_jurisdiction" for error in answer["errors"]
        )
    if expected == "items refused":  # a batch answers for each item: each one refused
        return status == 200 and all(
            item["status"] == "rejected" and item["errors"][0]["rule"] == "jurisdiction"
            for item in answer["items"]
        )
    return status == int(expected)


def _list_wrong(op: str, answer: Any, ours: Side, theirs: Side) -> str | None:
    field, holds = LISTS[op]
    seen = {str(item[field]) for item in answer["items"] if item.get(field)}
    missing = {str(i) for i in holds(ours)} - seen
    leaked = seen & theirs.ids()
    if missing or leaked:
        return f"misses {sorted(missing)}, shows theirs {sorted(leaked)}"
    return None


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_may_do_what_the_table_says_within_its_jurisdiction(
    role: str, client: Client, issue: Issue, pool: asyncpg.Pool, sides: list[Side]
) -> None:
    ours, theirs = sides
    token = bearer(issue(role, unit=ours.w.city, subject=f"{role}-of-ours"))
    wrong, cases = [], 0
    for op, roles in MATRIX.items():
        allowed = role == ADMIN or role in roles
        for side, inside in ((ours, True), (theirs, False)):
            if not inside and (op in UNSCOPED or op in LISTS):
                continue
            cases += 1
            before = await log_count(pool)
            status, answer = await send(client, op, request(op, side), token)
            expected = _expected(op, allowed, inside)
            where = "inside" if inside else "outside"
            if not _meets(expected, status, answer):
                detail = answer.get("detail") if isinstance(answer, dict) else answer
                wrong.append(f"{op} {where}: {status}, not {expected} ({detail})"[:300])
            elif expected in ("403", "items refused") and await log_count(pool) != before:
                wrong.append(f"{op} {where}: refused, yet the log grew")
            elif status == 200 and op in LISTS:
                problem = _list_wrong(op, answer, ours, theirs)
                if problem:
                    wrong.append(f"{op}: {problem}")
    print(f"{role}: {cases} cases")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)


async def test_no_command_crosses_the_border_through_what_it_names(
    client: Client, issue: Issue, pool: asyncpg.Pool, sides: list[Side]
) -> None:
    """A caller may neither pull a unit in from outside nor push one out, nor rest a
    bulletin, a clue or a case on a record it cannot see (403 naming that field)."""
    ours, theirs = sides
    admin, inspector, discipline = (
        bearer(issue(role, unit=ours.w.city, subject=f"{role}-at-the-border"))
        for role in (ADMIN, INS, DIS)
    )
    bulletin = {"kind": "brief", "title": "通报", "issued_on": "2024-06-20"}
    crossings = [
        ("move_unit", admin, {"id": theirs.spare}, {"parent_id": ours.w.city}, "id"),
        ("move_unit", admin, {"id": ours.spare}, {"parent_id": theirs.w.city}, "parent_id"),
        (
            "issue_bulletin",
            inspector,
            {},
            bulletin | {"inspection_id": theirs.inspection, "recipient_unit_ids": [ours.w.bureau]},
            "inspection_id",
        ),
        (
            "triage_clue",
            inspector,
            {"id": ours.clue},
            {"outcome": "finding", "finding_id": theirs.finding},
            "finding_id",
        ),
        (
            "open_case",
            discipline,
            {},
            {
                "person_id": theirs.w.head,
                "finding_ids": [theirs.finding],
                "handling_unit_id": ours.w.discipline,
            },
            "finding_ids.0",
        ),
    ]
    before = await log_count(pool)
    answers = []
    for op, headers, ids, body, _ in crossings:
        status, problem = await send(client, op, (ids, {}, body), headers)
        answers.append((op, status, problem["errors"][0]["field"] if status >= 400 else None))
    assert answers == [(op, 403, field) for op, *_, field in crossings]
    assert await log_count(pool) == before
