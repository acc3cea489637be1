"""``ledger import``: history in bulk from a JSON Lines file (``application.imports``)."""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
import time
from collections.abc import Iterator
from typing import IO, Any

import click

from ledger.infra.bulk import SealMismatch
from ledger.infra.logging import configure_logging
from ledger.infra.settings import Settings

SHOWN_ERRORS = 200


@click.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Commit every N lines (after every line is checked); default: the file in one"
    " transaction.",
)
@click.option("--dry-run", is_flag=True, help="Check every line, write nothing.")
@click.option(
    "--actor",
    default=None,
    help="Who the events name where a line names no actor (default: operator:<user>).",
)
def import_(file: IO[bytes], batch_size: int | None, dry_run: bool, actor: str | None) -> None:
    """Import history from FILE (JSON Lines; '-' for standard input): units, persons,
    assignments, inspections, findings and cases with their steps, each line checked by
    the commands' rules before anything is written. Lines an earlier import wrote are
    skipped, so running a file again writes nothing new. The schema of a line:
    api/import-line.schema.json."""
    from ledger.application.imports.importer import Importer
    from ledger.bootstrap import connect
    from ledger.infra.codec import make_mapper
    from ledger.infra.pii import load_pii_key

    settings = Settings()
    configure_logging(settings.log_level)
    pii_key = load_pii_key(settings.pii_key, settings.data_dir)
    total = _count(file)
    who = actor or f"operator:{getpass.getuser()}"
    label = "checking" if dry_run or batch_size else "checking and copying"

    async def run() -> Any:
        pool, _server = await connect(settings)
        try:
            importer = Importer(pool, make_mapper(), pii_key, actor=who, today=settings.today())
            lines = _numbered(file)
            if total is None:  # standard input: no length to show progress against
                return await importer.run(lines, batch_size=batch_size, dry_run=dry_run)
            with click.progressbar(
                length=total, label=label, file=sys.stderr, show_pos=True, width=30
            ) as bar:
                return await importer.run(
                    lines, batch_size=batch_size, dry_run=dry_run, progress=bar.update
                )
        finally:
            await pool.close()

    started = time.perf_counter()
    try:
        staged = asyncio.run(run())
    except SealMismatch as mismatch:  # never expected: the encodings in Python and SQL differ
        raise click.ClickException(f"{mismatch}: nothing was written") from None
    seconds = time.perf_counter() - started
    if staged.errors:
        for error in staged.errors[:SHOWN_ERRORS]:
            click.echo(str(error), err=True)
        more = len(staged.errors) - SHOWN_ERRORS
        if more > 0:
            click.echo(f"… and {more} more", err=True)
        raise click.ClickException(f"{len(staged.errors)} line(s) refused: nothing was written")
    rate = staged.events / seconds if seconds else 0.0
    how = (
        "a dry run: nothing written"
        if dry_run
        else f"{len(staged.appended)} transaction(s)"
        + (f" of up to {batch_size} lines" if batch_size else "")
    )
    click.echo(
        f"{staged.lines:,} lines imported, {staged.skipped:,} already imported;"
        f" {staged.events:,} events in {seconds:.1f} s ({rate:,.0f} events/s); {how}",
        err=True,
    )
    click.echo(json.dumps(staged.summary(dry_run, seconds) | {"events_per_second": round(rate)}))


def _count(file: IO[bytes]) -> int | None:
    """The number of lines, if the file can be read twice (standard input cannot)."""
    if not file.seekable():
        return None
    count = sum(1 for _ in file)
    file.seek(0)
    return count


def _numbered(file: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    yield from enumerate(file, 1)


@click.command("import-schema")
@click.argument("path", type=click.Path(dir_okay=False), default="api/import-line.schema.json")
def import_schema(path: str) -> None:
    """Write the JSON Schema of an import's line (what api/import-line.schema.json holds)."""
    from pathlib import Path

    from ledger.application.imports.schema import line_schema

    text = json.dumps(line_schema(), ensure_ascii=False, indent=2) + "\n"
    Path(path).write_text(text, encoding="utf-8")
    click.echo(f"the schema of an import's line in {path}", err=True)


@click.command("province")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True, max=10),
    default=1.0,
    help="Of the province: 1.0 is about 3,000 units, 200,000 findings, 1.9 million events.",
)
@click.option("--seed", type=int, default=2024, help="The same seed, the same file.")
def province(path: str, scale: float, seed: int) -> None:
    """Write a generated province's five years (江苏省, 2020–2024) as an import file:
    units, people, chains with their turnover, inspections, findings in every end state,
    cases with appeals. Deterministic for a seed; `ledger import PATH` loads it."""
    from ledger.demo.province import write_province

    started = time.perf_counter()
    lines = write_province(path, scale, seed)
    seconds = time.perf_counter() - started
    click.echo(f"{lines:,} lines in {path} ({seconds:.1f} s)", err=True)
