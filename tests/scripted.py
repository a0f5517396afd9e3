"""Scripted HTTP servers on 127.0.0.1, for answers and shapes the simulator never gives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web


async def scripted(handler: Callable[[web.Request], Awaitable[web.StreamResponse]], *,
                   method: str = "*") -> web.AppRunner:
    """A server answering every path with `handler`; `await runner.cleanup()` stops it."""
    app = web.Application()
    app.router.add_route(method, "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def root_url(runner: web.AppRunner) -> str:
    return f"http://127.0.0.1:{runner.addresses[0][1]}"
