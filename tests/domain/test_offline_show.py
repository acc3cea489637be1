"""offline_show: an event's stored state decoded as an auditor reads it, from the golden
stored events (the format later versions must load), with nothing but the standard
library."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger.offline_show import decode_state, show_event

GOLDEN = Path(__file__).parent / "golden" / "events_v1.json"
SOURCE = Path(__file__).resolve().parents[2] / "src" / "ledger" / "offline_show.py"


def _golden(topic_suffix: str) -> dict[str, Any]:
    events: list[dict[str, Any]] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return next(e for e in events if e["topic"].endswith(topic_suffix))


def test_it_imports_only_the_standard_library() -> None:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"__future__", "json", "uuid", "datetime", "typing"}


def test_a_stored_state_becomes_plain_values() -> None:
    state = _golden("Unit.Registered")["state"].encode()
    body = decode_state(state)
    assert body["name"] == "南京市人民政府"
    assert (body["kind"], body["level"], body["code"]) == ("government", "municipal", "NJ-GOV")
    assert body["parent_id"] is None
    nested = decode_state(
        b'{"ids":[{"_type_":"uuid_hex","_data_":"0b9f4d2e5c1a4e3b9a7d2f6c8e1d0a45"}],'
        b'"on":{"_type_":"date_iso","_data_":"2024-05-10"},'
        b'"scores":{"A1":{"_type_":"decimal_str","_data_":"91.5"}}}'
    )
    assert nested == {
        "ids": ["0b9f4d2e-5c1a-4e3b-9a7d-2f6c8e1d0a45"],
        "on": "2024-05-10",
        "scores": {"A1": "91.5"},
    }


def _leaf(topic: str, state: bytes) -> dict[str, Any]:
    return {
        "position": 9,
        "stream_id": "0b9f4d2e-5c1a-4e3b-9a7d-2f6c8e1d0a45",
        "stream_version": 1,
        "topic": topic,
        "state": state,
        "tags": [],
        "recorded_at": datetime(2024, 5, 10, 1, 2, 3, tzinfo=UTC),
    }


def test_an_event_is_shown_field_by_field() -> None:
    golden = _golden("Unit.Registered")
    lines = show_event(_leaf(golden["topic"], golden["state"].encode()))
    assert lines == [
        "  position 9: Unit.Registered (stream 0b9f4d2e-5c1a-4e3b-9a7d-2f6c8e1d0a45 version 1)",
        "    recorded at: 2024-05-10T01:02:03Z",
        "    actor: golden (source api)",
        "    basis (文号): -",
        "    fields:",
        "      name: 南京市人民政府",
        "      kind: government",
        "      level: municipal",
        "      parent_id: -",
        "      code: NJ-GOV",
    ]


def test_a_body_that_is_not_the_stored_json_is_said_so() -> None:
    lines = show_event(_leaf("ledger.domain.unit:Unit.Registered", b"\xff"))
    assert lines[-1].startswith("    body not decoded: ")
    assert show_event(_leaf("x:Y.Z", b"[1]"))[-1] == (
        "    body not decoded: the event's state is not a JSON object"
    )
