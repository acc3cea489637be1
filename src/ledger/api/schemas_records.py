"""Answers of the records' reads: inspections, accountability cases, clues, bulletins,
indicator sets and assessments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from ledger.api.schemas import View
from ledger.domain.vocab import (
    BulletinKind,
    Category,
    ClueSource,
    EvidenceMethod,
    FindingStage,
    Grade,
    InspectionStage,
    Outcome,
    SanctionKind,
    SanctionState,
    Severity,
    TriageOutcome,
    UnitKind,
)

KNOWN_AT = Field(description="The known_at asked for, if any.")
POSITION = Field(description="The ledger position the answer reflects.")


class Named(View):
    id: UUID
    name: str | None = Field(description="As the chain knew it; null if not known.")


class Evidence(View):
    version: int = Field(description="The inspection's stream version that recorded it.")
    method: EvidenceMethod
    summary: str
    document: str | None = Field(description="Reference of the stored document.")
    sha256: str | None
    unit_id: UUID | None
    collected_on: date
    actor: str
    basis: str | None
    recorded_at: datetime


class RaisedFinding(View):
    id: UUID
    unit_id: UUID
    unit_name: str | None
    category: Category
    severity: Severity
    description: str
    found_on: date
    original_deadline: date
    deadline: date = Field(description="The current deadline, after extensions.")
    stage: FindingStage
    outcome: Outcome | None
    verified_on: date | None
    closed_on: date | None


class InspectionView(View):
    known_at: datetime | None = KNOWN_AT
    position: int = POSITION
    id: UUID
    version: int
    title: str
    year: int
    organizer_unit_id: UUID
    organizer_name: str | None
    targets: list[Named]
    team: list[Named]
    topics: list[Category]
    starts_on: date
    ends_on: date
    stage: InspectionStage
    started_on: date | None
    fed_back_on: date | None
    feedback_summary: str | None
    closed_on: date | None
    evidence: list[Evidence] = Field(description="In the order recorded.")
    findings: list[RaisedFinding] = Field(description="Raised by this inspection.")


class InspectionSummary(View):
    id: UUID
    version: int
    title: str
    year: int
    organizer: Named
    targets: list[Named] = Field(description="The units inspected, in the order named.")
    stage: InspectionStage
    starts_on: date
    ends_on: date
    started_on: date | None
    fed_back_on: date | None
    closed_on: date | None
    findings_raised: int = Field(description="How many findings it raised, as known then.")


class InspectionPage(View):
    known_at: datetime | None = KNOWN_AT
    position: int = POSITION
    items: list[InspectionSummary] = Field(description="Latest start first (starts_on, then id).")
    next_cursor: str | None = Field(description="The next page's cursor; null on the last.")


class SanctionStep(View):
    step: Literal["imposed", "appealed", "upheld", "modified", "revoked"]
    step_on: date = Field(description="The day of the decision or of the appeal.")
    kind: SanctionKind = Field(description="The sanction's kind after this step.")
    previous_kind: SanctionKind | None = Field(description="Before a modification.")
    reason: str | None
    basis: str | None
    actor: str
    recorded_at: datetime
    position: int


class Sanction(View):
    id: UUID
    kind: SanctionKind = Field(description="As it stands now, after appeals.")
    original_kind: SanctionKind = Field(description="As first imposed.")
    state: SanctionState
    in_force: bool = Field(description="False once revoked.")
    imposed_on: date
    decided_on: date = Field(description="The latest decision: imposed, upheld, modified, revoked.")
    basis: str | None = Field(description="The document it was imposed by.")
    steps: list[SanctionStep] = Field(description="Every step, in ledger order.")


class Case(View):
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
    known_at: datetime | None = KNOWN_AT
    position: int = POSITION


class CasePage(View):
    known_at: datetime | None = KNOWN_AT
    position: int = POSITION
    items: list[Case] = Field(description="Latest opened first (opened_on, then id).")
    next_cursor: str | None = Field(description="The next page's cursor; null on the last.")


class ClueView(View):
    known_at: datetime | None = KNOWN_AT
    position: int = POSITION
    id: UUID
    version: int
    source: ClueSource = Field(description="The system the clue came from.")
    external_id: str = Field(description="Its key in that system.")
    summary: str
    received_at: datetime
    unit_id: UUID | None
    unit_name: str | None
    recorded_at: datetime
    outcome: TriageOutcome | None = Field(description="Null until triaged.")
    finding_id: UUID | None = Field(description="The finding it became, if any.")
    triage_reason: str | None
    triaged_at: datetime | None = Field(description="When the triage was recorded.")


class Recipient(View):
    unit_id: UUID
    name: str | None
    kind: UnitKind | None


class BulletinView(View):
    known_at: datetime | None = KNOWN_AT
    position: int = POSITION
    id: UUID
    version: int
    kind: BulletinKind
    title: str
    inspection_id: UUID
    inspection_title: str | None
    finding_ids: list[UUID]
    issued_on: date
    summary: str | None
    basis: str | None
    recorded_at: datetime
    recipients: list[Recipient] = Field(description="In the order named.")


class Indicator(View):
    code: str
    name: str
    weight: float


class IndicatorSetView(View):
    known_at: datetime | None = KNOWN_AT
    position: int = POSITION
    id: UUID
    version: int
    year: int
    name: str
    indicators: list[Indicator]
    basis: str | None


class AssessmentVersion(View):
    version: int
    total: float
    grade: Grade
    scores: dict[str, float]
    assessed_on: date
    reason: str | None
    basis: str | None
    actor: str
    recorded_at: datetime
    position: int


class Assessment(AssessmentVersion):
    id: UUID
    indicator_set_id: UUID
    indicator_set_name: str | None
    unit_id: UUID
    unit_name: str | None
    year: int
    earlier: list[AssessmentVersion] = Field(
        description="Versions a reassessment replaced, latest first."
    )


class UnitAssessments(View):
    known_at: datetime | None = KNOWN_AT
    position: int = POSITION
    unit: Named
    items: list[Assessment] = Field(description="Latest year first.")
