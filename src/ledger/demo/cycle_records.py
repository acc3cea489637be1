"""The demo cycle's records beside the inspection (``cycle``): the disciplinary case and
its sanction, the clues received or dismissed, the indicator set and the assessments.

``CycleRecords`` is the base of the cycle's loader: it holds what every act needs, the
chains' units and persons and the ids the acts have made, and the acts for these records.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ledger.application import Ledger
from ledger.application.commands import (
    AppealSanction,
    AssessUnit,
    CloseCase,
    DefineIndicatorSet,
    ImposeSanction,
    ModifySanction,
    OpenCase,
    ReceiveClue,
    TriageClue,
)
from ledger.demo import cycle_data as data
from ledger.demo.cycle_data import ClueSpec
from ledger.demo.runner import Runner
from ledger.domain.clue import clue_id
from ledger.domain.vocab import TriageOutcome


def on_day(text: str) -> date:
    return date.fromisoformat(text)


class CycleRecords(Runner):
    """The case, the clues and the assessment of the cycle, each act under its own key."""

    def __init__(
        self, ledger: Ledger, units: Mapping[str, UUID], persons: Mapping[str, UUID]
    ) -> None:
        super().__init__(ledger)
        self.units = units
        self.persons = persons
        self.ids: dict[str, UUID] = {}  # data keys (findings, clues, …) → ids

    # The case and its sanction

    async def case(self, act: str) -> None:
        spec, ledger, key = data.CASE, self.ledger, f"demo:loop:case:{act}"
        if act == "open":
            on, reason, basis = spec.opened
            result = await self.run(
                key,
                ledger.cases.open_case,
                OpenCase(
                    person_id=self.persons[spec.person],
                    finding_ids=[self.ids[spec.finding]],
                    handling_unit_id=self.units[spec.handler],
                    opened_on=on_day(on),
                    reason=reason,
                    basis=basis,
                ),
            )
            self.ids["case"] = result.id
            return
        case, sanction = self.ids["case"], self.ids.get("sanction")
        if act == "impose":
            kind, on, reason, basis = spec.imposed
            kw = {"kind": kind, "decided_on": on_day(on), "reason": reason, "basis": basis}
            result = await self.run(key, ledger.cases.impose_sanction, case, ImposeSanction(**kw))
            # A replayed answer carries the sanction id the first run chose.
            self.ids["sanction"] = UUID(str(result.detail["sanction_id"]))
        elif act == "appeal":
            on, reason = spec.appealed
            kw = {"sanction_id": sanction, "appealed_on": on_day(on), "reason": reason}
            await self.run(key, ledger.cases.appeal_sanction, case, AppealSanction(**kw))
        elif act == "modify":
            kind, on, reason, basis = spec.modified
            assert sanction is not None
            modified = ModifySanction(kind=kind, decided_on=on_day(on), reason=reason, basis=basis)
            await self.run(key, ledger.cases.modify_sanction, case, sanction, modified)
        else:
            await self.run(
                key, ledger.cases.close_case, case, CloseCase(closed_on=on_day(spec.closed_on))
            )

    # Clues and the assessment

    async def receive(self, spec: ClueSpec, delivery: int) -> None:
        kw = {"source": spec.origin, "external_id": spec.external_id, "summary": spec.summary}
        kw |= {"received_at": datetime.fromisoformat(spec.received_at)}
        key = f"demo:loop:clue:{spec.origin.value}:{spec.external_id}:{delivery}"
        result = await self.run(
            key, self.ledger.clues.receive_clue, ReceiveClue(unit_id=self.units[spec.unit], **kw)
        )
        self.ids[spec.external_id] = result.id

    async def dismiss(self, spec: ClueSpec, reason: str) -> None:
        key = f"demo:loop:clue:{spec.origin.value}:{spec.external_id}:dismiss"
        clue = clue_id(spec.origin, spec.external_id)
        await self.run(
            key,
            self.ledger.clues.dismiss_clue,
            clue,
            TriageClue(outcome=TriageOutcome.DISMISSED, reason=reason),
        )

    async def define_indicators(self) -> None:
        spec = data.INDICATOR_SET
        result = await self.run(
            "demo:loop:indicators",
            self.ledger.assessments.define_indicator_set,
            DefineIndicatorSet(
                year=on_day(spec["defined_on"]).year,
                name=spec["name"],
                indicators=[{"code": c, "name": n, "weight": w} for c, n, w in data.INDICATORS],
                basis=spec["basis"],
            ),
        )
        self.ids["indicators"] = result.id

    async def assess(
        self, unit: str, scores: tuple[int, ...], on: str, reason: str | None, basis: str | None
    ) -> None:
        codes = [code for code, _, _ in data.INDICATORS]
        await self.run(
            f"demo:loop:assess:{unit}:{on}",
            self.ledger.assessments.assess_unit,
            AssessUnit(
                indicator_set_id=self.ids["indicators"],
                unit_id=self.units[unit],
                scores={code: Decimal(s) for code, s in zip(codes, scores, strict=True)},
                grade=None,
                assessed_on=on_day(on),
                reason=reason,
                basis=basis,
            ),
        )
