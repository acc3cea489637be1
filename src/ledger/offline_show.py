"""What `ledger-verify record` shows of each event it proved: the leaf decoded into the
event's position, short type (Class.Event, as the audit trail names it), recorded time,
valid time, actor, basis (文号) and the fields of its body.

Standard library only, and nothing else of `ledger`: an auditor copies it beside
`offline.py` to see the events decoded (without it, `offline.py` still verifies them and
lists where they are). The body is the event's stored state, eventsourcing's JSON, in
which a UUID, a date, a time, a decimal or a code is an object
``{"_type_": …, "_data_": …}``; it is shown as the text it stands for.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

# Event fields that name when an event holds in the world; its valid time is the first
# of them it carries. The audit trail (api/resources/history.py) reads this list: one
# place, so the trail and the offline verifier name the same valid time. A new event's
# date field is added here.
VALID_TIME_FIELDS = (
    "effective_on",
    "effective_from",
    "effective_to",
    "found_on",
    "planned_on",
    "reported_on",
    "verified_on",
    "decided_on",
    "appealed_on",
    "received_at",
    "issued_on",
    "started_on",
    "collected_on",
    "fed_back_on",
    "rejected_on",
    "extended_on",
    "referred_on",
    "opened_on",
    "closed_on",
    "assessed_on",
    "starts_on",
)
# The aggregate's bookkeeping, not what the event states; the act's fields, shown first.
ENVELOPE = ("originator_id", "originator_version", "originator_topic", "timestamp")
ACT = ("actor", "source", "reason", "basis")


def decode_state(state: bytes) -> dict[str, Any]:
    """The event's stored fields as plain values: a UUID as its canonical text, a date,
    time or decimal as its text, a code as its value."""
    decoded = _plain(json.loads(state.decode("utf-8")))
    if not isinstance(decoded, dict):
        raise ValueError("the event's state is not a JSON object")
    return decoded


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            data = value["_data_"]
            return str(uuid.UUID(data)) if value["_type_"] == "uuid_hex" else _plain(data)
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def show_event(leaf: dict[str, Any]) -> list[str]:
    """The lines of one proved event, from its leaf as ``offline.parse_leaf`` decodes it:
    position and short type, then recorded time, valid time, actor, basis and the fields
    of the body, one a line; a body that is not the stored JSON is said so, not shown."""
    short = leaf["topic"].partition(":")[2] or leaf["topic"]
    lines = [
        f"  position {leaf['position']}: {short}"
        f" (stream {leaf['stream_id']} version {leaf['stream_version']})",
        f"    recorded at: {_rfc3339(leaf['recorded_at'])}",
    ]
    try:
        body = decode_state(leaf["state"])
    except (UnicodeDecodeError, ValueError) as error:
        return [*lines, f"    body not decoded: {error}"]
    named = next((name for name in VALID_TIME_FIELDS if body.get(name) is not None), None)
    if named is not None:
        lines.append(f"    valid time: {_text(body[named])} ({named})")
    lines.append(f"    actor: {_text(body.get('actor'))} (source {_text(body.get('source'))})")
    lines.append(f"    basis (文号): {_text(body.get('basis'))}")
    if body.get("reason") is not None:
        lines.append(f"    reason: {_text(body['reason'])}")
    fields = {k: v for k, v in body.items() if k not in ENVELOPE and k not in ACT}
    lines.append("    fields:" if fields else "    fields: none")
    lines.extend(f"      {name}: {_text(value)}" for name, value in fields.items())
    return lines
