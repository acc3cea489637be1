"""Accountability cases (问责): open, impose sanctions, appeal, uphold, modify, revoke, close."""

from __future__ import annotations

from ledger.api.commanding import command
from ledger.application.commands import (
    AppealSanction,
    CloseCase,
    ImposeSanction,
    ModifySanction,
    OpenCase,
    RevokeSanction,
    UpholdSanction,
)

TAG = "accountability-cases"


command(
    "POST",
    "/v1/accountability-cases",
    "Open a case against a person, resting on findings attributed to them",
    tag=TAG,
    body=OpenCase,
    status=201,
    handler=lambda ledger: ledger.cases.open_case,
)


# The answer's id stays the case's (the stream written), with the new `sanction_id` beside it.
command(
    "POST",
    "/v1/accountability-cases/{id}/sanctions",
    "Impose a sanction (处理/处分); the answer names its sanction_id",
    tag=TAG,
    body=ImposeSanction,
    handler=lambda ledger: ledger.cases.impose_sanction,
)


command(
    "POST",
    "/v1/accountability-cases/{id}/appeal",
    "Appeal a sanction of the case",
    tag=TAG,
    body=AppealSanction,
    handler=lambda ledger: ledger.cases.appeal_sanction,
)


command(
    "POST",
    "/v1/accountability-cases/{id}/sanctions/{sid}/uphold",
    "Uphold an appealed sanction",
    tag=TAG,
    body=UpholdSanction,
    handler=lambda ledger: ledger.cases.uphold_sanction,
)


command(
    "POST",
    "/v1/accountability-cases/{id}/sanctions/{sid}/modify",
    "Change the kind of a sanction",
    tag=TAG,
    body=ModifySanction,
    handler=lambda ledger: ledger.cases.modify_sanction,
)


command(
    "POST",
    "/v1/accountability-cases/{id}/sanctions/{sid}/revoke",
    "Revoke a sanction",
    tag=TAG,
    body=RevokeSanction,
    handler=lambda ledger: ledger.cases.revoke_sanction,
)


command(
    "POST",
    "/v1/accountability-cases/{id}/close",
    "Close a case (no appeal may be pending)",
    tag=TAG,
    body=CloseCase,
    handler=lambda ledger: ledger.cases.close_case,
)
