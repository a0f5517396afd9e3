"""Sub-agents as asyncio tasks in this process (the default): the run's pacer, the run's provider."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.agents.base import Provider
from tui.fanout.deadlines import RequestDeadlines
from tui.fanout.executors.base import AttemptFailed, AttemptOk, classify_once
from tui.fanout.limits import RequestPacer
from tui.model import Email

MIN_WAIT_S = 0.001  # a shorter wait for the rate limit is not worth moving the agent's deadline for


class LocalWorker:
    """Nothing to set up: an agent's requests run in its own task."""

    def __init__(self, executor: "LocalExecutor") -> None:
        self._x = executor

    async def attempt(self, email: Email, started: Callable[[float], None]) -> AttemptOk | AttemptFailed:
        x = self._x
        before = x.clock()
        ticket = await x.pacer.acquire(x.estimate(email) if x.estimate else 0)
        waited = x.clock() - before
        started(waited if waited >= MIN_WAIT_S else 0.0)
        return await classify_once(x.provider, email, x.deadlines, x.pacer.exchange(ticket), x.clock)

    def hold_off(self, seconds: float) -> None:
        self._x.pacer.hold_off(seconds)

    def release(self) -> None:
        pass


class LocalExecutor:
    name = "local"

    def __init__(
        self,
        provider: Provider,
        pacer: RequestPacer,
        *,
        per_email_timeout: float,
        estimate: Callable[[Email], int] | None,
        clock: Callable[[], float],
    ) -> None:
        self.provider = provider
        self.pacer = pacer
        self.per_email_timeout = per_email_timeout
        self.deadlines = RequestDeadlines(per_email_timeout)
        self.estimate = estimate
        self.clock = clock

    async def start(self, agents: int) -> dict[str, Any] | None:
        return None

    def open(self, agent_id: str) -> LocalWorker:
        return LocalWorker(self)

    async def close(self) -> None:
        pass

    def budget_left(self) -> float | None:
        return self.pacer.budget_left()
