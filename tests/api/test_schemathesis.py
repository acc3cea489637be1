"""The served contract, fuzzed: schemathesis against the real app on a real port.

Every operation of the served ``/openapi.json`` gets ``EXAMPLES`` generated requests of
valid inputs, as many of invalid ones, and, where its path names a unit, person,
assignment, inspection or finding, as many again about a real one (a small world is
written first). All carry a whole-ledger admin token and an access purpose. Each answer
must be no server error, of a documented status and media type, and match its schema.
And every GET refuses a query parameter it does not declare, naming it.

Generation is seeded, with no example database and no deadline, so a run is the same run
on any machine, however slow. ``GET /v1/events/stream`` is not fuzzed: it is a live
stream that never ends (``test_events_feed`` tests it).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

import hypothesis
import pytest
import requests
import schemathesis
from requests.structures import CaseInsensitiveDict
from schemathesis import APIOperation, Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ledger.application import Ledger
from ledger.infra.settings import Settings
from tests.conftest import Issue
from tests.live import LiveServer
from tests.world import build_world, raised_finding, started_inspection

SEED = 7
EXAMPLES = 25  # per operation and pass


@schemathesis.serializer("application/x-ndjson")
def _json_lines(ctx: Any, value: Any) -> bytes:
    """A generated line of an import (``POST /v1/import``), sent as a file of that line."""
    return (json.dumps(value, ensure_ascii=False) + "\n").encode()


def no_server_error(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """``not_a_server_error``, but for the one 503 the contract asks for: a read told to
    wait for a ``min_position`` the read models have not reached (a generated position is
    mostly far beyond the head) answers 503 "not caught up" with Retry-After."""
    if (
        response.status_code == 503
        and "min_position" in (case.query or {})
        and "retry-after" in response.headers  # lower-cased by schemathesis
        and response.json().get("type") == "/problems/not-caught-up"
    ):
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [
    no_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NEVER_ENDS = {"/v1/events/stream"}
PURPOSE = quote("接口契约测试")  # percent-encoded UTF-8, as the header is sent


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The app's settings, with a short ``min_position`` wait: generated positions are
    mostly beyond the head, and each such read waits that long for its 503."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        projection_poll_interval=0.2,
        min_position_timeout=0.05,
        checkpoint_interval=0.5,
    )


@pytest.fixture
def live(settings: Settings) -> Iterator[str]:
    # No rate limit: thousands of requests from one token would be answered 429 (a test of
    # its own: tests/api/test_limits.py), and the contract would go unfuzzed.
    with LiveServer(settings.model_copy(update={"rate_limit": 0})) as server:
        yield server.url


@pytest.fixture
def admin_headers(issue: Issue) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue('admin')}", "X-Access-Purpose": PURPOSE}


@pytest.fixture
def contract(live: str) -> schemathesis.BaseSchema:
    """The document the live app serves, loaded as schemathesis sees it."""
    config = schemathesis.Config.from_dict({"seed": SEED, "request-timeout": 30})
    return schemathesis.openapi.from_url(f"{live}/openapi.json", config=config)


@pytest.fixture
async def world(ledger: Ledger) -> dict[str, UUID]:
    """A city with its chain, an inspection and a finding; each path's ``{id}`` names
    one of these in a third pass, so that answers about real records are checked too."""
    built = await build_world(ledger)
    inspection = await started_inspection(ledger, built)
    finding = await raised_finding(ledger, built, inspection)
    return {
        "/v1/units/": built.bureau,
        "/v1/persons/": built.deputy,
        "/v1/assignments/": built.deputy_post,
        "/v1/inspections/": inspection,
        "/v1/findings/": finding,
        "/v1/history/": built.deputy,
    }


def known_ids(path: str, world: dict[str, UUID]) -> dict[str, str] | None:
    for prefix, known in world.items():
        if path.startswith(prefix + "{id}"):
            return {"id": str(known), "person_id": str(world["/v1/persons/"])}
    return None


def caught_up(live: str) -> None:
    """Wait until every read model has reached the head of the log."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready = requests.get(f"{live}/readyz", timeout=30).json()
        if all(p >= ready["head"] for p in ready["projections"].values()):
            return
        time.sleep(0.1)
    raise AssertionError(f"the read models did not catch up: {ready}")


def fuzz(
    operation: APIOperation,
    mode: GenerationMode,
    run: Callable[[Case], None],
    path_parameters: dict[str, str] | None = None,
) -> None:
    """``EXAMPLES`` generated requests for one operation, the same ones on every run."""

    @hypothesis.seed(SEED)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.generate, hypothesis.Phase.shrink],
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.given(case=operation.as_strategy(mode, path_parameters=path_parameters))
    def examples(case: Case) -> None:
        run(case)

    examples()


def test_the_served_contract_holds(
    world: dict[str, UUID],
    contract: schemathesis.BaseSchema,
    live: str,
    admin_headers: dict[str, str],
    request: pytest.FixtureRequest,
) -> None:
    sent: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    failures: dict[str, str] = {}
    session = requests.Session()
    request.addfinalizer(session.close)

    def run(case: Case) -> None:
        sent[case.operation.label] += 1
        # A new mapping: a case without headers hands out a fresh empty one each time.
        case.headers = CaseInsensitiveDict({**dict(case.headers or {}), **admin_headers})
        response = case.call(base_url=live, session=session)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    caught_up(live)
    started = time.monotonic()
    loaded = list(contract.get_all_operations())
    operations = [result.ok() for result in loaded if isinstance(result, Ok)]
    assert len(operations) == len(loaded), [r.err() for r in loaded if isinstance(r, Err)]
    for operation in operations:
        if operation.path in NEVER_ENDS:
            continue
        passes: list[tuple[GenerationMode, dict[str, str] | None]] = [
            (GenerationMode.POSITIVE, None),
            (GenerationMode.NEGATIVE, None),
        ]
        known = known_ids(operation.path, world)
        if known is not None:
            names = {p.name for p in operation.path_parameters}
            passes.append((GenerationMode.POSITIVE, {k: v for k, v in known.items() if k in names}))
        for mode, path_parameters in passes:
            name = f"{operation.label} ({mode.value}{', known id' if path_parameters else ''})"
            try:
                fuzz(operation, mode, run, path_parameters)
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, name  # nothing to negate
            except (Exception, BaseExceptionGroup) as failure:  # try every one, report all
                failures[name] = str(failure)[:3000]
    elapsed = time.monotonic() - started
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nschemathesis: {len(sent)} of {len(operations)} operations, "
                f"{sum(sent.values())} requests in {elapsed:.0f} s (seed {SEED}, {EXAMPLES} "
                f"examples a pass), statuses {dict(sorted(statuses.items()))}, "
                f"{len(failures)} failing"
            )
    assert len(sent) == len(operations) - len(NEVER_ENDS)
    assert statuses[429] == 0, "the contract was not fuzzed: the rate limit answered"
    assert not failures, "\n\n".join(f"== {name}\n{text}" for name, text in failures.items())


def test_every_get_refuses_an_unknown_query_parameter(
    live: str, admin_headers: dict[str, str]
) -> None:
    document = requests.get(f"{live}/openapi.json", timeout=30).json()
    gets = [path for path, operations in document["paths"].items() if "get" in operations]
    assert len(gets) > 30
    for path in gets:
        # Any UUID will do: the parameter is refused before anything is looked up (the
        # live stream too, before it starts).
        url = live + re.sub(r"{\w+}", str(uuid.uuid4()), path)
        answer = requests.get(url, params={"zzz_unknown": "1"}, headers=admin_headers, timeout=30)
        assert answer.status_code == 422, (path, answer.status_code, answer.text)
        assert answer.headers["Content-Type"].startswith("application/problem+json"), path
        problem = answer.json()
        assert problem["errors"][0]["field"] == "zzz_unknown", path
        assert problem["errors"][0]["rule"] == "unknown_parameter", path
