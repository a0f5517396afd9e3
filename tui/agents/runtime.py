"""Everything a run needs around its provider: one HTTP session, and the built-in simulator
when `--provider sim` is given no `--base-url` (the no-API-key demo)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from tui.agents.base import Provider
from tui.agents.factory import make_provider
from tui.agents.http import http_session
from tui.settings import Settings



@asynccontextmanager
async def open_provider(settings: Settings) -> AsyncIterator[Provider]:
    async with AsyncExitStack() as stack:
        base_url = settings.base_url
        if settings.provider == "sim" and not base_url:
            from tui.agents.sim import SimServer
            from tui.agents.sim_config import sim_config_from_settings

            sim = await stack.enter_async_context(SimServer(sim_config_from_settings(settings), port=0))
            base_url = sim.url
        # One connection per concurrent agent; the coordinator's semaphore is the real cap.
        session = await stack.enter_async_context(http_session(settings.concurrency + 2))
        provider = make_provider(settings, session, base_url_override=base_url)
        stack.push_async_callback(provider.aclose)
        yield provider
