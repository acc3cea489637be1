"""The lists the console needs over HTTP: the persons holding a post in a unit on a day,
every post of a person, clues awaiting triage, bulletins; paged, answers matching their
schemas, a city-scoped caller seeing none of another city's."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ledger.api.resources.bulletins import BulletinPage
from ledger.api.resources.clues import ClueOrPage
from ledger.api.resources.posts import PersonPosts, UnitHolders
from ledger.application import Ledger
from tests.api.authorization_world import Side, build_sides
from tests.api.test_record_views import conforms, read
from tests.conftest import Issue, bearer

Client = TestClient[Any, Any]
WHY = {"X-Access-Purpose": "%E7%9D%A3%E6%9F%A5"}  # 督查


@pytest.fixture
async def sides(ledger: Ledger, project: Any) -> tuple[Side, Side]:
    ours, theirs = await build_sides(ledger)
    await project()
    return ours, theirs


async def _scoped(client: Client, token: str, path: str) -> tuple[int, Any]:
    response = await client.get(path, headers=bearer(token) | WHY)
    return response.status, await response.json()


async def test_the_persons_holding_a_post_in_a_unit_a_page_at_a_time(
    client: Client, issue: Issue, sides: tuple[Side, Side]
) -> None:
    ours, theirs = sides
    path = f"/v1/units/{ours.w.bureau}/persons"
    body = await read(client, f"{path}?valid_at=2024-05-10")
    conforms(body, "/v1/units/{id}/persons", UnitHolders)
    assert {i["person_name"] for i in body["items"]} == {"钱局长", "孙副局长", "李科员"}
    first = await read(client, f"{path}?valid_at=2024-05-10&limit=2")
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await read(client, f"{path}?valid_at=2024-05-10&limit=2&cursor={first['next_cursor']}")
    assert rest["next_cursor"] is None
    assert [i["id"] for i in first["items"] + rest["items"]] == [i["id"] for i in body["items"]]
    assert (await read(client, f"{path}?valid_at=2020-12-31"))["items"] == []
    token = issue("inspector", unit=ours.w.city, subject="inspector-ours")
    assert (await _scoped(client, token, path))[0] == 200
    assert (await _scoped(client, token, f"/v1/units/{theirs.w.bureau}/persons"))[0] == 404


async def test_every_post_a_person_held_with_its_unit_and_dates(
    client: Client, issue: Issue, sides: tuple[Side, Side]
) -> None:
    ours, theirs = sides
    path = f"/v1/persons/{ours.w.head}/assignments"
    body = await read(client, path)
    conforms(body, "/v1/persons/{id}/assignments", PersonPosts)
    [post] = body["items"]
    assert (post["unit_name"], post["title"], post["effective_from"], post["effective_to"]) == (
        "无锡市司法局",
        "局长",
        "2021-01-01",
        None,
    )
    token = issue("personnel", unit=ours.w.city, subject="hr-ours")
    assert (await _scoped(client, token, path))[0] == 200
    status, _ = await _scoped(client, token, f"/v1/persons/{theirs.w.head}/assignments")
    assert status == 404
    no_purpose = await client.get(path, headers=bearer(token))
    assert no_purpose.status == 400


async def test_clues_awaiting_triage_triaged_and_by_source(
    client: Client, issue: Issue, sides: tuple[Side, Side]
) -> None:
    ours, theirs = sides
    pending = await read(client, "/v1/clues?status=pending")
    conforms(pending, "/v1/clues", ClueOrPage)
    assert {i["id"] for i in pending["items"]} == {str(ours.clue), str(theirs.clue)}
    assert all(i["outcome"] is None for i in pending["items"])
    answer = await client.post(
        f"/v1/clues/{ours.clue}/triage", json={"outcome": "dismissed", "reason": "查无实据"}
    )
    assert answer.status == 200
    triaged = await read(client, "/v1/clues?status=triaged")
    assert [i["id"] for i in triaged["items"]] == [str(ours.clue)]
    assert [i["id"] for i in (await read(client, "/v1/clues?status=pending"))["items"]] == [
        str(theirs.clue)
    ]
    assert (await read(client, "/v1/clues?source=hotline_12345"))["items"] == []
    page = await read(client, "/v1/clues?source=petition&limit=1")
    assert len(page["items"]) == 1 and page["next_cursor"]
    # the look-up by key still answers the one clue
    one = await read(client, f"/v1/clues?source=petition&external_id={ours.clue_key}")
    conforms(one, "/v1/clues", ClueOrPage)
    assert one["id"] == str(ours.clue)
    token = issue("inspector", unit=ours.w.city, subject="inspector-ours")
    _, scoped = await _scoped(client, token, "/v1/clues")
    assert [i["id"] for i in scoped["items"]] == [str(ours.clue)]


async def test_bulletins_newest_first_by_inspection(
    client: Client, issue: Issue, sides: tuple[Side, Side]
) -> None:
    ours, theirs = sides
    body = await read(client, "/v1/bulletins")
    conforms(body, "/v1/bulletins", BulletinPage)
    assert {i["id"] for i in body["items"]} == {str(ours.bulletin), str(theirs.bulletin)}
    assert body["items"][0]["recipients"][0]["name"] == "无锡市司法局"
    mine = await read(client, f"/v1/bulletins?inspection_id={ours.inspection}")
    assert [i["id"] for i in mine["items"]] == [str(ours.bulletin)]
    first = await read(client, "/v1/bulletins?limit=1")
    rest = await read(client, f"/v1/bulletins?limit=1&cursor={first['next_cursor']}")
    assert [i["id"] for i in first["items"] + rest["items"]] == [i["id"] for i in body["items"]]
    token = issue("inspector", unit=ours.w.city, subject="inspector-ours")
    _, scoped = await _scoped(client, token, "/v1/bulletins")
    assert [i["id"] for i in scoped["items"]] == [str(ours.bulletin)]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/clues?status=open", "status"),
        ("/v1/clues?limit=0", "limit"),
        ("/v1/clues?cursor=bm90LWEtbGlzdA", "cursor"),
        ("/v1/clues?cursor=WyJ4IiwgInkiXQ==", "cursor"),
        ("/v1/bulletins?inspection_id=x", "inspection_id"),
        ("/v1/bulletins?limit=501", "limit"),
        ("/v1/bulletins?known_at=yesterday", "known_at"),
        ("/v1/units/00000000-0000-4000-8000-000000000000/persons?valid_at=2200-01-01", "valid_at"),
        ("/v1/units/x/persons", "id"),
        ("/v1/persons/00000000-0000-4000-8000-000000000000/assignments?cursor=e30=", "cursor"),
        ("/v1/persons/00000000-0000-4000-8000-000000000000/assignments?zzz=1", "zzz"),
    ],
)
async def test_bad_list_parameters_are_refused_naming_them(
    client: Client, path: str, field: str
) -> None:
    response = await client.get(path, headers=WHY)
    assert response.status == 422, await response.text()
    assert (await response.json())["errors"][0]["field"] == field
