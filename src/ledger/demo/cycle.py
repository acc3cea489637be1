"""Load the demo's closed loop (``cycle_data``, ``cycle_findings``) through the command service.

Runs after the chains are built: every finding's attribution comes from them. The acts
run in valid-time order (acts of one day in the order they are scheduled), so the log
reads like the year it records. Each act carries a stable idempotency key and request
hash (``runner``): a second run replays the first run's answers (the same finding,
case and sanction ids) and writes nothing.

This module loads the inspection, its evidence and bulletins, and the findings with
their steps, and keeps the schedule; ``cycle_records`` loads the case, the clues, the
indicator set and the assessments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.application.commands import (
    Attribute,
    Body,
    CloseFinding,
    CloseInspection,
    ExtendDeadline,
    FeedBackResults,
    FindingFromClue,
    IssueBulletin,
    PlanInspection,
    PlanRectification,
    RaiseFinding,
    RecordEvidence,
    ReferFinding,
    RejectRectification,
    ReportProgress,
    StartInspection,
    TriageClue,
    VerifyRectification,
)
from ledger.demo import cycle_data as data
from ledger.demo.cycle_data import BulletinSpec, Evidence
from ledger.demo.cycle_findings import FINDINGS, FindingSpec, Step
from ledger.demo.cycle_records import CycleRecords, on_day
from ledger.demo.runner import Handler
from ledger.domain.vocab import Liability, Outcome, TriageOutcome

Act = Callable[[], Awaitable[None]]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class _Cycle(CycleRecords):
    """The cycle's loader: the inspection and the findings' loops here, the other records
    in ``CycleRecords``; ``schedule`` puts all their acts in valid-time order."""

    # The inspection, its evidence and bulletins

    async def inspection(self, act: str) -> None:
        spec, ledger, key = data.INSPECTION, self.ledger, f"demo:loop:inspection:{act}"
        if act == "plan":
            result = await self.run(
                key,
                ledger.inspections.plan_inspection,
                PlanInspection(
                    title=spec["title"],
                    year=on_day(spec["starts_on"]).year,
                    organizer_unit_id=self.units[data.OFFICE],
                    target_unit_ids=[self.units[u] for u in data.TARGETS],
                    team=[self.persons[p] for p in data.TEAM],
                    topics=list(data.TOPICS),
                    starts_on=on_day(spec["starts_on"]),
                    ends_on=on_day(spec["ends_on"]),
                    reason=spec["reason"],
                    basis=spec["basis"],
                ),
            )
            self.ids["inspection"] = result.id
        elif act == "start":
            day = on_day(spec["starts_on"])
            await self.run(
                key,
                ledger.inspections.start_inspection,
                self.ids["inspection"],
                StartInspection(started_on=day),
            )
        elif act == "feedback":
            kw = {"summary": spec["feedback"], "basis": spec["feedback_basis"]}
            day = on_day(spec["fed_back_on"])
            await self.run(
                key,
                ledger.inspections.feed_back,
                self.ids["inspection"],
                FeedBackResults(fed_back_on=day, **kw),
            )
        else:
            day = on_day(spec["closed_on"])
            await self.run(
                key,
                ledger.inspections.close_inspection,
                self.ids["inspection"],
                CloseInspection(closed_on=day),
            )

    async def evidence(self, index: int, spec: Evidence) -> None:
        kw: dict[str, Any] = {"summary": spec.summary, "document": spec.document}
        kw |= {"sha256": sha256(spec.text)}
        kw |= {"unit_id": self.units[spec.unit], "collected_on": on_day(spec.on)}
        key = f"demo:loop:evidence:{index}"
        await self.run(
            key,
            self.ledger.inspections.record_evidence,
            self.ids["inspection"],
            RecordEvidence(method=spec.method, **kw),
        )

    async def bulletin(self, spec: BulletinSpec) -> None:
        await self.run(
            f"demo:loop:bulletin:{spec.key}",
            self.ledger.bulletins.issue_bulletin,
            IssueBulletin(
                kind=spec.kind,
                title=spec.title,
                inspection_id=self.ids["inspection"],
                finding_ids=[self.ids[k] for k in spec.findings],
                recipient_unit_ids=[self.units[u] for u in spec.recipients],
                issued_on=on_day(spec.on),
                summary=spec.summary,
                basis=spec.basis,
            ),
        )

    # Findings and their loops

    async def raise_finding(self, spec: FindingSpec) -> None:
        kw: dict[str, Any] = {"unit_id": self.units[spec.unit], "category": spec.category}
        kw |= {"severity": spec.severity, "description": spec.description}
        kw |= {"found_on": on_day(spec.found_on), "deadline": on_day(spec.deadline)}
        key = f"demo:loop:finding:{spec.key}"
        if spec.clue is None:
            kw |= {"inspection_id": self.ids["inspection"], "clue_id": None}
            result = await self.run(key, self.ledger.findings.raise_finding, RaiseFinding(**kw))
        else:
            triage = TriageClue(
                outcome=TriageOutcome.FINDING, finding=FindingFromClue(**kw), reason="线索核查属实"
            )
            result = await self.run(
                key, self.ledger.clues.triage_into_finding, self.ids[spec.clue], triage
            )
        self.ids[spec.key] = result.id
        if spec.direct is not None:
            person, reason = spec.direct
            direct = Attribute(
                person_id=self.persons[person], liability=Liability.DIRECT, reason=reason
            )
            attribute = self.ledger.findings.attribute
            await self.run(f"{key}:direct", attribute, result.id, direct)

    async def step(self, spec: FindingSpec, index: int, step: Step) -> None:
        """One step of a finding's loop; every step records its document as ``basis``."""
        ledger, day, text, who = self.ledger, on_day(step.on), step.text or "", step.who or ""
        kw: dict[str, Any] = {"basis": step.doc}
        command: Handler
        model: type[Body]
        if step.act == "plan":
            command, model = ledger.findings.plan_rectification, PlanRectification
            kw |= {"measures": text, "owner_person_id": self.persons[who], "planned_on": day}
            kw |= {"deadline": on_day(step.until) if step.until else None}
        elif step.act in ("report", "done"):
            command, model = ledger.findings.report_progress, ReportProgress
            proof = [{"ref": step.doc, "sha256": sha256(text)}] if step.doc else []
            kw |= {"reported_on": day, "summary": text, "evidence": proof}
            kw |= {"complete": step.act == "done"}
        elif step.act == "verify":
            command, model = ledger.findings.verify_rectification, VerifyRectification
            kw = {"verified_on": day, "note": text}
        elif step.act == "reject":
            command, model = ledger.findings.reject_rectification, RejectRectification
            kw |= {"reason": text, "rejected_on": day}
        elif step.act == "extend":
            command, model = ledger.findings.extend_deadline, ExtendDeadline
            kw |= {"new_deadline": on_day(step.until or ""), "extended_on": day}
            kw |= {"approver_person_id": self.persons[who], "reason": text}
        elif step.act == "refer":
            command, model = ledger.findings.refer_finding, ReferFinding
            kw |= {"to_unit_id": self.units[who], "reason": text, "referred_on": day}
        else:
            command, model = ledger.findings.close_finding, CloseFinding
            kw |= {"outcome": Outcome(step.act.removeprefix("close:")), "closed_on": day}
            kw |= {"reason": step.text}
        key = f"demo:loop:finding:{spec.key}:{index}:{step.act}"
        await self.run(key, command, self.ids[spec.key], model(**kw))

    def schedule(self) -> list[tuple[str, Act]]:
        """Every act with its valid date, sorted stably: one day's acts keep this order."""
        spec, case = data.INSPECTION, data.CASE
        acts: list[tuple[str, Act]] = [
            (data.INDICATOR_SET["defined_on"], self.define_indicators),
            (spec["planned_on"], partial(self.inspection, "plan")),
            (spec["starts_on"], partial(self.inspection, "start")),
            (spec["fed_back_on"], partial(self.inspection, "feedback")),
            (spec["closed_on"], partial(self.inspection, "close")),
            (case.opened[0], partial(self.case, "open")),
            (case.imposed[1], partial(self.case, "impose")),
            (case.appealed[0], partial(self.case, "appeal")),
            (case.modified[1], partial(self.case, "modify")),
            (case.closed_on, partial(self.case, "close")),
        ]
        for clue in data.CLUES:
            received = clue.received_at[:10]
            acts += [(received, partial(self.receive, clue, n)) for n in range(clue.deliveries)]
            if clue.dismissed is not None:
                acts.append((clue.dismissed[0], partial(self.dismiss, clue, clue.dismissed[1])))
        acts += [(e.on, partial(self.evidence, i, e)) for i, e in enumerate(data.EVIDENCE)]
        for finding in FINDINGS:
            acts.append((finding.found_on, partial(self.raise_finding, finding)))
            acts += [(s.on, partial(self.step, finding, i, s)) for i, s in enumerate(finding.steps)]
        acts += [(b.on, partial(self.bulletin, b)) for b in data.BULLETINS]
        acts += [
            (data.ASSESSED_ON, partial(self.assess, unit, scores, data.ASSESSED_ON, None, None))
            for unit, scores in data.SCORES.items()
        ]
        unit, scores, on, reason, basis = data.REASSESSMENT
        acts.append((on, partial(self.assess, unit, scores, on, reason, basis)))
        return sorted(acts, key=lambda act: act[0])


async def load_cycle(
    ledger: Ledger, units: Mapping[str, UUID], persons: Mapping[str, UUID]
) -> dict[str, int]:
    """Load the loop; returns its size and the events written now."""
    cycle = _Cycle(ledger, units, persons)
    head = await ledger.events.head_position()
    for _, act in cycle.schedule():
        await act()
    return {
        "inspections": 1,
        "evidence": len(data.EVIDENCE),
        "findings": len(FINDINGS),
        "cases": 1,
        "clues": len(data.CLUES),
        "clue_deliveries": sum(clue.deliveries for clue in data.CLUES),
        "bulletins": len(data.BULLETINS),
        "assessments": len(data.SCORES),
        # A command may append several events (a finding and its attributions), and the
        # demo is the only writer while it runs: the head's advance is what it wrote.
        "events": await ledger.events.head_position() - head,
    }
