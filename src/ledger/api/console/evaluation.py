"""Evaluation references (考核评价参考) of a person or a unit for a period: the page, a
print of it to file on paper, and the downloads (JSON with the proofs, CSV) through the API.

A person's reference is read with a stated purpose (asked first, kept in the URL); a unit's
only when the API asks for one. Every download goes through the API with the purpose, so
the access log holds it.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from ledger.api.console import purposes, upstream
from ledger.api.console.downloads import download, proxy
from ledger.api.console.render import Context, page
from ledger.api.console.session import Session
from ledger.api.console.units import day
from ledger.api.console.upstream import UpstreamError
from ledger.api.keys import SETTINGS

YEARS_OFFERED = 6


def period(request: web.Request) -> tuple[date, date]:
    """``from`` and ``to``; by default the last calendar year."""
    year = request.app[SETTINGS].today().year - 1
    start = day(request, "from", date(year, 1, 1)) or date(year, 1, 1)
    end = day(request, "to", date(year, 12, 31)) or date(year, 12, 31)
    return start, end


def _subunits(request: web.Request) -> str | None:
    return "true" if request.query.get("include_subunits") in ("true", "on", "1") else None


def _context(request: web.Request, kind: str, start: date, end: date) -> Context:
    """What the page and its print share: the period, the links, the years to pick."""
    subject_id = request.match_info["id"]
    purpose = purposes.stated(request)
    query = [("from", start.isoformat()), ("to", end.isoformat())]
    if purpose:
        query.append(("purpose", purpose))
    if kind == "units" and _subunits(request):
        query.append(("include_subunits", "true"))
    this_year = request.app[SETTINGS].today().year
    return {
        "kind": kind,
        "base": f"/console/{kind}/{subject_id}/evaluation",
        "query": query,
        "purpose": purpose,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "years": list(range(this_year, this_year - YEARS_OFFERED, -1)),
        "include_subunits": bool(_subunits(request)),
        "printed_on": request.app[SETTINGS].today().isoformat(),
    }


async def _read(request: web.Request, session: Session, kind: str) -> Context | web.StreamResponse:
    start, end = period(request)
    purpose = purposes.stated(request)
    what = "该人员的考核评价参考" if kind == "persons" else "该单位的考核评价参考"
    if kind == "persons" and purpose is None:
        return purposes.ask(request, session, what)
    try:
        reference = await upstream.get(
            request,
            f"/v1/{kind}/{request.match_info['id']}/evaluation-reference",
            session.token,
            purpose=purpose,
            include_subunits=_subunits(request) if kind == "units" else None,
            **{"from": start, "to": end},
        )
    except UpstreamError as error:
        if purpose is None and purposes.asked_by_api(error):
            return purposes.ask(request, session, what)
        raise
    return _context(request, kind, start, end) | {"reference": reference}


@page("evaluation.html")
async def person_evaluation(request: web.Request, session: Session) -> Any:
    return await _read(request, session, "persons")


@page("evaluation.html")
async def unit_evaluation(request: web.Request, session: Session) -> Any:
    return await _read(request, session, "units")


@page("evaluation_print.html")
async def person_print(request: web.Request, session: Session) -> Any:
    return await _read(request, session, "persons")


@page("evaluation_print.html")
async def unit_print(request: web.Request, session: Session) -> Any:
    return await _read(request, session, "units")


async def _file(request: web.Request, session: Session, kind: str, accept: str) -> Any:
    start, end = period(request)
    purpose = purposes.stated(request)
    subject_id = request.match_info["id"]
    singular = kind[:-1]
    if kind == "persons" and purpose is None:  # the page asks for it, then links here
        query = urlencode({"from": start.isoformat(), "to": end.isoformat()})
        raise web.HTTPSeeOther(f"/console/persons/{subject_id}/evaluation?{query}")
    with_proofs = accept == "application/json"
    return await proxy(
        request,
        f"/v1/{kind}/{subject_id}/evaluation-reference",
        session.token,
        accept=accept,
        stem=f"evaluation-reference-{singular}-{subject_id}-{start}-{end}"
        + ("-proofs" if with_proofs else ""),
        purpose=purpose,
        proofs="true" if with_proofs else None,
        include_subunits=_subunits(request) if kind == "units" else None,
        **{"from": start, "to": end},
    )


@download
async def person_json(request: web.Request, session: Session) -> Any:
    return await _file(request, session, "persons", "application/json")


@download
async def person_csv(request: web.Request, session: Session) -> Any:
    return await _file(request, session, "persons", "text/csv")


@download
async def unit_json(request: web.Request, session: Session) -> Any:
    return await _file(request, session, "units", "application/json")


@download
async def unit_csv(request: web.Request, session: Session) -> Any:
    return await _file(request, session, "units", "text/csv")
