"""An integrating system with `ledger.client`: deliver clues (a batch, then one again), find
one by its key, read the feed a page at a time, and follow it live from where it left off.
Needs `make run` (or LEDGER_URL); runs with the project's Python: `.venv/bin/python
api/examples/integrate.py`. Prints one JSON line: what it saw."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from pathlib import Path

from ledger.application.commands import ReceiveClue
from ledger.client import LedgerClient, ProblemError

BASE = os.environ.get("LEDGER_URL", "http://127.0.0.1:8080")
TOKEN = (
    os.environ.get("LEDGER_TOKEN")
    or (Path(os.environ.get("LEDGER_DATA_DIR", "var")) / "admin-token").read_text().strip()
)
RUN = os.environ.get("RUN", str(time.time_ns()))  # makes the external ids unique per run


def clue(n: int) -> ReceiveClue:
    return ReceiveClue.model_validate(
        {
            "source": "hotline_12345",
            "external_id": f"JS12345-{RUN}-{n}",
            "summary": f"市民反映行政执法问题（第{n}件）",
            "received_at": "2024-04-09T09:12:00+08:00",
        }
    )


async def main() -> None:
    async with LedgerClient(BASE, TOKEN, source="hotline-gateway") as ledger:
        batch = await ledger.deliver_clues([clue(n) for n in range(3)])
        again = await ledger.deliver_clue(clue(0), idempotency_key=f"clue-{RUN}-0")
        found = await ledger.find_clue(
            "hotline_12345", f"JS12345-{RUN}-1", min_position=batch.position
        )
        refused: list[tuple[str | None, str]] = []
        try:
            await ledger.events(types=["No.Such"])
        except ProblemError as error:
            refused = [(e.field, e.rule) for e in error.errors]

        # Catch up a page at a time, then follow live from the last position handled.
        types = ["Clue.Received"]
        last, ours = 0, []
        async for event in ledger.all_events(types=types):
            last = event.position
        async with contextlib.aclosing(ledger.follow(after=0, types=types)) as live:
            async for event in live:
                if event.data["external_id"].startswith(f"JS12345-{RUN}-"):
                    ours.append(event.data["external_id"])
                if event.position >= last:
                    break
        print(
            json.dumps(
                {
                    "counts": batch.counts,
                    "already_received": again.already_received,
                    "found": found.external_id,
                    "refused": refused,
                    "followed": ours,
                },
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    asyncio.run(main())
