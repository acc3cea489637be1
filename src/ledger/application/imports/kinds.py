"""What a line of an import may hold: the kinds of record, the command that creates each,
and the steps that follow, each step one of the API's commands under the name of its path.

A kind's create runs as ``POST /v1/<resource>`` does and a step as ``POST
/v1/<resource>/{id}/<op>``: the same command model, the same handler, so the same rules.
A step's ``path`` names the fields the API takes from the path, not the body (a
withdrawn attribution's person, a sanction).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.application import Ledger
from ledger.application.commands import (
    AppealSanction,
    Assign,
    Attribute,
    Body,
    ChangeLine,
    ChangePortfolio,
    CloseCase,
    CloseFinding,
    CloseInspection,
    CorrectAssignment,
    CorrectFinding,
    CorrectPerson,
    DissolveUnit,
    EndAssignment,
    ExtendDeadline,
    FeedBackResults,
    ImposeSanction,
    ModifySanction,
    MoveUnit,
    OpenCase,
    PlanInspection,
    PlanRectification,
    RaiseFinding,
    RecordEvidence,
    ReferFinding,
    RegisterPerson,
    RegisterUnit,
    RejectRectification,
    RenameUnit,
    ReportProgress,
    RevokeSanction,
    StartInspection,
    UpholdSanction,
    VerifyRectification,
    WithdrawAttribution,
)
from ledger.application.service import CommandResult, Context
from ledger.domain.accountability import AccountabilityCase
from ledger.domain.assignment import Assignment
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.person import Person
from ledger.domain.unit import Unit

Create = Callable[[Ledger, Context, Any], Awaitable[CommandResult]]
Step = Callable[[Ledger, Context, UUID, Any, dict[str, UUID]], Awaitable[CommandResult]]


@dataclass(frozen=True)
class Op:
    command: type[Body]
    run: Step
    path: tuple[str, ...] = ()  # reference fields the API takes from the path


@dataclass(frozen=True)
class Kind:
    resource: str  # the API's collection, /v1/<resource>
    aggregate: type[Aggregate]
    create: type[Body]
    run: Create
    steps: dict[str, Op]


def _op(command: type[Body], run: Step, *path: str) -> Op:
    return Op(command, run, path)


KINDS: dict[str, Kind] = {
    "unit": Kind(
        "units",
        Unit,
        RegisterUnit,
        lambda lg, ctx, cmd: lg.units.register_unit(ctx, cmd),
        {
            "rename": _op(RenameUnit, lambda lg, ctx, i, cmd, p: lg.units.rename_unit(ctx, i, cmd)),
            "move": _op(MoveUnit, lambda lg, ctx, i, cmd, p: lg.units.move_unit(ctx, i, cmd)),
            "dissolve": _op(
                DissolveUnit, lambda lg, ctx, i, cmd, p: lg.units.dissolve_unit(ctx, i, cmd)
            ),
        },
    ),
    "person": Kind(
        "persons",
        Person,
        RegisterPerson,
        lambda lg, ctx, cmd: lg.persons.register_person(ctx, cmd),
        {
            "correct": _op(
                CorrectPerson, lambda lg, ctx, i, cmd, p: lg.persons.correct_person(ctx, i, cmd)
            ),
        },
    ),
    "assignment": Kind(
        "assignments",
        Assignment,
        Assign,
        lambda lg, ctx, cmd: lg.assignments.assign(ctx, cmd),
        {
            "portfolio": _op(
                ChangePortfolio,
                lambda lg, ctx, i, cmd, p: lg.assignments.change_portfolio(ctx, i, cmd),
            ),
            "line": _op(
                ChangeLine, lambda lg, ctx, i, cmd, p: lg.assignments.change_line(ctx, i, cmd)
            ),
            "end": _op(
                EndAssignment, lambda lg, ctx, i, cmd, p: lg.assignments.end_assignment(ctx, i, cmd)
            ),
            "correct": _op(
                CorrectAssignment,
                lambda lg, ctx, i, cmd, p: lg.assignments.correct_assignment(ctx, i, cmd),
            ),
        },
    ),
    "inspection": Kind(
        "inspections",
        Inspection,
        PlanInspection,
        lambda lg, ctx, cmd: lg.inspections.plan_inspection(ctx, cmd),
        {
            "start": _op(
                StartInspection,
                lambda lg, ctx, i, cmd, p: lg.inspections.start_inspection(ctx, i, cmd),
            ),
            "evidence": _op(
                RecordEvidence,
                lambda lg, ctx, i, cmd, p: lg.inspections.record_evidence(ctx, i, cmd),
            ),
            "feedback": _op(
                FeedBackResults, lambda lg, ctx, i, cmd, p: lg.inspections.feed_back(ctx, i, cmd)
            ),
            "close": _op(
                CloseInspection,
                lambda lg, ctx, i, cmd, p: lg.inspections.close_inspection(ctx, i, cmd),
            ),
        },
    ),
    "finding": Kind(
        "findings",
        Finding,
        RaiseFinding,
        lambda lg, ctx, cmd: lg.findings.raise_finding(ctx, cmd),
        {
            "attributions": _op(
                Attribute, lambda lg, ctx, i, cmd, p: lg.findings.attribute(ctx, i, cmd)
            ),
            "withdraw": _op(
                WithdrawAttribution,
                lambda lg, ctx, i, cmd, p: lg.findings.withdraw_attribution(
                    ctx, i, p["person_id"], cmd
                ),
                "person_id",
            ),
            "rectification-plan": _op(
                PlanRectification,
                lambda lg, ctx, i, cmd, p: lg.findings.plan_rectification(ctx, i, cmd),
            ),
            "progress": _op(
                ReportProgress, lambda lg, ctx, i, cmd, p: lg.findings.report_progress(ctx, i, cmd)
            ),
            "verify": _op(
                VerifyRectification,
                lambda lg, ctx, i, cmd, p: lg.findings.verify_rectification(ctx, i, cmd),
            ),
            "reject": _op(
                RejectRectification,
                lambda lg, ctx, i, cmd, p: lg.findings.reject_rectification(ctx, i, cmd),
            ),
            "extend-deadline": _op(
                ExtendDeadline, lambda lg, ctx, i, cmd, p: lg.findings.extend_deadline(ctx, i, cmd)
            ),
            "refer": _op(
                ReferFinding, lambda lg, ctx, i, cmd, p: lg.findings.refer_finding(ctx, i, cmd)
            ),
            "close": _op(
                CloseFinding, lambda lg, ctx, i, cmd, p: lg.findings.close_finding(ctx, i, cmd)
            ),
            "correct": _op(
                CorrectFinding, lambda lg, ctx, i, cmd, p: lg.findings.correct_finding(ctx, i, cmd)
            ),
        },
    ),
    "case": Kind(
        "accountability-cases",
        AccountabilityCase,
        OpenCase,
        lambda lg, ctx, cmd: lg.cases.open_case(ctx, cmd),
        {
            "sanctions": _op(
                ImposeSanction, lambda lg, ctx, i, cmd, p: lg.cases.impose_sanction(ctx, i, cmd)
            ),
            "appeal": _op(
                AppealSanction, lambda lg, ctx, i, cmd, p: lg.cases.appeal_sanction(ctx, i, cmd)
            ),
            "uphold": _op(
                UpholdSanction,
                lambda lg, ctx, i, cmd, p: lg.cases.uphold_sanction(ctx, i, p["sanction_id"], cmd),
                "sanction_id",
            ),
            "modify": _op(
                ModifySanction,
                lambda lg, ctx, i, cmd, p: lg.cases.modify_sanction(ctx, i, p["sanction_id"], cmd),
                "sanction_id",
            ),
            "revoke": _op(
                RevokeSanction,
                lambda lg, ctx, i, cmd, p: lg.cases.revoke_sanction(ctx, i, p["sanction_id"], cmd),
                "sanction_id",
            ),
            "close": _op(CloseCase, lambda lg, ctx, i, cmd, p: lg.cases.close_case(ctx, i, cmd)),
        },
    ),
}

# A finding in an import comes from an inspection: a clue's finding changes the clue, a
# record the import did not create, so it is raised through the API.
EXCLUDED: dict[str, frozenset[str]] = {"finding": frozenset({"clue_id"})}
