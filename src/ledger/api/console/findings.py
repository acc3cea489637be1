"""A finding's page: its whole story as a timeline, who answered for it then and who holds
those posts today, how far past its deadline, and a form for each step its stage allows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date
from typing import Any, TypeVar

from aiohttp import web

from ledger.api.console import cases, steps, timeline, upstream
from ledger.api.console.forms import fresh_key
from ledger.api.console.render import Context, page, zh
from ledger.api.console.session import Session
from ledger.api.console.upstream import UpstreamError

T = TypeVar("T")
PURPOSE = "督察控制台：查阅问题整改全过程"
NOTICES = {
    "rectification-plan": "整改方案已记录。",
    "progress": "整改进展已记录。",
    "verify": "已记录验收通过。",
    "reject": "已退回整改。",
    "extend-deadline": "整改期限已延长。",
    "refer": "已移送问责。",
    "close": "问题已办结。",
    "triaged": "线索已立为问题。",
}


async def optional(read: Awaitable[T]) -> T | None:
    """A read the caller's role or jurisdiction may not allow: None when refused."""
    try:
        return await read
    except UpstreamError as refused:
        if refused.status in (403, 404):
            return None
        raise


async def _names(request: web.Request, token: str, ids: set[str], known: dict[str, str]) -> None:
    """Fill in the names of persons the page mentions and no answer named."""
    missing = sorted(i for i in ids if i and i not in known)

    async def one(person_id: str) -> None:
        person = await optional(
            upstream.get(request, f"/v1/persons/{person_id}", token, purpose=PURPOSE)
        )
        if person is not None:
            known[person_id] = person["name"]

    await asyncio.gather(*(one(i) for i in missing[:20]))


def _chain_people(chain: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every node of a chain tree, flattened."""
    out: list[dict[str, Any]] = []
    stack = list((chain or {}).get("chain", []))
    while stack:
        node = stack.pop(0)
        out.append(node)
        stack.extend(node.get("reports", []))
    return out


async def _approvers(request: web.Request, token: str, finding: dict[str, Any]) -> list[Any]:
    """Who may approve an extension today: the organizing body of the finding's inspection;
    for a clue's finding, the inspection bodies the caller reads."""
    if finding["source"]["kind"] == "inspection":
        inspection = await optional(
            upstream.get(request, f"/v1/inspections/{finding['source']['id']}", token)
        )
        bodies = [inspection["organizer_unit_id"]] if inspection else []
    else:
        found = await optional(
            upstream.get(request, "/v1/units", token, kind="inspection_body", limit=20)
        )
        bodies = [u["id"] for u in (found or {}).get("items", [])]
    chains = await asyncio.gather(
        *(optional(upstream.get(request, f"/v1/units/{b}/chain", token)) for b in bodies)
    )
    people = [n for chain in chains for n in _chain_people(chain) if n["role"] != "staff"]
    return [(n["person_id"], f"{n['person_name']}（{n['title']}）") for n in people]


async def _bodies(request: web.Request, token: str) -> list[Any]:
    """The bodies a finding may be referred to: discipline and personnel."""
    found = await asyncio.gather(
        *(
            optional(upstream.get(request, "/v1/units", token, kind=kind, limit=50))
            for kind in ("discipline_body", "personnel_department")
        )
    )
    return [(u["id"], u["name"]) for page in found for u in (page or {}).get("items", [])]


def _owners(finding: dict[str, Any], chain_people: list[dict[str, Any]]) -> list[Any]:
    """Who may answer for the plan: the holders of the posts that answered for the finding,
    and today's chain of the unit when the caller reads it."""
    seen: dict[str, str] = {}
    for now in finding["responsible_now"]:
        if now["holder"]:
            seen[now["holder"]["person_id"]] = (
                f"{now['holder']['person_name']}（{now['holder']['title']}）"
            )
    for node in chain_people:
        seen.setdefault(node["person_id"], f"{node['person_name']}（{node['title']}）")
    return [("", "（不指定）"), *seen.items()]


async def _all_names(
    request: web.Request,
    token: str,
    finding: dict[str, Any],
    history: dict[str, Any] | None,
    people: list[dict[str, Any]],
) -> dict[str, str]:
    """The names of the persons and units the story mentions, by id."""
    names: dict[str, str] = {n["person_id"]: n["person_name"] for n in people}
    for then in finding["responsible_then"]:
        names[then["person_id"]] = then["person_name"] or ""
    wanted = {d["approver_person_id"] for d in finding["deadlines"] if d["approver_person_id"]}
    wanted.add(finding.get("owner_person_id") or "")
    for item in (history or {}).get("items", []):
        wanted.update(
            str(item["data"].get(k) or "")
            for k in ("owner_person_id", "approver_person_id", "person_id")
        )
    await _names(request, token, wanted, names)
    if finding.get("referred_to"):
        referred = await optional(
            upstream.get(request, f"/v1/units/{finding['referred_to']}", token)
        )
        names[finding["referred_to"]] = referred["name"] if referred else "（受理机关）"
    return names


async def _options(
    request: web.Request,
    token: str,
    finding: dict[str, Any],
    people: list[dict[str, Any]],
    offered: set[str],
) -> dict[str, list[Any]]:
    """The choices of the forms offered (read only for the forms shown)."""
    return {
        "outcomes": [(o, zh(o, "outcome")) for o in steps.close_outcomes(finding["stage"])],
        "owners": _owners(finding, people) if "rectification-plan" in offered else [],
        "approvers": await _approvers(request, token, finding)
        if "extend-deadline" in offered
        else [],
        "bodies": await _bodies(request, token) if "refer" in offered else [],
    }


async def finding_context(
    request: web.Request, session: Session, finding_id: str, min_position: str | None = None
) -> Context:
    """Everything the finding's page shows, read now (a form re-rendered shows the
    finding as it stands, not as the form saw it)."""
    token = session.token
    finding = await upstream.get(
        request, f"/v1/findings/{finding_id}", token, min_position=min_position
    )
    history, case_page, chain, unit = await asyncio.gather(
        optional(
            upstream.get(request, f"/v1/history/{finding_id}", token, purpose=PURPOSE, limit=500)
        ),
        optional(upstream.get(request, "/v1/accountability-cases", token, finding_id=finding_id)),
        optional(upstream.get(request, f"/v1/units/{finding['unit_id']}/chain", token)),
        optional(upstream.get(request, f"/v1/units/{finding['unit_id']}", token)),
    )
    people = _chain_people(chain)
    names = await _all_names(request, token, finding, history, people)
    if history is not None:
        story = timeline.from_history(history["items"], names)
    else:
        story = timeline.from_view(finding, names)
    story = timeline.merged(story, cases.from_cases((case_page or {}).get("items", [])))
    offered = steps.offered(finding["stage"], session.principal.role)
    options = await _options(request, token, finding, people, {s.name for s in offered})
    category = finding["category"]
    today_chain = {
        "principals": [n for n in people if n["role"] == "principal"],
        "leaders": [
            n for n in people if n["role"] == "leader" and category in n.get("portfolio", [])
        ],
    }
    return {
        "finding": finding,
        "unit": unit,
        "timeline": story,
        "history_read": history is not None,
        "cases_read": case_page is not None,
        "chain_today": today_chain if chain is not None else None,
        "steps": offered,
        "options": options,
        "today": date.fromisoformat(finding["valid_at"]).isoformat(),
        "key": fresh_key,
        "inputs": {},
        "errors": {},
        "open_step": "",
        "notice": NOTICES.get(request.query.get("done", ""), ""),
        "problem": None,
    }


@page("finding.html")
async def finding_page(request: web.Request, session: Session) -> Context:
    return await finding_context(
        request, session, request.match_info["id"], request.query.get("at") or None
    )
