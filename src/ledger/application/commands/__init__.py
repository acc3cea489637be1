"""Commands: what a caller asks the ledger to do, one typed object each.

A command is written once: the HTTP API validates a request body into it and hands it
whole to one application handler, which passes its fields to the aggregate's method.
"""

from ledger.application.commands.assessments import AssessUnit, DefineIndicatorSet, NewIndicator
from ledger.application.commands.assignments import (
    Assign,
    ChangeLine,
    ChangePortfolio,
    CorrectAssignment,
    EndAssignment,
)
from ledger.application.commands.bulletins import IssueBulletin
from ledger.application.commands.cases import (
    AppealSanction,
    CloseCase,
    ImposeSanction,
    ModifySanction,
    OpenCase,
    RevokeSanction,
    UpholdSanction,
)
from ledger.application.commands.clues import FindingFromClue, ReceiveClue, TriageClue
from ledger.application.commands.findings import (
    Attribute,
    CloseFinding,
    CorrectFinding,
    ExtendDeadline,
    PlanRectification,
    ProgressEvidence,
    RaiseFinding,
    ReferFinding,
    RejectRectification,
    ReportProgress,
    VerifyRectification,
    WithdrawAttribution,
)
from ledger.application.commands.inspections import (
    CloseInspection,
    FeedBackResults,
    PlanInspection,
    RecordEvidence,
    StartInspection,
)
from ledger.application.commands.persons import CorrectPerson, FindPerson, RegisterPerson
from ledger.application.commands.types import Body, Command
from ledger.application.commands.units import DissolveUnit, MoveUnit, RegisterUnit, RenameUnit

__all__ = [
    "AppealSanction",
    "AssessUnit",
    "Assign",
    "Attribute",
    "Body",
    "ChangeLine",
    "ChangePortfolio",
    "CloseCase",
    "CloseFinding",
    "CloseInspection",
    "Command",
    "CorrectAssignment",
    "CorrectFinding",
    "CorrectPerson",
    "DefineIndicatorSet",
    "DissolveUnit",
    "EndAssignment",
    "ExtendDeadline",
    "FeedBackResults",
    "FindPerson",
    "FindingFromClue",
    "ImposeSanction",
    "IssueBulletin",
    "ModifySanction",
    "MoveUnit",
    "NewIndicator",
    "OpenCase",
    "PlanInspection",
    "PlanRectification",
    "ProgressEvidence",
    "RaiseFinding",
    "ReceiveClue",
    "RecordEvidence",
    "ReferFinding",
    "RegisterPerson",
    "RegisterUnit",
    "RejectRectification",
    "RenameUnit",
    "ReportProgress",
    "RevokeSanction",
    "StartInspection",
    "TriageClue",
    "UpholdSanction",
    "VerifyRectification",
    "WithdrawAttribution",
]
