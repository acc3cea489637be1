"""An identity number (person_no) is stored only as a keyed hash: a person is found by it
and it stays unique, but no answer and no log line carries it."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.infra.pii import KEY_FILE
from ledger.infra.settings import Settings
from tests.api.test_bad_inputs import assert_problem, post
from tests.conftest import log_count

Client = TestClient[Any, Any]
NUMBER = "32010219900101123X"


async def test_no_read_returns_the_number_and_no_log_line_carries_it(
    client: Client, pool: asyncpg.Pool, headers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    person = await post(client, "/v1/persons", {"name": "张伟", "person_no": NUMBER}, headers)
    corrected = await post(
        client,
        f"/v1/persons/{person['id']}/correct",
        {"person_no": NUMBER[:-1] + "8", "reason": "更正身份证号"},
        headers,
    )
    at = f"min_position={corrected['position']}"
    answers = [
        await client.get(f"/v1/persons/{person['id']}?{at}"),
        await client.get(f"/v1/history/{person['id']}"),  # the log itself: no wait
        await client.get("/v1/events"),
    ]
    for answer in answers:
        assert answer.status == 200, await answer.text()
        text = await answer.text()
        assert NUMBER[:-1] not in text and '"person_no"' not in text
    assert "person_no" not in await answers[0].json()
    states = await pool.fetch("SELECT state, tags FROM ledger_events")
    assert not any(NUMBER[:-1].encode() in bytes(r["state"]) for r in states)
    assert not any(NUMBER[:-1] in tag for r in states for tag in r["tags"])
    logged = capsys.readouterr()
    assert NUMBER[:-1] not in logged.out + logged.err
    assert "张伟" not in logged.out + logged.err


async def test_a_person_is_looked_up_by_number_sent_in_the_body(
    client: Client, headers: dict[str, str]
) -> None:
    person = await post(client, "/v1/persons", {"name": "李华", "person_no": NUMBER}, headers)
    found = await client.post("/v1/persons/lookup", json={"person_no": NUMBER.lower()})
    assert found.status == 200, await found.text()
    assert await found.json() == {"id": person["id"]}
    missing = await client.post("/v1/persons/lookup", json={"person_no": "320102199001019999"})
    problem = await assert_problem(missing, 404)
    assert "3201021990" not in problem["detail"]
    await assert_problem(await client.post("/v1/persons/lookup", json={}), 422, "person_no")


async def test_a_number_held_is_refused_without_echoing_it(
    client: Client, pool: asyncpg.Pool, headers: dict[str, str]
) -> None:
    await post(client, "/v1/persons", {"name": "李华", "person_no": NUMBER}, headers)
    before = await log_count(pool)
    again = await client.post(
        "/v1/persons", json={"name": "王芳", "person_no": NUMBER}, headers=headers
    )
    problem = await assert_problem(again, 409, "person_no")
    assert NUMBER not in await again.text()
    assert "already registered" in problem["detail"]
    assert await log_count(pool) == before


async def test_the_key_is_kept_in_the_data_dir_readable_by_its_owner_only(
    client: Client, settings: Settings, headers: dict[str, str]
) -> None:
    await post(client, "/v1/persons", {"name": "李华", "person_no": NUMBER}, headers)
    key_file = settings.data_dir / KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
