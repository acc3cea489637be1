"""Typed application keys."""

from __future__ import annotations

from typing import Any

import asyncpg
from aiohttp import web
from eventsourcing.persistence import Mapper

from ledger.application import Ledger
from ledger.infra.eventstore import EventStore
from ledger.infra.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
POOL = web.AppKey("pool", asyncpg.Pool)
EVENTS = web.AppKey("events", EventStore)
LEDGER = web.AppKey("ledger", Ledger)
MAPPER = web.AppKey("mapper", Mapper)
EMBEDDED = web.AppKey("embedded", object)
READY = web.AppKey("ready", dict)

# Request-scoped values set by the middleware and the handlers.
REQUEST_ID = "ledger.request_id"
ACTOR = "ledger.actor"
POSITION = "ledger.position"

__all__ = ["Any"]
