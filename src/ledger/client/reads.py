"""The reads of the records: one record, or a page of them by filters (each filter named as
its query parameter). What a read may say besides is in ``transport``: ``min_position``
(``Waiting``), ``known_at`` (``Known``), ``limit`` and ``cursor`` (``Paging``); ``pages.every``
follows a list's cursors to its end."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar, Unpack
from uuid import UUID

from pydantic import BaseModel

from ledger.client import operations as ops
from ledger.client import oversight as o
from ledger.client import views as v
from ledger.client.answers import AssignmentView
from ledger.client.operations import Operation
from ledger.client.transport import (
    Known,
    KnownPage,
    Transport,
    Waiting,
    WaitingPage,
    purpose_header,
)

M = TypeVar("M", bound=BaseModel)


class Reads(Transport):
    async def _get(
        self, op: Operation, model: type[M], record: UUID | None = None, /, **query: Any
    ) -> M:
        ids = {} if record is None else {"id": record}
        return await self.read(op, model, ids, query)

    # Units.
    async def unit(self, unit: UUID, **how: Unpack[Waiting]) -> v.UnitView:
        return await self._get(ops.UNIT, v.UnitView, unit, **how)

    async def units(
        self,
        *,
        parent_id: UUID | None = None,
        name: str | None = None,
        code: str | None = None,
        kind: str | None = None,
        under: UUID | None = None,
        **how: Unpack[WaitingPage],
    ) -> v.UnitPage:
        """Units by name (a part of it), code, kind, parent (``parent_id``: the units
        directly under it) or subtree (``under``: it and every unit below)."""
        filters = {"parent_id": parent_id, "name": name, "code": code, "kind": kind}
        return await self._get(ops.UNITS, v.UnitPage, under=under, **filters, **how)

    async def unit_persons(
        self, unit: UUID, *, valid_at: date | None = None, **how: Unpack[KnownPage]
    ) -> v.UnitHolders:
        """Who holds a post in the unit on ``valid_at`` (default today)."""
        return await self._get(ops.UNIT_PERSONS, v.UnitHolders, unit, valid_at=valid_at, **how)

    async def chain_changes(
        self,
        unit: UUID,
        *,
        start: date | None = None,
        end: date | None = None,
        known_from: datetime | None = None,
        known_to: datetime | None = None,
        **how: Unpack[Waiting],
    ) -> v.ChainChanges:
        """What changed in the unit's chain from ``start`` to ``end`` (valid time), or as
        recorded after ``known_from`` and at or before ``known_to`` (ledger time)."""
        query = {"from": start, "to": end, "known_from": known_from, "known_to": known_to}
        return await self._get(ops.CHAIN_CHANGES, v.ChainChanges, unit, **query, **how)

    async def unit_assessments(self, unit: UUID, **how: Unpack[Known]) -> v.UnitAssessments:
        return await self._get(ops.UNIT_ASSESSMENTS, v.UnitAssessments, unit, **how)

    # Persons and their posts: a dossier read is in the access log, with its purpose.
    async def person(
        self,
        person: UUID,
        *,
        valid_at: date | None = None,
        purpose: str | None = None,
        **how: Unpack[Waiting],
    ) -> v.PersonView:
        query = {"valid_at": valid_at, **how}
        return await self.read(
            ops.PERSON, v.PersonView, {"id": person}, query, purpose_header(purpose)
        )

    async def persons(self, *, name: str | None = None, **how: Unpack[WaitingPage]) -> v.PersonPage:
        """Persons whose name holds ``name``."""
        return await self._get(ops.PERSONS, v.PersonPage, name=name, **how)

    async def person_posts(
        self,
        person: UUID,
        *,
        valid_at: date | None = None,
        purpose: str | None = None,
        **how: Unpack[KnownPage],
    ) -> v.PersonPosts:
        """Every post the person holds on ``valid_at``, in every unit."""
        query = {"valid_at": valid_at, **how}
        return await self.read(
            ops.PERSON_POSTS, v.PersonPosts, {"id": person}, query, purpose_header(purpose)
        )

    async def assignment(
        self, assignment: UUID, *, valid_at: date | None = None, **how: Unpack[Waiting]
    ) -> AssignmentView:
        return await self._get(ops.ASSIGNMENT, AssignmentView, assignment, valid_at=valid_at, **how)

    # Inspections and findings.
    async def inspection(self, inspection: UUID, **how: Unpack[Known]) -> o.InspectionView:
        return await self._get(ops.INSPECTION, o.InspectionView, inspection, **how)

    async def inspections(
        self,
        *,
        year: int | None = None,
        organizer_unit_id: UUID | None = None,
        target_unit_id: UUID | None = None,
        stage: str | None = None,
        **how: Unpack[KnownPage],
    ) -> o.InspectionPage:
        filters = {"organizer_unit_id": organizer_unit_id, "target_unit_id": target_unit_id}
        return await self._get(
            ops.INSPECTIONS, o.InspectionPage, year=year, stage=stage, **filters, **how
        )

    async def findings(
        self,
        *,
        unit_id: UUID | None = None,
        include_subunits: bool | None = None,
        status: str | None = None,
        category: str | None = None,
        overdue: bool | None = None,
        year: int | None = None,
        valid_at: date | None = None,
        **how: Unpack[KnownPage],
    ) -> o.FindingPage:
        """Findings by unit (and the units below it), stage (``status``; ``open``: every
        stage but closed), category, overdue on ``valid_at``, year found."""
        filters: dict[str, object] = {"unit_id": unit_id, "include_subunits": include_subunits}
        filters |= {"status": status, "category": category, "overdue": overdue, "year": year}
        return await self._get(ops.FINDINGS, o.FindingPage, valid_at=valid_at, **filters, **how)

    # Cases, bulletins, indicator sets.
    async def case(self, case: UUID, **how: Unpack[Known]) -> o.CaseView:
        return await self._get(ops.CASE, o.CaseView, case, **how)

    async def cases(
        self,
        *,
        person_id: UUID | None = None,
        handling_unit_id: UUID | None = None,
        finding_id: UUID | None = None,
        open: bool | None = None,
        **how: Unpack[KnownPage],
    ) -> o.CasePage:
        """Cases of a person, handled by a unit, resting on a finding; open or closed."""
        filters = {"person_id": person_id, "handling_unit_id": handling_unit_id}
        return await self._get(
            ops.CASES, o.CasePage, finding_id=finding_id, open=open, **filters, **how
        )

    async def bulletin(self, bulletin: UUID, **how: Unpack[Known]) -> o.BulletinView:
        return await self._get(ops.BULLETIN, o.BulletinView, bulletin, **how)

    async def bulletins(
        self, *, inspection_id: UUID | None = None, **how: Unpack[KnownPage]
    ) -> o.BulletinPage:
        return await self._get(ops.BULLETINS, o.BulletinPage, inspection_id=inspection_id, **how)

    async def indicator_set(self, indicator_set: UUID, **how: Unpack[Known]) -> v.IndicatorSetView:
        return await self._get(ops.INDICATOR_SET, v.IndicatorSetView, indicator_set, **how)

    async def vocabularies(self) -> v.Vocabularies:
        """Every code the API takes or answers, with its Chinese label."""
        return await self._get(ops.VOCABULARIES, v.Vocabularies)
