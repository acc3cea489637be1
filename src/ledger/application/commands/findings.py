"""Commands on findings (问题): raise, attribute, and the loop to closed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import (
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from ledger.application.commands.types import (
    Basis,
    Body,
    Command,
    Day,
    Part,
    Sha256,
    Text,
    typed_as_field,
)
from ledger.domain.vocab import Category, FindingField, Liability, Outcome, Severity


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
        default=None,
        description="Who answers for the rectification: holds a post in the finding's unit on"
        " planned_on.",
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
    approver_person_id: UUID = Field(
        description="Holds a post on extended_on in the inspection's organizing body; for a"
        " clue's finding, in an inspection body whose jurisdiction covers the finding's unit."
    )
    extended_on: Day | None = Field(default=None, description="Default today.")


class ReferFinding(Body):
    to_unit_id: UUID = Field(
        description="A discipline body or a personnel department, which holds people to"
        " account (移送)."
    )
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
        return typed_as_field(_FINDING_CORRECTIONS, value, info)


class CloseFinding(Command):
    outcome: Outcome = Field(description="rectified after verify, referred after refer.")
    closed_on: Day | None = Field(default=None, description="Default today.")
