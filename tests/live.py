"""The real app on a real port, for clients that block (schemathesis, a browser)."""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web

from ledger.api.app import create_app
from ledger.infra.settings import Settings


class LiveServer:
    """The app on 127.0.0.1, an ephemeral port, in a thread with its own event loop (the
    test drives it with blocking HTTP, which would stall a server on the test's loop)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = ""
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="ledger-live", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(create_app(self.settings))
        try:
            self.loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            self.loop.run_until_complete(site.start())
            port = runner.addresses[0][1]
            self.url = f"http://127.0.0.1:{port}"
        except BaseException as error:  # reported to the test, not lost in the thread
            self.failed = error
            self.ready.set()
            return
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())
        self.loop.close()

    def __enter__(self) -> LiveServer:
        self.thread.start()
        if not self.ready.wait(60):
            raise RuntimeError("the app did not start within 60 s")
        if self.failed is not None:
            raise self.failed
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
