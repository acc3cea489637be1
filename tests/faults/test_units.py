"""The deployment in ``infra/`` is the one these tests run: the systemd units' ``ExecStart``
lines, with their instance names, started as they are (the virtual environment's path
for ``/opt/ledger/.venv``, the test's database and keys for the example's), two API
processes and two workers; every name in ``infra/ledger.env.example`` is a setting; and
the units' stop signal stops each process cleanly within their ``TimeoutStopSec``."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from ledger.domain.access import Role
from ledger.infra.settings import Settings
from tests.conftest import bearer
from tests.faults.conftest import STOP_WITHIN, Process, Rig, lock_holders, until

pytestmark = pytest.mark.faults

INFRA = Path(__file__).resolve().parents[2] / "infra"
UNITS = INFRA / "systemd"
INSTALLED = "/opt/ledger/.venv/bin/"  # where the units expect the virtual environment
# The example's settings the test replaces: where the database and the keys are.
REPLACED = {"LEDGER_DATABASE_URL", "LEDGER_READ_DATABASE_URL", "LEDGER_DATA_DIR"}
REPLACED |= {"LEDGER_SIGNING_KEY_FILE", "LEDGER_TOKEN_KEY_FILE", "LEDGER_PII_KEY"}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(UNITS / name)
    return parser


def command(name: str, instance: str) -> list[str]:
    """The unit's ExecStart for ``instance`` (%i), as `ledger` arguments."""
    words = shlex.split(unit(name)["Service"]["ExecStart"].replace("%i", instance))
    assert words[0] == INSTALLED + "ledger", words[0]
    return words[1:]


def example() -> dict[str, str]:
    lines = (INFRA / "ledger.env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {key: value for key, value in pairs}


def test_every_name_in_the_example_environment_is_a_setting() -> None:
    known = {f"LEDGER_{name.upper()}" for name in Settings.model_fields}
    assert set(example()) <= known, set(example()) - known
    Settings.model_validate(  # and every value is one it takes
        {key.removeprefix("LEDGER_").lower(): value for key, value in example().items()}
    )
    for name in ("ledger-api@.service", "ledger-project@.service"):
        service = unit(name)["Service"]
        assert service["EnvironmentFile"] == "/etc/ledger/ledger.env"
        assert service["KillSignal"] == "SIGINT"


async def started(rig: Rig, name: str, args: list[str]) -> Process:
    settings = {k: v for k, v in example().items() if k not in REPLACED}
    process = await rig.start(name, *args, **settings)
    if args[0] == "serve":
        await process.serving()
    return process


async def test_the_units_commands_run_two_api_processes_and_two_workers(rig: Rig) -> None:
    # Port 0 for %i: the OS chooses, the process says which.
    serve = command("ledger-api@.service", "0")
    assert serve[:2] == ["serve", "--no-projections"]
    project = command("ledger-project@.service", "a")
    assert project == ["project"]
    apis = [await started(rig, f"api-{n}", serve) for n in (1, 2)]
    workers = [await started(rig, f"project-{n}", project) for n in ("a", "b")]

    conn = await asyncpg.connect(rig.database_url, timeout=10)
    token = rig.token(Role.ADMIN, "faults-units")
    try:

        async def one_active() -> bool:
            return len(await lock_holders(conn)) == 1

        await until(one_active, 30, "one active worker")
        assert (await lock_holders(conn))[0] in {"project-a", "project-b"}
        async with aiohttp.ClientSession(headers=bearer(token)) as session:
            body = {"name": "无锡市司法局", "kind": "department", "level": "municipal"}
            async with session.post(f"{apis[0].url}/v1/units", json=body) as answer:
                assert answer.status == 201, await answer.text()
                made = await answer.json()
            read = f"{apis[1].url}/v1/units/{made['id']}?min_position={made['position']}"
            async with session.get(read) as answer:  # the other process, the same ledger
                assert answer.status == 200, await answer.text()
                assert (await answer.json())["name"] == "无锡市司法局"
    finally:
        await conn.close()
    # Stopped by the units' KillSignal (SIGINT), each within their TimeoutStopSec.
    for process in (*apis, *workers):
        assert await process.stop() == 0, process.output()
    assert float(unit("ledger-api@.service")["Service"]["TimeoutStopSec"]) >= STOP_WITHIN
