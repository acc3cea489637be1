"""Every operation the client calls, as one table: the HTTP method and path, the query
parameters and headers it may send, its request body model (and the body's media type) and
its answer model.

The client's methods send only through these rows (``Transport.call`` refuses a query
parameter or header a row does not name), and ``tests/api/test_client_contract.py`` checks
each row against ``api/openapi.json``: the path and method exist, the parameters and headers
are declared, the body is the schema the document names, the answer's fields are in the
schema of the answer's name; and every operation of the document has a row, but the five
served for people and tools (``/docs``, ``/openapi.json``, ``/healthz``, ``/readyz``,
``/metrics``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from ledger.application import commands as c
from ledger.client import answers as a
from ledger.client import oversight as o
from ledger.client import trail as t
from ledger.client import views as v
from ledger.client.bodies import Act, ClueBatchBody, Line, NewWebhook, Replay

COMMAND = ("Idempotency-Key", "If-Match")
PURPOSE = ("X-Access-Purpose",)
READ = ("known_at", "min_position")
PAGE = ("limit", "cursor")
NDJSON = "application/x-ndjson"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    answer: type[BaseModel] | None = None
    media: str = "application/json"
    body_media: str = "application/json"


def _command(path: str, body: type[BaseModel], answer: type[BaseModel] = a.Created) -> Operation:
    return Operation("POST", path, headers=COMMAND, body=body, answer=answer)


def _get(path: str, answer: type[BaseModel], *query: str, purpose: bool = False) -> Operation:
    return Operation("GET", path, query, PURPOSE if purpose else (), answer=answer)


# Clues in, and their triage.
DELIVER_CLUE = _command("/v1/clues", c.ReceiveClue, a.ClueReceived)
DELIVER_CLUES = _command("/v1/clues/batch", ClueBatchBody, a.ClueBatchAnswer)
FIND_CLUE = _get("/v1/clues", a.ClueView, "source", "external_id", *READ)
CLUES = _get("/v1/clues", o.CluePage, "status", *PAGE, *READ)
CLUE = _get("/v1/clues/{id}", a.ClueView, *READ)
TRIAGE = _command("/v1/clues/{id}/triage", c.TriageClue)

# The feed.
EVENTS = _get("/v1/events", a.FeedPage, "after", "limit", "types", "unit_id")
STREAM = Operation(
    "GET",
    "/v1/events/stream",
    ("after", "types", "unit_id"),
    ("Last-Event-ID",),
    answer=a.PublicEvent,
    media="text/event-stream",
)

# Units.
REGISTER_UNIT = _command("/v1/units", c.RegisterUnit)
RENAME_UNIT = _command("/v1/units/{id}/rename", c.RenameUnit)
MOVE_UNIT = _command("/v1/units/{id}/move", c.MoveUnit)
DISSOLVE_UNIT = _command("/v1/units/{id}/dissolve", c.DissolveUnit)
UNITS = _get(
    "/v1/units", v.UnitPage, "parent_id", "name", "code", "kind", "under", *PAGE, "min_position"
)
UNIT = _get("/v1/units/{id}", v.UnitView, "min_position")
UNIT_PERSONS = _get("/v1/units/{id}/persons", v.UnitHolders, "valid_at", *PAGE, *READ)
CHAIN = _get("/v1/units/{id}/chain", a.ChainView, "valid_at", *READ)
CHAIN_CHANGES = _get(
    "/v1/units/{id}/chain/changes",
    v.ChainChanges,
    "from",
    "to",
    "known_from",
    "known_to",
    "min_position",
)
UNIT_ASSESSMENTS = _get("/v1/units/{id}/assessments", v.UnitAssessments, *READ)

# Persons.
REGISTER_PERSON = _command("/v1/persons", c.RegisterPerson)
CORRECT_PERSON = _command("/v1/persons/{id}/correct", c.CorrectPerson)
FIND_PERSON = Operation(
    "POST", "/v1/persons/lookup", headers=PURPOSE, body=c.FindPerson, answer=v.FoundPerson
)
PERSONS = _get("/v1/persons", v.PersonPage, "name", *PAGE, "min_position")
PERSON = _get("/v1/persons/{id}", v.PersonView, "valid_at", "min_position", purpose=True)
PERSON_POSTS = _get(
    "/v1/persons/{id}/assignments", v.PersonPosts, "valid_at", *PAGE, *READ, purpose=True
)

# Assignments.
ASSIGN = _command("/v1/assignments", c.Assign)
ASSIGNMENT = _get("/v1/assignments/{id}", a.AssignmentView, "valid_at", "min_position")
END_ASSIGNMENT = _command("/v1/assignments/{id}/end", c.EndAssignment)
CHANGE_LINE = _command("/v1/assignments/{id}/line", c.ChangeLine)
CHANGE_PORTFOLIO = _command("/v1/assignments/{id}/portfolio", c.ChangePortfolio)
CORRECT_ASSIGNMENT = _command("/v1/assignments/{id}/correct", c.CorrectAssignment)

# Inspections.
PLAN_INSPECTION = _command("/v1/inspections", c.PlanInspection)
START_INSPECTION = _command("/v1/inspections/{id}/start", c.StartInspection)
RECORD_EVIDENCE = _command("/v1/inspections/{id}/evidence", c.RecordEvidence)
FEED_BACK = _command("/v1/inspections/{id}/feedback", c.FeedBackResults)
CLOSE_INSPECTION = _command("/v1/inspections/{id}/close", c.CloseInspection)
_INSPECTION_FILTERS = ("year", "organizer_unit_id", "target_unit_id", "stage")
INSPECTIONS = _get("/v1/inspections", o.InspectionPage, *_INSPECTION_FILTERS, *PAGE, *READ)
INSPECTION = _get("/v1/inspections/{id}", o.InspectionView, *READ)

# The loop of a finding.
RAISE = _command("/v1/findings", c.RaiseFinding)
ATTRIBUTE = _command("/v1/findings/{id}/attributions", c.Attribute)
WITHDRAW_ATTRIBUTION = _command(
    "/v1/findings/{id}/attributions/{person_id}/withdraw", c.WithdrawAttribution
)
CORRECT_FINDING = _command("/v1/findings/{id}/correct", c.CorrectFinding)
PLAN = _command("/v1/findings/{id}/rectification-plan", c.PlanRectification)
REPORT = _command("/v1/findings/{id}/progress", c.ReportProgress)
VERIFY = _command("/v1/findings/{id}/verify", c.VerifyRectification)
REJECT = _command("/v1/findings/{id}/reject", c.RejectRectification)
EXTEND = _command("/v1/findings/{id}/extend-deadline", c.ExtendDeadline)
REFER = _command("/v1/findings/{id}/refer", c.ReferFinding)
CLOSE = _command("/v1/findings/{id}/close", c.CloseFinding)
FINDING = _get("/v1/findings/{id}", a.FindingView, "valid_at", *READ)
_FINDING_FILTERS = ("unit_id", "include_subunits", "status", "category", "overdue", "year")
FINDINGS = _get("/v1/findings", o.FindingPage, *_FINDING_FILTERS, "valid_at", *PAGE, *READ)

# Accountability cases and their sanctions.
_CASE = "/v1/accountability-cases/{id}"
_SANCTION = _CASE + "/sanctions/{sid}"
OPEN_CASE = _command("/v1/accountability-cases", c.OpenCase)
IMPOSE_SANCTION = _command(_CASE + "/sanctions", c.ImposeSanction)
APPEAL_SANCTION = _command(_CASE + "/appeal", c.AppealSanction)
UPHOLD_SANCTION = _command(_SANCTION + "/uphold", c.UpholdSanction)
MODIFY_SANCTION = _command(_SANCTION + "/modify", c.ModifySanction)
REVOKE_SANCTION = _command(_SANCTION + "/revoke", c.RevokeSanction)
CLOSE_CASE = _command(_CASE + "/close", c.CloseCase)
_CASE_FILTERS = ("person_id", "handling_unit_id", "finding_id", "open")
CASES = _get("/v1/accountability-cases", o.CasePage, *_CASE_FILTERS, *PAGE, *READ)
CASE = _get(_CASE, o.CaseView, *READ)

# Bulletins and assessments.
ISSUE_BULLETIN = _command("/v1/bulletins", c.IssueBulletin)
BULLETINS = _get("/v1/bulletins", o.BulletinPage, "inspection_id", *PAGE, *READ)
BULLETIN = _get("/v1/bulletins/{id}", o.BulletinView, *READ)
DEFINE_INDICATOR_SET = _command("/v1/assessments/indicator-sets", c.DefineIndicatorSet)
INDICATOR_SET = _get("/v1/assessments/indicator-sets/{id}", v.IndicatorSetView, *READ)
ASSESS_UNIT = _command("/v1/assessments", c.AssessUnit)

# Search, reports, references, vocabularies.
SEARCH = _get("/v1/search", a.SearchPage, "q", "kind", *PAGE, "min_position")
OPEN_LOOP = _get("/v1/reports/open-loop", a.OpenLoopReport, "unit_id", "valid_at", *PAGE, *READ)
_REFERENCE = ("from", "to", "proofs", *READ)
UNIT_REFERENCE = _get(
    "/v1/units/{id}/evaluation-reference",
    a.UnitReference,
    *_REFERENCE,
    "include_subunits",
    purpose=True,
)
PERSON_REFERENCE = _get(
    "/v1/persons/{id}/evaluation-reference", a.PersonReference, *_REFERENCE, purpose=True
)
VOCABULARIES = _get("/v1/vocabularies", v.Vocabularies)

# The audit trail, the access log, history in bulk.
HISTORY = _get(
    "/v1/history/{id}", t.HistoryPage, "scope", "known_at", "proofs", *PAGE, purpose=True
)
ACCESS_LOG = _get(
    "/v1/access-log", t.AccessLogPage, "subject", "person_id", "from", "to", *PAGE, purpose=True
)
IMPORT = Operation(
    "POST",
    "/v1/import",
    ("batch_size", "dry_run"),
    body=Line,
    answer=t.ImportAnswer,
    body_media=NDJSON,
)

# Proofs.
PUBLIC_KEY = Operation("GET", "/v1/ledger/public-key", media="text/plain")
CHECKPOINT = Operation("GET", "/v1/ledger/checkpoint", media="text/plain")
CHECKPOINTS = _get("/v1/ledger/checkpoints", t.CheckpointPage, *PAGE)
INCLUSION = _get("/v1/ledger/proof/inclusion", a.InclusionProof, "position", "size", purpose=True)
CONSISTENCY = _get("/v1/ledger/proof/consistency", t.ConsistencyProof, "from", "to", purpose=True)

# Webhooks: the routes take no Idempotency-Key or If-Match of their own (a subscription is
# not a stream of the log), so the client sends none.
_HOOK = "/v1/webhooks/{id}"
CREATE_WEBHOOK = Operation("POST", "/v1/webhooks", body=NewWebhook, answer=t.WebhookWithSecret)
WEBHOOKS = _get("/v1/webhooks", t.WebhookPage)
WEBHOOK = _get(_HOOK, t.Webhook)
DELETE_WEBHOOK = Operation("DELETE", _HOOK, answer=t.Webhook)
PAUSE_WEBHOOK = Operation("POST", _HOOK + "/pause", body=Act, answer=t.Webhook)
RESUME_WEBHOOK = Operation("POST", _HOOK + "/resume", body=Act, answer=t.Webhook)
ROTATE_SECRET = Operation("POST", _HOOK + "/rotate-secret", body=Act, answer=t.WebhookWithSecret)
REPLAY_WEBHOOK = Operation("POST", _HOOK + "/replay", body=Replay, answer=t.Webhook)
DELIVERIES = _get(_HOOK + "/deliveries", t.DeliveryPage, "status", "after", "limit")
REPLAY_DELIVERY = Operation(
    "POST", _HOOK + "/deliveries/{position}/replay", body=Act, answer=t.Webhook
)

OPERATIONS: dict[str, Operation] = {
    name: value for name, value in globals().items() if isinstance(value, Operation)
}
