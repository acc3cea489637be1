"""Stored events are a contract: events written by earlier versions must still load.

`golden/events_v1.json` holds stored events (topic and state bytes) as the first release
wrote them. Renaming an event's module or class without registering the old topic, or
changing its fields without a ``class_version`` and an upcaster, breaks these tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.infra.codec import make_mapper

_FOLDER = Path(__file__).parent / "golden"
CHAIN = json.loads((_FOLDER / "events_v1.json").read_text("utf-8"))
# The closed loop's events (inspections, findings, cases, clues, bulletins, assessments).
LOOP = json.loads((_FOLDER / "events_loop_v1.json").read_text("utf-8"))
GOLDEN = CHAIN + LOOP


def _stored(item: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(item["originator_id"]),
        originator_version=item["originator_version"],
        topic=item["topic"],
        state=item["state"].encode(),
    )


@pytest.mark.parametrize("item", GOLDEN, ids=[g["topic"].split(":")[1] for g in GOLDEN])
def test_golden_event_loads_and_reencodes_identically(item: dict[str, Any]) -> None:
    mapper = make_mapper()
    event = mapper.to_domain_event(_stored(item))
    again = mapper.to_stored_event(event)
    assert again.topic == item["topic"]
    assert again.state == item["state"].encode()


def _replay(items: list[dict[str, Any]]) -> list[Any]:
    mapper = make_mapper()
    aggregates: dict[str, Any] = {}
    for item in items:
        event: Any = mapper.to_domain_event(_stored(item))
        aggregates[item["originator_id"]] = event.mutate(aggregates.get(item["originator_id"]))
    return list(aggregates.values())


def test_golden_streams_replay_into_aggregates() -> None:
    unit, person, assignment, staff = _replay(CHAIN)
    assert (unit.name, unit.dissolved) == ("南京市政府", True)
    assert person.name == "王明明"
    assert str(assignment.effective_from) == "2021-02-01"
    assert str(assignment.effective_to) == "2023-05-01"
    assert [c.value for c in assignment.portfolio] == ["law_enforcement", "legal_publicity"]
    assert staff.reports_to == UUID(int=10)
    assert [line for _, line in staff.lines] == [UUID(int=9), UUID(int=10)]


def test_golden_loop_streams_replay_into_aggregates() -> None:
    inspection, clue, rectified, referred, case, bulletin, indicators, assessment = _replay(LOOP)
    assert inspection.stage.value == "closed"
    assert clue.finding_id == rectified.id
    assert (rectified.outcome.value, str(rectified.original_deadline), str(rectified.deadline)) == (
        "rectified",
        "2024-08-31",
        "2024-10-31",
    )
    assert list(rectified.attributions) == [UUID(int=4)]
    assert rectified.severity.value == "critical"  # corrected after it closed
    assert referred.outcome.value == "referred"
    states = {str(s.id)[-1]: (s.kind.value, s.state.value) for s in case.sanctions.values()}
    assert states == {
        "9": ("admonishment_talk", "modified"),
        "a": ("circulated_criticism", "revoked"),
    }
    assert case.closed
    assert bulletin.recipient_unit_ids == [UUID(int=8), UUID(int=11)]
    assert [i["code"] for i in indicators.indicators] == ["A1", "A2"]
    assert (str(assessment.total), assessment.grade.value, assessment.version) == (
        "82.00",
        "good",
        2,
    )
