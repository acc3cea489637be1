"""Clue (督察线索): a lead from another system, triaged into a finding or dismissed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import IllegalTransition, InvalidInput
from ledger.domain.vocab import ClueSource, TriageOutcome

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:ledger:clue")


def clue_id(source: ClueSource, external_id: str) -> UUID:
    """One clue per (source, external_id): its id is derived from them, however often sent."""
    return uuid5(_NAMESPACE, f"{source.value}\x1f{external_id}")


class Clue(Aggregate):
    """Received once from (source, external_id); triaged once."""

    @staticmethod
    def create_id(origin: ClueSource, external_id: str, **_: Any) -> UUID:
        return clue_id(origin, external_id)

    @classmethod
    def receive(
        cls,
        *,
        origin: ClueSource,
        external_id: str,
        summary: str,
        received_at: datetime,
        unit_id: UUID | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> Clue:
        if received_at.tzinfo is None:
            raise InvalidInput("received_at needs a UTC offset", field="received_at")
        return cls(
            origin=origin,
            external_id=external_id,
            summary=summary,
            received_at=received_at,
            unit_id=unit_id,
            actor=actor,
            source=source,
            reason=reason,
            basis=basis,
        )

    @event("Received")
    def __init__(
        self,
        origin: ClueSource,
        external_id: str,
        summary: str,
        received_at: datetime,
        unit_id: UUID | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        # ``origin`` is the system the clue came from (12345, petitions, courts…);
        # ``source`` is, as on every event, the system that recorded it.
        self.origin = origin
        self.external_id = external_id
        self.summary = summary
        self.received_at = received_at
        self.unit_id = unit_id
        self.outcome: TriageOutcome | None = None
        self.finding_id: UUID | None = None

    def triage(self, outcome: TriageOutcome, finding_id: UUID | None, **meta: Any) -> None:
        if self.outcome is not None:
            raise IllegalTransition(
                "the clue is already triaged", stage=f"triaged:{self.outcome.value}", allowed=[]
            )
        if outcome is TriageOutcome.DISMISSED and not meta.get("reason"):
            raise InvalidInput("dismissing a clue needs a reason", field="reason")
        self._triaged(outcome, finding_id, **meta)

    @event("Triaged")
    def _triaged(
        self,
        outcome: TriageOutcome,
        finding_id: UUID | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.outcome = outcome
        self.finding_id = finding_id
