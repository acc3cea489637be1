"""Inspection (督察): one inspection of one or more units by a team, and its evidence."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.domain.dates import check_not_after_today, check_not_before
from ledger.domain.errors import IllegalTransition, InvalidInput
from ledger.domain.vocab import Category, EvidenceMethod, InspectionStage

Stage = InspectionStage

NEXT_STEPS: dict[InspectionStage, list[str]] = {
    Stage.PLANNED: ["start"],
    Stage.STARTED: ["evidence", "feedback"],
    Stage.FED_BACK: ["evidence", "close"],
    Stage.CLOSED: [],
}


class Inspection(Aggregate):
    """Planned → started (evidence recorded) → results fed back → closed."""

    @classmethod
    def plan(
        cls,
        *,
        title: str,
        year: int,
        organizer_unit_id: UUID,
        target_unit_ids: list[UUID],
        team: list[UUID],
        topics: list[Category],
        starts_on: date,
        ends_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> Inspection:
        if ends_on < starts_on:
            raise InvalidInput("ends_on must not be before starts_on", field="ends_on")
        if starts_on.year != year:
            raise InvalidInput(f"starts_on must fall in the plan year {year}", field="starts_on")
        if organizer_unit_id in target_unit_ids:
            raise InvalidInput(
                "an inspection body does not inspect itself", field="target_unit_ids"
            )
        return cls(
            title,
            year,
            organizer_unit_id,
            list(dict.fromkeys(target_unit_ids)),
            list(dict.fromkeys(team)),
            list(dict.fromkeys(topics)),
            starts_on,
            ends_on,
            actor,
            source,
            reason,
            basis,
        )

    @event("Planned")
    def __init__(
        self,
        title: str,
        year: int,
        organizer_unit_id: UUID,
        target_unit_ids: list[UUID],
        team: list[UUID],
        topics: list[Category],
        starts_on: date,
        ends_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.title = title
        self.year = year
        self.organizer_unit_id = organizer_unit_id
        self.target_unit_ids = list(target_unit_ids)
        self.team = list(team)
        self.topics = list(topics)
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.stage = Stage.PLANNED
        self.started_on: date | None = None
        self.fed_back_on: date | None = None

    def check_step(self, step: str) -> None:
        """Raised when the inspection's stage does not allow ``step``."""
        if step not in NEXT_STEPS[self.stage]:
            raise IllegalTransition(
                f"{step} is not allowed", stage=self.stage.value, allowed=NEXT_STEPS[self.stage]
            )

    def check_accepts_findings(self, unit_id: UUID, found_on: date) -> None:
        """Raised when the inspection is not under way, did not inspect the unit, or the
        finding is dated outside the inspection's window."""
        if self.stage not in (Stage.STARTED, Stage.FED_BACK):
            raise IllegalTransition(
                "findings are raised while an inspection is under way",
                stage=self.stage.value,
                allowed=NEXT_STEPS[self.stage],
                field="inspection_id",
            )
        if unit_id not in self.target_unit_ids:
            raise InvalidInput(
                f"unit {unit_id} is not a target of inspection {self.id}", field="unit_id"
            )
        if not self.starts_on <= found_on <= self.ends_on:
            raise InvalidInput(
                f"found_on ({found_on}) lies outside the inspection's window"
                f" ({self.starts_on} to {self.ends_on})",
                field="found_on",
            )

    def _check_day(self, day: date, field: str, today: date, follows: str | None = None) -> None:
        """Raised when a step is dated after today, or before the step it follows."""
        check_not_after_today(day, today, field)
        if follows is not None:
            check_not_before(day, field, {follows: getattr(self, follows)})

    def start(self, started_on: date, *, today: date, **meta: Any) -> None:
        self.check_step("start")
        self._check_day(started_on, "started_on", today)
        self._started(started_on, **meta)

    @event("Started")
    def _started(
        self, started_on: date, actor: str, source: str, reason: str | None, basis: str | None
    ) -> None:
        self.started_on = started_on
        self.stage = Stage.STARTED

    def record_evidence(
        self,
        method: EvidenceMethod,
        summary: str,
        document: str | None,
        sha256: str | None,
        unit_id: UUID | None,
        collected_on: date,
        *,
        today: date,
        **meta: Any,
    ) -> None:
        self.check_step("evidence")
        self._check_day(collected_on, "collected_on", today, "started_on")
        if unit_id is not None and unit_id not in self.target_unit_ids:
            raise InvalidInput(
                f"unit {unit_id} is not a target of this inspection", field="unit_id"
            )
        self._evidence_recorded(method, summary, document, sha256, unit_id, collected_on, **meta)

    @event("EvidenceRecorded")
    def _evidence_recorded(
        self,
        method: EvidenceMethod,
        summary: str,
        document: str | None,
        sha256: str | None,
        unit_id: UUID | None,
        collected_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        pass

    def feed_back(self, fed_back_on: date, summary: str, *, today: date, **meta: Any) -> None:
        self.check_step("feedback")
        self._check_day(fed_back_on, "fed_back_on", today, "started_on")
        self._results_fed_back(fed_back_on, summary, **meta)

    @event("ResultsFedBack")
    def _results_fed_back(
        self,
        fed_back_on: date,
        summary: str,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.fed_back_on = fed_back_on
        self.stage = Stage.FED_BACK

    def close(self, closed_on: date, *, today: date, **meta: Any) -> None:
        self.check_step("close")
        self._check_day(closed_on, "closed_on", today, "fed_back_on")
        self._closed(closed_on, **meta)

    @event("Closed")
    def _closed(
        self, closed_on: date, actor: str, source: str, reason: str | None, basis: str | None
    ) -> None:
        self.stage = Stage.CLOSED
