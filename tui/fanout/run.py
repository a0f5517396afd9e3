"""The coordinator: one sub-agent per batch under a concurrency cap, results streamed as events.

Every email in a round ends in exactly one `EmailDone`, whatever happens: success, failure
after retries, a timeout, an operator cancel, --fail-fast or a fatal provider error. Parts of
the coordinator live in mixins of their own: one email's attempts (tui/fanout/email_attempts.py),
moving emails between agents (tui/fanout/reassign.py), reading a streaming source
(tui/fanout/source_feed.py) and hedging the tail (tui/fanout/hedge_race.py).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable

from tui.agents.base import Provider
from tui.fanout.agent_run import AgentRun
from tui.fanout.email_attempts import EmailAttempts
from tui.fanout.events import (
    AgentFinished,
    AgentQueued,
    AgentStarted,
    EmailDone,
    Event,
    Paused,
    RunAborted,
    RunDone,
    RunStarted,
)
from tui.fanout.executors import make_executor
from tui.fanout.executors.base import AgentWorker, Executor, WorkerLost
from tui.fanout.gc_quiet import quiet_gc
from tui.fanout.hedge import Threshold
from tui.fanout.hedge_race import TailHedging
from tui.fanout.limits import RequestPacer
from tui.fanout.plan import Plan, PlanBuilder, batch_size_for
from tui.fanout.reassign import HEIR, MAX_HAND_OFFS, Reassigning
from tui.fanout.source_feed import StreamingSource
from tui.fanout.stream import EventStream
from tui.fanout.telemetry import RunTelemetry
from tui.fanout.trace import batch_of, set_context
from tui.model import Email, ResultRow
from tui.settings import Settings

__all__ = ["MAX_HAND_OFFS", "AgentRun", "Coordinator"]

MIN_TIMEOUT_S = 1.0
_END = object()


class Coordinator(EmailAttempts, Reassigning, StreamingSource, TailHedging):
    """Runs a plan and yields events. Call `retry`, `cancel`, `pause`, `resume` while it runs.

    With keep_open=True (the dashboard) the event stream stays open after the last agent ends,
    so failed agents can still be retried; `close()` ends it. Headless runs end on their own.
    """

    def __init__(
        self,
        provider: Provider,
        settings: Settings,
        *,
        keep_open: bool = False,
        run_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        seed: int | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.provider = provider
        self.settings = settings
        self.keep_open = keep_open
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.clock = clock
        self.rng = random.Random(seed if seed is not None else settings.seed)
        self.per_email_timeout = settings.timeout or max(MIN_TIMEOUT_S, 2.5 * provider.expected_latency_s)
        self.pacer = RequestPacer(settings.rpm, clock, tpm=settings.tpm,
                                  on_usage=lambda i, o: self.telemetry.add_usage(i, o))
        self._estimate = getattr(provider, "estimate_tokens", None)  # tokens a request will cost
        # Where the agents' requests run (settings.executor); the coordinator stays here either way.
        self.executor = executor or make_executor(settings, provider, self.pacer,
                                                  per_email_timeout=self.per_email_timeout,
                                                  estimate=self._estimate, clock=clock,
                                                  on_usage=lambda i, o: self.telemetry.add_usage(i, o))
        self.cluster: dict[str, object] | None = None
        self.agents: dict[str, AgentRun] = {}
        self.rows: dict[str, ResultRow] = {}
        self.plan: Plan | None = None
        self.telemetry = RunTelemetry(self.run_id, provider.name, provider.model, settings.concurrency,
                                      batch_size_for(None, settings))
        self.telemetry.price = settings.price_for(provider.model)
        # Hedging (tui.fanout.hedge): the local executor only; a Ray actor's call is not cut.
        self._hedge_spec = settings.hedge if self.executor.name == "local" else "off"
        self._threshold = Threshold(self.telemetry.ok_latency_ms, provider.expected_latency_s)
        self._flying: dict[str, AgentRun] = {}  # email id -> owner, in the order the requests went out
        self._tail = asyncio.Event()  # set (and replaced) when idle hedgers should look again
        self._hedgers_waiting = 0
        self._reading = False  # a streaming source is still being read: more emails may come
        self._between_waves = False  # ...but it ended a wave (a None) and nothing new came since: a watch's tail
        self.abort_reason: str | None = None
        self._events: EventStream[object] = EventStream()
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._unpaused = asyncio.Event()
        self._unpaused.set()
        self._idle = asyncio.Event()
        self._waiting = 0
        self._active = 0
        self._closing = False
        # True until a round is reported: a plan with nothing to classify (all duplicates,
        # unreadable, or already done on --resume) still ends with RunDone.
        self._unreported = True
        self._source: AsyncIterable[Email | None] | None = None
        self._expected: int | None = None
        self.source_error: str | None = None
        self._tg: asyncio.TaskGroup | None = None

    # ----------------------------------------------------------------- operator controls
    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    def pause(self) -> None:
        if not self.paused:
            self._unpaused.clear()
            self._emit(Paused(True))

    def resume(self) -> None:
        if self.paused:
            self._unpaused.set()
            self._emit(Paused(False))

    def retryable(self) -> list[str]:
        return [a.agent_id for a in self.agents.values() if self._unfinished_of(a)]

    def retry(self, agent_id: str) -> bool:
        """Run a finished agent again on its emails that did not end ok. False if nothing to do."""
        agent = self.agents.get(agent_id)
        if agent is None or self._tg is None or self.abort_reason or self._closing:
            return False
        todo = self._unfinished_of(agent)
        if not todo:
            return False
        agent.queue = deque(todo)
        agent.state = "queued"
        agent.last_error = ""
        agent.ok = agent.failed = 0
        self._emit(AgentQueued(agent_id, list(todo)))
        self._spawn(agent)
        return True

    def retry_failed(self) -> list[str]:
        return [a for a in self.retryable() if self.retry(a)]

    def cancel(self, agent_id: str, reason: str = "cancelled by operator") -> bool:
        agent = self.agents.get(agent_id)
        if agent is None or agent.task is None or agent.task.done():
            return False
        agent.cancel_reason = reason
        agent.task.cancel()
        return True

    def close(self) -> None:
        """End the run: cancel whatever still runs and finish the event stream."""
        self._closing = True
        for agent in self.agents.values():
            if agent.task is not None and not agent.task.done():
                agent.cancel_reason = agent.cancel_reason or "run closed"
                agent.task.cancel()
        self._idle.set()

    # ----------------------------------------------------------------- the run
    async def run(self, plan: Plan) -> AsyncIterator[Event]:
        """Yield events as they happen, ending after RunDone (or after close() when keep_open)."""
        self.plan = plan
        supervisor = asyncio.create_task(self._supervise(plan), name=f"coordinator-{self.run_id}")
        try:
            while True:
                event = await self._events.get()
                if event is _END:
                    break
                yield event  # type: ignore[misc]
        finally:
            if not supervisor.done():
                self.close()
                supervisor.cancel()
            try:
                await supervisor
            except asyncio.CancelledError:
                pass

    async def run_stream(self, emails: AsyncIterable[Email | None], *,
                         expected: int | None = None) -> AsyncIterator[Event]:
        """Like run(), but batches form while the source is still being read: the first agents
        start on the first emails fetched instead of waiting for the whole mailbox. A None from
        the source ends a wave: the emails read since the last batch launch at once."""
        self._source = emails
        self._expected = expected
        async for event in self.run(Plan(emails={}, batches=[])):
            yield event

    async def _supervise(self, plan: Plan) -> None:
        with quiet_gc():
            await self._supervise_run(plan)

    async def _supervise_run(self, plan: Plan) -> None:
        set_context(run_id=self.run_id)  # inherited by every agent task: log lines carry it
        try:
            self.cluster = await self.executor.start(min(self.settings.concurrency, len(plan.batches) or
                                                         self.settings.concurrency))
            if plan.batches:
                self.telemetry.batch_size = max(len(b.email_ids) for b in plan.batches)
            for batch in plan.batches:
                ids = list(batch.email_ids)
                self.agents[batch.agent_id] = AgentRun(batch.agent_id, deque(ids), list(ids))
                self.telemetry.agent(batch.agent_id).emails = len(ids)
            self._emit(
                RunStarted(
                    run_id=self.run_id,
                    total=(self._expected or 0) if self._source is not None else plan.total,
                    agents={a.agent_id: list(a.held) for a in self.agents.values()},
                    concurrency=self.settings.concurrency,
                    per_email_timeout_s=self.per_email_timeout,
                    subjects={e.id: e.subject for e in plan.emails.values()},
                    cluster=self.cluster,
                )
            )
            self.telemetry.started = self.clock()
            for email_id in plan.unreadable:
                email = plan.emails[email_id]
                self._emit_row(None, ResultRow.failure(email, "failed", f"unreadable: {email.parse_error}"))
            self._idle.set()
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                for agent in self.agents.values():
                    self._spawn(agent)
                if self._source is not None:
                    self._active += 1
                    self._unreported = True
                    self._idle.clear()
                    self._reading = True
                    tg.create_task(self._feed(self._source, PlanBuilder(plan)), name="source-reader")
                while True:
                    await self._idle.wait()
                    if self._active == 0 and self._unreported:
                        self._unreported = False
                        self._finish_round()
                    if self._active == 0 and (self._closing or not self.keep_open or self.abort_reason):
                        break
                    self._idle.clear()
        finally:
            self._tg = None
            try:
                await self.executor.close()
            finally:
                self._events.put(_END)

    def _finish_round(self) -> None:
        self.telemetry.ended = self.clock()
        not_done = sorted(
            eid for eid, row in self.rows.items() if row.status in ("failed", "timeout") and row.attempts == 0
        )
        if self.abort_reason:
            self._emit(RunAborted(self.abort_reason, not_done))
        self._emit(RunDone(self.telemetry.report(self.rows, not_done)))

    def _spawn(self, agent: AgentRun) -> None:
        assert self._tg is not None
        self._active += 1
        self._unreported = True
        self._idle.clear()
        agent.cancel_reason = None
        agent.task = self._tg.create_task(self._agent_main(agent), name=f"agent-{agent.agent_id}")

    # ----------------------------------------------------------------- one sub-agent
    async def _agent_main(self, agent: AgentRun) -> None:
        loop = asyncio.get_running_loop()
        started = self.clock()
        try:
            await self._acquire_slot()
            self.telemetry.slot_taken()
        except asyncio.CancelledError:
            self._give_up_rest(agent, "failed", self._stop_reason(agent, "cancelled before it started"))
            self._finished(agent, "cancelled", started)
            return
        state = "done"
        worker: AgentWorker | None = None
        orphans: list[str] = []
        try:
            if self.abort_reason:
                raise asyncio.CancelledError
            agent.state = "running"
            agent.attempt += 1
            set_context(agent_id=agent.agent_id, batch=batch_of(agent.agent_id, agent.attempt), email_id="")
            agent.started_at = self.clock()
            budget = self._agent_budget(len(agent.queue))
            self._emit(AgentStarted(agent.agent_id, agent.attempt, list(agent.queue), budget))
            worker = self.executor.open(agent.agent_id)
            async with asyncio.timeout(loop.time() + budget) as deadline:
                agent.deadline = deadline
                while agent.queue and not self.abort_reason:
                    email_id = agent.queue.popleft()
                    agent.current = email_id
                    row = await self._classify(agent, worker, email_id)
                    agent.current = None
                    self._emit_row(agent, row)
                    if not agent.queue:
                        self._rebalance_into(agent)
            await self._hedge_tail(agent, worker)
            if self.abort_reason:
                self._give_up_rest(agent, "failed", f"not done: {self.abort_reason}")
                state = "cancelled"
            elif agent.failed:
                state = "failed"
        except TimeoutError:
            elapsed = self.clock() - (agent.started_at or started)
            why = f"agent timed out after {elapsed:.1f}s"
            agent.last_error = why
            self._give_up_rest(agent, "timeout", why)
            state = "timeout"
        except asyncio.CancelledError:
            self._give_up_rest(agent, "failed", self._stop_reason(agent, "cancelled"))
            state = "cancelled"
        except WorkerLost as exc:
            agent.last_error = f"worker lost: {exc}"
            state = "failed"
            if self.abort_reason or self._closing or agent.agent_id.count(HEIR) >= MAX_HAND_OFFS:
                self._give_up_rest(agent, "failed", agent.last_error)  # workers keep dying: say so
            else:
                orphans = ([agent.current] if agent.current else []) + list(agent.queue)
                agent.queue.clear()
                agent.current = None
        finally:
            agent.deadline = None
            if worker is not None:
                worker.release()
            self._slots.release()
            self.telemetry.slot_freed()
        if orphans:
            self._hand_off(agent, orphans)
        self._finished(agent, state, started)

    def _stop_reason(self, agent: AgentRun, default: str) -> str:
        reason = agent.cancel_reason or (f"not done: {self.abort_reason}" if self.abort_reason else default)
        agent.last_error = reason
        return reason

    def _finished(self, agent: AgentRun, state: str, started: float) -> None:
        agent.state = state
        agent.current = None
        tel = self.telemetry.agent(agent.agent_id)
        tel.wall_s += self.clock() - started
        self._emit(AgentFinished(agent.agent_id, state, agent.ok, agent.failed, agent.last_error))
        self._active -= 1
        if self._active == 0:
            self._idle.set()

    async def _acquire_slot(self) -> None:
        """Wait for a concurrency slot, honouring pause (which only holds back new launches)."""
        self._waiting += 1
        self._kick_tail()  # an idle hedger gives its slot up to an agent with work
        try:
            while True:
                await self._unpaused.wait()
                await self._slots.acquire()
                if self._unpaused.is_set():
                    return
                self._slots.release()
        finally:
            self._waiting -= 1

    def _agent_budget(self, emails: int) -> float:
        if self.settings.agent_timeout:
            return self.settings.agent_timeout
        return max(MIN_TIMEOUT_S, emails * self.per_email_timeout)

    def _extend(self, agent: AgentRun, seconds: float) -> None:
        """Time spent waiting on the rate limit or backoff is not the agent's fault."""
        if agent.deadline is not None and seconds > 0:
            when = agent.deadline.when()
            if when is not None:
                agent.deadline.reschedule(when + seconds)

    def _give_up_rest(self, agent: AgentRun, status: str, error: str) -> None:
        """Write a final row for the email in hand and every one still queued: none is dropped."""
        pending = ([agent.current] if agent.current else []) + list(agent.queue)
        agent.queue.clear()
        agent.current = None
        for email_id in pending:
            self._emit_row(agent, self._failure(agent, email_id, status, error, 0, self.clock()))

    def _abort(self, reason: str) -> None:
        """Stop everything: a fatal provider error or --fail-fast. Every agent writes its rows."""
        if self.abort_reason:
            return
        self.abort_reason = reason
        current = asyncio.current_task()
        for agent in self.agents.values():
            if agent.task is not None and agent.task is not current and not agent.task.done():
                agent.task.cancel()

    # ----------------------------------------------------------------- output
    def _trace(self, agent: AgentRun, email_id: str) -> str:
        return f"{self.run_id}/{agent.agent_id}.{agent.attempt}/{email_id}"

    def _emit(self, event: Event) -> None:
        self._events.put(event)

    def _emit_row(self, agent: AgentRun | None, row: ResultRow) -> None:
        assert self.plan is not None
        agent_id = agent.agent_id if agent else ""
        if agent is not None:
            tel = self.telemetry.agent(agent.agent_id)
            if row.status == "ok":
                agent.ok += 1
                tel.ok += 1
            else:
                agent.failed += 1
                tel.failed += 1
                agent.last_error = row.error or row.status
        conflict = self.plan.conflict(row.email_id)
        if conflict is not None:  # two emails, one Message-ID: both triaged, the operator told
            row = row.model_copy(update={"conflict": conflict})
        self.rows[row.email_id] = row
        if self._hedgers_waiting:  # the threshold may have fallen, or what they watched ended
            self._kick_tail()
        self._emit(EmailDone(agent_id, row))
        for dup_id in self.plan.copies.get(row.email_id, ()):
            self._emit_copy(row, dup_id)

    def _emit_copy(self, row: ResultRow, dup_id: str) -> None:
        """A duplicate gets its original's verdict, marked as a duplicate."""
        assert self.plan is not None
        dup = self.plan.emails[dup_id]
        copy = row.model_copy(
            update={
                "email_id": dup.id,
                "message_id": dup.message_id,
                "status": "duplicate",
                "error": f"duplicate of {row.email_id}" + (f" ({row.error})" if row.error else ""),
            }
        )
        self.rows[dup.id] = copy
        self._emit(EmailDone(row.agent_id, copy))

    def _unfinished_of(self, agent: AgentRun) -> list[str]:
        if agent.state not in ("failed", "timeout", "cancelled"):
            return []
        return [e for e in agent.held if self.rows.get(e) is not None and self.rows[e].status in ("failed", "timeout")]
