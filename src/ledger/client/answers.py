"""The answers the client reads, as pydantic models under the names the OpenAPI document
gives them (``components.schemas``).

Each model declares the fields an integrator reads; a field the service adds later is kept
(``extra="allow"``), so a newer server does not break an older client. The parts that are
large and rarely read field by field (a report's rows, a reference's sections) are kept as
JSON objects. ``tests/api/test_client_contract.py`` checks every declared field against the
document: its name exists in the schema of that name, and a field without a default is
required there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

Json = dict[str, Any]


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Created(Answer):
    """A command's answer: the record's id, its stream version (the next ``If-Match``) and
    the ledger position written (a read's ``min_position``)."""

    id: UUID
    version: int
    position: int
    sanction_id: UUID | None = None  # imposing a sanction: the new sanction's id
    finding_id: UUID | None = None  # triaging a clue into a finding: the finding's id


class ClueReceived(Created):
    already_received: bool = False


class ItemError(Answer):
    field: str
    rule: str
    message: str


class ClueItem(Answer):
    index: int
    status: Literal["created", "already_received", "conflicting", "rejected"]
    id: UUID | None
    position: int | None
    errors: list[ItemError] | None = None
    differing: list[str] | None = None
    stored: Json | None = None
    delivered: Json | None = None


class ClueBatchAnswer(Answer):
    counts: dict[str, int]
    position: int | None
    items: list[ClueItem]


class ClueSummary(Answer):
    id: UUID
    version: int
    source: str
    external_id: str
    summary: str
    received_at: datetime
    unit_id: UUID | None
    unit_name: str | None
    recorded_at: datetime
    outcome: str | None
    finding_id: UUID | None
    triage_reason: str | None
    triaged_at: datetime | None


class ClueView(ClueSummary):
    known_at: datetime | None
    position: int


class PublicEvent(Answer):
    """An event as the feed serves it; ``data`` is described per type and version by
    ``api/events/{type}.v{schema_version}.json``."""

    position: int
    type: str
    schema_version: int
    stream_id: UUID
    stream_version: int
    valid_time: date | datetime | None
    recorded_at: datetime
    actor: str | None
    source: str | None
    reason: str | None
    basis: str | None
    chain_hash: str
    data: Json


class FeedPage(Answer):
    items: list[PublicEvent]
    next_cursor: int | None


class AssignmentView(Answer):
    """A post: who holds it in which unit, from when to when, reporting to which post."""

    id: UUID
    unit_id: UUID
    person_id: UUID
    person_name: str | None
    role: str
    title: str
    principal_title: str | None
    reports_to: UUID | None
    effective_from: date
    effective_to: date | None
    end_reason: str | None
    version: int
    portfolio: list[str]


class ChainNode(AssignmentView):
    reports: list[Json]


class ChainView(Answer):
    valid_at: date
    known_at: datetime | None
    position: int
    unit: Json
    chain: list[ChainNode]
    gaps: list[Json]


class FindingView(Answer):
    id: UUID
    version: int
    unit_id: UUID
    unit_name: str | None
    category: str
    severity: str
    description: str
    found_on: date
    deadline: date
    stage: str
    outcome: str | None
    overdue: bool
    days_overdue: int
    valid_at: date
    position: int
    referred_to: UUID | None
    responsible_then: list[Json]
    responsible_now: list[Json]


class Hit(Answer):
    kind: Literal["unit", "person", "finding", "inspection"]
    id: UUID
    label: str
    snippet: str | None = None
    score: float


class SearchPage(Answer):
    items: list[Hit]
    next_cursor: str | None


class LoopCounts(Answer):
    total: int
    open: int
    overdue: int
    closed: int
    rectified: int
    referred: int
    dismissed: int
    closed_rate: float | None
    overdue_rate: float | None
    on_time_rate: float | None


class OpenLoopReport(Answer):
    unit: Json
    valid_at: date
    known_at: datetime | None
    position: int
    totals: LoopCounts
    by_unit: list[Json]
    by_category: list[Json]
    open: list[Json]
    open_next_cursor: str | None


class Reference(Answer):
    period: Json
    position: int
    known_at: datetime | None
    as_of: date
    proofs: Json | None = None
    findings: Json
    rectification: Json
    accountability: list[Json]
    assessments: list[Json]


class UnitReference(Reference):
    unit: Json
    include_subunits: bool
    units: list[Json]
    principals: list[Json]


class PersonReference(Reference):
    person: Json
    roles: list[Json]


class ProvedLeaf(Answer):
    position: int
    leaf: str
    leaf_hash: str
    inclusion_proof: list[str]


class InclusionProof(Answer):
    """The file ``ledger-offline verify`` reads (format ``ledger-proof-v1``): the event's
    leaf bytes, its audit path and the signed checkpoint of the tree it is proved in."""

    format: str
    tree_size: int
    root: str | None
    checkpoint: str | None
    events: list[ProvedLeaf]
