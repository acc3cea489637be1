"""The answers about the records of oversight: clues, inspections, findings, accountability
cases and their sanctions, bulletins. One record (``*View``, as known at ``known_at``) or a
page of them (``*Page``: ``next_cursor`` is the ``cursor`` of the next page, null at the
end). Named as the OpenAPI document names them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ledger.client.answers import Answer, ClueSummary
from ledger.client.views import Named


class Listed(Answer):
    known_at: datetime | None
    position: int
    next_cursor: str | None


class CluePage(Listed):
    items: list[ClueSummary]


class InspectionSummary(Answer):
    id: UUID
    version: int
    title: str
    year: int
    organizer: Named
    targets: list[Named]
    stage: str
    starts_on: date
    ends_on: date
    started_on: date | None
    fed_back_on: date | None
    closed_on: date | None
    findings_raised: int


class InspectionPage(Listed):
    items: list[InspectionSummary]


class Evidence(Answer):
    version: int
    method: str
    summary: str
    document: str | None
    sha256: str | None
    unit_id: UUID | None
    collected_on: date
    actor: str
    basis: str | None
    recorded_at: datetime


class RaisedFinding(Answer):
    id: UUID
    unit_id: UUID
    unit_name: str | None
    category: str
    severity: str
    description: str
    found_on: date
    original_deadline: date
    deadline: date
    stage: str
    outcome: str | None
    verified_on: date | None
    closed_on: date | None


class InspectionView(Answer):
    known_at: datetime | None
    position: int
    id: UUID
    version: int
    title: str
    year: int
    organizer_unit_id: UUID
    organizer_name: str | None
    targets: list[Named]
    team: list[Named]
    topics: list[str]
    starts_on: date
    ends_on: date
    stage: str
    started_on: date | None
    fed_back_on: date | None
    feedback_summary: str | None
    closed_on: date | None
    documents: list[str]
    evidence: list[Evidence]
    findings: list[RaisedFinding]


class FindingSource(Answer):
    kind: Literal["inspection", "clue"]
    id: UUID


class FindingSummary(RaisedFinding):
    version: int
    source: FindingSource
    basis: str | None
    documents: list[str]
    overdue: bool
    days_overdue: int


class FindingPage(Answer):
    valid_at: date
    known_at: datetime | None
    items: list[FindingSummary]
    next_cursor: str | None


class SanctionStep(Answer):
    step: Literal["imposed", "appealed", "upheld", "modified", "revoked"]
    step_on: date
    kind: str
    previous_kind: str | None
    reason: str | None
    basis: str | None
    actor: str
    recorded_at: datetime
    position: int


class Sanction(Answer):
    id: UUID
    kind: str
    original_kind: str
    state: str
    in_force: bool
    imposed_on: date
    decided_on: date
    basis: str | None
    steps: list[SanctionStep]


class Case(Answer):
    id: UUID
    version: int
    person_id: UUID
    person_name: str | None
    finding_ids: list[UUID]
    handling_unit_id: UUID
    handling_unit_name: str | None
    opened_on: date
    reason: str | None
    basis: str | None
    closed_on: date | None
    closed_reason: str | None
    sanctions: list[Sanction]


class CaseView(Case):
    known_at: datetime | None
    position: int


class CasePage(Listed):
    items: list[Case]


class Recipient(Answer):
    unit_id: UUID
    name: str | None
    kind: str | None


class BulletinSummary(Answer):
    id: UUID
    version: int
    kind: str
    title: str
    inspection_id: UUID
    inspection_title: str | None
    finding_ids: list[UUID]
    issued_on: date
    summary: str | None
    basis: str | None
    recorded_at: datetime
    recipients: list[Recipient]


class BulletinView(BulletinSummary):
    known_at: datetime | None
    position: int


class BulletinPage(Listed):
    items: list[BulletinSummary]
