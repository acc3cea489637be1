"""Commands on clues: receive (once per source and external id), triage."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ledger.application.findings import FindingCommands
from ledger.application.service import CommandResult, Context, Decision
from ledger.domain.clue import Clue, clue_id
from ledger.domain.finding import Finding
from ledger.domain.unit import Unit
from ledger.domain.vocab import Category, ClueSource, Severity, TriageOutcome
from ledger.infra.eventstore import RecordedEvent


class _Known(Exception):
    """The clue was received before; its last event answers."""

    def __init__(self, last: RecordedEvent) -> None:
        self.last = last


class ClueCommands(FindingCommands):
    async def receive_clue(
        self,
        ctx: Context,
        *,
        origin: ClueSource,
        external_id: str,
        summary: str,
        received_at: datetime,
        unit_id: UUID | None,
        basis: str | None = None,
    ) -> CommandResult:
        """Receive a clue; a repeat of (source, external_id) answers the clue already held."""
        known_id = clue_id(origin, external_id)

        async def decide() -> Decision:
            recorded = await self.events.read_stream(known_id)
            if recorded:
                raise _Known(recorded[-1])
            if unit_id is not None:
                await self.store.get(Unit, unit_id, field="unit_id")
            clue = Clue.receive(
                origin=origin,
                external_id=external_id,
                summary=summary,
                received_at=received_at,
                unit_id=unit_id,
                **ctx.meta(None, basis),
            )
            return Decision([clue], clue)

        try:
            return await self._execute(ctx, decide)
        except _Known as known:
            # Not an idempotent replay: the answer says the clue was already held.
            return CommandResult(
                known_id,
                known.last.stream_version,
                known.last.position,
                detail={"already_received": True},
            )

    async def dismiss_clue(
        self, ctx: Context, clue_id_: UUID, *, reason: str, basis: str | None = None
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx, Clue, clue_id_, lambda c: c.triage(TriageOutcome.DISMISSED, None, **meta)
        )

    async def link_clue(
        self,
        ctx: Context,
        clue_id_: UUID,
        *,
        finding_id: UUID,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        """The clue is about a finding already raised: it is triaged onto that finding."""

        async def decide() -> Decision:
            clue = await self._get_for_update(ctx, Clue, clue_id_)
            await self.store.get(Finding, finding_id, field="finding_id")
            clue.triage(TriageOutcome.FINDING, finding_id, **ctx.meta(reason, basis))
            return Decision([clue], clue, detail={"finding_id": str(finding_id)})

        return await self._execute(ctx, decide)

    async def triage_into_finding(
        self,
        ctx: Context,
        clue_id_: UUID,
        *,
        unit_id: UUID,
        category: Category,
        severity: Severity,
        description: str,
        found_on: date,
        deadline: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        """The clue becomes a finding: both streams change in one append."""
        return await self.raise_finding(
            ctx,
            unit_id=unit_id,
            inspection_id=None,
            clue_id=clue_id_,
            category=category,
            severity=severity,
            description=description,
            found_on=found_on,
            deadline=deadline,
            reason=reason,
            basis=basis,
        )
