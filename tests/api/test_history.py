"""The audit trail: a subject's sealed events in ledger order, as known then, with proofs."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from ledger.api.app import create_app
from ledger.api.openapi import build_openapi
from ledger.infra.checkpoints import load_signer, make_checkpoint
from ledger.infra.settings import Settings
from ledger.offline import leaf_hash, parse_leaf, verify_checkpoint, verify_inclusion
from ledger.offline import main as offline_main
from tests.conftest import Issue, bearer

UNKNOWN = "00000000-0000-4000-8000-000000000000"
Client = TestClient[Any, Any]


async def _post(
    client: Client, path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=headers)
    assert response.status in (200, 201), await response.text()
    return dict(await response.json())


async def _history(client: Client, subject: str, **params: str) -> dict[str, Any]:
    """The answer, held to the schema the OpenAPI document publishes."""
    response = await client.get(f"/v1/history/{subject}", params=params)
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    document = build_openapi()
    answer = document["paths"]["/v1/history/{id}"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, [e.message for e in errors[:5]]
    return body


async def _unit(client: Client, headers: dict[str, str], name: str) -> str:
    body = {"name": name, "kind": "department", "level": "municipal"}
    return str((await _post(client, "/v1/units", body, headers))["id"])


async def _person(client: Client, headers: dict[str, str], name: str, **extra: str) -> str:
    return str((await _post(client, "/v1/persons", {"name": name, **extra}, headers))["id"])


async def _assign(
    client: Client, headers: dict[str, str], unit: str, person: str, **extra: Any
) -> str:
    body = {
        "unit_id": unit,
        "person_id": person,
        "role": "staff",
        "title": "科员",
        "effective_from": "2021-01-01",
        **extra,
    }
    return str((await _post(client, "/v1/assignments", body, headers))["id"])


def _types(page: dict[str, Any]) -> list[str]:
    return [item["type"] for item in page["items"]]


def _ordered(page: dict[str, Any]) -> bool:
    positions = [item["position"] for item in page["items"]]
    return positions == sorted(set(positions))


async def test_unit_history_is_its_stream_or_everything_tagged_with_it(
    client: Client, headers: dict[str, str]
) -> None:
    unit = await _unit(client, headers, "南京市司法局")
    other = await _unit(client, headers, "南京市财政局")
    person = await _person(client, headers, "李华")
    await _post(
        client,
        f"/v1/units/{unit}/rename",
        {"name": "南京市司法局（更名）", "effective_on": "2023-05-01", "basis": "宁编〔2023〕5号"},
        headers,
    )
    here = await _assign(client, headers, unit, person)
    await _assign(client, headers, other, person)

    own = await _history(client, unit)
    assert own["subject"] == {"id": unit, "kind": "unit", "scope": "stream"}
    assert _types(own) == ["Unit.Registered", "Unit.Renamed"]
    assert own["items"][0]["topic"] == "ledger.domain.unit:Unit.Registered"
    assert [i["valid_time"] for i in own["items"]] == [None, "2023-05-01"]
    assert own["items"][1]["basis"] == "宁编〔2023〕5号"
    assert own["items"][1]["data"]["name"] == "南京市司法局（更名）"
    assert own["known_at"] is None and own["next_cursor"] is None
    assert "checkpoint" not in own and "proof" not in own["items"][0]

    related = await _history(client, unit, scope="related")
    assert related["subject"]["scope"] == "related"
    assert _types(related) == ["Unit.Registered", "Unit.Renamed", "Assignment.Assigned"]
    assert related["items"][2]["stream_id"] == here
    assert _ordered(related)


async def test_assignment_history_with_the_valid_time_of_each_event(
    client: Client, headers: dict[str, str]
) -> None:
    unit = await _unit(client, headers, "苏州市司法局")
    person = await _person(client, headers, "王芳")
    assignment = await _assign(
        client, headers, unit, person, role="leader", title="副局长", effective_from="2021-03-01"
    )
    await _post(
        client,
        f"/v1/assignments/{assignment}/portfolio",
        {"portfolio": ["law_enforcement"], "effective_on": "2022-01-01"},
        headers,
    )
    await _post(
        client,
        f"/v1/assignments/{assignment}/end",
        {"effective_to": "2024-07-01", "reason": "transferred", "note": "调任"},
        headers,
    )
    page = await _history(client, assignment)
    assert page["subject"] == {"id": assignment, "kind": "assignment", "scope": "stream"}
    assert _types(page) == [
        "Assignment.Assigned",
        "Assignment.PortfolioChanged",
        "Assignment.Ended",
    ]
    assert [i["valid_time"] for i in page["items"]] == ["2021-03-01", "2022-01-01", "2024-07-01"]
    assert [i["stream_version"] for i in page["items"]] == [1, 2, 3]
    assert page["items"][2]["reason"] == "调任"
    assert page["items"][2]["data"]["end_reason"] == "transferred"
    assert page["items"][1]["data"]["portfolio"] == ["law_enforcement"]
    for item in page["items"]:
        assert item["stream_id"] == assignment
        assert len(bytes.fromhex(item["chain_hash"])) == 32
        datetime.fromisoformat(item["recorded_at"])


async def test_person_history_spans_every_stream_that_concerns_them(
    client: Client, headers: dict[str, str], issue: Issue
) -> None:
    hr = {**headers, "X-Source": "hr-system"}
    person = await _person(
        client, hr, "张伟", person_no="P-100", reason="入职登记", basis="人社〔2020〕1号"
    )
    first_unit = await _unit(client, headers, "无锡市司法局")
    second_unit = await _unit(client, headers, "无锡市人民政府")
    colleague = await _person(client, headers, "赵敏")
    await _assign(client, headers, first_unit, colleague)
    first = await _assign(
        client,
        headers,
        first_unit,
        person,
        title="科员",
        reason="任命",
        basis="锡司〔2021〕3号",
    )
    second = await _assign(
        client,
        headers,
        second_unit,
        person,
        role="leader",
        title="副市长",
        portfolio=["law_enforcement"],
        effective_from="2022-03-01",
        basis="锡委〔2022〕8号",
    )
    await _post(
        client,
        f"/v1/assignments/{first}/correct",
        {"field": "title", "new": "副科长", "reason": "录入错误", "basis": "更正〔2023〕2号"},
        {**headers, **bearer(issue("admin", subject="auditor-2"))},
    )
    await _post(
        client, f"/v1/persons/{person}/correct", {"name": "张伟民", "reason": "更名"}, headers
    )

    page = await _history(client, person)
    assert page["subject"] == {"id": person, "kind": "person", "scope": "related"}
    assert _types(page) == [
        "Person.Registered",
        "Assignment.Assigned",
        "Assignment.Assigned",
        "Assignment.Corrected",
        "Person.DetailsCorrected",
    ]
    assert _ordered(page)
    seen = [
        (i["stream_id"], i["valid_time"], i["actor"], i["source"], i["reason"], i["basis"])
        for i in page["items"]
    ]
    assert seen == [
        (person, None, "tester", "hr-system", "入职登记", "人社〔2020〕1号"),
        (first, "2021-01-01", "tester", "api", "任命", "锡司〔2021〕3号"),
        (second, "2022-03-01", "tester", "api", None, "锡委〔2022〕8号"),
        (first, None, "auditor-2", "api", "录入错误", "更正〔2023〕2号"),
        (person, None, "tester", "api", "更名", None),
    ]
    corrected = page["items"][3]["data"]
    assert (corrected["field"], corrected["old"], corrected["new"]) == ("title", "科员", "副科长")

    own = await _history(client, person, scope="stream")
    assert own["subject"]["scope"] == "stream"
    assert _types(own) == ["Person.Registered", "Person.DetailsCorrected"]
    assert {i["stream_id"] for i in own["items"]} == {person}


async def test_known_at_shows_what_the_ledger_held_then(
    client: Client, headers: dict[str, str]
) -> None:
    unit = await _unit(client, headers, "常州市司法局")
    person = await _person(client, headers, "陈静")
    assignment = await _assign(client, headers, unit, person)
    await asyncio.sleep(0.05)  # the later event is recorded strictly after known_at
    await _post(
        client,
        f"/v1/assignments/{assignment}/correct",
        {"field": "title", "new": "主任科员", "reason": "录入错误"},
        headers,
    )
    now = await _history(client, person)
    assert _types(now) == ["Person.Registered", "Assignment.Assigned", "Assignment.Corrected"]
    then = now["items"][1]["recorded_at"]

    before = await _history(client, person, known_at=then)
    assert _types(before) == ["Person.Registered", "Assignment.Assigned"]
    assert datetime.fromisoformat(before["known_at"]) == datetime.fromisoformat(then)
    stream = await _history(client, assignment, known_at=then)
    assert _types(stream) == ["Assignment.Assigned"]

    earlier = await client.get(
        f"/v1/history/{assignment}", params={"known_at": "2000-01-01T00:00:00Z"}
    )
    assert earlier.status == 404
    assert earlier.content_type == "application/problem+json"


async def test_pages_follow_the_cursor_in_ledger_order(
    client: Client, headers: dict[str, str]
) -> None:
    person = await _person(client, headers, "名0")
    unit = await _unit(client, headers, "镇江市司法局")
    await _assign(client, headers, unit, person)
    for n in range(1, 8):
        await _post(
            client, f"/v1/persons/{person}/correct", {"name": f"名{n}", "reason": "更正"}, headers
        )
    whole = await _history(client, person)
    assert len(whole["items"]) == 9 and whole["next_cursor"] is None

    pages, params = [], {"limit": "4"}
    while True:
        page = await _history(client, person, **params)
        pages.append(page)
        if page["next_cursor"] is None:
            break
        params = {"limit": "4", "cursor": page["next_cursor"]}
    assert [len(p["items"]) for p in pages] == [4, 4, 1]
    assert [i for p in pages for i in p["items"]] == whole["items"]

    exact = await _history(client, person, limit="9")
    assert len(exact["items"]) == 9 and exact["next_cursor"] is None


@pytest.fixture
async def unsealed(
    settings: Settings, issue: Issue, aiohttp_client: Callable[..., Awaitable[Client]]
) -> Client:
    """The app without its worker: no checkpoint is signed unless a test signs one."""
    settings = settings.model_copy(update={"project_in_process": False})
    return await aiohttp_client(create_app(settings), headers=bearer(issue("admin")))


async def test_proofs_verify_against_the_checkpoint_offline(
    unsealed: Client,
    headers: dict[str, str],
    settings: Settings,
    pool: asyncpg.Pool,
    tmp_path: Path,
) -> None:
    client = unsealed
    person = await _person(client, headers, "孙丽")
    unit = await _unit(client, headers, "扬州市司法局")
    assignment = await _assign(client, headers, unit, person)

    none_yet = await _history(client, person, proofs="true")
    assert none_yet["checkpoint"] is None and none_yet["proved_through"] == 0
    assert [i["proof"] for i in none_yet["items"]] == [None, None]

    await make_checkpoint(pool, load_signer(settings.origin, None, settings.data_dir))
    await _post(
        client,
        f"/v1/assignments/{assignment}/correct",
        {"field": "title", "new": "副主任科员", "reason": "录入错误"},
        headers,
    )
    page = await _history(client, person, proofs="true")
    key = (await (await client.get("/v1/ledger/public-key")).text()).strip()
    checkpoint = verify_checkpoint(page["checkpoint"], key)
    assert page["proved_through"] == checkpoint.size == 3
    proved, later = page["items"][:2], page["items"][2:]
    assert [i["type"] for i in later] == ["Assignment.Corrected"] and later[0]["proof"] is None
    for item in proved:
        leaf = base64.b64decode(item["proof"]["leaf"])
        assert base64.b64decode(item["proof"]["leaf_hash"]) == leaf_hash(leaf)
        path = [base64.b64decode(h) for h in item["proof"]["inclusion_proof"]]
        verify_inclusion(
            item["position"] - 1, checkpoint.size, leaf_hash(leaf), path, checkpoint.root
        )
        fields = parse_leaf(leaf)
        assert (fields["position"], fields["stream_id"], fields["stream_version"]) == (
            item["position"],
            item["stream_id"],
            item["stream_version"],
        )
        assert fields["topic"] == item["topic"]
        assert fields["recorded_at"] == datetime.fromisoformat(item["recorded_at"])

    record = {
        "format": "ledger-proof-v1",
        "tree_size": page["proved_through"],
        "root": base64.b64encode(checkpoint.root).decode(),
        "checkpoint": page["checkpoint"],
        "events": [{"position": i["position"], **i["proof"]} for i in proved],
    }
    (tmp_path / "record.json").write_text(json.dumps(record))
    (tmp_path / "key").write_text(key)
    verify = ["record", "--key", str(tmp_path / "key"), str(tmp_path / "record.json")]
    assert offline_main(verify) == 0
    record["events"][1]["inclusion_proof"] = record["events"][0]["inclusion_proof"]
    (tmp_path / "record.json").write_text(json.dumps(record))
    assert offline_main(verify) == 1

    without = await _history(client, person, proofs="false")
    assert "checkpoint" not in without and "proof" not in without["items"][0]


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    ("subject", "params", "status", "field"),
    [
        ("not-a-uuid", {}, 422, "id"),
        (UNKNOWN, {}, 404, None),
        ("{person}", {"scope": "everything"}, 422, "scope"),
        ("{assignment}", {"scope": "related"}, 422, "scope"),
        ("{person}", {"limit": "0"}, 422, "limit"),
        ("{person}", {"limit": "501"}, 422, "limit"),
        ("{person}", {"limit": "ten"}, 422, "limit"),
        ("{person}", {"cursor": "%%%"}, 422, "cursor"),
        ("{person}", {"cursor": _cursor({"after": 1})}, 422, "cursor"),
        ("{person}", {"cursor": _cursor([True])}, 422, "cursor"),
        ("{person}", {"cursor": _cursor([-1])}, 422, "cursor"),
        ("{person}", {"cursor": _cursor(["1"])}, 422, "cursor"),
        ("{person}", {"proofs": "yes"}, 422, "proofs"),
        ("{person}", {"proofs": ""}, 422, "proofs"),
        ("{person}", {"known_at": "yesterday"}, 422, "known_at"),
        ("{person}", {"known_at": "2024-01-01T00:00:00"}, 422, "known_at"),
        ("{person}", {"known_at": "2000-01-01T00:00:00+08:00"}, 404, None),
    ],
)
async def test_bad_requests_answer_problems_naming_the_field(
    client: Client,
    headers: dict[str, str],
    subject: str,
    params: dict[str, str],
    status: int,
    field: str | None,
) -> None:
    person = await _person(client, headers, "周强")
    unit = await _unit(client, headers, "泰州市司法局")
    assignment = await _assign(client, headers, unit, person)
    path = "/v1/history/" + subject.format(person=person, assignment=assignment)
    response = await client.get(path, params=params)
    text = await response.text()
    assert response.status == status, text
    assert response.content_type == "application/problem+json"
    body = json.loads(text)
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        assert body["errors"][0]["field"] == field, body
