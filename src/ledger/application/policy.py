"""The one table of who may take which action.

An action is an operation of the API (its ``operationId``), a command or a read. A role
not named for an action is refused with 403; the jurisdiction (which units) is checked
apart, on the command by the command service and on reads by the read models' row-level
security. Every operation the API serves must have a row here: the app refuses to start
otherwise.
"""

from __future__ import annotations

from ledger.domain.access import Role

ADMIN, PERSONNEL, INSPECTOR, UNIT_OFFICER, DISCIPLINE, INTEGRATION, AUDITOR = Role

# Who reads what (beyond admin, who may do everything within its jurisdiction).
_READ_ALL = {DISCIPLINE, AUDITOR}  # everything in their jurisdiction
_CHAIN = {PERSONNEL, INSPECTOR, *_READ_ALL}
_LOOP = {INSPECTOR, UNIT_OFFICER, *_READ_ALL}  # findings: the unit sees its own
_INSPECTING = {INSPECTOR, *_READ_ALL}
_OWN_CHAIN = {UNIT_OFFICER, *_CHAIN}  # a unit sees who in it answers for what
_DOSSIER = {PERSONNEL, *_READ_ALL}  # evaluation references
_FEED = {INTEGRATION, *_READ_ALL}
_ANYONE = set(Role)

_ROWS: dict[str, set[Role]] = {
    # the chain: units (admin), persons and assignments (personnel)
    "register_unit": set(),
    "rename_unit": set(),
    "move_unit": set(),
    "dissolve_unit": set(),
    "register_person": {PERSONNEL},
    "correct_person": {PERSONNEL},
    "assign": {PERSONNEL},
    "end_assignment": {PERSONNEL},
    "change_portfolio": {PERSONNEL},
    "correct_assignment": {PERSONNEL},
    "change_line": {PERSONNEL},
    "get_unit": _OWN_CHAIN,
    "list_units": _OWN_CHAIN,
    "get_chain": _OWN_CHAIN,
    "get_person": _CHAIN,
    "find_person": _CHAIN,
    "list_persons": _CHAIN,
    "get_assignment": _CHAIN,
    "chain_changes": _OWN_CHAIN,
    "unit_persons": _CHAIN,
    "person_assignments": _CHAIN,
    # inspections, findings, the closed loop (the inspector); rectification (the unit)
    "plan_inspection": {INSPECTOR},
    "start_inspection": {INSPECTOR},
    "record_evidence": {INSPECTOR},
    "feed_back_results": {INSPECTOR},
    "close_inspection": {INSPECTOR},
    "get_inspection": _INSPECTING,
    "list_inspections": _INSPECTING,
    "raise_finding": {INSPECTOR},
    "attribute_finding": {INSPECTOR},
    "withdraw_attribution": {INSPECTOR},
    "plan_rectification": {UNIT_OFFICER},
    "report_progress": {UNIT_OFFICER},
    "verify_rectification": {INSPECTOR},
    "reject_rectification": {INSPECTOR},
    "extend_deadline": {INSPECTOR},
    "refer_finding": {INSPECTOR},
    "close_finding": {INSPECTOR},
    "correct_finding": {INSPECTOR},
    "get_finding": _LOOP,
    "search_findings": _LOOP,
    "open_loop_report": _INSPECTING,
    # clues from other systems, bulletins, assessments
    "receive_clue": {INTEGRATION, INSPECTOR},
    "receive_clues": {INTEGRATION, INSPECTOR},
    "triage_clue": {INSPECTOR},
    "get_clue": _INSPECTING,
    "find_clue": {INTEGRATION, *_INSPECTING},
    "issue_bulletin": {INSPECTOR},
    "get_bulletin": _INSPECTING,
    "list_bulletins": _INSPECTING,
    "define_indicator_set": {INSPECTOR},
    "assess_unit": {INSPECTOR},
    "get_indicator_set": {PERSONNEL, *_INSPECTING},
    "unit_assessments": {PERSONNEL, *_INSPECTING},
    # accountability (the discipline body)
    "open_case": {DISCIPLINE},
    "impose_sanction": {DISCIPLINE},
    "appeal_sanction": {DISCIPLINE},
    "uphold_sanction": {DISCIPLINE},
    "modify_sanction": {DISCIPLINE},
    "revoke_sanction": {DISCIPLINE},
    "close_case": {DISCIPLINE},
    "get_case": _READ_ALL,
    "list_cases": _READ_ALL,
    # dossiers, the audit trail, the feed, the proofs, the access log
    "person_reference": _DOSSIER,
    "unit_reference": _DOSSIER,
    "history": {INSPECTOR, *_READ_ALL},  # the inspector reads the trails of what it found
    "list_events": _FEED,
    "stream_events": _FEED,
    "checkpoint": _ANYONE,
    "checkpoints": _ANYONE,
    "list_vocabularies": _ANYONE,
    "search": _CHAIN,  # hits of the kinds the role reads
    "inclusion": _FEED,
    "consistency": _FEED,
    "list_access_log": {AUDITOR},
    # webhooks: another system follows the ledger (within its jurisdiction)
    "create_webhook": {INTEGRATION},
    "list_webhooks": {INTEGRATION},
    "get_webhook": {INTEGRATION},
    "pause_webhook": {INTEGRATION},
    "resume_webhook": {INTEGRATION},
    "delete_webhook": {INTEGRATION},
    "rotate_webhook_secret": {INTEGRATION},
    "list_deliveries": {INTEGRATION},
    "replay_delivery": {INTEGRATION},
    "replay_webhook": {INTEGRATION},
    # history in bulk: the operator's (every row holds ADMIN)
    "import_history": set(),
}

# Served to anyone, with or without a token.
OPEN = frozenset({"healthz", "readyz", "openapi", "docs", "metrics", "public_key"})
# Open ones the settings may close (`metrics_public`): then they take a token.
CLOSABLE = frozenset({"metrics"})
CLOSED_TO = frozenset({ADMIN, AUDITOR})  # who reads a closed one

POLICY: dict[str, frozenset[Role]] = {
    action: frozenset({ADMIN, *roles}) for action, roles in _ROWS.items()
}

# Actions that read one person's data: the caller must state a purpose.
PERSON_READS = frozenset(
    {"get_person", "person_assignments", "find_person", "person_reference", "history"}
)


def allows(role: Role, action: str) -> bool:
    return role in POLICY.get(action, frozenset())


def missing(actions: set[str]) -> set[str]:
    """The actions that have no row in the policy (and are not open)."""
    return {a for a in actions if a not in POLICY and a not in OPEN}
