"""An aiohttp app on 127.0.0.1 for a model server that hangs or stalls on purpose (the simulator,
the tests' scripted servers): stopping it cancels the handlers still at work first, so a hung
answer never holds the shutdown, and the port it got is kept for a start again."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

from aiohttp import web

LOOPBACK = "127.0.0.1"


class LoopbackServer:
    """Subclasses add their routes; `async with Server(...) as s:` or `await s.start()`, then `s.url`."""

    shutdown_timeout = 1.0
    backlog = 128

    def __init__(self, port: int = 0) -> None:
        self.port = port  # 0: the OS picks one at the first start; a start after a stop takes it again
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/v1"

    @property
    def root_url(self) -> str:
        """For Anthropic clients, which add /v1 themselves (they accept either form)."""
        return f"http://{LOOPBACK}:{self.port}"

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> Self:
        app = web.Application()
        self.add_routes(app)
        # handler_cancellation: a client that gives up (timeout) frees its handler at once.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=self.shutdown_timeout)
        await self._runner.setup()
        await web.TCPSite(self._runner, LOOPBACK, self.port, backlog=self.backlog).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Cancel hung and slow handlers first so shutdown never waits on them; from now on connections are refused."""
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextmanager
    def handling(self) -> Iterator[None]:
        """Around a handler's work: the task `stop` cancels if it is still running then."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
