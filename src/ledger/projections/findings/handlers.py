"""Event handlers of the loop read model: the loop status of every finding (问题整改闭环), its
attributions and deadlines, as known at each position. Applied a batch at a time
(``projections.batch``): each handler changes the batch's rows in memory."""

from __future__ import annotations

from typing import Any

from ledger.domain.finding import Finding
from ledger.domain.vocab import FindingStage, Outcome
from ledger.infra.eventstore import RecordedEvent
from ledger.projections.batch import Batch, BatchedProjection, Change, Row, table
from ledger.projections.common import event_class
from ledger.projections.tally import Tally

NAME = "findings_v1"
TABLES = ["loop_findings", "loop_attributions", "loop_deadlines", "loop_counts"]

_FINDINGS = table(
    "loop_findings",
    "finding_id",
    "finding_id, unit_id, inspection_id, clue_id, category, severity, description, found_on,"
    " original_deadline, deadline, stage, outcome, measures, owner_person_id,"
    " owner_assignment_id, plan_due_on, planned_on, progress_reports, last_reported_on,"
    " rejections, extensions, verified_on, referred_to, referred_on, closed_on, basis,"
    " documents, raised_at, version",
)
_ATTRIBUTIONS = table(
    "loop_attributions",
    "finding_id",
    "finding_id, person_id, assignment_id, liability, automatic, reason",
    key=("person_id",),
)
_DEADLINES = table(
    "loop_deadlines",
    "finding_id",
    "finding_id, extension, deadline, previous_deadline, approver_person_id, reason, extended_on",
    versioned=False,
)


def _rectified(row: Row) -> bool:
    return bool(row["outcome"] == Outcome.RECTIFIED.value and row["verified_on"] is not None)


# The open-loop report's counts of the current findings by unit and category (the SQL of
# ``report._COUNTS``, which counts the rows as known at a position): overdue depends on the
# day asked and is counted from the open findings.
_COUNTS = Tally(
    "loop_findings",
    "loop_counts",
    {"unit_id": "uuid", "category": "text"},
    {
        "total": lambda r: True,
        "closed": lambda r: r["stage"] == FindingStage.CLOSED.value,
        "rectified": lambda r: r["outcome"] == Outcome.RECTIFIED.value,
        "referred": lambda r: r["outcome"] == Outcome.REFERRED.value,
        "dismissed": lambda r: r["outcome"] == Outcome.DISMISSED.value,
        "rectified_on_time": lambda r: _rectified(r) and r["verified_on"] <= r["original_deadline"],
        "rectified_after_extension": lambda r: (
            _rectified(r) and r["original_deadline"] < r["verified_on"] <= r["deadline"]
        ),
        "rectified_late": lambda r: _rectified(r) and r["verified_on"] > r["deadline"],
    },
)


def _cites(basis: str | None) -> Change:
    """A successor's ``documents``: the event's document (文号) appended, unless it is none
    or already there, so a row lists every document its events cite, each once."""

    def documents(before: Row) -> list[str]:
        cited: list[str] = before["documents"]
        return cited if basis is None or basis in cited else [*cited, basis]

    return documents


def _supersede(b: Batch, e: Any, row: RecordedEvent, changes: dict[str, Change]) -> Row | None:
    """The finding's successor row, with the document the event cites (its ``basis``)."""
    return b.supersede(
        "loop_findings", e.originator_id, row, changes | {"documents": _cites(e.basis)}
    )


def _add(column: str) -> Change:
    return lambda before: before[column] + 1


def raised(b: Batch, e: Any, row: RecordedEvent) -> None:
    """The finding and its original deadline (extension 0)."""
    b.insert(
        "loop_findings",
        {
            "finding_id": e.originator_id,
            "unit_id": e.unit_id,
            "inspection_id": e.inspection_id,
            "clue_id": e.clue_id,
            "category": e.category.value,
            "severity": e.severity.value,
            "description": e.description,
            "found_on": e.found_on,
            "original_deadline": e.deadline,
            "deadline": e.deadline,
            "stage": FindingStage.RAISED.value,
            "outcome": None,
            "measures": None,
            "owner_person_id": None,
            "owner_assignment_id": None,
            "plan_due_on": None,
            "planned_on": None,
            "progress_reports": 0,
            "last_reported_on": None,
            "rejections": 0,
            "extensions": 0,
            "verified_on": None,
            "referred_to": None,
            "referred_on": None,
            "closed_on": None,
            "basis": e.basis,
            "documents": [] if e.basis is None else [e.basis],
            "raised_at": row.recorded_at,
            "version": row.stream_version,
        },
        row,
    )
    b.insert("loop_deadlines", _deadline(e.originator_id, 0, e.deadline), row)


def _deadline(finding_id: Any, extension: int, deadline: Any, **more: Any) -> Row:
    empty = {"previous_deadline": None, "approver_person_id": None, "reason": None}
    return {
        "finding_id": finding_id,
        "extension": extension,
        "deadline": deadline,
        **empty,
        "extended_on": None,
        **more,
    }


def attributed(b: Batch, e: Any, row: RecordedEvent) -> None:
    # The finding's row is superseded too: its version is the stream's, which If-Match names.
    _supersede(b, e, row, {})
    b.insert(
        "loop_attributions",
        {
            "finding_id": e.originator_id,
            "person_id": e.person_id,
            "assignment_id": e.assignment_id,
            "liability": e.liability.value,
            "automatic": e.automatic,
            "reason": e.reason,
        },
        row,
    )


def attribution_withdrawn(b: Batch, e: Any, row: RecordedEvent) -> None:
    _supersede(b, e, row, {})
    person = e.person_id
    b.close("loop_attributions", e.originator_id, row, lambda r: r["person_id"] == person)


def rectification_planned(b: Batch, e: Any, row: RecordedEvent) -> None:
    _supersede(
        b,
        e,
        row,
        {
            "stage": FindingStage.RECTIFYING.value,
            "measures": e.measures,
            "owner_person_id": e.owner_person_id,
            "owner_assignment_id": e.owner_assignment_id,
            "plan_due_on": e.due_on,
            "planned_on": e.planned_on,
        },
    )


def progress_reported(b: Batch, e: Any, row: RecordedEvent) -> None:
    changes: dict[str, Change] = {
        "progress_reports": _add("progress_reports"),
        "last_reported_on": e.reported_on,
    }
    if e.complete:
        changes["stage"] = FindingStage.AWAITING_VERIFICATION.value
    _supersede(b, e, row, changes)


def verified(b: Batch, e: Any, row: RecordedEvent) -> None:
    _supersede(b, e, row, {"stage": FindingStage.VERIFIED.value, "verified_on": e.verified_on})


def rejected(b: Batch, e: Any, row: RecordedEvent) -> None:
    _supersede(
        b, e, row, {"stage": FindingStage.RECTIFYING.value, "rejections": _add("rejections")}
    )


def deadline_extended(b: Batch, e: Any, row: RecordedEvent) -> None:
    """The new deadline, and its row in loop_deadlines numbered by the successor's count."""
    successor = _supersede(
        b, e, row, {"deadline": e.new_deadline, "extensions": _add("extensions")}
    )
    if successor is None:
        return
    extension = _deadline(
        e.originator_id,
        successor["extensions"],
        successor["deadline"],
        previous_deadline=e.previous_deadline,
        approver_person_id=e.approver_person_id,
        reason=e.reason,
        extended_on=e.extended_on,
    )
    b.insert("loop_deadlines", extension, row)


def referred(b: Batch, e: Any, row: RecordedEvent) -> None:
    _supersede(
        b,
        e,
        row,
        {
            "stage": FindingStage.REFERRED.value,
            "referred_to": e.to_unit_id,
            "referred_on": e.referred_on,
        },
    )


def closed(b: Batch, e: Any, row: RecordedEvent) -> None:
    _supersede(
        b,
        e,
        row,
        {"stage": FindingStage.CLOSED.value, "outcome": e.outcome.value, "closed_on": e.closed_on},
    )


def corrected(b: Batch, e: Any, row: RecordedEvent) -> None:
    _supersede(b, e, row, {e.field.value: getattr(e.new, "value", e.new)})


PROJECTION = BatchedProjection(
    NAME,
    "findings",
    [_FINDINGS, _ATTRIBUTIONS, _DEADLINES],
    {
        event_class(Finding, "Raised"): raised,
        event_class(Finding, "Corrected"): corrected,
        event_class(Finding, "Attributed"): attributed,
        event_class(Finding, "AttributionWithdrawn"): attribution_withdrawn,
        event_class(Finding, "RectificationPlanned"): rectification_planned,
        event_class(Finding, "ProgressReported"): progress_reported,
        event_class(Finding, "RectificationVerified"): verified,
        event_class(Finding, "RectificationRejected"): rejected,
        event_class(Finding, "DeadlineExtended"): deadline_extended,
        event_class(Finding, "Referred"): referred,
        event_class(Finding, "Closed"): closed,
    },
    tallies=[_COUNTS],
)
