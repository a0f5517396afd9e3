"""Pacing shared by every agent of a run: requests and tokens per minute, learnt from the provider.

One `RequestPacer` per run hands out send slots. It combines:

- **Even spacing.** Requests no closer than 60/RPM apart, and each request's tokens spread at
  TPM/60 tokens a second. No burst allowance: a provider that counts per sliding minute answers
  a burst with 429s, and each 429 costs more than the burst saves.
- **A sliding-window guard.** The pacer keeps its own log of the last minute's sends (requests
  and tokens) and never admits one that would put more than the limit in any 60 s window (plus a
  small margin for arrival jitter). Spacing alone can overshoot by one request; the guard cannot.
- **A token budget.** A request is charged an estimate before it is sent (chars/4 of the rendered
  prompt plus the expected answer); the usage the provider reports corrects the charge, in the
  log and in the spacing, so over-estimates are given back and under-estimates are paid for.
- **Learning from the provider.** `x-ratelimit-*` / `anthropic-ratelimit-*` headers (parsed by
  the providers into a `RateLimitInfo`) lower the limits to the ones the provider states, and
  when the budget left (its remaining count, less what we have sent since that request) is low
  relative to the time to its reset, sends are spread over that time, or held until the reset
  when nothing is left. A 429's Retry-After holds every agent back, including those already
  waiting for a slot, because the limit is per key, not per agent.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Callable

from tui.agents.base import Exchange, RateLimitInfo, reset_exchange, set_exchange

# Spacing slightly wider than 60/R keeps a strict sliding-window limiter on the provider's side
# from ever seeing R+1 requests in one window, at a cost of half a percent of throughput.
SAFETY = 1.005
# Spend at most this share of the token budget: an estimate that comes in low is absorbed.
TOKEN_SHARE = 0.99
WINDOW_S = 60.0
WINDOW_MARGIN_S = 0.25  # requests sent in order may arrive a little out of order
MAX_HEADER_HOLD_S = 60.0  # never trust a reset hint for longer than one window


class _Entry:
    """One send in the pacer's log: when, and how many tokens it is charged."""

    __slots__ = ("t", "tokens", "live")

    def __init__(self, t: float, tokens: int) -> None:
        self.t = t
        self.tokens = tokens
        self.live = True  # still in the log (not pruned or dropped)


class Ticket:
    """A granted send slot. Settle it once the answer (or the failure) is in."""

    __slots__ = ("slot", "estimate", "entry", "settled")

    def __init__(self, slot: float, estimate: int, entry: _Entry) -> None:
        self.slot = slot
        self.estimate = estimate
        self.entry = entry
        self.settled = False


class RequestPacer:
    """Hands out send slots under the run's RPM and TPM, shared by all agents.

    `rpm`/`tpm` are what the operator configured (None: not configured); the limits in force are
    the lower of those and what the provider's headers state.
    """

    def __init__(
        self,
        rpm: int | None,
        clock: Callable[[], float] = time.monotonic,
        *,
        tpm: int | None = None,
        on_usage: Callable[[int, int], None] | None = None,
    ) -> None:
        self.rpm = rpm
        self.tpm = tpm
        self.learned_rpm: int | None = None
        self.learned_tpm: int | None = None
        self.last_info: RateLimitInfo | None = None
        self._clock = clock
        self._on_usage = on_usage
        self._next_req = 0.0
        self._next_tok = 0.0
        self._last_slot = float("-inf")
        self._hold_until = 0.0
        self._hold_gen = 0
        self._floor_req = (0.0, 0.0)  # (min seconds between sends, until when)
        self._floor_tok = (0.0, 0.0)  # (min seconds per token, until when)
        self._log: deque[_Entry] = deque()
        self._log_tokens = 0
        self.sent = 0
        self.in_flight = 0
        self.header_holds = 0
        self.header_slowdowns = 0

    # ------------------------------------------------------------------ the limits in force
    @property
    def effective_rpm(self) -> int | None:
        known = [r for r in (self.rpm, self.learned_rpm) if r]
        return min(known) if known else None

    @property
    def effective_tpm(self) -> int | None:
        known = [t for t in (self.tpm, self.learned_tpm) if t]
        return min(known) if known else None

    @property
    def interval(self) -> float:
        rpm = self.effective_rpm
        return 60.0 / rpm * SAFETY if rpm else 0.0

    def _req_interval(self, at: float) -> float:
        floor, until = self._floor_req
        return max(self.interval, floor) if at < until else self.interval

    def _sec_per_token(self, at: float) -> float:
        tpm = self.effective_tpm
        base = 60.0 / (tpm * TOKEN_SHARE) if tpm else 0.0
        floor, until = self._floor_tok
        return max(base, floor) if at < until else base

    # ------------------------------------------------------------------ slots
    async def acquire(self, tokens: int = 0) -> Ticket:
        """Wait for a send slot for a request estimated at `tokens` tokens."""
        tokens = max(0, int(tokens))
        while True:
            now = self._clock()
            gen = self._hold_gen
            slot = self._slot_for(now, tokens)
            entry = _Entry(slot, tokens)
            self._log.append(entry)
            self._log_tokens += tokens
            self._next_req = slot + self._req_interval(slot)
            self._next_tok = slot + tokens * self._sec_per_token(slot)
            self._last_slot = slot
            if slot > now:
                try:
                    await asyncio.sleep(slot - now)
                except asyncio.CancelledError:
                    self._drop(entry)
                    raise
                if self._hold_gen != gen and self._hold_until > slot:
                    # A 429 arrived while we waited, and our slot is before its Retry-After ends.
                    self._drop(entry)
                    continue
            self.sent += 1
            self.in_flight += 1
            return Ticket(slot, tokens, entry)

    def _slot_for(self, now: float, tokens: int) -> float:
        slot = max(now, self._next_req, self._next_tok, self._hold_until, self._last_slot)
        rpm, tpm = self.effective_rpm, self.effective_tpm
        budget = int(tpm * TOKEN_SHARE) if tpm else None
        span = WINDOW_S + WINDOW_MARGIN_S
        log = self._log
        while True:
            while log and log[0].t <= slot - span:  # later slots are never earlier: prune
                old = log.popleft()
                old.live = False
                self._log_tokens -= old.tokens
            if rpm is None and budget is None:
                return slot
            room_req = rpm is None or len(log) + 1 <= rpm
            room_tok = budget is None or not log or self._log_tokens + tokens <= budget
            if room_req and room_tok:
                return slot
            slot = log[0].t + span  # when the oldest send leaves the window

    def _drop(self, entry: _Entry) -> None:
        if entry.live:
            entry.live = False
            self._log_tokens -= entry.tokens
            try:
                self._log.remove(entry)
            except ValueError:
                pass

    def assume_last_minute_spent(self) -> None:
        """For a pacer that lost its log (a restarted cluster limiter): act as if the last minute
        was sent at the full rate, evenly spaced as this pacer sends. What was really sent can be
        no more recent than that, so the next minute never adds a second minute's worth on top."""
        rpm, tpm = self.effective_rpm, self.effective_tpm
        if not rpm and not tpm:
            return
        now = self._clock()
        count = rpm or 60  # a token limit alone: the budget spread over one send a second
        tokens = int(tpm * TOKEN_SHARE) // count if tpm else 0
        step = WINDOW_S / count
        for k in range(count - 1, -1, -1):  # oldest first: the log is pruned from the left
            self._log.append(_Entry(now - k * step, tokens))
            self._log_tokens += tokens
        self._last_slot = now
        self._next_req = now + self._req_interval(now)

    def hold_off(self, seconds: float) -> None:
        """Nobody sends before `seconds` from now (a 429's Retry-After), not even an agent that
        already holds a later-than-now slot it was waiting for."""
        until = self._clock() + max(0.0, seconds)
        if until > self._hold_until:
            self._hold_until = until
            self._hold_gen += 1

    # ------------------------------------------------------------------ feedback
    def settle(self, ticket: Ticket, used_tokens: int | None) -> None:
        """The request is over. `used_tokens` (from the provider's usage) corrects its charge."""
        if ticket.settled:
            return
        ticket.settled = True
        self.in_flight = max(0, self.in_flight - 1)
        if used_tokens is None:
            return  # no usage reported: keep the estimate, the safe side
        entry = ticket.entry
        delta = int(used_tokens) - entry.tokens
        entry.tokens = int(used_tokens)
        if entry.live:
            self._log_tokens += delta
        self._next_tok += delta * self._sec_per_token(self._clock())

    def observe(self, ticket: Ticket | None, info: RateLimitInfo | None) -> None:
        """Follow the provider's rate-limit headers from the answer to `ticket`'s request."""
        if info is None:
            return
        self.last_info = info
        now = self._clock()
        if info.limit_requests:
            self.learned_rpm = info.limit_requests
        if info.limit_tokens:
            self.learned_tpm = info.limit_tokens
        since = ticket.slot if ticket is not None else now
        mine = ticket.entry if ticket is not None else None
        later: list[_Entry] = []  # sent (or promised) after this request: the header missed them
        for entry in reversed(self._log):  # the log is in slot order: stop at the first older one
            if entry.t <= since:
                break
            if entry is not mine:
                later.append(entry)
        if info.remaining_requests is not None and info.reset_requests_s is not None:
            left = info.remaining_requests - len(later)
            self._follow(now, left, info.reset_requests_s, per_unit_now=self.interval, tokens=False)
        if info.remaining_tokens is not None and info.reset_tokens_s is not None:
            left = info.remaining_tokens - sum(e.tokens for e in later)
            tpm = self.effective_tpm
            base = 60.0 / (tpm * TOKEN_SHARE) if tpm else 0.0
            self._follow(now, left, info.reset_tokens_s, per_unit_now=base, tokens=True)

    def _follow(self, now: float, left: float, reset_s: float, *, per_unit_now: float, tokens: bool) -> None:
        """Budget `left` until the reset in `reset_s`: hold when none is left, else spread it."""
        reset_s = min(max(0.0, reset_s), MAX_HEADER_HOLD_S)
        if reset_s <= 0:
            return
        until = now + reset_s
        if left <= 0:
            # No generation bump: slots already handed out go ahead (a 429 there is handled
            # like any other); new ones wait for the reset.
            if until > self._hold_until:
                self._hold_until = until
                self.header_holds += 1
            return
        spread = reset_s / left  # seconds per request (or per token) the provider can promise
        if spread > per_unit_now:
            self.header_slowdowns += 1
            if tokens:
                self._floor_tok = (spread, until)
            else:
                self._floor_req = (spread, until)

    def exchange(self, ticket: Ticket) -> "PacedExchange":
        """Around one `provider.classify`: the provider reports each answer (usage, headers) and
        asks for a slot before any extra request; every ticket is settled on the way out."""
        return PacedExchange(self, ticket)

    # ------------------------------------------------------------------ for the dashboard
    def budget_left(self) -> float | None:
        """Share of the limits not used by the sends of the last 60 s (None: unlimited). A run
        that paces at the full rate sits near 0; one held back by latency stays higher."""
        rpm, tpm = self.effective_rpm, self.effective_tpm
        if not rpm and not tpm:
            return None
        now = self._clock()
        requests = tokens = 0
        for entry in reversed(self._log):
            if entry.t <= now - WINDOW_S:
                break
            if entry.t <= now:
                requests += 1
                tokens += entry.tokens
        shares = []
        if rpm:
            shares.append(1.0 - requests / rpm)
        if tpm:
            shares.append(1.0 - tokens / tpm)
        return max(0.0, min(1.0, min(shares)))


def backoff_delay(attempt: int, rng: random.Random, base: float = 0.25, cap: float = 20.0) -> float:
    """Exponential backoff with equal jitter: half fixed, half random, so retries spread out."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


class PacedExchange:
    """`RequestPacer.exchange`'s context manager: a class, not a generator, because it is
    entered once per request (10,000 times a run)."""

    __slots__ = ("_pacer", "_tickets", "_answered", "_ex", "_token")

    def __init__(self, pacer: RequestPacer, ticket: Ticket) -> None:
        self._pacer = pacer
        self._tickets = [ticket]
        self._answered = 0

    def __enter__(self) -> Exchange:
        self._ex = Exchange(pace=self._pace, observe=self._observe)
        self._token = set_exchange(self._ex)
        return self._ex

    def __exit__(self, *exc: object) -> None:
        reset_exchange(self._token)
        pacer, ex = self._pacer, self._ex
        ex.pace = ex.observe = None  # its bound methods point back here: no cycle left for the GC
        for ticket in self._tickets:
            pacer.settle(ticket, None)
        if pacer._on_usage is not None and (ex.input_tokens or ex.output_tokens):
            pacer._on_usage(ex.input_tokens, ex.output_tokens)

    async def _pace(self, tokens: int) -> None:
        self._tickets.append(await self._pacer.acquire(tokens))

    def _observe(self, info: RateLimitInfo | None, used: int | None) -> None:
        tickets = self._tickets
        current = tickets[min(self._answered, len(tickets) - 1)]
        self._answered += 1
        self._pacer.observe(current, info)
        self._pacer.settle(current, used)
