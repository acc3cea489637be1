"""Answers of the evaluation references (考核评价参考) of a person or a unit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from ledger.api.resources.assessments import Assessment
from ledger.api.resources.cases import Case
from ledger.api.resources.findings.schemas import BASIS_FIELD, DOCUMENTS_FIELD
from ledger.api.schemas import KNOWN_AT_FIELD, Named, View
from ledger.domain.vocab import (
    Category,
    EndReason,
    FindingStage,
    Outcome,
    PrincipalTitle,
    RectificationTiming,
    Role,
    Severity,
    UnitKind,
    UnitLevel,
)


class Period(View):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date


class ProvedEvent(View):
    position: int
    leaf: str = Field(
        description="The event's leaf bytes, base64 (encoding v1): its stream,"
        " version, topic and stored state, as sealed."
    )
    leaf_hash: str = Field(description="RFC 6962 leaf hash, base64.")
    inclusion_proof: list[str] = Field(description="Audit path, leaf to root, base64.")


class ProofRecord(View):
    """A `ledger-proof-v1` record: `ledger-verify record` checks it offline."""

    format: Literal["ledger-proof-v1"]
    crypto: Literal["sha256-ed25519", "sm3-sm2"] = Field(
        description="The ledger's algorithms: the hash of its leaves and tree (SHA-256 or"
        " SM3) and its checkpoints' signature (Ed25519 or SM2)."
    )
    tree_size: int
    root: str | None = Field(default=None, description="Root of the tree of tree_size, base64.")
    checkpoint: str | None = Field(description="The signed checkpoint (C2SP note) proved against.")
    events: list[ProvedEvent] = Field(
        description="Every event of the streams the reference rests on, up to its position."
    )
    unproved: list[int] = Field(
        description="Positions beyond the checkpoint (the tree lagging behind); ask again."
    )


class Reference(View):
    period: Period
    position: int = Field(
        description="The ledger position the reference was computed at (also the"
        " Ledger-Position header): the read models' common position, or known_at's."
    )
    known_at: datetime | None = KNOWN_AT_FIELD
    as_of: date = Field(
        description="The day overdue is counted on: the period's end, or today (or the day"
        " of known_at) if that is earlier."
    )
    proofs: ProofRecord | None = Field(default=None, description="With proofs=true.")


class RoleHeld(View):
    assignment_id: UUID
    unit_id: UUID
    unit_name: str | None
    person_id: UUID
    person_name: str | None
    role: Role
    title: str
    principal_title: PrincipalTitle | None
    effective_from: date
    effective_to: date | None = Field(description="First day no longer held (exclusive).")
    end_reason: EndReason | None


class ReferenceFinding(View):
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
    basis: str | None = BASIS_FIELD
    documents: list[str] = DOCUMENTS_FIELD
    timing: RectificationTiming = Field(
        description="on_time: verified by the original deadline; on_time_after_extension:"
        " by the extended one; late: after it; open: neither verified nor closed;"
        " closed_unverified: referred or dismissed."
    )
    overdue: bool = Field(description="Open and past its deadline on as_of.")
    days_overdue: int


class AttributedFinding(ReferenceFinding):
    automatic: bool = Field(description="Attributed by the chain on found_on.")
    assignment_id: UUID = Field(description="The post the liability is borne through.")


class FindingsByLiability(View):
    principal: list[AttributedFinding] = Field(description="主体责任")
    leadership: list[AttributedFinding] = Field(description="领导责任")
    direct: list[AttributedFinding] = Field(description="直接责任")


class RectificationCounts(View):
    """Findings by rectification timing; "on time" means verified by the original deadline,
    everywhere (as `rectified_on_time` in the open-loop report)."""

    total: int = Field(description="Findings counted: the sum of the five timings.")
    on_time: int = Field(description="Verified on or before the original deadline.")
    on_time_after_extension: int = Field(
        description="Verified after the original deadline but on or before the extended"
        " (current) one; not counted in on_time."
    )
    late: int = Field(description="Verified after the current deadline.")
    open: int = Field(description="Neither verified nor closed.")
    closed_unverified: int = Field(
        description="Closed without verification: referred or dismissed."
    )
    overdue: int = Field(description="Of the open ones, past their deadline on as_of.")


class PersonRectification(View):
    counts: RectificationCounts
    items: list[ReferenceFinding]


class LedAssessment(Assessment):
    assignment_id: UUID = Field(description="The principal post held in the unit.")


class PersonReference(Reference):
    person: Named
    roles: list[RoleHeld] = Field(description="Assignments held on some day of the period.")
    findings: FindingsByLiability = Field(
        description="Findings found in the period and attributed to the person."
    )
    rectification: PersonRectification = Field(
        description="Findings found in the period whose rectification the person owned."
    )
    accountability: list[Case] = Field(
        description="Cases against the person opened, or with a sanction decided, in the period."
    )
    assessments: list[LedAssessment] = Field(
        description="Assessments of the units led as principal, for the years of that tenure"
        " within the period."
    )


class ReferenceUnit(View):
    id: UUID
    name: str
    kind: UnitKind
    level: UnitLevel


class UnitFindings(View):
    total: int
    by_category: dict[str, int]
    by_stage: dict[str, int]
    items: list[ReferenceFinding]


class Rates(View):
    on_time: float | None = Field(description="on_time / total: by the original deadline.")
    on_time_after_extension: float | None = Field(
        description="on_time_after_extension / total: only by an extended deadline."
    )
    late: float | None = Field(description="late / total.")
    open: float | None = Field(description="open / total.")


class UnitRectification(View):
    counts: RectificationCounts
    rates: Rates = Field(description="Shares of the findings of the period; null if none.")


class UnitReference(Reference):
    unit: ReferenceUnit
    include_subunits: bool
    units: list[Named] = Field(description="The units covered: the unit, or its jurisdiction.")
    principals: list[RoleHeld] = Field(description="Principals on some day of the period.")
    findings: UnitFindings = Field(description="Findings found in the period.")
    rectification: UnitRectification
    accountability: list[Case] = Field(description="Cases resting on those findings.")
    assessments: list[Assessment] = Field(description="For the years of the period.")
