"""The demo data set loads through the application, once, and makes sound chains."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import asyncpg

from ledger.demo import load_demo
from ledger.demo_data import CHANGE_OF_TERM, ENDINGS, REDIVISIONS
from ledger.projections import chain_query
from tests.conftest import log_count


def _principals(chain: dict[str, Any]) -> list[str]:
    return [node["person_name"] for node in chain["chain"] if node["role"] == "principal"]


async def _city_government(pool: asyncpg.Pool) -> Any:
    return await pool.fetchval(
        "SELECT unit_id FROM chain_units WHERE code = 'wx.gov' AND known_to IS NULL"
    )


async def test_demo_loads_once(pool: asyncpg.Pool) -> None:
    first = await load_demo(pool)
    assert first["events"] > 0
    created = first["units"] + first["persons"] + first["assignments"]
    assert first["events"] == created + len(ENDINGS) + len(REDIVISIONS)
    count = await log_count(pool)

    second = await load_demo(pool)

    assert second["events"] == 0
    assert await log_count(pool) == count
    assert {k: v for k, v in second.items() if k != "events"} == {
        k: v for k, v in first.items() if k != "events"
    }


async def test_city_government_chain_before_and_after_the_change_of_term(
    pool: asyncpg.Pool, project: Callable[[], Awaitable[int]]
) -> None:
    await load_demo(pool)
    await project()
    unit_id = await _city_government(pool)

    after = await chain_query.chain(pool, unit_id, date(2023, 7, 1))
    before = await chain_query.chain(pool, unit_id, date(2020, 11, 7))
    on_the_day = await chain_query.chain(pool, unit_id, date.fromisoformat(CHANGE_OF_TERM))

    assert after is not None and before is not None and on_the_day is not None
    assert _principals(after) == ["简立鹏"]
    assert _principals(on_the_day) == ["简立鹏"]
    assert _principals(before) == ["周振华"]
    for chain in (after, before):
        assert not [gap for gap in chain["gaps"] if gap["kind"] == "no_principal"]


async def test_every_demo_unit_has_a_principal_and_unbroken_lines(
    pool: asyncpg.Pool, project: Callable[[], Awaitable[int]]
) -> None:
    await load_demo(pool)
    await project()
    units = await pool.fetch("SELECT unit_id, code FROM chain_units WHERE known_to IS NULL")

    broken = {}
    for unit in units:
        chain = await chain_query.chain(pool, unit["unit_id"], date(2024, 6, 1))
        assert chain is not None
        kinds = {gap["kind"] for gap in chain["gaps"]} - {"uncovered_category"}
        if kinds:
            broken[unit["code"]] = kinds
    assert broken == {}
