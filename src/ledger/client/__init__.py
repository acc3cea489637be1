"""An async client of the ledger's HTTP API, with typed requests and answers.

Written by hand, not generated, and checked against ``api/openapi.json`` by a test
(``tests/api/test_client_contract.py``). Why: the request bodies are already typed once,
in ``ledger.application.commands`` (the pydantic models the server validates each body
into), so the client sends those very models and cannot drift from them; a generator
(openapi-python-client, datamodel-code-generator) would emit a second copy of every model
as thousands of lines, over its own HTTP stack, which the 300-line rule and the import
contracts would have to exempt. What a generator would guarantee — that each call matches
the document — the test checks instead: every row of ``operations`` (method and path, query
parameters, headers, body model, answer model) against the document, and every operation
of the document (but the five served for people and tools) against the rows.

It imports no server code: ``aiohttp``'s client, pydantic, and the commands (which bring
the domain's vocabularies). An integrator installs the ``ledger`` distribution and imports
``ledger.client``::

    async with LedgerClient("https://ledger.example.gov.cn", token) as ledger:
        await ledger.deliver_clues([ReceiveClue(...), ...])
        async for event in ledger.follow(after=last_seen, types=["Finding.Raised"]):
            ...
        async for finding in every(lambda cursor: ledger.findings(status="open", cursor=cursor)):
            ...

The answers are named as the document names them: the common ones here and in
``answers``, the records' in ``views`` (units, persons, posts, assessments, vocabularies)
and ``oversight`` (clues, inspections, findings, cases, bulletins), the ledger's own in
``trail`` (audit trail, access log, checkpoints, imports, webhooks).

Errors: an answer of 400 and above raises ``ProblemError`` (status, title, detail, the
``errors`` list of field, rule, message, and the ``line`` of a refused import;
``retry_after`` from ``Retry-After`` on 429, 503 and 504). Nothing is retried by the client;
``follow`` alone reconnects a live stream.
"""

from ledger.client.answers import (
    ChainView,
    ClueBatchAnswer,
    ClueReceived,
    ClueView,
    Created,
    FeedPage,
    FindingView,
    InclusionProof,
    OpenLoopReport,
    PersonReference,
    PublicEvent,
    SearchPage,
    UnitReference,
)
from ledger.client.bodies import Line
from ledger.client.client import LedgerClient
from ledger.client.errors import FieldError, ProblemError
from ledger.client.pages import every

__all__ = [
    "ChainView",
    "ClueBatchAnswer",
    "ClueReceived",
    "ClueView",
    "Created",
    "FeedPage",
    "FieldError",
    "FindingView",
    "InclusionProof",
    "LedgerClient",
    "Line",
    "OpenLoopReport",
    "PersonReference",
    "ProblemError",
    "PublicEvent",
    "SearchPage",
    "UnitReference",
    "every",
]
