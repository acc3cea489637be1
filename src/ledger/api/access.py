"""The access log's side of a request: the purpose stated, and the entry written.

Every read of a person's record, evaluation reference or audit trail, every read of a
unit's evaluation reference, every export (CSV, proofs), every read of the access log
itself, and every 401 and 403 is appended to the access log (``infra.accesslog``) before
the answer leaves. A read whose entry cannot be written is not answered (503).
"""

from __future__ import annotations

import hmac
from urllib.parse import unquote
from uuid import UUID

from aiohttp import web

from ledger.api.errors import ApiError
from ledger.api.keys import (
    ACCESS_LOG,
    CONSOLE_SECRET,
    EXPORTED,
    PRINCIPAL,
    PURPOSE,
    REQUEST_ID,
    TARGET,
)
from ledger.application.policy import PERSON_READS
from ledger.domain.access import Role
from ledger.infra.accesslog import AccessEntry

# The audited operations, and the kind of thing their path's {id} names (None: the
# handler says, or there is none). Any other operation's CSV answer, an export, is
# recorded too: csv_export sets keys.EXPORTED (and the handler TARGET, if needed).
AUDITED: dict[str, str | None] = {
    "get_person": "person",
    "person_assignments": "person",
    "find_person": "person",
    "person_reference": "person",
    "unit_reference": "unit",
    "history": None,
    "inclusion": None,
    "consistency": None,
    "list_access_log": None,
}
HEADER = "X-Access-Purpose"
MAX_PURPOSE = 500
# Who must say why they read a person's data.
PURPOSE_REQUIRED = frozenset({Role.PERSONNEL, Role.DISCIPLINE, Role.AUDITOR})


def _bad_purpose(message: str) -> ApiError:
    return ApiError(
        400,
        "Bad request",
        f"{HEADER}: {message}",
        errors=[{"field": HEADER, "rule": "purpose", "message": message}],
    )


def stated_purpose(request: web.Request, action: str, role: Role) -> None:
    """Read ``X-Access-Purpose`` (percent-encoded UTF-8) where the access log records it;
    required of some roles for reads of a person's data (400 naming the header).
    Elsewhere the header is not read, as any other header the operation does not name."""
    if action not in AUDITED:
        return
    raw = request.headers.get(HEADER)
    if raw is None or not raw.strip():
        if action in PERSON_READS and role in PURPOSE_REQUIRED:
            raise _bad_purpose(
                "state why you read this person's data, percent-encoded UTF-8, e.g. "
                "%E5%B9%B2%E9%83%A8%E8%80%83%E5%AF%9F (干部考察)"
            )
        return
    try:
        purpose = unquote(raw.strip(), errors="strict")
    except UnicodeDecodeError:
        raise _bad_purpose("is not percent-encoded UTF-8") from None
    if not (0 < len(purpose) <= MAX_PURPOSE and purpose.isprintable()):
        raise _bad_purpose(f"1 to {MAX_PURPOSE} printable characters once decoded")
    request[PURPOSE] = purpose


def audited(request: web.Request, status: int) -> str | None:
    """The action to record for this answer, or None."""
    route = request.match_info.route
    action = getattr(route.handler, "__name__", "") if route.resource is not None else ""
    if action in AUDITED or status in (401, 403) or request.get(EXPORTED, False):
        return action or "unmatched"
    return None


def from_console(request: web.Request) -> bool:
    """Whether this process's console made the request, on behalf of a page view (a header
    with the per-process secret no outside client knows)."""
    secret = request.headers.get("X-Ledger-Console", "")
    return bool(secret) and hmac.compare_digest(secret, request.app[CONSOLE_SECRET])


def client_address(request: web.Request) -> str | None:
    """The caller's address: the browser's, for a request the console makes on its behalf,
    else the peer's."""
    given = request.headers.get("X-Ledger-Console-Client", "")
    if given and from_console(request):
        return f"{given[:64]} (console)"
    return request.remote


async def record_access(request: web.Request, action: str, status: int) -> None:
    principal = request.get(PRINCIPAL)
    kind, target = request.get(TARGET, (AUDITED.get(action), None))
    if target is None and "id" in request.match_info:
        try:
            target = UUID(request.match_info["id"])
        except ValueError:
            kind = None
    entry = AccessEntry(
        subject=principal.subject if principal else "(no token)",
        role=principal.role.value if principal else "(none)",
        action=action,
        path=request.path_qs[:2000],
        outcome=status,
        request_id=request[REQUEST_ID],
        client=client_address(request),
        target_kind=kind if target is not None else None,
        target_id=target,
        person_id=target if kind == "person" else None,
        purpose=request.get(PURPOSE),
    )
    await request.app[ACCESS_LOG].record(entry)
