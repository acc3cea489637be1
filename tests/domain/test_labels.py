"""Every code of every vocabulary, and every event type, has one Chinese label: a new one
cannot ship unlabelled."""

from __future__ import annotations

import re

from ledger.domain.catalogue import event_types
from ledger.domain.labels import EVENT_LABELS, LABELS, label, unlabelled, vocabulary_name
from ledger.domain.vocab import ALL, Role, UnitKind


def test_every_code_has_a_label_and_every_label_a_code() -> None:
    assert unlabelled() == []
    assert set(LABELS) == set(ALL)


def test_labels_are_chinese_and_distinct_within_a_vocabulary() -> None:
    for vocabulary, labels in LABELS.items():
        assert all(text.strip() for text in labels.values()), vocabulary
        assert len(set(labels.values())) == len(labels), vocabulary


def test_the_glossary_labels() -> None:
    assert label(Role.PRINCIPAL) == "主要负责人"
    assert label(Role.LEADER) == "班子成员"
    assert label(Role.STAFF) == "工作人员"
    assert label(UnitKind.DISCIPLINE_BODY) == "纪检监察机关"


def test_vocabulary_names_are_snake_case_and_distinct() -> None:
    names = [vocabulary_name(v) for v in ALL]
    assert vocabulary_name(UnitKind) == "unit_kind"
    assert len(set(names)) == len(names)


def test_every_event_type_has_a_chinese_name_and_every_name_a_type() -> None:
    types = set(event_types())
    assert len(types) > 30
    assert set(EVENT_LABELS) == types
    assert all(re.search("[\u4e00-\u9fff]", label) for label in EVENT_LABELS.values())
    assert len(set(EVENT_LABELS.values())) == len(EVENT_LABELS)
