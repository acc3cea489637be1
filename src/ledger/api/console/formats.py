"""Filters the console's pages share: a time in the ledger's time zone, a rate in percent."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from ledger.api.keys import SETTINGS


def percent(rate: Any) -> str:
    return "—" if rate is None else f"{float(rate) * 100:.1f}%"


def install(app: web.Application) -> None:
    zone = ZoneInfo(app[SETTINGS].timezone)

    def local_time(text: Any) -> str:
        """An RFC 3339 time as ``YYYY-MM-DD HH:MM:SS`` in the ledger's time zone."""
        if not text:
            return "—"
        try:
            moment = datetime.fromisoformat(str(text))
        except ValueError:
            return str(text)
        if moment.tzinfo is None:
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

    env = aiohttp_jinja2.get_env(app)
    env.filters["local_time"] = local_time
    env.filters["percent"] = percent
