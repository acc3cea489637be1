"""A finding's story as a timeline: each step with its day, who acted, on what document
(文号) and why, and the facts a reader needs, in Chinese.

From the audit trail (``GET /v1/history/{id}``) and the accountability cases resting on the
finding when the caller may read them; else from the finding's own answer, which keeps the
days of each step but not who acted or on which document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.api.console.render import zh
from ledger.domain.attribution import AUTOMATIC_ATTRIBUTION

Names = Mapping[str, str]


@dataclass
class Fact:
    label: str
    value: str
    href: str = ""


@dataclass
class Entry:
    day: str
    kind: str  # the event's short name, for the page's marks
    title: str
    actor: str | None = None
    basis: str | None = None
    reason: str | None = None
    facts: list[Fact] = field(default_factory=list)
    position: int | None = None
    version: int | None = None  # the finding's version this event made


def _person(names: Names, person_id: str | None) -> Fact | None:
    if not person_id:
        return None
    return Fact("", names.get(person_id, "（姓名未能读取）"), f"/console/persons/{person_id}")


def facts_of(*facts: Fact | None) -> list[Fact]:
    return [f for f in facts if f is not None and f.value]


LIABILITY = "liability"


def _raised(d: dict[str, Any], names: Names) -> list[Fact]:
    source = (
        Fact("来源", "督察", f"/console/inspections/{d['inspection_id']}")
        if d.get("inspection_id")
        else Fact("来源", "线索", f"/console/records/clue/{d['clue_id']}")
    )
    return facts_of(
        source,
        Fact("类别", zh(d.get("category"), "category")),
        Fact("程度", zh(d.get("severity"), "severity")),
        Fact("整改期限", str(d.get("deadline", ""))),
    )


def _attributed(d: dict[str, Any], names: Names) -> list[Fact]:
    who = _person(names, d.get("person_id"))
    return facts_of(
        Fact("责任人", who.value, who.href) if who else None,
        Fact("责任类型", zh(d.get(LIABILITY), LIABILITY)),
    )


def _planned(d: dict[str, Any], names: Names) -> list[Fact]:
    owner = _person(names, d.get("owner_person_id"))
    return facts_of(
        Fact("整改措施", str(d.get("measures") or "")),
        Fact("整改责任人", owner.value, owner.href) if owner else None,
        Fact("方案完成时限", str(d.get("due_on") or "")),
    )


def _reported(d: dict[str, Any], names: Names) -> list[Fact]:
    refs = "、".join(str(e.get("ref", "")) for e in d.get("evidence") or [])
    return facts_of(Fact("进展", str(d.get("summary") or "")), Fact("佐证材料", refs))


def _extended(d: dict[str, Any], names: Names) -> list[Fact]:
    approver = _person(names, d.get("approver_person_id"))
    return facts_of(
        Fact("原期限", str(d.get("previous_deadline") or "")),
        Fact("新期限", str(d.get("new_deadline") or "")),
        Fact("批准人", approver.value, approver.href) if approver else None,
    )


def _verified(d: dict[str, Any], names: Names) -> list[Fact]:
    return facts_of(Fact("验收意见", str(d.get("note") or "")))


def _referred(d: dict[str, Any], names: Names) -> list[Fact]:
    unit = str(d.get("to_unit_id") or "")
    return facts_of(Fact("移送至", names.get(unit, "（单位）"), f"/console/units/{unit}"))


def _closed(d: dict[str, Any], names: Names) -> list[Fact]:
    return facts_of(Fact("结果", zh(d.get("outcome"), "outcome")))


def _corrected(d: dict[str, Any], names: Names) -> list[Fact]:
    what = {"description": "问题描述", "severity": "程度"}.get(str(d.get("field")), "记录")
    old, new = d.get("old"), d.get("new")
    if d.get("field") == "severity":
        old, new = zh(old, "severity"), zh(new, "severity")
    return facts_of(Fact("更正", what), Fact("原为", str(old)), Fact("更正为", str(new)))


def _none(d: dict[str, Any], names: Names) -> list[Fact]:
    return []


EVENTS: dict[str, tuple[str, Callable[[dict[str, Any], Names], list[Fact]]]] = {
    "Finding.Raised": ("发现问题", _raised),
    "Finding.Attributed": ("责任认定", _attributed),
    "Finding.AttributionWithdrawn": ("撤销责任认定", _attributed),
    "Finding.RectificationPlanned": ("制定整改方案", _planned),
    "Finding.ProgressReported": ("报告整改进展", _reported),
    "Finding.RectificationRejected": ("退回整改", _none),
    "Finding.DeadlineExtended": ("延长整改期限", _extended),
    "Finding.RectificationVerified": ("验收：整改到位", _verified),
    "Finding.Referred": ("移送问责", _referred),
    "Finding.Closed": ("办结（销号）", _closed),
    "Finding.Corrected": ("更正记录", _corrected),
}
AUTOMATIC = AUTOMATIC_ATTRIBUTION


def from_history(items: list[dict[str, Any]], names: Names) -> list[Entry]:
    """The finding's events in ledger order; the attributions made when it was raised are
    facts of the raising (the chain that answered for it), not steps of their own."""
    entries: list[Entry] = []
    day = ""
    for item in items:
        data = item["data"]
        day = str(item.get("valid_time") or day or item["recorded_at"][:10])[:10]
        title, facts = EVENTS.get(item["type"], ("记录", _none))
        if item["type"] == "Finding.ProgressReported" and data.get("complete"):
            title = "报告整改完成，申请验收"
        reason = item.get("reason")
        if item["type"] == "Finding.Attributed" and data.get("automatic") and entries:
            person = _attributed(data, names)
            entries[-1].facts.append(
                Fact(f"按责任链条认定（{person[-1].value}）", person[0].value, person[0].href)
            )
            continue
        entries.append(
            Entry(
                day,
                item["type"],
                title,
                item.get("actor"),
                item.get("basis"),
                None if reason == AUTOMATIC else reason,
                facts(data, names),
                item["position"],
                item["stream_version"],
            )
        )
    return entries


def merged(finding: list[Entry], cases: list[Entry]) -> list[Entry]:
    """The finding's steps in ledger order, each case step placed by its day among them."""
    out = list(finding)
    for entry in sorted(cases, key=lambda e: (e.day, e.position or 0)):
        at = next((i for i, e in enumerate(out) if e.day > entry.day), len(out))
        out.insert(at, entry)
    return out


def from_view(finding: dict[str, Any], names: Names) -> list[Entry]:
    """The steps the finding's answer dates, when the audit trail may not be read."""
    chain = [
        Fact(
            f"按责任链条认定（{zh(r['liability'], LIABILITY)}）",
            r.get("person_name") or "",
            f"/console/persons/{r['person_id']}",
        )
        for r in finding["responsible_then"]
    ]
    entries = [
        Entry(
            finding["found_on"],
            "Finding.Raised",
            "发现问题",
            basis=finding.get("basis"),
            facts=[Fact("整改期限", finding["original_deadline"]), *chain],
        ),
    ]
    if finding.get("planned_on"):
        owner = _person(names, finding.get("owner_person_id"))
        entries.append(
            Entry(
                finding["planned_on"],
                "Finding.RectificationPlanned",
                "制定整改方案",
                facts=facts_of(
                    Fact("整改措施", finding.get("measures") or ""),
                    Fact("整改责任人", owner.value, owner.href) if owner else None,
                    Fact("方案完成时限", finding.get("plan_due_on") or ""),
                ),
            )
        )
    for d in finding["deadlines"][1:]:
        entries.append(
            Entry(
                d["extended_on"] or "",
                "Finding.DeadlineExtended",
                "延长整改期限",
                reason=d.get("reason"),
                facts=_extended({**d, "new_deadline": d["deadline"]}, names),
            )
        )
    if finding.get("last_reported_on"):
        entries.append(
            Entry(
                finding["last_reported_on"],
                "Finding.ProgressReported",
                "最近一次报告整改进展",
                facts=[
                    Fact("共报告", f"{finding['progress_reports']} 次"),
                    Fact("退回整改", f"{finding['rejections']} 次"),
                ],
            )
        )
    if finding.get("verified_on"):
        entries.append(
            Entry(finding["verified_on"], "Finding.RectificationVerified", "验收：整改到位")
        )
    if finding.get("referred_on"):
        entries.append(
            Entry(
                finding["referred_on"],
                "Finding.Referred",
                "移送问责",
                facts=_referred({"to_unit_id": finding.get("referred_to")}, names),
            )
        )
    if finding.get("closed_on"):
        entries.append(
            Entry(
                finding["closed_on"],
                "Finding.Closed",
                "办结（销号）",
                facts=_closed(finding, names),
            )
        )
    return sorted(entries, key=lambda e: e.day)
