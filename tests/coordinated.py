"""One coordinator run to its end, for the engine tests: the provider the settings name, sample mail, every event."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tui.agents.runtime import open_provider
from tui.fanout.events import Event
from tui.fanout.plan import make_plan
from tui.fanout.run import Coordinator
from tui.mail.sample import sample_emails
from tui.settings import Settings


async def run_sample(settings: Settings, count: int, *, seed: int = 7, timeout_s: float = 60.0,
                     on_event: Callable[[Event, Coordinator], None] | None = None,
                     **coordinator: object) -> tuple[list[Event], Coordinator]:
    """Every event of a run over `count` sample emails (`seed`); `on_event` sees each as it lands,
    to steer the run (pause, cancel, retry, close) the way an operator would."""
    plan = make_plan(sample_emails(count, seed=seed), settings)
    events: list[Event] = []
    async with open_provider(settings) as provider:
        run = Coordinator(provider, settings, **coordinator)  # type: ignore[arg-type]
        async with asyncio.timeout(timeout_s):
            async for event in run.run(plan):
                events.append(event)
                if on_event is not None:
                    on_event(event, run)
    return events, run
