"""The HTTP resources, one module (or small package) each: its commands, its queries and
the schemas of its answers. ``TABLES`` is the one list of every route the service has:
the app registers it and the OpenAPI document is built from it."""

from __future__ import annotations

from ledger.api.resources import (
    access_log,
    assessments,
    assignments,
    bulletins,
    cases,
    chain_changes,
    clue_batch,
    clues,
    events,
    history,
    imports,
    inspections,
    ops,
    persons,
    posts,
    proofs,
    search,
    units,
    vocabularies,
    webhooks,
)
from ledger.api.resources.findings import commands as finding_commands
from ledger.api.resources.findings import queries as finding_queries
from ledger.api.resources.reports import evaluation, open_loop
from ledger.api.routing import Route, RouteTable

TABLES: tuple[RouteTable, ...] = (
    units.routes,
    chain_changes.routes,
    posts.routes,
    persons.routes,
    assignments.routes,
    inspections.routes,
    finding_queries.routes,
    finding_commands.routes,
    cases.routes,
    clues.routes,
    clue_batch.routes,
    imports.routes,
    webhooks.routes,
    bulletins.routes,
    assessments.routes,
    open_loop.routes,
    evaluation.routes,
    history.routes,
    proofs.routes,
    events.routes,
    ops.routes,
    access_log.routes,
    vocabularies.routes,
    search.routes,
)


def all_routes() -> list[Route]:
    return [r for table in TABLES for r in table.routes]
