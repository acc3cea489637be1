"""An import: every line checked through the ledger's own commands, then written at once.

``check`` reads the lines, skips those an earlier import wrote (same key, same content),
and runs every other through the API's handlers on a staging store (``staging.py``): each
refusal is kept with its line number and field, and the next line is checked all the same.
``write`` appends what ``check`` staged only if nothing was refused: as one transaction, or
one per chunk of ``batch_size`` lines. Each line's key is written with its events (as an
idempotency key of the actor ``IMPORT_ACTOR``), so running the same file again writes
nothing, and a file stopped between chunks resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper

from ledger.application import Ledger
from ledger.application.imports.lines import (
    LineError,
    Parsed,
    Refused,
    Resolver,
    later_defined,
    parse,
)
from ledger.application.imports.record import Records
from ledger.application.imports.staging import StagedLog, StagedStore
from ledger.infra.bulk import BulkAppend, LineKey, append_bulk
from ledger.infra.database import Pool
from ledger.infra.eventstore import Appended, NewEvent

IMPORT_ACTOR = "ledger import"  # whose idempotency keys the lines' keys are

SINK_ROWS = 20_000  # rows handed to the copy at a time
WINDOW = 2_000  # lines read, looked up among earlier imports and checked at a time
YIELD_EVERY = 16
ANALYZE_AFTER = 10_000  # events written, past which the log's tables are analyzed at once
LOG_TABLES = (
    "ledger_events",
    "ledger_seal",
    "ledger_idempotency",
)  # lines checked between two turns of the event loop
Progress = Callable[[int], None]


@contextlib.contextmanager
def _collecting_less() -> Iterator[None]:
    """An import keeps what it makes until its end, and makes little garbage with cycles:
    the collector would walk the growing heap again and again for nothing, so it pauses
    (as it was before, after)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@dataclass
class Staged:
    """What ``check`` found: the refusals, or the rows and keys to write."""

    lines: int = 0
    skipped: int = 0
    errors: list[LineError] = field(default_factory=list)
    rows: list[NewEvent] = field(default_factory=list)
    keys: list[LineKey] = field(default_factory=list)
    ids: dict[str, UUID] = field(default_factory=dict)
    appended: list[Appended] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(a.last_position - a.first_position + 1 for a in self.appended)

    def summary(self, dry_run: bool, seconds: float) -> dict[str, Any]:
        """What an import answers (``POST /v1/import``) and prints (``ledger import``)."""
        appended = self.appended
        return {
            "lines": self.lines,
            "skipped": self.skipped,
            "events": self.events,
            "first_position": appended[0].first_position if appended else None,
            "last_position": appended[-1].last_position if appended else None,
            "transactions": len(appended),
            "dry_run": dry_run,
            "seconds": round(seconds, 3),
        }


class Importer:
    def __init__(
        self,
        pool: Pool,
        mapper: Mapper[Any],
        pii_key: bytes,
        *,
        actor: str,
        today: date,
        jurisdiction: UUID | None = None,
    ) -> None:
        self.pool = pool
        self.mapper = mapper
        self.pii_key = pii_key
        self.actor = actor
        self.today = today
        self.jurisdiction = jurisdiction

    async def run(
        self,
        lines: Iterable[tuple[int, str | bytes]],
        *,
        batch_size: int | None = None,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> Staged:
        """Check every line, then write: one transaction for the file (its rows copied
        while the lines after them are checked, and rolled back if any line is refused),
        or, with ``batch_size``, one per chunk of that many lines once all are checked.
        ``dry_run``: check only. The answer's ``appended`` says what was written."""
        if dry_run or batch_size is not None:
            staged = await self.check(lines, progress)
            if not dry_run and not staged.errors:
                staged.appended = await self.write(staged, batch_size)
        else:
            async with BulkAppend(self.pool, IMPORT_ACTOR) as bulk:
                staged = await self.check(lines, progress, sink=bulk)
                if not staged.errors and bulk.written:
                    staged.appended = [await bulk.finish(staged.keys)]
        if staged.events > ANALYZE_AFTER:
            # The planner's picture of the log, as autovacuum would draw it later: until
            # then the commands' tag reads and guarded appends are planned as on an empty log.
            await self.pool.execute(f"ANALYZE {', '.join(LOG_TABLES)}")
        return staged

    async def check(
        self,
        lines: Iterable[tuple[int, str | bytes]],
        progress: Progress | None = None,
        *,
        sink: BulkAppend | None = None,
    ) -> Staged:
        """Run every line on the staging store; the rows are kept in ``rows``, or, with a
        ``sink``, handed to it in chunks while no line has been refused."""
        with _collecting_less():
            return await self._check(lines, progress, sink)

    async def _check(
        self,
        lines: Iterable[tuple[int, str | bytes]],
        progress: Progress | None,
        sink: BulkAppend | None,
    ) -> Staged:
        staged = Staged()
        log = StagedLog(self.pool)
        store = StagedStore(log, self.mapper, await self._logged_tags())
        ledger = Ledger(log, self.mapper, self.pii_key, store=store)
        records = Records(ledger, store, self.actor, self.today, self.jurisdiction)
        seen: dict[str, int] = {}  # every key read so far: its line
        failed: dict[str, int] = {}
        missing: list[tuple[LineError, str]] = []  # references to no key read yet
        handed = 0  # rows given to the sink so far
        # A window of lines at a time: the lines read are not all held at once.
        for window in _windows(lines, WINDOW):
            fresh = await self._skip_imported(self._parse(window, staged, seen), staged)
            for item in fresh:
                resolve = Resolver(item.number, staged.ids, seen, failed, missing)
                store.begin()
                try:
                    made = await records.run(item, resolve)
                except Refused as refused:
                    store.rollback()
                    staged.errors.append(refused.error)
                    failed[item.line.key] = item.number
                else:
                    store.commit()
                    staged.ids[item.line.key] = made
                    result = {"id": str(made), "kind": item.line.kind}
                    last = handed + len(log.rows) - 1
                    staged.keys.append(LineKey(item.line.key, item.content_hash, result, last))
                if sink is not None and len(log.rows) >= SINK_ROWS:
                    rows = log.take()
                    if not staged.errors:
                        sink.add(rows)
                    handed += len(rows)
                if item.number % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # the copies (and, over HTTP, other requests) go on
                staged.lines += 1
            if progress is not None:
                progress(len(window))
        later_defined(missing, seen)
        staged.rows = log.take()
        if sink is not None and not staged.errors:
            sink.add(staged.rows)
            staged.rows = []
        staged.errors.sort(key=lambda e: e.line)
        return staged

    async def write(self, staged: Staged, batch_size: int | None = None) -> list[Appended]:
        """Append what ``check`` kept: one transaction, or one per ``batch_size`` lines."""
        if staged.errors:
            raise ValueError("an import with refused lines writes nothing")
        appended: list[Appended] = []
        keys = staged.keys
        size = batch_size or len(keys) or 1
        first_row = 0
        for start in range(0, len(keys), size):
            chunk = keys[start : start + size]
            end_row = chunk[-1].last_index + 1
            shifted = [
                LineKey(k.key, k.content_hash, k.result, k.last_index - first_row) for k in chunk
            ]
            appended.append(
                await append_bulk(self.pool, staged.rows[first_row:end_row], shifted, IMPORT_ACTOR)
            )
            first_row = end_row
        return appended

    def _parse(
        self, lines: Iterable[tuple[int, str | bytes]], staged: Staged, seen: dict[str, int]
    ) -> list[Parsed]:
        parsed: list[Parsed] = []
        for number, text in lines:
            if not text.strip():
                continue
            try:
                item = parse(number, text)
            except Refused as refused:
                staged.errors.append(refused.error)
                continue
            key = item.line.key
            if key in seen:
                message = f"the key {key!r} is already the key of line {seen[key]}"
                staged.errors.append(LineError(number, "key", "unique", message))
                continue
            seen[key] = number
            parsed.append(item)
        return parsed

    async def _skip_imported(self, parsed: list[Parsed], staged: Staged) -> list[Parsed]:
        """The lines no earlier import wrote; the same key with other content is refused."""
        rows = await self.pool.fetch(
            "SELECT key, request_hash, result FROM ledger_idempotency"
            " WHERE actor = $1 AND key = ANY($2::text[])",
            IMPORT_ACTOR,
            [p.line.key for p in parsed],
        )
        earlier = {r["key"]: (bytes(r["request_hash"]), r["result"]) for r in rows}
        fresh = []
        for item in parsed:
            found = earlier.get(item.line.key)
            if found is None:
                fresh.append(item)
                continue
            content_hash, result = found
            if content_hash != item.content_hash:
                message = (
                    f"the key {item.line.key!r} was imported before with other content;"
                    " a correction is a step of its own, not a changed line"
                )
                staged.errors.append(LineError(item.number, "key", "conflicting", message))
                continue
            staged.ids[item.line.key] = UUID(_result_id(result))
            staged.skipped += 1
        return fresh

    async def _logged_tags(self) -> set[str]:
        """Every tag in the log: a rule reads the log only for these (an empty ledger: none)."""
        rows = await self.pool.fetch("SELECT DISTINCT unnest(tags) AS tag FROM ledger_events")
        return {r["tag"] for r in rows}


def _result_id(result: Any) -> str:
    data = json.loads(result) if isinstance(result, str) else result
    return str(data["id"])


def _windows(lines: Iterable[tuple[int, str | bytes]], size: int) -> Iterator[list[Any]]:
    """The lines, ``size`` at a time."""
    it = iter(lines)
    while window := list(itertools.islice(it, size)):
        yield window
