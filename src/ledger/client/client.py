"""``LedgerClient``: clues in and their triage, and the reads an integrator makes most (a
chain, a finding, the search, the open-loop report, evaluation references); composed with
the feed (``feed``), the loop of a finding (``loop``), the commands on the other records
(``records``), the records' reads (``reads``), webhooks (``webhooks``) and the calls about
the ledger itself (``admin``: import, audit trail, access log, checkpoints, proofs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, Unpack
from uuid import UUID

from ledger.application.commands import ReceiveClue, TriageClue
from ledger.client import operations as ops
from ledger.client.admin import Admin
from ledger.client.answers import (
    ChainView,
    ClueBatchAnswer,
    ClueReceived,
    ClueView,
    Created,
    FindingView,
    OpenLoopReport,
    PersonReference,
    SearchPage,
    UnitReference,
)
from ledger.client.bodies import ClueBatchBody
from ledger.client.feed import Feed
from ledger.client.loop import Loop
from ledger.client.oversight import CluePage
from ledger.client.reads import Reads
from ledger.client.records import Records
from ledger.client.transport import Conditions, Known, KnownPage, command_headers, purpose_header
from ledger.client.webhooks import Webhooks


def _read(
    valid_at: date | None, known_at: datetime | None, min_position: int | None
) -> dict[str, object]:
    return {"valid_at": valid_at, "known_at": known_at, "min_position": min_position}


class LedgerClient(Feed, Loop, Records, Reads, Webhooks, Admin):
    """``LedgerClient(base_url, token)``; ``async with`` it, or ``close()`` it."""

    # Clues in.
    async def deliver_clue(
        self, clue: ReceiveClue, *, idempotency_key: str | None = None
    ) -> ClueReceived:
        """One clue; delivered again (same source and external id, same content) it is
        answered ``already_received``, not received twice."""
        headers = command_headers(None, idempotency_key)
        return await self.read(ops.DELIVER_CLUE, ClueReceived, headers=headers, body=clue)

    async def deliver_clues(
        self, clues: Sequence[ReceiveClue], *, basis: str | None = None
    ) -> ClueBatchAnswer:
        """Up to 1,000 clues in one request; each item answered for (``items``)."""
        body = ClueBatchBody(clues=list(clues), basis=basis)
        return await self.read(ops.DELIVER_CLUES, ClueBatchAnswer, body=body)

    async def find_clue(
        self, source: str, external_id: str, *, min_position: int | None = None
    ) -> ClueView:
        """The clue of a key (404 ``ProblemError`` if none)."""
        query = {"source": source, "external_id": external_id, "min_position": min_position}
        return await self.read(ops.FIND_CLUE, ClueView, query=query)

    async def clues(
        self, status: Literal["pending", "triaged"], **how: Unpack[KnownPage]
    ) -> CluePage:
        """The clues awaiting triage (``pending``) or triaged, a page at a time."""
        return await self.read(ops.CLUES, CluePage, query={"status": status, **how})

    async def clue(self, clue: UUID, **how: Unpack[Known]) -> ClueView:
        return await self.read(ops.CLUE, ClueView, {"id": clue}, how)

    async def triage(self, clue: UUID, body: TriageClue, **how: Unpack[Conditions]) -> Created:
        """The clue's outcome: into a new finding (``finding``; the answer is the new
        finding's id, version and position), onto an existing one (``finding_id``), or
        dismissed with a ``reason`` (these two answer the clue's id and version)."""
        return await self.send(ops.TRIAGE, body, clue, **how)

    # Reads.
    async def chain(
        self,
        unit: UUID,
        *,
        valid_at: date | None = None,
        known_at: datetime | None = None,
        min_position: int | None = None,
    ) -> ChainView:
        """The unit's responsibility chain on ``valid_at``, as known at ``known_at``."""
        query = _read(valid_at, known_at, min_position)
        return await self.read(ops.CHAIN, ChainView, ids={"id": unit}, query=query)

    async def finding(
        self,
        finding: UUID,
        *,
        valid_at: date | None = None,
        known_at: datetime | None = None,
        min_position: int | None = None,
    ) -> FindingView:
        query = _read(valid_at, known_at, min_position)
        return await self.read(ops.FINDING, FindingView, ids={"id": finding}, query=query)

    async def search(
        self,
        q: str,
        *,
        kind: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        min_position: int | None = None,
    ) -> SearchPage:
        query = {"q": q, "kind": kind, "limit": limit, "cursor": cursor}
        return await self.read(
            ops.SEARCH, SearchPage, query={**query, "min_position": min_position}
        )

    async def open_loop(
        self,
        unit: UUID | None = None,
        *,
        valid_at: date | None = None,
        known_at: datetime | None = None,
        min_position: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> OpenLoopReport:
        """The open-loop report of a unit and the units below it (default: all visible)."""
        query: dict[str, object] = {"unit_id": unit, "limit": limit, "cursor": cursor}
        query |= _read(valid_at, known_at, min_position)
        return await self.read(ops.OPEN_LOOP, OpenLoopReport, query=query)

    async def unit_reference(
        self,
        unit: UUID,
        start: date,
        end: date,
        *,
        purpose: str | None = None,
        include_subunits: bool | None = None,
        proofs: bool | None = None,
        known_at: datetime | None = None,
        min_position: int | None = None,
    ) -> UnitReference:
        """A unit's evaluation reference for ``start``–``end``; the read is in the access
        log, with ``purpose`` (sent percent-encoded)."""
        query: dict[str, object] = {"from": start, "to": end, "include_subunits": include_subunits}
        query |= {"proofs": proofs, "known_at": known_at, "min_position": min_position}
        return await self.read(
            ops.UNIT_REFERENCE, UnitReference, {"id": unit}, query, purpose_header(purpose)
        )

    async def person_reference(
        self,
        person: UUID,
        start: date,
        end: date,
        *,
        purpose: str | None = None,
        proofs: bool | None = None,
        known_at: datetime | None = None,
        min_position: int | None = None,
    ) -> PersonReference:
        """A person's evaluation reference; personnel, discipline and auditor roles must
        state a ``purpose``."""
        query: dict[str, object] = {
            "from": start,
            "to": end,
            "proofs": proofs,
            "known_at": known_at,
        }
        query["min_position"] = min_position
        return await self.read(
            ops.PERSON_REFERENCE, PersonReference, {"id": person}, query, purpose_header(purpose)
        )
