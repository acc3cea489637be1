"""Preconditions over HTTP: If-Match, Idempotency-Key, concurrent writers, read-your-writes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.infra.settings import Settings
from tests.api.test_bad_inputs import UNKNOWN, assert_problem, post
from tests.conftest import Issue, bearer, log_count

ASSIGNED = "ledger.domain.assignment:Assignment.Assigned"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """A short ``min_position`` wait, so the 503 answer comes quickly."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        min_position_timeout=0.3,
        projection_poll_interval=0.2,
    )


@dataclass(frozen=True)
class Scene:
    unit: str
    parent: str
    person: str
    assignment: str

    def ids(self) -> dict[str, str]:
        return dict(vars(self))


@pytest.fixture
async def scene(client: TestClient[Any, Any], headers: dict[str, str]) -> Scene:
    """A unit (version 1), another unit to move it under, a person (version 1) and a leader
    assignment of that person in the unit from 2021-03-01 (version 1)."""
    unit = await post(
        client,
        "/v1/units",
        {"name": "南京市人民政府", "kind": "government", "level": "municipal"},
        headers,
    )
    parent = await post(
        client,
        "/v1/units",
        {"name": "江苏省人民政府", "kind": "government", "level": "provincial"},
        headers,
    )
    person = await post(client, "/v1/persons", {"name": "王明"}, headers)
    assignment = await post(
        client,
        "/v1/assignments",
        {
            "unit_id": unit["id"],
            "person_id": person["id"],
            "role": "leader",
            "title": "副市长",
            "portfolio": ["other"],
            "effective_from": "2021-03-01",
        },
        headers,
    )
    assert unit["version"] == person["version"] == assignment["version"] == 1
    return Scene(unit["id"], parent["id"], person["id"], assignment["id"])


async def stream_length(pool: asyncpg.Pool, stream_id: str) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM ledger_events WHERE stream_id = $1", UUID(stream_id)
        )
    )


# (path of the first change, its body, path of the stale command, its body)
STALE_CASES = {
    "rename-after-rename": (
        "/v1/units/{unit}/rename",
        {"name": "南京市政府"},
        "/v1/units/{unit}/rename",
        {"name": "南京市人民政府办公厅"},
    ),
    "move-after-rename": (
        "/v1/units/{unit}/rename",
        {"name": "南京市政府"},
        "/v1/units/{unit}/move",
        {"parent_id": "{parent}"},
    ),
    "dissolve-after-rename": (
        "/v1/units/{unit}/rename",
        {"name": "南京市政府"},
        "/v1/units/{unit}/dissolve",
        {"reason": "合并"},
    ),
    "person-correct-after-correct": (
        "/v1/persons/{person}/correct",
        {"name": "王明明", "reason": "录入错误"},
        "/v1/persons/{person}/correct",
        {"person_no": "P-1", "reason": "补录"},
    ),
    "end-after-portfolio": (
        "/v1/assignments/{assignment}/portfolio",
        {"portfolio": ["law_enforcement"], "effective_on": "2022-01-01"},
        "/v1/assignments/{assignment}/end",
        {"effective_to": "2023-01-01", "reason": "retired"},
    ),
    "portfolio-after-portfolio": (
        "/v1/assignments/{assignment}/portfolio",
        {"portfolio": ["law_enforcement"], "effective_on": "2022-01-01"},
        "/v1/assignments/{assignment}/portfolio",
        {"portfolio": ["legal_publicity"], "effective_on": "2022-06-01"},
    ),
    "correct-after-portfolio": (
        "/v1/assignments/{assignment}/portfolio",
        {"portfolio": ["law_enforcement"], "effective_on": "2022-01-01"},
        "/v1/assignments/{assignment}/correct",
        {"field": "title", "new": "常务副市长", "reason": "职务名称有误"},
    ),
}


def fill(body: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    return {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}


@pytest.mark.parametrize(
    ("first", "first_body", "stale", "stale_body"), STALE_CASES.values(), ids=STALE_CASES.keys()
)
async def test_stale_if_match_is_412_and_the_current_version_succeeds(
    first: str,
    first_body: dict[str, Any],
    stale: str,
    stale_body: dict[str, Any],
    client: TestClient[Any, Any],
    pool: asyncpg.Pool,
    headers: dict[str, str],
    scene: Scene,
) -> None:
    ids = scene.ids()
    changed = await client.post(
        first.format(**ids), json=fill(first_body, ids), headers=headers | {"If-Match": '"1"'}
    )
    assert changed.status == 200, await changed.text()
    assert changed.headers["ETag"] == '"2"'
    assert (await changed.json())["version"] == 2
    before = await log_count(pool)

    refused = await client.post(
        stale.format(**ids), json=fill(stale_body, ids), headers=headers | {"If-Match": '"1"'}
    )
    problem = await assert_problem(refused, 412)
    assert problem["current_version"] == 2
    assert refused.headers["ETag"] == '"2"'
    assert await log_count(pool) == before

    accepted = await client.post(
        stale.format(**ids),
        json=fill(stale_body, ids),
        headers=headers | {"If-Match": refused.headers["ETag"]},
    )
    assert accepted.status == 200, await accepted.text()
    assert accepted.headers["ETag"] == '"3"'
    assert await log_count(pool) == before + 1


async def test_if_match_from_a_read_and_weak_form_are_accepted(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], scene: Scene
) -> None:
    renamed = await post(client, f"/v1/units/{scene.unit}/rename", {"name": "南京市政府"}, headers)
    read = await client.get(
        f"/v1/units/{scene.unit}", params={"min_position": str(renamed["position"])}
    )
    assert read.status == 200
    assert read.headers["ETag"] == '"2"'
    again = await client.post(
        f"/v1/units/{scene.unit}/rename",
        json={"name": "南京市人民政府"},
        headers=headers | {"If-Match": read.headers["ETag"]},
    )
    assert again.status == 200, await again.text()
    weak = await client.post(
        f"/v1/units/{scene.unit}/rename",
        json={"name": "南京市政府"},
        headers=headers | {"If-Match": 'W/"3"'},
    )
    assert weak.status == 200, await weak.text()
    assert weak.headers["ETag"] == '"4"'
    assert await stream_length(pool, scene.unit) == 4


async def test_if_match_on_an_unknown_resource_is_404(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], scene: Scene
) -> None:
    before = await log_count(pool)
    response = await client.post(
        f"/v1/units/{UNKNOWN}/rename",
        json={"name": "新名称"},
        headers=headers | {"If-Match": '"1"'},
    )
    await assert_problem(response, 404, "id", "not_found")
    assert await log_count(pool) == before


# (path, body) of commands repeated with one Idempotency-Key
IDEMPOTENT_CASES = {
    "register-unit": (
        "/v1/units",
        {"name": "苏州市人民政府", "kind": "government", "level": "municipal"},
    ),
    "register-person": ("/v1/persons", {"name": "李华", "person_no": "P-9"}),
    "assign": (
        "/v1/assignments",
        {
            "unit_id": "{unit}",
            "person_id": "{person}",
            "role": "principal",
            "principal_title": "government_head",
            "title": "市长",
            "effective_from": "2021-03-01",
        },
    ),
    "rename": ("/v1/units/{unit}/rename", {"name": "南京市政府"}),
    "end": (
        "/v1/assignments/{assignment}/end",
        {"effective_to": "2022-01-01", "reason": "transferred"},
    ),
}


@pytest.mark.parametrize(("path", "body"), IDEMPOTENT_CASES.values(), ids=IDEMPOTENT_CASES.keys())
async def test_same_key_and_body_answers_the_first_result_and_writes_nothing(
    path: str,
    body: dict[str, Any],
    client: TestClient[Any, Any],
    pool: asyncpg.Pool,
    headers: dict[str, str],
    scene: Scene,
) -> None:
    ids = scene.ids()
    keyed = headers | {"Idempotency-Key": "req-0001"}
    first = await client.post(path.format(**ids), json=fill(body, ids), headers=keyed)
    assert first.status in (200, 201), await first.text()
    assert "Idempotent-Replayed" not in first.headers
    first_body = await first.json()
    before = await log_count(pool)

    repeat = await client.post(path.format(**ids), json=fill(body, ids), headers=keyed)
    assert repeat.status == first.status
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert repeat.headers["ETag"] == first.headers["ETag"]
    assert await repeat.json() == first_body
    assert await log_count(pool) == before


async def test_same_key_with_another_body_is_422_naming_the_key(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], scene: Scene
) -> None:
    keyed = headers | {"Idempotency-Key": "req-0002"}
    first = await post(client, "/v1/persons", {"name": "李华"}, keyed)
    before = await log_count(pool)
    other_body = await client.post("/v1/persons", json={"name": "李华华"}, headers=keyed)
    await assert_problem(other_body, 422, "Idempotency-Key", "same_request")
    other_path = await client.post(
        f"/v1/units/{scene.unit}/rename", json={"name": "李华"}, headers=keyed
    )
    await assert_problem(other_path, 422, "Idempotency-Key", "same_request")
    assert await log_count(pool) == before
    person = await client.get(
        f"/v1/persons/{first['id']}", params={"min_position": str(first["position"])}
    )
    assert (await person.json())["name"] == "李华"


async def test_replay_answers_the_first_result_after_later_changes(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], scene: Scene
) -> None:
    keyed = headers | {"Idempotency-Key": "rename-once"}
    path = f"/v1/units/{scene.unit}/rename"
    first = await post(client, path, {"name": "南京市政府"}, keyed)
    await post(client, path, {"name": "南京市人民政府"}, headers)
    before = await log_count(pool)
    repeat = await client.post(path, json={"name": "南京市政府"}, headers=keyed)
    assert repeat.status == 200
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert await repeat.json() == first
    assert first["version"] == 2
    assert await log_count(pool) == before
    assert await stream_length(pool, scene.unit) == 3


async def test_keys_belong_to_the_actor(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], issue: Issue
) -> None:
    body = {"name": "李华"}
    mine = await post(client, "/v1/persons", body, headers | {"Idempotency-Key": "k"})
    before = await log_count(pool)
    theirs = await post(
        client,
        "/v1/persons",
        body,
        bearer(issue("admin", subject="other")) | {"Idempotency-Key": "k"},
    )
    assert theirs["id"] != mine["id"]
    assert await log_count(pool) == before + 1


async def test_a_refused_command_does_not_use_up_its_key(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str]
) -> None:
    keyed = headers | {"Idempotency-Key": "retry-me"}
    await post(
        client,
        "/v1/units",
        {"name": "甲", "kind": "other", "level": "county", "code": "C-1"},
        headers,
    )
    before = await log_count(pool)
    duplicate = await client.post(
        "/v1/units",
        json={"name": "乙", "kind": "other", "level": "county", "code": "C-1"},
        headers=keyed,
    )
    await assert_problem(duplicate, 409, "code")
    assert await log_count(pool) == before
    fixed = await client.post(
        "/v1/units",
        json={"name": "乙", "kind": "other", "level": "county", "code": "C-2"},
        headers=keyed,
    )
    assert fixed.status == 201, await fixed.text()
    assert "Idempotent-Replayed" not in fixed.headers
    assert await log_count(pool) == before + 1


async def test_concurrent_posts_with_one_key_write_one_event(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str]
) -> None:
    before = await log_count(pool)
    keyed = headers | {"Idempotency-Key": "burst"}
    body = {"name": "无锡市人民政府", "kind": "government", "level": "municipal"}
    responses = await asyncio.gather(
        *(client.post("/v1/units", json=body, headers=keyed) for _ in range(10))
    )
    assert [r.status for r in responses] == [201] * 10
    answers = [await r.json() for r in responses]
    assert len({(a["id"], a["version"], a["position"]) for a in answers}) == 1
    replayed = [r.headers.get("Idempotent-Replayed") for r in responses]
    assert replayed.count("true") == 9
    assert await log_count(pool) == before + 1
    assert await stream_length(pool, answers[0]["id"]) == 1


async def test_concurrent_renames_with_one_version_lose_no_update(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], scene: Scene
) -> None:
    responses = await asyncio.gather(
        *(
            client.post(
                f"/v1/units/{scene.unit}/rename",
                json={"name": f"南京市第{i}政府"},
                headers=headers | {"If-Match": '"1"'},
            )
            for i in range(10)
        )
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [200] + [412] * 9
    for response in responses:
        if response.status == 412:
            problem = await assert_problem(response, 412)
            assert problem["current_version"] == 2
            assert response.headers["ETag"] == '"2"'
    assert await stream_length(pool, scene.unit) == 2
    winner = next(r for r in responses if r.status == 200)
    answer = await winner.json()
    read = await client.get(
        f"/v1/units/{scene.unit}", params={"min_position": str(answer["position"])}
    )
    name = (await read.json())["name"]
    assert name.startswith("南京市第") and (await read.json())["version"] == 2


async def test_concurrent_principals_of_one_title_admit_exactly_one(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], scene: Scene
) -> None:
    persons = [
        (await post(client, "/v1/persons", {"name": f"候选人{i}"}, headers))["id"]
        for i in range(10)
    ]
    before = await log_count(pool)
    responses = await asyncio.gather(
        *(
            client.post(
                "/v1/assignments",
                json={
                    "unit_id": scene.unit,
                    "person_id": person,
                    "role": "principal",
                    "principal_title": "party_secretary",
                    "title": "市委书记",
                    "effective_from": f"2021-0{1 + i % 9}-01",
                },
                headers=headers,
            )
            for i, person in enumerate(persons)
        )
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [201] + [409] * 9
    for response in responses:
        if response.status == 409:
            await assert_problem(response, 409, "effective_from", "principal_overlap")
    assert await log_count(pool) == before + 1
    assigned = await pool.fetchval(
        "SELECT count(*) FROM ledger_events WHERE topic = $1 AND $2 = ANY(tags)",
        ASSIGNED,
        f"unit:{scene.unit}",
    )
    assert assigned == 2  # the scene's leader and the one principal admitted


async def test_a_read_at_the_written_position_sees_the_write(
    client: TestClient[Any, Any], headers: dict[str, str], scene: Scene
) -> None:
    renamed = await post(client, f"/v1/units/{scene.unit}/rename", {"name": "南京市政府"}, headers)
    unit = await client.get(
        f"/v1/units/{scene.unit}", params={"min_position": str(renamed["position"])}
    )
    assert unit.status == 200
    assert (await unit.json())["name"] == "南京市政府"

    person = await post(client, "/v1/persons", {"name": "赵六"}, headers)
    assigned = await post(
        client,
        "/v1/assignments",
        {
            "unit_id": scene.unit,
            "person_id": person["id"],
            "role": "principal",
            "principal_title": "government_head",
            "title": "市长",
            "effective_from": "2021-05-01",
        },
        headers,
    )
    chain = await client.get(
        f"/v1/units/{scene.unit}/chain",
        params={"valid_at": "2021-06-01", "min_position": str(assigned["position"])},
    )
    assert chain.status == 200
    body = await chain.json()
    assert body["position"] >= assigned["position"]
    assert "赵六" in [node["person_name"] for node in body["chain"]]
    read = await client.get(
        f"/v1/persons/{person['id']}", params={"min_position": str(assigned["position"])}
    )
    assert [a["id"] for a in (await read.json())["assignments"]] == [assigned["id"]]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/units/{unit}",
        "/v1/units/{unit}/chain",
        "/v1/persons/{person}",
        "/v1/assignments/{assignment}",
        "/v1/units",
    ],
)
async def test_a_position_beyond_the_head_is_refused_at_once_naming_the_head(
    path: str, client: TestClient[Any, Any], pool: asyncpg.Pool, scene: Scene
) -> None:
    head = await pool.fetchval("SELECT position FROM ledger_head")
    started = time.monotonic()
    response = await client.get(
        path.format(**scene.ids()), params={"min_position": str(head + 1_000_000)}
    )
    waited = time.monotonic() - started
    problem = await assert_problem(response, 422, "min_position", "beyond_head")
    assert problem["head"] == head
    assert f"beyond the head of the log ({head})" in problem["detail"]
    assert "Retry-After" not in response.headers
    assert waited < 0.3  # no wait for a position the log has not reached


async def test_a_read_model_behind_a_position_in_the_log_is_503_with_retry_after(
    settings: Settings,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    headers: dict[str, str],
    issue: Issue,
) -> None:
    """With no projection worker, the read model never reaches a write: a bounded wait."""
    idle = await aiohttp_client(
        create_app(settings.model_copy(update={"project_in_process": False})),
        headers=bearer(issue("admin")),
    )
    unit = await post(
        idle,
        "/v1/units",
        {"name": "南京市人民政府", "kind": "government", "level": "municipal"},
        headers,
    )
    started = time.monotonic()
    response = await idle.get(f"/v1/units/{unit['id']}", params={"min_position": unit["position"]})
    waited = time.monotonic() - started
    problem = await assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) >= 1
    assert problem["position"] < unit["position"]
    assert 0.3 <= waited < 3.0
