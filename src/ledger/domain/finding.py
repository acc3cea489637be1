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
    ) -> Finding:
        loop.check_origin(inspection_id, clue_id)
        loop.check_deadline(found_on, deadline)
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
        self.last_reported_on: date | None = None
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

    def check_step(self, step: str) -> None:
        """Raised when the finding's stage does not allow ``step``."""
        loop.check_step(self.stage, step)

    def check_on_or_after(self, day: date, since: date | None, what: str, field: str) -> None:
        """Raised when a step is dated before an earlier step it follows."""
        loop.check_on_or_after(self.found_on, day, since, what, field)

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
        **meta: Any,
    ) -> None:
        self.check_step("rectification-plan")
        self.check_on_or_after(planned_on, None, "found_on", "planned_on")
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
        self._concerns(owner_person_id)
        self.stage = Stage.RECTIFYING

    def report_progress(
        self,
        reported_on: date,
        summary: str,
        evidence: list[dict[str, Any]],
        complete: bool,
        **meta: Any,
    ) -> None:
        self.check_step("progress")
        self.check_on_or_after(reported_on, self.last_reported_on, "the last report", "reported_on")
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
        self.last_reported_on = reported_on
        if complete:
            self.stage = Stage.AWAITING_VERIFICATION

    def verify(self, verified_on: date, note: str | None, **meta: Any) -> None:
        self.check_step("verify")
        self.check_on_or_after(verified_on, self.last_reported_on, "the last report", "verified_on")
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
        self.verified_on = verified_on
        self.stage = Stage.VERIFIED

    def reject(self, rejected_on: date, **meta: Any) -> None:
        self.check_step("reject")
        self.check_on_or_after(rejected_on, self.last_reported_on, "the last report", "rejected_on")
        self._rejected(rejected_on, **meta)

    @event("RectificationRejected")
    def _rejected(
        self, rejected_on: date, actor: str, source: str, reason: str, basis: str | None
    ) -> None:
        self.stage = Stage.RECTIFYING

    def extend_deadline(
        self, new_deadline: date, approver_person_id: UUID, extended_on: date, **meta: Any
    ) -> None:
        self.check_step("extend-deadline")
        loop.check_new_deadline(self.deadline, new_deadline)
        self.check_on_or_after(extended_on, None, "found_on", "extended_on")
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

    def refer(self, to_unit_id: UUID, referred_on: date, **meta: Any) -> None:
        self.check_step("refer")
        self.check_on_or_after(referred_on, None, "found_on", "referred_on")
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
        self.stage = Stage.REFERRED

    def close(self, outcome: Outcome, closed_on: date, **meta: Any) -> None:
        loop.check_close(self.stage, outcome, meta.get("reason"))
        since = self.verified_on if outcome is Outcome.RECTIFIED else None
        self.check_on_or_after(closed_on, since, "the verification", "closed_on")
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
