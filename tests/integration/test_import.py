"""The import of history: every line through the commands' rules, all or nothing, once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import jsonschema
import pytest

from ledger.application.imports.importer import IMPORT_ACTOR, Importer
from ledger.application.imports.schema import line_schema
from ledger.infra import bulk
from ledger.infra.checkpoints import Signer, make_checkpoint
from ledger.infra.codec import make_mapper
from ledger.infra.verify import verify_ledger
from ledger.projections.findings import queries as findings
from tests.conftest import log_count
from tests.readmodels import assert_equal_to_a_rebuild

TODAY = date(2026, 11, 27)
SCHEMA = Path(__file__).parents[2] / "api" / "import-line.schema.json"


def history() -> list[dict[str, Any]]:
    """A city, its inspection office and discipline body, their people, an inspection, its
    findings (one closed after a rejection, one referred) and a case with an appeal."""
    city = {"name": "无锡市人民政府", "kind": "government", "level": "municipal", "code": "WX"}
    case = {"person_id": "p-mayor", "finding_ids": ["f-2"], "handling_unit_id": "wx-jw"}
    referral = {"to_unit_id": "wx-jw", "reason": "移送", "referred_on": "2021-05-01"}
    return [
        {"kind": "unit", "key": "wx", "create": city},
        _unit("wx-office", "无锡市督察办", "inspection_body"),
        _unit("wx-jw", "无锡市纪委监委", "discipline_body"),
        {"kind": "person", "key": "p-mayor", "create": {"name": "王市长"}},
        {"kind": "person", "key": "p-deputy", "create": {"name": "李副市长"}},
        {"kind": "person", "key": "p-inspector", "create": {"name": "赵督察"}},
        _post("a-mayor", "p-mayor", "principal", "市长", principal_title="government_head"),
        _post("a-deputy", "p-deputy", "leader", "副市长", portfolio=["law_enforcement"])
        | {"steps": [{"op": "line", "reports_to": "a-mayor", "effective_on": "2019-02-01"}]},
        _post(
            "a-inspector",
            "p-inspector",
            "principal",
            "主任",
            unit="wx-office",
            principal_title="unit_head",
        ),
        {"kind": "inspection", "key": "i-2021", "actor": "无锡市督察办", "create": _inspection()}
        | {"steps": [{"op": "start", "started_on": "2021-03-01"}]},
        _finding("f-1", _loop_to_closed()),
        _finding("f-2", [{"op": "refer", **referral}]),
        {"kind": "case", "key": "c-1", "actor": "无锡市纪委监委"}
        | {"create": case | {"opened_on": "2021-05-10"}}
        | {
            "steps": [
                {"op": "sanctions", "kind": "circulated_criticism", "decided_on": "2021-06-01"},
                {"op": "appeal", "appealed_on": "2021-06-05", "reason": "申诉"},
                {"op": "uphold", "decided_on": "2021-06-20"},
                {"op": "close", "closed_on": "2021-06-30"},
            ]
        },
        {"kind": "inspection", "key": "i-2021/closing", "of": "i-2021"}
        | {
            "steps": [
                {"op": "feedback", "fed_back_on": "2021-06-01", "summary": "反馈意见"},
                {"op": "close", "closed_on": "2021-07-01"},
            ]
        },
    ]


def _unit(key: str, name: str, kind: str) -> dict[str, Any]:
    create = {"name": name, "kind": kind, "level": "municipal", "parent_id": "wx"}
    return {"kind": "unit", "key": key, "create": create}


def _post(key: str, person: str, role: str, title: str, **more: Any) -> dict[str, Any]:
    unit = more.pop("unit", "wx")
    create = {"unit_id": unit, "person_id": person, "role": role, "title": title}
    create |= more | {"effective_from": "2019-01-01"}
    return {"kind": "assignment", "key": key, "create": create}


def _inspection() -> dict[str, Any]:
    return {
        "title": "2021年度法治政府建设督察",
        "year": 2021,
        "organizer_unit_id": "wx-office",
        "target_unit_ids": ["wx"],
        "team": ["p-inspector"],
        "topics": ["law_enforcement"],
        "starts_on": "2021-03-01",
        "ends_on": "2021-12-31",
        "basis": "锡法督〔2021〕3号",
    }


def _finding(key: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    create = {
        "unit_id": "wx",
        "inspection_id": "i-2021",
        "category": "law_enforcement",
        "severity": "medium",
        "description": "行政处罚决定书未载明救济途径",
        "found_on": "2021-04-01",
        "deadline": "2021-10-01",
    }
    return {
        "kind": "finding",
        "key": key,
        "actor": "督察组",
        "create": create,
        "steps": steps,
    }


def _loop_to_closed() -> list[dict[str, Any]]:
    return [
        {"op": "rectification-plan", "measures": "逐案复查", "planned_on": "2021-04-10"},
        {"op": "progress", "reported_on": "2021-06-01", "summary": "已复查", "complete": True},
        {"op": "reject", "reason": "整改不彻底", "rejected_on": "2021-06-10", "actor": "督察组"},
        {"op": "progress", "reported_on": "2021-07-01", "summary": "再次整改", "complete": True},
        {"op": "verify", "verified_on": "2021-07-10"},
        {"op": "close", "outcome": "rectified", "closed_on": "2021-07-11"},
    ]


def numbered(lines: list[Any]) -> list[tuple[int, str]]:
    """The lines of a file: a dict as its JSON, a string as it is."""
    return [
        (n, line if isinstance(line, str) else json.dumps(line, ensure_ascii=False))
        for n, line in enumerate(lines, 1)
    ]


@pytest.fixture
def importer(pool: asyncpg.Pool) -> Importer:
    return Importer(pool, make_mapper(), b"k" * 32, actor="operator:test", today=TODAY)


async def test_a_history_is_imported_sealed_and_projected_as_commands_would_be(
    importer: Importer, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    staged = await importer.run(numbered(history()))
    assert staged.errors == []
    assert staged.lines == len(history()) and staged.skipped == 0
    assert staged.events == await log_count(pool) > len(history())
    # The seal, the tree and a signed checkpoint over it all hold.
    signer = Signer("ledger.test/import", _key())
    await make_checkpoint(pool, signer)
    report = await verify_ledger(pool, signer.verifier_key)
    assert report.ok, report.problems
    # The read models hold the loop's end states, and equal a rebuild from the log.
    await assert_equal_to_a_rebuild(pool)
    closed = await findings.get_finding(pool, staged.ids["f-1"], TODAY)
    referred = await findings.get_finding(pool, staged.ids["f-2"], TODAY)
    assert closed is not None and referred is not None
    assert (closed["stage"], referred["stage"]) == ("closed", "referred")
    # Events keep the record's actor and dates; the source says how they came.
    rows = await pool.fetch(
        "SELECT state FROM ledger_events WHERE stream_id = $1 ORDER BY stream_version",
        staged.ids["f-1"],
    )
    states = [json.loads(r["state"]) for r in rows]
    assert {s["source"] for s in states} == {"import"}
    assert states[0]["actor"] == "督察组"
    assert states[0]["found_on"]["_data_"] == "2021-04-01"  # valid time: the record's


async def test_running_the_file_again_writes_nothing_and_a_changed_line_is_refused(
    importer: Importer, pool: asyncpg.Pool
) -> None:
    lines = history()
    await importer.run(numbered(lines))
    written = await log_count(pool)
    again = await importer.run(numbered(lines))
    assert (again.errors, again.lines, again.skipped, again.events) == ([], 0, len(lines), 0)
    assert await log_count(pool) == written
    lines[3]["create"]["name"] = "王某某"  # the same key, other content
    changed = await importer.run(numbered(lines))
    assert [(e.line, e.field, e.rule) for e in changed.errors] == [(4, "key", "conflicting")]
    assert await log_count(pool) == written
    keys = await pool.fetchval(
        "SELECT count(*) FROM ledger_idempotency WHERE actor = $1", IMPORT_ACTOR
    )
    assert keys == len(lines)


async def test_every_refused_line_is_named_and_nothing_is_written(
    importer: Importer, pool: asyncpg.Pool
) -> None:
    lines = history()
    closing = lines.pop()  # the refused lines go while the inspection is under way
    bad: list[Any] = [
        "{not json",
        {"kind": "planet", "key": "x", "create": {}},
        {"kind": "person", "key": "p-mayor", "create": {"name": "重名"}},  # a key used twice
        {"kind": "person", "key": "p-x", "create": {"name": "a\tb"}},
        {"kind": "assignment", "key": "a-x"}
        | {"create": {"unit_id": "nowhere", "person_id": "p-mayor", "role": "staff"}}
        | {
            "create": {
                "unit_id": "nowhere",
                "person_id": "p-mayor",
                "role": "staff",
                "title": "科员",
                "effective_from": "2020-01-01",
            }
        },
        {"kind": "assignment", "key": "a-y"}
        | {
            "create": {
                "unit_id": "wx",
                "person_id": "p-later",
                "role": "staff",
                "title": "科员",
                "effective_from": "2020-01-01",
            }
        },
        {"kind": "assignment", "key": "a-z"}
        | {
            "create": {
                "unit_id": "wx",
                "person_id": "p-deputy",
                "role": "principal",
                "title": "市长",
                "principal_title": "government_head",
                "effective_from": "2020-01-01",
            }
        },
        _finding("f-bad", [{"op": "verify", "verified_on": "2021-05-01"}]),
        {"kind": "person", "key": "p-later", "create": {"name": "后来者"}},
    ]
    before = await log_count(pool)
    staged = await importer.run(numbered([*lines, *bad, closing]))
    got = [(e.line, e.field, e.rule) for e in staged.errors]
    n = len(lines)
    assert got[:2] == [(n + 1, None, "json"), (n + 2, "kind", "literal_error")]
    assert (n + 3, "key", "unique") in got
    assert (n + 4, "create.name", "string_pattern_mismatch") in got
    assert (n + 5, "create.unit_id", "reference") in got
    assert (n + 6, "create.person_id", "reference") in got  # defined on a later line
    assert (n + 7, "create.effective_from", "principal_overlap") in got
    assert (n + 8, "steps.0", "illegal_transition") in got
    assert len(got) == 8
    later = next(e for e in staged.errors if e.line == n + 6)
    assert f"on line {n + 9}" in later.message
    assert await log_count(pool) == before == 0


def test_the_published_schema_is_current_and_takes_the_history() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == line_schema(), (
        "api/import-line.schema.json is stale: run `make openapi`"
    )
    validator = jsonschema.Draft202012Validator(line_schema())
    for line in history():
        assert list(validator.iter_errors(line)) == [], line
    wrong = {"kind": "finding", "key": "f", "create": {"unit_id": "u"}, "steps": [{"op": "fly"}]}
    assert list(validator.iter_errors(wrong))


async def test_a_batch_size_commits_chunks_each_with_its_keys(
    importer: Importer, pool: asyncpg.Pool
) -> None:
    staged = await importer.run(numbered(history()), batch_size=4)
    assert staged.errors == []
    assert len(staged.appended) == -(-len(history()) // 4)
    for earlier, later in zip(staged.appended, staged.appended[1:], strict=False):
        assert later.first_position == earlier.last_position + 1
    assert staged.events == await log_count(pool)


async def test_a_dry_run_checks_and_writes_nothing(importer: Importer, pool: asyncpg.Pool) -> None:
    staged = await importer.run(numbered(history()), dry_run=True)
    assert staged.errors == [] and staged.appended == [] and staged.lines == len(history())
    assert await log_count(pool) == 0


async def test_a_refused_continuation_leaves_its_record_as_it_was(
    importer: Importer, pool: asyncpg.Pool
) -> None:
    """A line that continues a record and is refused changes nothing later lines see."""
    lines = history()
    closing = lines.pop()  # the inspection's closing, then a finding during it
    bad_closing = closing | {
        "key": "i-2021/early",
        "steps": [*closing["steps"], {"op": "start", "started_on": "2021-08-01"}],
    }
    lines += [bad_closing, _finding("f-3", [])]
    staged = await importer.check(numbered(lines))
    assert [(e.line, e.field) for e in staged.errors] == [(len(lines) - 1, "steps.2")]


def _key() -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


async def test_a_seal_that_disagrees_with_ledger_leaf_fails_the_import(
    importer: Importer, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every link the import seals in Python is recomputed by PostgreSQL's own ledger_leaf
    before the commit: one row encoded otherwise fails the whole import."""
    encoded = bulk.encode_leaf

    def one_row_otherwise(position: int, *rest: Any) -> bytes:
        leaf = encoded(position, *rest)
        return leaf + b"!" if position == 5 else leaf

    monkeypatch.setattr(bulk, "encode_leaf", one_row_otherwise)
    with pytest.raises(bulk.SealMismatch, match="position 5 "):
        await importer.run(numbered(history()))
    assert await log_count(pool) == 0
    assert await pool.fetchval("SELECT position FROM ledger_head") == 0
