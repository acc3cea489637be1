"""Commands on assignments (职责): assign, change line or portfolio, end, correct."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import (
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from ledger.application.commands.types import Body, Command, Day, Name, Text, typed_as_field
from ledger.domain.vocab import Category, CorrectableField, EndReason, PrincipalTitle, Role


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
        return typed_as_field(_CORRECTION_TYPES, value, info)
