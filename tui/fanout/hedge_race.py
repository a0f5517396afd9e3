"""The coordinator's side of hedging the tail (the policy is tui/fanout/hedge.py): idle agents
that keep their slot to send second copies of slow requests, the race of a copy against its
original, and the bookkeeping when one of them wins.

A mixin of `Coordinator` (tui/fanout/run.py), whose state it reads and changes: the names
below are declared for the type checker, the coordinator sets them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.fanout.events import Event, HedgeEnded, HedgeSent
from tui.fanout.executors.base import AgentWorker, AttemptFailed, AttemptOk
from tui.fanout.hedge import MAX_WAITING, Hedge, Threshold, hedge_budget
from tui.fanout.limits import backoff_delay
from tui.fanout.plan import Plan
from tui.fanout.telemetry import RunTelemetry
from tui.model import Email
from tui.settings import Settings

if TYPE_CHECKING:
    from tui.fanout.agent_run import AgentRun


class TailHedging:
    """Hedging the tail, as methods of the coordinator."""

    settings: Settings
    plan: Plan | None
    agents: dict[str, AgentRun]
    telemetry: RunTelemetry
    clock: Callable[[], float]
    rng: random.Random
    abort_reason: str | None
    paused: bool
    _emit: Callable[[Event], None]
    _estimate: Callable[[Email], int] | None
    _hedge_spec: str
    _threshold: Threshold
    _flying: dict[str, AgentRun]  # email id -> owner, in the order the requests went out
    _tail: asyncio.Event
    _hedgers_waiting: int
    _waiting: int
    _reading: bool
    _between_waves: bool
    _closing: bool

    def _kick_tail(self) -> None:
        """Wake the idle hedgers: something they decide on changed."""
        tail, self._tail = self._tail, asyncio.Event()
        tail.set()

    def _may_hedge(self) -> bool:
        assert self.plan is not None
        if (self._hedge_spec == "off" or self._waiting or (self._reading and not self._between_waves)
                or self.abort_reason or self._closing or self.paused):
            return False
        if self.telemetry.hedges_sent >= hedge_budget(self._hedge_spec, len(self.plan.emails)):
            return False
        # with rebalancing an idle agent has already taken what was left; without, look
        return self.settings.rebalance or not any(a.queue for a in self.agents.values())

    def _hedge_target(self) -> tuple[AgentRun | None, float | None]:
        """The oldest unhedged request in flight if it has run past the threshold, else how long
        until it will have (None: nothing in flight to hedge)."""
        now = self.clock()
        threshold = self._threshold.seconds()
        for owner in self._flying.values():
            if owner.hedge is None and owner.sent_at is not None:
                due = owner.sent_at + threshold - now
                return (owner, None) if due <= 0 else (None, due)
        return None, None

    async def _hedge_tail(self, agent: AgentRun, worker: AgentWorker) -> None:
        """Nothing left to start: keep the slot to send second copies of slow requests in flight,
        while the budget lasts and no agent waits for a slot."""
        while self._may_hedge():
            tail = self._tail
            owner, due = self._hedge_target()
            if owner is not None:
                await self._send_hedge(agent, worker, owner)
                continue
            if due is None or self._hedgers_waiting >= min(MAX_WAITING, len(self._flying)):
                return
            self._hedgers_waiting += 1
            try:
                async with asyncio.timeout(due):
                    await tail.wait()
            except TimeoutError:
                pass
            finally:
                self._hedgers_waiting -= 1

    async def _send_hedge(self, agent: AgentRun, worker: AgentWorker, owner: AgentRun) -> None:
        """Race a copy of `owner`'s request: if the copy answers first, the owner's request is
        cancelled and the owner writes the copy's answer; if the owner's comes first, ours is."""
        assert self.plan is not None and owner.current is not None and owner.sent_at is not None
        email = self.plan.emails[owner.current]
        now = self.clock()
        hedge = owner.hedge = Hedge(email.id, owner.agent_id, agent.agent_id, now)
        tel = self.telemetry.agent(agent.agent_id)
        self.telemetry.hedges_sent += 1
        tel.hedges_sent += 1
        self._emit(HedgeSent(agent.agent_id, owner.agent_id, email.id, now - owner.sent_at))
        outcome: AttemptOk | AttemptFailed | None = None
        sent: float | None = None

        def started(waited_s: float) -> None:
            nonlocal sent
            sent = self.clock()

        try:
            outcome = await worker.attempt(email, started)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not hedge.lost or task is None or task.uncancel() > 0:
                raise
        finally:
            hedge.ended.set()
            if sent is not None:
                tel.busy_s += self.clock() - sent
        won = isinstance(outcome, AttemptOk) and not hedge.lost and owner.hedge is hedge
        if won:
            assert isinstance(outcome, AttemptOk) and owner.task is not None
            hedge.won = outcome
            self.telemetry.ok_latency_ms.append(outcome.took_s * 1000)
            self.telemetry.hedges_won += 1
            tel.hedges_won += 1
            owner.task.cancel()  # its request is cut; it writes our answer (see _classify)
        elif isinstance(outcome, AttemptFailed) and outcome.kind == "rate_limited":
            worker.hold_off(outcome.retry_after_s if outcome.retry_after_s is not None
                            else backoff_delay(1, self.rng))
        elif hedge.lost and sent is not None:
            self._cut_tokens(email)
        self._emit(HedgeEnded(agent.agent_id, owner.agent_id, email.id, won))

    async def _let_copy_answer(self, owner: AgentRun) -> None:
        """Wait while a copy of the owner's request is still in flight: if it answers first it
        cancels the owner, who then writes the copy's answer (see `_classify`)."""
        if owner.hedge is not None and not owner.hedge.ended.is_set():
            await owner.hedge.ended.wait()

    def _end_race(self, owner: AgentRun) -> None:
        """The owner is done with its email: a copy still in flight is cut."""
        hedge, owner.hedge = owner.hedge, None
        if hedge is not None and hedge.won is None and not hedge.ended.is_set():
            hedge.lost = True
            hedger = self.agents.get(hedge.hedger)
            if hedger is not None and hedger.task is not None:
                hedger.task.cancel()

    def _cut_tokens(self, email: Email) -> None:
        """A request cut because its twin answered first still costs its prompt: the provider
        reports nothing for it, so the estimate counts."""
        if self._estimate is not None:
            self.telemetry.add_usage(self._estimate(email), 0)
