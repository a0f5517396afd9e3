"""One email's attempts inside a sub-agent: send, retry a failure with back-off, wait out a 429
(not an attempt), give up, and take a winning hedge's answer as the row; then the row itself.

A mixin of `Coordinator` (tui/fanout/run.py), whose state it reads and changes: the names
below are declared for the type checker, the coordinator sets them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from tui.fanout.agent_run import AgentRun
from tui.fanout.events import EmailRetrying, EmailStarted, Event, RateLimited
from tui.fanout.executors.base import AgentWorker, AttemptOk
from tui.fanout.limits import backoff_delay
from tui.fanout.merge import apply_review_policy
from tui.fanout.plan import Plan
from tui.fanout.telemetry import RunTelemetry
from tui.fanout.trace import set_context
from tui.model import Email, ResultRow
from tui.settings import Settings

MAX_RATE_LIMITED = 12  # 429s per email before we give up on it; they are not attempts


class EmailAttempts:
    """Classifying one email with retries, as methods of the coordinator."""

    settings: Settings
    plan: Plan | None
    telemetry: RunTelemetry
    clock: Callable[[], float]
    rng: random.Random
    _flying: dict[str, AgentRun]
    _emit: Callable[[Event], None]
    _extend: Callable[[AgentRun, float], None]
    _abort: Callable[[str], None]
    _trace: Callable[[AgentRun, str], str]
    _let_copy_answer: Callable[[AgentRun], Awaitable[None]]
    _end_race: Callable[[AgentRun], None]
    _cut_tokens: Callable[[Email], None]

    async def _classify(self, agent: AgentRun, worker: AgentWorker, email_id: str) -> ResultRow:
        """One email, with retries. Returns its final row; never raises except cancellation.

        A hedge that wins cancels this task (see `_send_hedge`): the row is then the copy's answer.
        """
        assert self.plan is not None
        email = self.plan.emails[email_id]
        set_context(email_id=email_id)
        tel = self.telemetry.agent(agent.agent_id)
        attempts = 0
        limited = 0
        status = "failed"
        error = ""
        begun = self.clock()

        def started(waited_s: float) -> None:  # the request goes out
            nonlocal attempts
            self._extend(agent, waited_s)
            attempts += 1
            agent.sent_at = self.clock()
            self._flying[email_id] = agent
            self._emit(EmailStarted(agent.agent_id, email_id, attempts))

        try:
            while True:
                outcome = await worker.attempt(email, started)
                self._flying.pop(email_id, None)
                agent.sent_at = None
                self.telemetry.request(agent.agent_id, outcome.took_s, email_id)
                if isinstance(outcome, AttemptOk):
                    self.telemetry.ok_latency_ms.append(outcome.took_s * 1000)
                    return self._ok_row(agent, email, outcome, attempts)
                if outcome.kind == "rate_limited":
                    attempts -= 1
                    limited += 1
                    tel.rate_limited += 1
                    wait = outcome.retry_after_s if outcome.retry_after_s is not None else backoff_delay(limited, self.rng)
                    worker.hold_off(wait)
                    self._emit(RateLimited(agent.agent_id, email_id, wait))
                    if limited > MAX_RATE_LIMITED:
                        status, error = "failed", f"rate limited {limited} times: {outcome.error}"
                        break
                    continue
                if outcome.kind == "fatal":
                    self._abort(outcome.error)
                    return self._failure(agent, email_id, "failed", outcome.error, attempts, begun)
                status = "timeout" if outcome.kind == "timeout" else "failed"
                error = outcome.error
                if not outcome.retryable:  # a refusal, or a 400 about this one email: no retry helps
                    break
                if attempts > self.settings.retries:
                    break
                await self._let_copy_answer(agent)  # a copy in flight is this attempt's retry
                delay = backoff_delay(attempts, self.rng)
                tel.retries += 1
                self._emit(EmailRetrying(agent.agent_id, email_id, attempts + 1, error, delay))
                await asyncio.sleep(delay)
                self._extend(agent, delay)
            await self._let_copy_answer(agent)  # before the email is given up
        except asyncio.CancelledError:
            hedge = agent.hedge
            task = asyncio.current_task()
            if hedge is None or hedge.won is None or task is None or task.uncancel() > 0:
                raise
            if agent.sent_at is not None:  # our request was cut: its time so far is still a request's
                self.telemetry.request(agent.agent_id, self.clock() - agent.sent_at)
            self._cut_tokens(email)
            return self._ok_row(agent, email, hedge.won, attempts, begun)  # the copy is not an attempt
        finally:
            self._flying.pop(email_id, None)
            agent.sent_at = None
            if agent.hedge is not None:
                self._end_race(agent)
        row = self._failure(agent, email_id, status, error, attempts, begun)
        if self.settings.fail_fast:
            self._abort(f"--fail-fast: {email_id} {status}: {error}")
        return row

    def _ok_row(self, agent: AgentRun, email: Email, ok: AttemptOk, attempts: int,
                begun: float | None = None) -> ResultRow:
        """The row for an answer; `begun` when it came from a hedge (latency: since the first send)."""
        latency = ok.took_s if begun is None else self.clock() - begun
        row = ResultRow.from_verdict(email, ok.verdict, agent_id=agent.agent_id, attempts=attempts,
                                     latency_ms=round(latency * 1000), trace_id=self._trace(agent, email.id))
        return apply_review_policy(row, self.settings.review_below)

    def _failure(
        self, agent: AgentRun, email_id: str, status: str, error: str, attempts: int, begun: float
    ) -> ResultRow:
        assert self.plan is not None
        return ResultRow.failure(
            self.plan.emails[email_id],
            status,  # type: ignore[arg-type]
            error,
            agent_id=agent.agent_id,
            attempts=attempts,
            latency_ms=round((self.clock() - begun) * 1000),
            trace_id=self._trace(agent, email_id),
        )
