"""The console: server-rendered pages in Chinese at ``/console/``, for inspectors,
discipline bodies and personnel departments, on the service's own HTTP API (``upstream``).

Outside the API contract (no operationIds, not in OpenAPI): a page reads what the
signed-in caller's token may read, through the API, so the policy, the jurisdiction and the
access log are the API's.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from ledger.api.console import (
    actions,
    dashboard,
    desk,
    evaluation,
    findings,
    formats,
    inspections,
    pages,
    persons,
    records,
    render,
    units,
)
from ledger.api.console.render import errors
from ledger.api.console.upstream import session
from ledger.api.keys import CONSOLE_SECRET
from ledger.domain.access import Role

ROLE_NAMES = {
    Role.ADMIN.value: "系统管理员",
    Role.PERSONNEL.value: "组织人事部门",
    Role.INSPECTOR.value: "督察人员",
    Role.UNIT_OFFICER.value: "单位联络员",
    Role.DISCIPLINE.value: "纪检监察机关",
    Role.INTEGRATION.value: "系统对接",
    Role.AUDITOR.value: "审计人员",
}


def mount(app: web.Application) -> None:
    """Add the console's pages to the app."""
    app[CONSOLE_SECRET] = secrets.token_urlsafe(32)
    app.cleanup_ctx.append(session)
    render.setup(app, "templates", role_names=ROLE_NAMES)
    formats.install(app)
    app.router.add_get("/console", _to_home)
    app.router.add_get("/console/", pages.home)
    app.router.add_get("/console/login", pages.login_form)
    app.router.add_post("/console/login", pages.login)
    app.router.add_post("/console/logout", pages.logout)
    app.router.add_get("/console/search", pages.search)
    app.router.add_get("/console/units/{id}", units.unit_page)
    app.router.add_get("/console/dashboard", dashboard.dashboard)
    app.router.add_get("/console/dashboard.csv", dashboard.dashboard_csv)
    app.router.add_get("/console/persons/{id}", persons.dossier)
    for kind, (show, printed, as_json, as_csv) in {
        "persons": (
            evaluation.person_evaluation,
            evaluation.person_print,
            evaluation.person_json,
            evaluation.person_csv,
        ),
        "units": (
            evaluation.unit_evaluation,
            evaluation.unit_print,
            evaluation.unit_json,
            evaluation.unit_csv,
        ),
    }.items():
        app.router.add_get(f"/console/{kind}/{{id}}/evaluation", show)
        app.router.add_get(f"/console/{kind}/{{id}}/evaluation/print", printed)
        app.router.add_get(f"/console/{kind}/{{id}}/evaluation.json", as_json)
        app.router.add_get(f"/console/{kind}/{{id}}/evaluation.csv", as_csv)
    app.router.add_get("/console/records/{kind}/{id}", records.record)
    app.router.add_get("/console/verify", records.verify_help)
    app.router.add_get("/console/verify/offline.py", records.verifier_file)
    app.router.add_get("/console/findings/{id}", findings.finding_page)
    app.router.add_post("/console/findings/{id}/steps/{step}", actions.take_step)
    app.router.add_get("/console/inspections/{id}", inspections.inspection_page)
    app.router.add_get("/console/desk", desk.desk_page)
    app.router.add_post("/console/clues/{id}/triage", desk.triage)


async def _to_home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently("/console/")


__all__ = ["errors", "mount"]
