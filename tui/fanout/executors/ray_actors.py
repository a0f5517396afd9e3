"""What runs inside Ray workers: a sub-agent's actor and the cluster-wide rate limiter.

Plain classes (ray_executor.py wraps them with `ray.remote`), so this module imports no Ray and
the local executor never pays for it. Workers need `fanmail` installed (`pip install 'fanmail[ray]'`)
and, for a paid API, the key in their own environment: the spec carries only the variable's name.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from tui.agents.base import Exchange, Provider, RateLimitInfo, reset_exchange, set_exchange
from tui.agents.http import new_session
from tui.fanout.deadlines import RequestDeadlines
from tui.fanout.executors.base import AgentSpec, AttemptEvent, AttemptStarted, classify_once
from tui.fanout.limits import RequestPacer
from tui.model import Email


class RateLimiter:
    """The run's RPM/TPM budget for every agent on every node: the same `RequestPacer` the local
    executor uses, living in one named actor. `acquire` returns when the request may go."""

    def __init__(self, rpm: int | None = None, tpm: int | None = None) -> None:
        self.pacer = RequestPacer(rpm, tpm=tpm)  # a restart after a crash comes back with these
        if _reconstructed():  # the sends of the last minute are unknown: assume the limit was used
            self.pacer.assume_last_minute_spent()
        self._tickets: dict[int, Any] = {}
        self._ids = itertools.count(1)
        self.granted = 0

    async def acquire(self, tokens: int = 0) -> int:
        ticket = await self.pacer.acquire(tokens)
        ticket_id = next(self._ids)
        self._tickets[ticket_id] = ticket
        self.granted += 1
        return ticket_id

    async def settle(self, ticket_id: int, used_tokens: int | None, info: RateLimitInfo | None) -> None:
        """The answer to a granted request: its real token use and the provider's headers.
        Unknown ids (from before a restart) are ignored."""
        ticket = self._tickets.pop(ticket_id, None)
        if ticket is None:
            return
        self.pacer.observe(ticket, info)
        self.pacer.settle(ticket, used_tokens)

    async def hold_off(self, seconds: float) -> None:
        self.pacer.hold_off(seconds)

    async def granted_count(self) -> int:
        """Slots granted since this actor (re)started."""
        return self.granted

    async def limits(self) -> tuple[int | None, int | None]:
        return self.pacer.rpm, self.pacer.tpm

    async def budget_left(self) -> float | None:
        return self.pacer.budget_left()


def _reconstructed() -> bool:
    """True inside an actor Ray has restarted after a crash (Ray is imported only in its workers)."""
    try:
        import ray

        return bool(ray.get_runtime_context().was_current_actor_reconstructed)
    except Exception:  # not inside a Ray actor
        return False


class _LimiterExchange:
    """Like `RequestPacer.exchange`, over the limiter actor: extra requests (schema repairs) ask
    it for a slot, and each answer's usage and headers are reported back to it."""

    def __init__(self, limiter: Any, ticket_id: int) -> None:
        self._limiter = limiter
        self._tickets = [ticket_id]
        self._answered = 0
        self._token: object | None = None
        self.exchange = Exchange(pace=self._pace, observe=self._observe)

    async def _pace(self, tokens: int) -> None:
        self._tickets.append(await self._limiter.acquire.remote(tokens))

    def _observe(self, info: RateLimitInfo | None, used: int | None) -> None:
        current = self._tickets[min(self._answered, len(self._tickets) - 1)]
        self._answered += 1
        self._limiter.settle.remote(current, used, info)

    def __enter__(self) -> Exchange:
        self._token = set_exchange(self.exchange)
        return self.exchange

    def __exit__(self, *exc: object) -> None:
        reset_exchange(self._token)
        for ticket_id in self._tickets[self._answered:]:  # never answered: release the estimate
            self._limiter.settle.remote(ticket_id, None, None)


class _Unpaced:
    """No limit configured: the provider still reports its usage into an exchange."""

    def __init__(self) -> None:
        self.exchange = Exchange()
        self._token: object | None = None

    def __enter__(self) -> Exchange:
        self._token = set_exchange(self.exchange)
        return self.exchange

    def __exit__(self, *exc: object) -> None:
        reset_exchange(self._token)


class AgentActor:
    """One sub-agent's worker: builds the provider from the spec on first use (the key, if any,
    from this worker's environment) and streams each attempt's events back."""

    def __init__(self, spec: AgentSpec, limiter: Any) -> None:
        self.spec = spec
        self.limiter = limiter
        self._provider: Provider | None = None
        self._session: aiohttp.ClientSession | None = None
        self._deadlines = RequestDeadlines(spec.per_email_timeout_s)

    async def _ready(self) -> Provider:
        if self._provider is None:
            from tui.agents.factory import make_provider

            self._session = new_session(limit=4)
            backend = make_provider(self.spec.settings(), self._session, base_url_override=self.spec.base_url)
            self._provider = backend if self.spec.front is None else self.spec.front(backend)
        return self._provider

    async def attempt(self, email: Email, tokens: int) -> AsyncIterator[AttemptEvent | tuple[Any, int, int]]:
        """A paced attempt: AttemptStarted once the cluster's limiter granted the slot, then
        (AttemptOk | AttemptFailed, input tokens, output tokens)."""
        provider = await self._ready()
        before = time.monotonic()
        wire = _LimiterExchange(self.limiter, await self.limiter.acquire.remote(tokens))
        yield AttemptStarted(time.monotonic() - before)
        outcome = await classify_once(provider, email, self._deadlines, wire, time.monotonic)
        yield outcome, wire.exchange.input_tokens, wire.exchange.output_tokens

    async def classify(self, email: Email) -> tuple[Any, int, int]:
        """An attempt with no rate limit to share: nothing to wait for, so one plain call (the
        driver reports it started) instead of a stream."""
        provider = await self._ready()
        wire = _Unpaced()
        outcome = await classify_once(provider, email, self._deadlines, wire, time.monotonic)
        return outcome, wire.exchange.input_tokens, wire.exchange.output_tokens

    async def where(self) -> dict[str, Any]:
        import os

        import ray

        return {"node": ray.get_runtime_context().get_node_id(), "pid": os.getpid()}

    async def shutdown(self) -> None:
        if self._provider is not None:
            await self._provider.aclose()
        if self._session is not None:
            await self._session.close()
