"""Request and response bodies (pydantic). Field names follow API.md."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from ledger.domain.vocab import (
    Category,
    CorrectableField,
    EndReason,
    PrincipalTitle,
    Role,
    UnitKind,
    UnitLevel,
)

_NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_CONTROL)
]
Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.\-/]+$"),
]
# Free text may break lines (LF, CR, tab) but carries no other control characters.
Text = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=2000,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
    ),
]
Basis = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_CONTROL)
]


def _plausible(day: date) -> date:
    if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
        raise ValueError("date must be between 1900-01-01 and 2199-12-31")
    return day


Day = Annotated[date, AfterValidator(_plausible)]


class Body(BaseModel):
    """Base of command bodies: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")

    basis: Basis | None = Field(
        default=None, description="Document the act rests on, e.g. 苏办厅字〔2019〕33号."
    )


class Command(Body):
    reason: Text | None = Field(default=None, description="Why (free text).")


class RegisterUnit(Command):
    name: Name
    kind: UnitKind
    level: UnitLevel
    parent_id: UUID | None = None
    code: Code | None = None


class RenameUnit(Command):
    name: Name
    effective_on: Day | None = None


class MoveUnit(Command):
    parent_id: UUID
    effective_on: Day | None = None


class DissolveUnit(Command):
    merged_into: UUID | None = None
    effective_on: Day | None = None


class RegisterPerson(Command):
    name: Name
    person_no: Code | None = None


class CorrectPerson(Command):
    name: Name | None = None
    person_no: Code | None = None
    reason: Text


class Assign(Command):
    unit_id: UUID
    person_id: UUID
    role: Role
    title: Name = Field(description="Free text, e.g. 市委书记.")
    principal_title: PrincipalTitle | None = None
    portfolio: list[Category] = Field(default_factory=list, max_length=len(Category))
    reports_to: UUID | None = None
    effective_from: Day


class ChangeLine(Command):
    reports_to: UUID | None = Field(description="The assignment reported to from now on.")
    effective_on: Day


class EndAssignment(Body):
    effective_to: Day = Field(description="First day the assignment no longer holds.")
    reason: EndReason
    note: Text | None = Field(default=None, description="Free-text explanation.")


class ChangePortfolio(Command):
    portfolio: list[Category] = Field(max_length=len(Category))
    effective_on: Day


_CORRECTION_TYPES: dict[CorrectableField, TypeAdapter[Any]] = {
    CorrectableField.TITLE: TypeAdapter(Name),
    CorrectableField.PRINCIPAL_TITLE: TypeAdapter(PrincipalTitle),
    CorrectableField.REPORTS_TO: TypeAdapter(UUID | None),
    CorrectableField.EFFECTIVE_FROM: TypeAdapter(Day),
    CorrectableField.EFFECTIVE_TO: TypeAdapter(Day),
}


class CorrectAssignment(Body):
    field: CorrectableField
    new: Any = Field(description="The corrected value, typed as the field is.")
    reason: Text

    @field_validator("new")
    @classmethod
    def _typed_as_field(cls, value: Any, info: ValidationInfo) -> Any:
        corrected = info.data.get("field")
        if corrected is None:
            return value
        return _CORRECTION_TYPES[corrected].validate_json(json.dumps(value), strict=True)


class Created(BaseModel):
    id: UUID
    version: int
    position: int


# Answers of the queries (documented in the OpenAPI document; tests hold the service to them)


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitView(View):
    id: UUID
    name: str
    kind: UnitKind
    level: UnitLevel
    parent_id: UUID | None
    code: str | None
    dissolved: bool
    merged_into: UUID | None
    version: int


class UnitPage(View):
    items: list[UnitView]
    next_cursor: str | None


class AssignmentView(View):
    id: UUID
    unit_id: UUID
    person_id: UUID
    person_name: str | None
    role: Role
    title: str
    principal_title: PrincipalTitle | None
    reports_to: UUID | None = Field(description="The line in effect on valid_at.")
    effective_from: date
    effective_to: date | None = Field(description="First day no longer held (exclusive).")
    end_reason: EndReason | None
    version: int
    portfolio: list[Category] = Field(description="The portfolio in effect on valid_at.")


class PersonView(View):
    id: UUID
    name: str
    person_no: str | None
    version: int
    assignments: list[AssignmentView]


class ChainNode(AssignmentView):
    reports: list[ChainNode] = Field(description="Assignments whose line leads here.")


class Gap(View):
    kind: str = Field(
        description="no_principal | no_line | reports_to_ended | staff_without_leader"
        " | uncovered_category"
    )
    detail: str
    assignment_id: UUID | None = None
    person_id: UUID | None = None
    person_name: str | None = None
    category: Category | None = None


class ChainView(View):
    valid_at: date
    known_at: datetime | None
    position: int = Field(description="The ledger position the answer reflects.")
    unit: UnitView
    chain: list[ChainNode] = Field(description="Principals first, then lines with no root.")
    gaps: list[Gap]


class FeedItem(View):
    position: int
    stream_id: UUID
    stream_version: int
    type: str = Field(description="The event's topic, module:Class.Event.")
    recorded_at: datetime
    chain_hash: str = Field(description="SHA-256 chain hash at this position, hex.")
    data: dict[str, Any]


class FeedPage(View):
    items: list[FeedItem]
    next_cursor: int | None = Field(description="Pass as `after` for the next page.")
