"""Stored events are a contract: events written by earlier versions must still load.

`golden/events_v1.json` holds stored events (topic and state bytes) as the first release
wrote them. Renaming an event's module or class without registering the old topic, or
changing its fields without a ``class_version`` and an upcaster, breaks these tests.
An event of an earlier version of its class loads upcast and re-encodes as the current
version writes it; `golden/events_person_v2.json` holds a person's events as version 2
writes them (the identity number as its keyed hash).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from ledger.infra.codec import make_mapper
from ledger.infra.pii import keyed_hash

_FOLDER = Path(__file__).parent / "golden"
CHAIN = json.loads((_FOLDER / "events_v1.json").read_text("utf-8"))
# The closed loop's events (inspections, findings, cases, clues, bulletins, assessments).
LOOP = json.loads((_FOLDER / "events_loop_v1.json").read_text("utf-8"))
# A person's events as version 2 writes them: the number as its keyed hash, never itself.
PERSON_V2 = json.loads((_FOLDER / "events_person_v2.json").read_text("utf-8"))
GOLDEN = CHAIN + LOOP + PERSON_V2


def _versions(item: dict[str, Any]) -> tuple[int, int]:
    """The version the event was stored at, and its class's current version."""
    stored = json.loads(item["state"]).get("class_version", 1)
    return stored, getattr(resolve_topic(item["topic"]), "class_version", 1)


CURRENT = [g for g in GOLDEN if _versions(g)[0] == _versions(g)[1]]
UPCAST = [g for g in GOLDEN if _versions(g)[0] < _versions(g)[1]]


def _stored(item: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(item["originator_id"]),
        originator_version=item["originator_version"],
        topic=item["topic"],
        state=item["state"].encode(),
    )


@pytest.mark.parametrize("item", CURRENT, ids=[g["topic"].split(":")[1] for g in CURRENT])
def test_golden_event_loads_and_reencodes_identically(item: dict[str, Any]) -> None:
    mapper = make_mapper()
    event = mapper.to_domain_event(_stored(item))
    again = mapper.to_stored_event(event)
    assert again.topic == item["topic"]
    assert again.state == item["state"].encode()


def test_only_the_persons_version_1_events_are_upcast() -> None:
    assert [(g["topic"].split(":")[1], _versions(g)) for g in UPCAST] == [
        ("Person.Registered", (1, 2)),
        ("Person.DetailsCorrected", (1, 2)),
    ]


@pytest.mark.parametrize("item", UPCAST, ids=[g["topic"].split(":")[1] for g in UPCAST])
def test_a_version_1_person_event_loads_without_the_number_as_version_2(
    item: dict[str, Any],
) -> None:
    """Version 1 held the number itself (no key is at hand to hash it): version 2 reads it
    as no number; re-encoded, it is the event version 2 would write, number-free."""
    mapper = make_mapper()
    event = mapper.to_domain_event(_stored(item))
    assert "person_no" not in vars(event) and vars(event)["person_no_hash"] is None
    old = json.loads(item["state"])
    again = mapper.to_stored_event(event)
    assert again.topic == item["topic"]
    expected = {k: v for k, v in old.items() if k not in ("person_no", *_ACTS)}
    expected |= {"person_no_hash": None} | {k: old[k] for k in _ACTS} | {"class_version": 2}
    assert list(json.loads(again.state).items()) == list(expected.items())
    assert b"P-001" not in again.state


_ACTS = ("actor", "source", "reason", "basis")


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
    assert (person.name, person.person_no_hash) == ("王明明", None)  # v1's number: dropped
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


def test_golden_person_v2_stream_replays_with_the_corrected_number() -> None:
    (person,) = _replay(PERSON_V2)
    assert person.name == "王明明"
    assert person.person_no_hash == keyed_hash(b"golden-pii-key", "P-002")
    assert all("P-00" not in g["state"] for g in PERSON_V2)
