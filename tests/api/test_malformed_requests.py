"""Malformed requests answer 4xx problem+json in words a user can act on: raw bytes in a
URL, a "+" of a time's offset that arrived as a space, control characters in a name. No
answer quotes a regular expression, and nothing logs a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.api.server import Runner, bind
from ledger.infra.settings import Settings
from tests.api.test_bad_inputs import assert_problem, post

Client = TestClient[Any, Any]
UNIT = {"name": "南京市人民政府", "kind": "government", "level": "municipal"}
REGEX_SIGNS = ("^[", "[^", "\\x", "]*$", "]+$", "{64}", "[0-9")


async def raw_exchange(settings: Settings, request: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send ``request`` as bytes to the app served as `ledger serve` serves it."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    runner = Runner(create_app(settings), access_log=None)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await writer.drain()
        answer = await reader.read()
        writer.close()
    finally:
        await runner.cleanup()
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status, headers, body


@pytest.mark.parametrize(
    "target",
    [
        b"/v1/units?parent_id=\xe5\xbc\xa0",
        b"/v1/units/\xe5\x8d\x97\xe4\xba\xac",
        b"/v1/units?x=\xff",
    ],
)
async def test_raw_bytes_in_the_url_answer_problem_json_without_a_traceback(
    settings: Settings, caplog: pytest.LogCaptureFixture, target: bytes
) -> None:
    caplog.set_level(logging.DEBUG)
    request = b"GET " + target + b" HTTP/1.1\r\nHost: ledger\r\nConnection: close\r\n\r\n"
    status, headers, body = await raw_exchange(settings, request)
    assert status.split()[1] == "400", status
    assert headers["content-type"].startswith("application/problem+json")
    problem = json.loads(body)
    assert (problem["status"], problem["title"]) == (400, "Malformed request")
    assert "percent-encode" in problem["detail"] and "%E5%BC%A0" in problem["detail"]
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "Traceback" not in caplog.text


async def test_a_well_formed_request_is_served_as_before(settings: Settings) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: ledger\r\nConnection: close\r\n\r\n"
    status, _, _ = await raw_exchange(settings, request)
    assert status.split()[1] == "200", status


@pytest.mark.parametrize("name", ["known_at", "valid_at"])
async def test_a_plus_of_an_offset_sent_unencoded_is_explained(
    client: Client, headers: dict[str, str], name: str
) -> None:
    unit = await post(client, "/v1/units", UNIT, headers)
    # "+" is left as is in the URL; the server reads it, as it must, as a space.
    response = await client.get(f"/v1/units/{unit['id']}/chain?{name}=2030-01-01T00:00:00+08:00")
    problem = await assert_problem(response, 422, name, "plus_as_space")
    assert "%2B" in problem["detail"]
    assert f"{name}=2030-01-01T00:00:00%2B08:00" in problem["detail"]
    encoded = await client.get(
        f"/v1/units/{unit['id']}/chain?{name}=2030-01-01T00:00:00%2B08:00"
        f"&min_position={unit['position']}"
    )
    assert encoded.status == 200, await encoded.text()


@pytest.mark.parametrize(
    ("path", "body", "field", "words"),
    [
        ("/v1/units", UNIT | {"name": "南京\n市"}, "name", "found a line break at character 3"),
        ("/v1/units", UNIT | {"name": "南京\t市"}, "name", "found a tab at character 3"),
        ("/v1/units", UNIT | {"name": "南京\x07市"}, "name", "found U+0007 at character 3"),
        ("/v1/units", UNIT | {"code": "NJ GOV"}, "code", "found a space at character 3"),
        ("/v1/persons", {"name": "李\r华"}, "name", "found a carriage return"),
        ("/v1/units", UNIT | {"parent_id": "南京"}, "parent_id", "should be a UUID"),
    ],
)
async def test_a_refused_character_is_named_in_words_never_as_a_pattern(
    client: Client,
    headers: dict[str, str],
    path: str,
    body: dict[str, Any],
    field: str,
    words: str,
) -> None:
    response = await client.post(path, json=body, headers=headers)
    problem = await assert_problem(response, 422, field)
    (error,) = problem["errors"]
    assert words in error["message"]
    for sign in REGEX_SIGNS:
        assert sign not in problem["detail"] and sign not in error["message"], problem
