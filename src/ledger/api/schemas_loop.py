"""Request bodies of the loop's commands: inspections, findings, accountability, clues,
bulletins, assessments. Field names follow API.md."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from ledger.api.schemas import Basis, Body, Code, Command, Day, Name, Text
from ledger.domain.vocab import (
    BulletinKind,
    Category,
    ClueSource,
    EvidenceMethod,
    FindingField,
    Grade,
    Liability,
    Outcome,
    SanctionKind,
    Severity,
    TriageOutcome,
)

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
# Other systems' ids take many shapes (a court case number is （2024）苏02行初1号): any
# printable characters but spaces and control characters.
ExternalId = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=128, pattern=r"^[^\s\x00-\x1f\x7f]+$"
    ),
]
Year = Annotated[int, Field(ge=1900, le=2199)]
# Floats, not decimals, so that a number sent as a string is refused; the routes hand the
# domain a Decimal of the number's text.
Weight = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


def _plausible_instant(moment: datetime) -> datetime:
    # Bounded like Day, which also keeps a conversion to UTC from overflowing.
    if not date(1900, 1, 1) <= moment.date() <= date(2199, 12, 31):
        raise ValueError("time must be between 1900-01-01 and 2199-12-31")
    return moment


Instant = Annotated[AwareDatetime, AfterValidator(_plausible_instant)]


class Part(BaseModel):
    """Base of objects nested in a body: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


# Inspections


class PlanInspection(Command):
    title: Name
    year: Year
    organizer_unit_id: UUID = Field(description="The inspection body (督察单位).")
    target_unit_ids: list[UUID] = Field(min_length=1, max_length=50)
    team: list[UUID] = Field(
        min_length=1, max_length=50, description="Person ids of the inspection team (督察组)."
    )
    topics: list[Category] = Field(min_length=1, max_length=len(Category))
    starts_on: Day
    ends_on: Day


class StartInspection(Body):
    started_on: Day


class RecordEvidence(Body):
    method: EvidenceMethod
    summary: Text
    document: Basis | None = Field(default=None, description="Reference of the stored document.")
    sha256: Sha256 | None = Field(default=None, description="Of the document, lowercase hex.")
    unit_id: UUID | None = Field(default=None, description="The inspected unit it concerns.")
    collected_on: Day


class FeedBackResults(Body):
    fed_back_on: Day
    summary: Text


class CloseInspection(Command):
    closed_on: Day


# Findings


class RaiseFinding(Command):
    unit_id: UUID
    inspection_id: UUID | None = Field(default=None, description="Exactly one of inspection_id")
    clue_id: UUID | None = Field(default=None, description="and clue_id.")
    category: Category
    severity: Severity
    description: Text
    found_on: Day
    deadline: Day = Field(description="Rectification deadline (整改期限), after found_on.")


class Attribute(Body):
    person_id: UUID
    liability: Liability
    reason: Text


class WithdrawAttribution(Body):
    reason: Text


class PlanRectification(Command):
    measures: Text
    owner_person_id: UUID | None = Field(
        default=None, description="Who answers for the rectification; held a post in the unit."
    )
    deadline: Day | None = Field(
        default=None, description="The plan's own due date, not after the finding's deadline."
    )
    planned_on: Day | None = Field(default=None, description="Default today.")


class ProgressEvidence(Part):
    ref: Basis = Field(description="Reference of a document or record.")
    sha256: Sha256 | None = None


class ReportProgress(Command):
    reported_on: Day
    summary: Text
    evidence: list[ProgressEvidence] = Field(default_factory=list, max_length=50)
    complete: bool = Field(
        default=False,
        description="The rectification is done: the finding awaits verification.",
    )


class VerifyRectification(Body):
    verified_on: Day
    note: Text | None = None


class RejectRectification(Body):
    reason: Text
    rejected_on: Day | None = Field(default=None, description="Default today.")


class ExtendDeadline(Body):
    new_deadline: Day
    reason: Text
    approver_person_id: UUID
    extended_on: Day | None = Field(default=None, description="Default today.")


class ReferFinding(Body):
    to_unit_id: UUID = Field(description="The discipline or other competent body (移送).")
    reason: Text
    referred_on: Day | None = Field(default=None, description="Default today.")


_FINDING_CORRECTIONS: dict[FindingField, TypeAdapter[Any]] = {
    FindingField.DESCRIPTION: TypeAdapter(Text),
    FindingField.SEVERITY: TypeAdapter(Severity),
}


class CorrectFinding(Body):
    field: FindingField
    new: Any = Field(description="The corrected value, typed as the field is.")
    reason: Text

    @field_validator("new")
    @classmethod
    def _typed_as_field(cls, value: Any, info: ValidationInfo) -> Any:
        corrected = info.data.get("field")
        if corrected is None:
            return value
        return _FINDING_CORRECTIONS[corrected].validate_json(json.dumps(value), strict=True)


class CloseFinding(Command):
    outcome: Outcome = Field(description="rectified after verify, referred after refer.")
    closed_on: Day | None = Field(default=None, description="Default today.")


# Accountability cases


class OpenCase(Command):
    person_id: UUID
    finding_ids: list[UUID] = Field(
        min_length=1, max_length=100, description="Findings attributed to the person."
    )
    handling_unit_id: UUID
    opened_on: Day | None = Field(default=None, description="Default today.")


class ImposeSanction(Command):
    kind: SanctionKind
    decided_on: Day


class AppealSanction(Body):
    sanction_id: UUID
    appealed_on: Day
    reason: Text


class UpholdSanction(Command):
    decided_on: Day


class ModifySanction(Body):
    kind: SanctionKind
    decided_on: Day
    reason: Text


class RevokeSanction(Body):
    decided_on: Day
    reason: Text


class CloseCase(Command):
    closed_on: Day


# Clues


class ReceiveClue(Body):
    source: ClueSource = Field(description="The system the clue comes from.")
    external_id: ExternalId = Field(description="Its id there; one clue per (source, id).")
    summary: Text
    received_at: Instant = Field(description="RFC 3339 with an offset.")
    unit_id: UUID | None = None


class FindingFromClue(Part):
    unit_id: UUID
    category: Category
    severity: Severity
    description: Text
    found_on: Day
    deadline: Day


class TriageClue(Command):
    outcome: TriageOutcome
    finding: FindingFromClue | None = Field(
        default=None,
        description="For outcome finding: the finding to raise (or give finding_id).",
    )
    finding_id: UUID | None = Field(
        default=None,
        description="For outcome finding: an existing finding the clue is about (a lead on"
        " something already found); the clue is linked, no finding is raised.",
    )
    reason: Text | None = Field(default=None, description="Required for outcome dismissed.")


# Bulletins


class IssueBulletin(Body):
    kind: BulletinKind
    title: Name
    inspection_id: UUID
    finding_ids: list[UUID] = Field(
        default_factory=list, max_length=200, description="Findings of that inspection."
    )
    recipient_unit_ids: list[UUID] = Field(min_length=1, max_length=50)
    issued_on: Day
    summary: Text | None = None


# Assessments


class NewIndicator(Part):
    code: Code
    name: Name
    weight: Weight


class DefineIndicatorSet(Body):
    year: Year
    name: Name
    indicators: list[NewIndicator] = Field(
        min_length=1, max_length=100, description="Weights sum to 100."
    )


class AssessUnit(Command):
    indicator_set_id: UUID
    unit_id: UUID
    scores: dict[Code, Score] = Field(
        max_length=100, description="A score out of 100 for each indicator code."
    )
    grade: Grade | None = Field(default=None, description="Default: derived from the total.")
    assessed_on: Day
    reason: Text | None = Field(
        default=None, description="Required when the unit was assessed against the set before."
    )
