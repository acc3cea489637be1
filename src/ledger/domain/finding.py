"""Finding (问题): one failure found in one unit, and its loop to rectified or sanctioned."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.domain import loop
from ledger.domain.attribution import Attribution
from ledger.domain.vocab import Category, FindingField, FindingStage, Liability, Outcome, Severity

Stage = FindingStage


class Finding(Aggregate):
    """The loop: plan → progress → verified or rejected → closed; or referred; or dismissed."""

    @classmethod
    def raise_(
        cls,
        *,
        unit_id: UUID,
        inspection_id: UUID | None,
        clue_id: UUID | None,
        category: Category,
        severity: Severity,
        description: str,
        found_on: date,
        deadline: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
        today: date,
    ) -> Finding:
        loop.check_origin(inspection_id, clue_id)
        loop.check_found(found_on, deadline, today)
        return cls(
            unit_id,
            inspection_id,
            clue_id,
            category,
            severity,
            description,
            found_on,
            deadline,
            actor,
            source,
            reason,
            basis,
        )

    @event("Raised")
    def __init__(
        self,
        unit_id: UUID,
        inspection_id: UUID | None,
        clue_id: UUID | None,
        category: Category,
        severity: Severity,
        description: str,
        found_on: date,
        deadline: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.unit_id = unit_id
        self.inspection_id = inspection_id
        self.clue_id = clue_id
        self.category = category
        self.severity = severity
        self.description = description
        self.found_on = found_on
        self.original_deadline = deadline
        self.deadline = deadline
        self.stage = Stage.RAISED
        self.outcome: Outcome | None = None
        self.attributions: dict[UUID, Attribution] = {}
        self.owner_person_id: UUID | None = None
        self.dated: dict[str, date] = {"found_on": found_on}  # each step's latest day
        self.verified_on: date | None = None
        self.referred_to: UUID | None = None
        self.closed_on: date | None = None
        # Everyone the finding has concerned (attributed, even if withdrawn; owners):
        # their audit trail lists its events.
        self.persons: list[UUID] = []

    def _concerns(self, person_id: UUID | None) -> None:
        if person_id is not None and person_id not in self.persons:
            self.persons.append(person_id)

    @property
    def closed(self) -> bool:
        return self.stage is Stage.CLOSED

    def days_overdue(self, as_of: date) -> int:
        """Days past the current deadline, while not closed (0 when not overdue)."""
        if self.closed or as_of <= self.deadline:
            return 0
        return (as_of - self.deadline).days

    # Attribution (责任认定)

    def attribute(
        self,
        person_id: UUID,
        assignment_id: UUID,
        liability: Liability,
        *,
        automatic: bool = False,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        loop.check_attributions_open(self.stage)
        loop.check_not_attributed(self.attributions, person_id)
        self._attributed(
            person_id, assignment_id, liability, automatic, actor, source, reason, basis
        )

    @event("Attributed")
    def _attributed(
        self,
        person_id: UUID,
        assignment_id: UUID,
        liability: Liability,
        automatic: bool,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.attributions[person_id] = Attribution(person_id, assignment_id, liability, automatic)
        self._concerns(person_id)

    def withdraw_attribution(
        self, person_id: UUID, *, actor: str, source: str, reason: str, basis: str | None
    ) -> None:
        loop.check_attributions_open(self.stage)
        loop.check_withdrawable(self.attributions, person_id)
        self._attribution_withdrawn(person_id, actor, source, reason, basis)

    @event("AttributionWithdrawn")
    def _attribution_withdrawn(
        self, person_id: UUID, actor: str, source: str, reason: str, basis: str | None
    ) -> None:
        del self.attributions[person_id]

    # The loop (整改)

    def plan_rectification(
        self,
        measures: str,
        owner_person_id: UUID | None,
        owner_assignment_id: UUID | None,
        due_on: date | None,
        planned_on: date,
        *,
        today: date,
        **meta: Any,
    ) -> None:
        loop.check_step(self.stage, "rectification-plan")
        loop.check_dated(self.dated, planned_on, "planned_on", today)
        loop.check_plan_due(planned_on, due_on, self.deadline)
        self._rectification_planned(
            measures, owner_person_id, owner_assignment_id, due_on, planned_on, **meta
        )

    @event("RectificationPlanned")
    def _rectification_planned(
        self,
        measures: str,
        owner_person_id: UUID | None,
        owner_assignment_id: UUID | None,
        due_on: date | None,
        planned_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.owner_person_id = owner_person_id
        self.dated["planned_on"] = planned_on
        self._concerns(owner_person_id)
        self.stage = Stage.RECTIFYING

    def report_progress(
        self,
        reported_on: date,
        summary: str,
        evidence: list[dict[str, Any]],
        complete: bool,
        *,
        today: date,
        **meta: Any,
    ) -> None:
        loop.check_step(self.stage, "progress")
        loop.check_dated(self.dated, reported_on, "reported_on", today)
        self._progress_reported(reported_on, summary, evidence, complete, **meta)

    @event("ProgressReported")
    def _progress_reported(
        self,
        reported_on: date,
        summary: str,
        evidence: list[dict[str, Any]],
        complete: bool,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.dated["reported_on"] = reported_on
        if complete:
            self.stage = Stage.AWAITING_VERIFICATION

    def verify(self, verified_on: date, note: str | None, *, today: date, **meta: Any) -> None:
        loop.check_step(self.stage, "verify")
        loop.check_dated(self.dated, verified_on, "verified_on", today)
        self._verified(verified_on, note, **meta)

    @event("RectificationVerified")
    def _verified(
        self,
        verified_on: date,
        note: str | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.verified_on = self.dated["verified_on"] = verified_on
        self.stage = Stage.VERIFIED

    def reject(self, rejected_on: date, *, today: date, **meta: Any) -> None:
        loop.check_step(self.stage, "reject")
        loop.check_dated(self.dated, rejected_on, "rejected_on", today)
        self._rejected(rejected_on, **meta)

    @event("RectificationRejected")
    def _rejected(
        self, rejected_on: date, actor: str, source: str, reason: str, basis: str | None
    ) -> None:
        self.stage = Stage.RECTIFYING

    def extend_deadline(
        self,
        new_deadline: date,
        approver_person_id: UUID,
        extended_on: date,
        *,
        today: date,
        **meta: Any,
    ) -> None:
        loop.check_step(self.stage, "extend-deadline")
        loop.check_new_deadline(self.deadline, new_deadline)
        loop.check_dated(self.dated, extended_on, "extended_on", today)
        self._deadline_extended(
            self.deadline, new_deadline, approver_person_id, extended_on, **meta
        )

    @event("DeadlineExtended")
    def _deadline_extended(
        self,
        previous_deadline: date,
        new_deadline: date,
        approver_person_id: UUID,
        extended_on: date,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        self.deadline = new_deadline

    def refer(self, to_unit_id: UUID, referred_on: date, *, today: date, **meta: Any) -> None:
        loop.check_step(self.stage, "refer")
        loop.check_dated(self.dated, referred_on, "referred_on", today)
        self._referred(to_unit_id, referred_on, **meta)

    @event("Referred")
    def _referred(
        self,
        to_unit_id: UUID,
        referred_on: date,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        self.referred_to = to_unit_id
        self.dated["referred_on"] = referred_on
        self.stage = Stage.REFERRED

    def close(self, outcome: Outcome, closed_on: date, *, today: date, **meta: Any) -> None:
        loop.check_close(self.stage, outcome, meta.get("reason"))
        loop.check_dated(self.dated, closed_on, "closed_on", today, f"close:{outcome.value}")
        self._closed(outcome, closed_on, **meta)

    @event("Closed")
    def _closed(
        self,
        outcome: Outcome,
        closed_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.outcome = outcome
        self.closed_on = closed_on
        self.stage = Stage.CLOSED

    # Corrections: a recorded fact was wrong; the old value stays in the log.

    def correct(self, field: FindingField, new: Any, **meta: Any) -> None:
        """Correct the description or severity as recorded (a wrong unit, category or
        date changes who answers for it: dismiss the finding and raise it again)."""
        old = getattr(self, field.value)
        loop.check_correction(field.value, old, new, meta.get("reason"))
        self._corrected(field, old, new, **meta)

    @event("Corrected")
    def _corrected(
        self,
        field: FindingField,
        old: Any,
        new: Any,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        setattr(self, field.value, new)
