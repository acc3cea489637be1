"""The answers about the records a responsibility chain is made of: units, persons, their
assignments (posts) and the chain's changes; the assessments of units; the vocabularies.
Named as the OpenAPI document names them; a vocabulary's code is read as a string, so a
code a newer server adds does not break the client (``vocabularies()`` lists them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ledger.client.answers import Answer, AssignmentView


class UnitView(Answer):
    id: UUID
    name: str
    kind: str
    level: str
    parent_id: UUID | None
    code: str | None
    dissolved: bool
    merged_into: UUID | None
    version: int


class UnitPage(Answer):
    items: list[UnitView]
    next_cursor: str | None


class Named(Answer):
    id: UUID
    name: str | None


class PersonPost(AssignmentView):
    unit_name: str | None


class Posts(Answer):
    valid_at: date
    known_at: datetime | None
    position: int
    next_cursor: str | None


class UnitHolders(Posts):
    """Who holds a post in a unit on ``valid_at``."""

    items: list[AssignmentView]


class PersonPosts(Posts):
    """Every post a person holds on ``valid_at``, with its unit's name."""

    items: list[PersonPost]


class PersonSummary(Answer):
    id: UUID
    name: str
    version: int


class PersonPage(Answer):
    items: list[PersonSummary]
    next_cursor: str | None


class PersonView(PersonSummary):
    assignments: list[AssignmentView]


class FoundPerson(Answer):
    """The person who holds an identity number."""

    id: UUID


class ChainChange(Answer):
    """One change of a unit's chain: assigned, ended, portfolio_changed, line_changed or
    corrected (then ``field``, ``old`` and ``new``)."""

    kind: str
    on: date | None
    position: int
    recorded_at: datetime
    actor: str
    assignment_id: UUID
    person_id: UUID
    person_name: str | None
    role: str
    title: str
    principal_title: str | None
    basis: str | None
    reason: str | None
    end_reason: str | None
    portfolio: list[str] | None
    previous_portfolio: list[str] | None
    reports_to: UUID | None
    previous_reports_to: UUID | None
    field: str | None
    old: Any
    new: Any


class ChainChanges(Answer):
    unit: UnitView
    valid_from: date | None
    valid_to: date | None
    known_from: datetime | None
    known_to: datetime | None
    position: int
    items: list[ChainChange]


class Indicator(Answer):
    code: str
    name: str
    weight: float


class IndicatorSetView(Answer):
    known_at: datetime | None
    position: int
    id: UUID
    version: int
    year: int
    name: str
    indicators: list[Indicator]
    basis: str | None


class AssessmentVersion(Answer):
    version: int
    total: float
    grade: str
    scores: dict[str, float]
    assessed_on: date
    reason: str | None
    basis: str | None
    actor: str
    recorded_at: datetime
    position: int


class Assessment(AssessmentVersion):
    """A unit's assessment of a year, as it stands; ``earlier``: the versions it replaced."""

    id: UUID
    indicator_set_id: UUID
    indicator_set_name: str | None
    unit_id: UUID
    unit_name: str | None
    year: int
    earlier: list[AssessmentVersion]


class UnitAssessments(Answer):
    known_at: datetime | None
    position: int
    unit: Named
    items: list[Assessment]


class Term(Answer):
    code: str
    label: str


class Vocabularies(Answer):
    """Every code the API takes or answers, with its Chinese label."""

    unit_kind: list[Term]
    unit_level: list[Term]
    role: list[Term]
    principal_title: list[Term]
    category: list[Term]
    end_reason: list[Term]
    correctable_field: list[Term]
    severity: list[Term]
    liability: list[Term]
    evidence_method: list[Term]
    inspection_stage: list[Term]
    finding_stage: list[Term]
    finding_field: list[Term]
    outcome: list[Term]
    rectification_timing: list[Term]
    sanction_kind: list[Term]
    sanction_state: list[Term]
    clue_source: list[Term]
    triage_outcome: list[Term]
    bulletin_kind: list[Term]
    grade: list[Term]
