"""Request bodies the commands package does not hold: the batch of clues is an envelope the
API defines around ``ReceiveClue`` (the server reads each item alone, so one bad item is
answered for alone; the client sends items already validated as ``ReceiveClue``)."""

from __future__ import annotations

from pydantic import Field

from ledger.application.commands import Body, ReceiveClue


class ClueBatchBody(Body):
    clues: list[ReceiveClue] = Field(min_length=1, max_length=1000)
