"""Answers of the findings resource: a finding's loop status, responsible then and now."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from ledger.api.schemas import View
from ledger.domain.vocab import (
    Category,
    FindingStage,
    Liability,
    Outcome,
    PrincipalTitle,
    Role,
    Severity,
)

BASIS_FIELD = Field(description="The document (文号) the finding was raised on, if any.")
DOCUMENTS_FIELD = Field(
    description="Every document (文号) the finding's events cite, in ledger order, each once:"
    " the one it was raised on, and those of its attributions, plan, progress, extensions,"
    " referral and closing."
)


class FindingSource(View):
    kind: Literal["inspection", "clue"]
    id: UUID


class FindingSummary(View):
    id: UUID
    version: int
    unit_id: UUID
    unit_name: str | None
    source: FindingSource
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
    basis: str | None = BASIS_FIELD
    documents: list[str] = DOCUMENTS_FIELD
    overdue: bool = Field(description="Past the deadline on valid_at and not closed.")
    days_overdue: int = Field(description="Days past the deadline on valid_at (0 if not overdue).")


class DeadlineView(View):
    extension: int = Field(description="0 for the deadline the finding was raised with.")
    deadline: date
    previous_deadline: date | None
    approver_person_id: UUID | None
    reason: str | None
    extended_on: date | None


class ResponsibleThen(View):
    """An attribution (责任认定) as known at the position asked."""

    person_id: UUID
    person_name: str | None
    assignment_id: UUID = Field(description="The assignment the liability is borne through.")
    title: str | None
    role: Role | None
    principal_title: PrincipalTitle | None
    liability: Liability
    automatic: bool = Field(description="Attributed from the chain when the finding was raised.")
    reason: str | None


class Holder(View):
    person_id: UUID
    person_name: str | None
    assignment_id: UUID
    title: str


class ResponsibleNow(View):
    """Who holds, on valid_at, the post through which an attribution was borne."""

    for_person_id: UUID = Field(description="Who was responsible then.")
    for_assignment_id: UUID = Field(description="The post then.")
    liability: Liability
    role: Role | None
    principal_title: PrincipalTitle | None
    holder: Holder | None = Field(
        description="The same principal title; for a leader, a leader whose portfolio covers"
        " the category; for staff, the same assignment. Null when the post is vacant."
    )


class FindingView(FindingSummary):
    valid_at: date
    known_at: datetime | None
    position: int = Field(description="The ledger position the answer reflects.")
    measures: str | None
    owner_person_id: UUID | None
    owner_assignment_id: UUID | None
    plan_due_on: date | None = Field(description="The rectification plan's own deadline.")
    planned_on: date | None
    progress_reports: int
    last_reported_on: date | None
    rejections: int
    extensions: int
    referred_to: UUID | None
    referred_on: date | None
    raised_at: datetime = Field(description="When the ledger recorded the finding.")
    deadlines: list[DeadlineView] = Field(description="The original deadline and each extension.")
    responsible_then: list[ResponsibleThen] = Field(description="Principal, leadership, direct.")
    responsible_now: list[ResponsibleNow] = Field(description="One per responsible_then entry.")


class FindingPage(View):
    valid_at: date
    known_at: datetime | None = Field(description="Findings as the ledger knew them then.")
    items: list[FindingSummary] = Field(description="Newest found first (found_on, then id).")
    next_cursor: str | None
