"""Where the dashboard's events come from, and where its retry/cancel/pause keys go.

`LiveSession` runs the real coordinator against a provider; `ReplaySession` plays back a
recorded event list on an injected clock (snapshots, screenshots). The screen only sees the
`Session` protocol, so both paths share every line of state and drawing code.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Protocol

from tui.agents.runtime import open_provider
from tui.fanout.events import Event
from tui.fanout.plan import Plan
from tui.fanout.run import Coordinator
from tui.model import Email
from tui.settings import Settings


class Session(Protocol):
    """A run the dashboard can watch and steer."""

    emails: dict[str, Email]
    label: str

    def events(self) -> AsyncIterator[Event]: ...
    def retry(self, agent_id: str) -> bool: ...
    def retry_failed(self) -> list[str]: ...
    def cancel(self, agent_id: str) -> bool: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def budget_left(self) -> float | None: ...
    def close(self) -> None: ...


class LiveSession:
    """The coordinator over a real provider (the built-in simulator by default)."""

    def __init__(self, settings: Settings, plan: Plan, *, label: str, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.plan = plan
        self.emails = plan.emails
        self.label = label
        self.clock = clock
        self.coordinator: Coordinator | None = None
        self._closed = False

    async def events(self) -> AsyncIterator[Event]:
        """Open the provider, check it once, then stream the coordinator's events until closed."""
        async with open_provider(self.settings) as provider:
            await provider.check()
            self.coordinator = Coordinator(
                provider, self.settings, keep_open=True, clock=self.clock, seed=self.settings.seed
            )
            if self._closed:
                return
            async for event in self.coordinator.run(self.plan):
                yield event

    def retry(self, agent_id: str) -> bool:
        return self.coordinator.retry(agent_id) if self.coordinator else False

    def retry_failed(self) -> list[str]:
        return self.coordinator.retry_failed() if self.coordinator else []

    def cancel(self, agent_id: str) -> bool:
        return self.coordinator.cancel(agent_id) if self.coordinator else False

    def pause(self) -> None:
        if self.coordinator:
            self.coordinator.pause()

    def resume(self) -> None:
        if self.coordinator:
            self.coordinator.resume()

    def budget_left(self) -> float | None:
        return self.coordinator.pacer.budget_left() if self.coordinator else None

    def close(self) -> None:
        self._closed = True
        if self.coordinator:
            self.coordinator.close()


class ManualClock:
    """A clock that only moves when told: frozen time for snapshots and replays."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ReplaySession:
    """Plays `(time, event)` pairs, setting the clock before each; then stays open like a live run.

    Controls are accepted and ignored: a recording cannot change its future.
    """

    def __init__(self, timed: Sequence[tuple[float, Event]], emails: dict[str, Email], clock: ManualClock,
                 *, label: str = "replay") -> None:
        self.timed = list(timed)
        self.emails = emails
        self.clock = clock
        self.label = label
        self.drained = asyncio.Event()
        self._closed = asyncio.Event()

    async def events(self) -> AsyncIterator[Event]:
        for at, event in self.timed:
            self.clock.now = at
            yield event
        self.drained.set()
        await self._closed.wait()

    def retry(self, agent_id: str) -> bool:
        return False

    def retry_failed(self) -> list[str]:
        return []

    def cancel(self, agent_id: str) -> bool:
        return False

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass

    def budget_left(self) -> float | None:
        return None

    def close(self) -> None:
        self._closed.set()
