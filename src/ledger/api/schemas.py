"""Answers of the chain's resources (pydantic), documented in the OpenAPI document. Request
bodies are the commands themselves (``ledger.application.commands``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from ledger.domain.vocab import (
    Category,
    EndReason,
    PrincipalTitle,
    Role,
    UnitKind,
    UnitLevel,
)


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
