"""Baseline B: eventsourcing's own synchronous ``Application`` on its PostgreSQL recorder."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from figures import Figure, Measured

from ledger.domain.person import Person


def postgres_env(params: dict[str, Any]) -> dict[str, str]:
    """The environment eventsourcing.postgres reads, from psycopg connection parameters."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": params["dbname"],
        "POSTGRES_HOST": params["host"],
        "POSTGRES_PORT": str(params["port"]),
        "POSTGRES_USER": params["user"],
        "POSTGRES_PASSWORD": params["password"],
        "POSTGRES_POOL_SIZE": "8",
    }


def _persons(count: int) -> list[Person]:
    return [Person(f"Person {i}", f"P-{i}", "bench", "bench", None, None) for i in range(count)]


async def application_save(
    stack: contextlib.AsyncExitStack, env: dict[str, str], per_save: int, saves: int, threads: int
) -> Measured:
    """``Application.save()`` of ``per_save`` new aggregates (one event each) per call."""
    if per_save == 1:
        key = "B" if threads == 1 else f"B{threads}"
        label = "eventsourcing Application.save(), 1 event/save"
    else:
        key = f"B{per_save}"
        label = f"eventsourcing Application.save(), {per_save} aggregates/save"
    figure = Figure(key, f"{label}, {threads} thread" + "s" * (threads > 1), "events/s")
    try:
        from eventsourcing.application import Application

        app: Application[Any] = await asyncio.to_thread(Application, env=env)
    except Exception as error:  # the baseline is optional: say why it did not run
        figure.error = f"{type(error).__name__}: {error}"
        return Measured(figure, None)
    stack.push_async_callback(asyncio.to_thread, app.close)

    def save(part: Sequence[list[Person]]) -> None:
        for batch in part:
            app.save(*batch)

    def run(count: int) -> float:
        batches = [_persons(per_save) for _ in range(count)]
        start = time.perf_counter()
        if threads == 1:
            save(batches)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(save, [batches[i::threads] for i in range(threads)]))
        return count * per_save / (time.perf_counter() - start)

    async def once() -> float:
        return await asyncio.to_thread(run, saves)

    try:
        await asyncio.to_thread(run, 2 * threads)  # warm-up
    except Exception as error:
        figure.error = f"{type(error).__name__}: {error}"
        return Measured(figure, None)
    return Measured(figure, once)
