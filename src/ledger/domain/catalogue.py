"""Every event type the domain records, by its short name (``Class.Event``): the names
the audit trail, the feed, the event schemas (``api/events/``) and the labels use."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from eventsourcing.domain import Aggregate

import ledger.domain


@cache
def event_types() -> dict[str, type[Aggregate.Event]]:
    """Short name → event class, for every aggregate of ``ledger.domain`` (the ``Created``
    and ``Event`` bases aside)."""
    found: dict[str, type[Aggregate.Event]] = {}
    for module in pkgutil.iter_modules(ledger.domain.__path__):
        loaded = importlib.import_module(f"ledger.domain.{module.name}")
        for cls in vars(loaded).values():
            if not (inspect.isclass(cls) and issubclass(cls, Aggregate)) or cls is Aggregate:
                continue
            if cls.__module__ != loaded.__name__:
                continue
            for name, event in vars(cls).items():
                if (
                    inspect.isclass(event)
                    and issubclass(event, Aggregate.Event)
                    and name not in ("Created", "Event")
                ):
                    found[f"{cls.__name__}.{name}"] = event
    return dict(sorted(found.items()))


def short_name(topic: str) -> str:
    """``ledger.domain.clue:Clue.Received`` → ``Clue.Received``."""
    return topic.partition(":")[2]
