"""Accountability case (问责): proceedings against a person, resting on named findings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.domain.dates import check_not_after_today, check_not_before
from ledger.domain.errors import IllegalTransition, InvalidInput, InvariantViolation, NotFound
from ledger.domain.finding import Finding
from ledger.domain.vocab import Outcome, SanctionKind, SanctionState

State = SanctionState

# What can happen to a sanction in each state (as the API names the steps).
SANCTION_STEPS: dict[SanctionState, list[str]] = {
    State.IMPOSED: ["appeal", "modify", "revoke"],
    State.APPEALED: ["uphold", "modify", "revoke"],
    State.UPHELD: ["modify", "revoke"],
    State.MODIFIED: ["appeal", "modify", "revoke"],
    State.REVOKED: [],
}


def check_case_rests_on(
    finding: Finding, person_id: UUID, field: str, opened_on: date | None = None
) -> None:
    """Raised when a case against ``person_id`` would rest on a finding not attributed to
    them, or on one that was dismissed, or one found after the case was opened."""
    if person_id not in finding.attributions:
        raise InvariantViolation(
            f"finding {finding.id} is not attributed to person {person_id}", field=field
        )
    if finding.outcome is Outcome.DISMISSED:
        raise InvariantViolation(f"finding {finding.id} was dismissed", field=field)
    if opened_on is not None and opened_on < finding.found_on:
        raise InvalidInput(
            f"opened_on ({opened_on}) must not be before the found_on ({finding.found_on})"
            f" of finding {finding.id}",
            field="opened_on",
        )


@dataclass(frozen=True)
class Sanction:
    """处理/处分: its kind as it stands now, and what became of it."""

    id: UUID
    kind: SanctionKind
    decided_on: date
    state: SanctionState
    original_kind: SanctionKind
    appealed_on: date | None = None


class AccountabilityCase(Aggregate):
    """Opened → sanctions imposed, appealed, upheld, modified or revoked → closed."""

    @classmethod
    def open(
        cls,
        *,
        person_id: UUID,
        finding_ids: list[UUID],
        handling_unit_id: UUID,
        opened_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
        today: date,
    ) -> AccountabilityCase:
        check_not_after_today(opened_on, today, "opened_on")
        finding_ids = list(dict.fromkeys(finding_ids))
        if not finding_ids:
            raise InvalidInput("a case rests on at least one finding", field="finding_ids")
        return cls(
            person_id, finding_ids, handling_unit_id, opened_on, actor, source, reason, basis
        )

    @event("Opened")
    def __init__(
        self,
        person_id: UUID,
        finding_ids: list[UUID],
        handling_unit_id: UUID,
        opened_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.person_id = person_id
        self.finding_ids = list(finding_ids)
        self.handling_unit_id = handling_unit_id
        self.opened_on = opened_on
        self.sanctions: dict[UUID, Sanction] = {}
        self.closed_on: date | None = None

    @property
    def closed(self) -> bool:
        return self.closed_on is not None

    def check_open(self, step: str) -> None:
        """Raised when the case is closed."""
        if self.closed:
            raise IllegalTransition(f"{step} is not allowed", stage="closed", allowed=[])

    def check_day(
        self, day: date, field: str, today: date, follows: dict[str, date | None] | None = None
    ) -> None:
        """Raised when a step is dated after today, or before the case was opened or
        another step it follows (``follows``: each such step's date, by its name)."""
        check_not_after_today(day, today, field)
        check_not_before(day, field, {"opened_on": self.opened_on, **(follows or {})})

    def sanction(self, sanction_id: UUID, step: str) -> Sanction:
        """The sanction, if ``step`` is allowed for it now."""
        self.check_open(step)
        found = self.sanctions.get(sanction_id)
        if found is None:
            raise NotFound(f"no sanction {sanction_id} in case {self.id}", field="sanction_id")
        if step not in SANCTION_STEPS[found.state]:
            raise IllegalTransition(
                f"{step} is not allowed for sanction {sanction_id}",
                stage=found.state.value,
                allowed=SANCTION_STEPS[found.state],
            )
        return found

    def impose(
        self, sanction_id: UUID, kind: SanctionKind, decided_on: date, *, today: date, **meta: Any
    ) -> None:
        self.check_open("sanctions")
        self.check_day(decided_on, "decided_on", today)
        self._sanction_imposed(sanction_id, kind, decided_on, **meta)

    @event("SanctionImposed")
    def _sanction_imposed(
        self,
        sanction_id: UUID,
        kind: SanctionKind,
        decided_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.sanctions[sanction_id] = Sanction(sanction_id, kind, decided_on, State.IMPOSED, kind)

    def appeal(self, sanction_id: UUID, appealed_on: date, *, today: date, **meta: Any) -> None:
        found = self.sanction(sanction_id, "appeal")
        self.check_day(appealed_on, "appealed_on", today, _decision(found))
        self._appealed(sanction_id, appealed_on, **meta)

    @event("Appealed")
    def _appealed(
        self,
        sanction_id: UUID,
        appealed_on: date,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        self._set(sanction_id, state=State.APPEALED, appealed_on=appealed_on)

    def uphold(self, sanction_id: UUID, decided_on: date, *, today: date, **meta: Any) -> None:
        found = self.sanction(sanction_id, "uphold")
        self.check_day(decided_on, "decided_on", today, _decision(found))
        self._upheld(sanction_id, decided_on, **meta)

    @event("SanctionUpheld")
    def _upheld(
        self,
        sanction_id: UUID,
        decided_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self._set(sanction_id, state=State.UPHELD)

    def modify(
        self, sanction_id: UUID, kind: SanctionKind, decided_on: date, *, today: date, **meta: Any
    ) -> None:
        found = self.sanction(sanction_id, "modify")
        if kind is found.kind:
            raise InvalidInput(f"the sanction is already {kind.value}", field="kind")
        self.check_day(decided_on, "decided_on", today, _decision(found))
        self._modified(sanction_id, found.kind, kind, decided_on, **meta)

    @event("SanctionModified")
    def _modified(
        self,
        sanction_id: UUID,
        previous_kind: SanctionKind,
        kind: SanctionKind,
        decided_on: date,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        self._set(sanction_id, state=State.MODIFIED, kind=kind, decided_on=decided_on)

    def revoke(self, sanction_id: UUID, decided_on: date, *, today: date, **meta: Any) -> None:
        found = self.sanction(sanction_id, "revoke")
        self.check_day(decided_on, "decided_on", today, _decision(found))
        self._revoked(sanction_id, decided_on, **meta)

    @event("SanctionRevoked")
    def _revoked(
        self,
        sanction_id: UUID,
        decided_on: date,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        self._set(sanction_id, state=State.REVOKED)

    def close(self, closed_on: date, *, today: date, **meta: Any) -> None:
        self.check_open("close")
        decided = max((s.decided_on for s in self.sanctions.values()), default=None)
        self.check_day(closed_on, "closed_on", today, {"the last sanction's decided_on": decided})
        pending = [s.id for s in self.sanctions.values() if s.state is State.APPEALED]
        if pending:
            raise IllegalTransition(
                f"an appeal is pending (sanction {pending[0]})",
                stage="appealed",
                allowed=["uphold", "modify", "revoke"],
            )
        self._closed(closed_on, **meta)

    @event("Closed")
    def _closed(
        self, closed_on: date, actor: str, source: str, reason: str | None, basis: str | None
    ) -> None:
        self.closed_on = closed_on

    def _set(self, sanction_id: UUID, **changes: Any) -> None:
        self.sanctions[sanction_id] = replace(self.sanctions[sanction_id], **changes)


def _decision(sanction: Sanction) -> dict[str, date | None]:
    """The steps a decision on ``sanction`` follows: its last decision, and its appeal."""
    return {"the sanction's decided_on": sanction.decided_on, "appealed_on": sanction.appealed_on}
