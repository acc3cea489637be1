"""Every operation the client calls, as one table: the HTTP method and path, the query
parameters and headers it may send, its request body model and its answer model.

The client's methods send only through these rows (``Transport.call`` refuses a query
parameter or header a row does not name), and ``tests/api/test_client_contract.py`` checks
each row against ``api/openapi.json``: the path and method exist, the parameters and headers
are declared, the body is the schema the document names, the answer's fields are in the
schema of the answer's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from ledger.application import commands
from ledger.client import answers
from ledger.client.bodies import ClueBatchBody

COMMAND = ("Idempotency-Key", "If-Match")
PURPOSE = ("X-Access-Purpose",)
READ = ("known_at", "min_position")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    answer: type[BaseModel] | None = None
    media: str = "application/json"


def _command(path: str, body: type[BaseModel], answer: type[BaseModel]) -> Operation:
    return Operation("POST", path, headers=COMMAND, body=body, answer=answer)


# Clues in.
DELIVER_CLUE = _command("/v1/clues", commands.ReceiveClue, answers.ClueReceived)
DELIVER_CLUES = _command("/v1/clues/batch", ClueBatchBody, answers.ClueBatchAnswer)
FIND_CLUE = Operation("GET", "/v1/clues", ("source", "external_id", *READ), answer=answers.ClueView)

# The feed.
EVENTS = Operation(
    "GET", "/v1/events", ("after", "limit", "types", "unit_id"), answer=answers.FeedPage
)
STREAM = Operation(
    "GET",
    "/v1/events/stream",
    ("after", "types", "unit_id"),
    ("Last-Event-ID",),
    answer=answers.PublicEvent,
    media="text/event-stream",
)

# Reads.
CHAIN = Operation("GET", "/v1/units/{id}/chain", ("valid_at", *READ), answer=answers.ChainView)
FINDING = Operation("GET", "/v1/findings/{id}", ("valid_at", *READ), answer=answers.FindingView)
SEARCH = Operation(
    "GET", "/v1/search", ("q", "kind", "limit", "cursor", "min_position"), answer=answers.SearchPage
)
OPEN_LOOP = Operation(
    "GET",
    "/v1/reports/open-loop",
    ("unit_id", "valid_at", "limit", "cursor", *READ),
    answer=answers.OpenLoopReport,
)
_REFERENCE = ("from", "to", "proofs", *READ)
UNIT_REFERENCE = Operation(
    "GET",
    "/v1/units/{id}/evaluation-reference",
    (*_REFERENCE, "include_subunits"),
    PURPOSE,
    answer=answers.UnitReference,
)
PERSON_REFERENCE = Operation(
    "GET",
    "/v1/persons/{id}/evaluation-reference",
    _REFERENCE,
    PURPOSE,
    answer=answers.PersonReference,
)

# Proofs.
CHECKPOINT = Operation("GET", "/v1/ledger/checkpoint", media="text/plain")
INCLUSION = Operation(
    "GET",
    "/v1/ledger/proof/inclusion",
    ("position", "size"),
    PURPOSE,
    answer=answers.InclusionProof,
)

# The records a loop rests on.
REGISTER_UNIT = _command("/v1/units", commands.RegisterUnit, answers.Created)
REGISTER_PERSON = _command("/v1/persons", commands.RegisterPerson, answers.Created)
ASSIGN = _command("/v1/assignments", commands.Assign, answers.Created)
PLAN_INSPECTION = _command("/v1/inspections", commands.PlanInspection, answers.Created)
START_INSPECTION = _command("/v1/inspections/{id}/start", commands.StartInspection, answers.Created)

# The loop of a finding.
RAISE = _command("/v1/findings", commands.RaiseFinding, answers.Created)
PLAN = _command("/v1/findings/{id}/rectification-plan", commands.PlanRectification, answers.Created)
REPORT = _command("/v1/findings/{id}/progress", commands.ReportProgress, answers.Created)
VERIFY = _command("/v1/findings/{id}/verify", commands.VerifyRectification, answers.Created)
REJECT = _command("/v1/findings/{id}/reject", commands.RejectRectification, answers.Created)
EXTEND = _command("/v1/findings/{id}/extend-deadline", commands.ExtendDeadline, answers.Created)
REFER = _command("/v1/findings/{id}/refer", commands.ReferFinding, answers.Created)
CLOSE = _command("/v1/findings/{id}/close", commands.CloseFinding, answers.Created)

OPERATIONS: dict[str, Operation] = {
    name: value for name, value in globals().items() if isinstance(value, Operation)
}
