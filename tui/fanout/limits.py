"""Pacing shared by every agent of a run: requests-per-minute spacing and backoff with jitter."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

# Spacing slightly wider than 60/R keeps a strict sliding-window limiter on the provider's side
# from ever seeing R+1 requests in one window, at a cost of half a percent of throughput.
SAFETY = 1.005


class RequestPacer:
    """Hands out send slots no closer than 60/rpm apart, shared by all agents.

    No burst allowance: a provider that counts requests per sliding minute would answer a burst
    with 429s, and each 429 costs more than the burst saves. A 429's Retry-After pushes every
    agent's next slot back, because the limit is per key, not per agent.
    """

    def __init__(self, rpm: int | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.rpm = rpm
        self._interval = 60.0 / rpm * SAFETY if rpm else 0.0
        self._clock = clock
        self._next = 0.0
        self.sent = 0

    @property
    def interval(self) -> float:
        return self._interval

    async def acquire(self) -> None:
        now = self._clock()
        slot = max(now, self._next)
        if self._interval:
            self._next = slot + self._interval
        elif self._next > now:
            self._next = slot
        self.sent += 1
        if slot > now:
            await asyncio.sleep(slot - now)

    def hold_off(self, seconds: float) -> None:
        """Nobody sends before `seconds` from now (a 429's Retry-After)."""
        self._next = max(self._next, self._clock() + max(0.0, seconds))

    def budget_left(self) -> float | None:
        """Fraction of this minute's request budget not yet spoken for (None: unlimited)."""
        if not self.rpm:
            return None
        ahead = max(0.0, self._next - self._clock())
        return max(0.0, 1.0 - ahead * self.rpm / 60.0)


def backoff_delay(attempt: int, rng: random.Random, base: float = 0.25, cap: float = 20.0) -> float:
    """Exponential backoff with equal jitter: half fixed, half random, so retries spread out."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)
