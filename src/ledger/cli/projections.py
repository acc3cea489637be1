"""``ledger projections rebuild``: replay the log into the read models, beside or in place."""

from __future__ import annotations

import asyncio

import click

from ledger.infra.logging import configure_logging
from ledger.infra.settings import Settings


@click.group()
def projections() -> None:
    """Read-model maintenance."""


@projections.command("rebuild")
@click.argument("names", nargs=-1)
@click.option(
    "--in-place",
    is_flag=True,
    help="Delete the rows and replay in one transaction (the worker waits until it commits):"
    " for a database nothing serves from, or without room for a second copy.",
)
@click.option("--keep-retired", is_flag=True, help="Keep the old tables in ledger_retired_<name>.")
@click.option("--batch-size", type=click.IntRange(min=1), default=5_000, show_default=True)
def projections_rebuild(
    names: tuple[str, ...], in_place: bool, keep_retired: bool, batch_size: int
) -> None:
    """Replay the whole log into every read model (or those NAMEd, e.g. findings_v1).

    By default beside the live tables, which keep serving and being caught up meanwhile,
    then switched to in one short transaction and dropped. A read model whose SQL changed
    (a column, an index) is rebuilt so by the worker itself when it starts.
    """
    from ledger.bootstrap import connect
    from ledger.infra.codec import make_mapper
    from ledger.projections.online import rebuild_beside
    from ledger.projections.registry import PROJECTIONS, TABLES
    from ledger.projections.runner import rebuild
    from ledger.projections.shapes import fingerprint, stored_shape

    chosen = [p for p in PROJECTIONS if not names or p.name in names]
    unknown = set(names) - {p.name for p in PROJECTIONS}
    if unknown:
        known = ", ".join(p.name for p in PROJECTIONS)
        raise click.BadParameter(f"no read model {', '.join(sorted(unknown))} ({known})")
    settings = Settings()
    configure_logging(settings.log_level)

    async def run() -> None:
        pool, _server = await connect(settings)
        try:
            for projection in chosen:
                tables = TABLES[projection.name]
                if in_place:
                    if await stored_shape(pool, projection.name) != fingerprint(
                        projection.sql_file, tables
                    ):
                        raise click.ClickException(
                            f"{projection.name}: its SQL changed since its tables were made:"
                            " rebuild it beside them (without --in-place)"
                        )
                    count = await rebuild(pool, make_mapper(), projection, tables)
                    click.echo(f"{projection.name}: {count} events replayed", err=True)
                    continue
                done = await rebuild_beside(
                    pool,
                    make_mapper(),
                    projection,
                    tables,
                    batch_size=batch_size,
                    keep_retired=keep_retired,
                )
                kept = f"; the old tables kept in {done.retired}" if done.retired else ""
                click.echo(
                    f"{done.name}: {done.events} events replayed beside the live tables"
                    f" ({done.events - done.in_switch} in {done.build_seconds:.2f} s,"
                    f" {done.rate:,.0f} events/s); switched in"
                    f" {done.switch_seconds * 1000:.1f} ms at position {done.position}"
                    f" ({done.in_switch} events in the switch){kept}",
                    err=True,
                )
        finally:
            await pool.close()

    asyncio.run(run())
