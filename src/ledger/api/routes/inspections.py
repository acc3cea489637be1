"""Inspections (督察): plan, start, record evidence, feed results back, close."""

from __future__ import annotations

from ledger.api.commanding import command
from ledger.application.commands import (
    CloseInspection,
    FeedBackResults,
    PlanInspection,
    RecordEvidence,
    StartInspection,
)

TAG = "inspections"


command(
    "POST",
    "/v1/inspections",
    "Plan an inspection of one or more units",
    tag=TAG,
    body=PlanInspection,
    status=201,
    handler=lambda ledger: ledger.inspections.plan_inspection,
)


command(
    "POST",
    "/v1/inspections/{id}/start",
    "Start an inspection",
    tag=TAG,
    body=StartInspection,
    handler=lambda ledger: ledger.inspections.start_inspection,
)


command(
    "POST",
    "/v1/inspections/{id}/evidence",
    "Record evidence (interview, document review, site visit) by reference and hash",
    tag=TAG,
    body=RecordEvidence,
    handler=lambda ledger: ledger.inspections.record_evidence,
)


command(
    "POST",
    "/v1/inspections/{id}/feedback",
    "Feed the results back to the inspected units",
    tag=TAG,
    body=FeedBackResults,
    handler=lambda ledger: ledger.inspections.feed_back,
)


command(
    "POST",
    "/v1/inspections/{id}/close",
    "Close an inspection after its feedback",
    tag=TAG,
    body=CloseInspection,
    handler=lambda ledger: ledger.inspections.close_inspection,
)
