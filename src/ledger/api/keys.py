"""Typed application keys."""

from __future__ import annotations

from aiohttp import web
from eventsourcing.persistence import Mapper

from ledger.application import Ledger
from ledger.infra.checkpoints import Signer
from ledger.infra.database import Pool
from ledger.infra.eventstore import EventStore
from ledger.infra.metrics import Metrics
from ledger.infra.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
POOL = web.AppKey("pool", Pool)
EVENTS = web.AppKey("events", EventStore)
LEDGER = web.AppKey("ledger", Ledger)
MAPPER = web.AppKey("mapper", Mapper)
EMBEDDED = web.AppKey("embedded", object)
METRICS = web.AppKey("metrics", Metrics)
SIGNER = web.AppKey("signer", Signer)

# Request-scoped values set by the middleware and the handlers.
REQUEST_ID = web.RequestKey("request_id", str)
ACTOR = web.RequestKey("actor", str)
POSITION = web.RequestKey("position", int)
