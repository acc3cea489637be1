"""Bulletins (通报): circulate an inspection's results to named recipients."""

from __future__ import annotations

from ledger.api.commanding import command
from ledger.application.commands import IssueBulletin

TAG = "bulletins"


command(
    "POST",
    "/v1/bulletins",
    "Issue a brief (简报) or special report (专报) on an inspection's findings",
    tag=TAG,
    body=IssueBulletin,
    status=201,
    handler=lambda ledger: ledger.bulletins.issue_bulletin,
)
