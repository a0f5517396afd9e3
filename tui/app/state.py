"""The dashboard's run state: coordinator events folded into plain data, no Textual.

The event worker calls `RunState.apply` for every event (cheap, no widgets); the screen's
timer reads what changed (`take_rows`, `take_notes`, `cards`) a few times a second. Keeping
this pure makes replays deterministic and lets tests check it without a terminal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.fanout.events import (
    AgentFinished,
    AgentQueued,
    AgentStarted,
    EmailDone,
    EmailRetrying,
    EmailStarted,
    Event,
    Paused,
    RateLimited,
    Reassigned,
    RunAborted,
    RunDone,
    RunStarted,
)
from tui.fanout.merge import Inbox
from tui.model import ResultRow, RunReport

BAD = ("failed", "timeout")
FINISHED = ("done", "failed", "timeout", "cancelled")
STATE_WORDS = {
    "queued": "QUEUED",
    "running": "RUNNING",
    "done": "DONE",
    "failed": "FAILED",
    "timeout": "TIMEOUT",
    "cancelled": "CANCELLED",
}
STATE_ICONS = {"queued": "◌", "running": "▶", "done": "✔", "failed": "✖", "timeout": "⏱", "cancelled": "⊘"}


@dataclass(slots=True)
class Span:
    """One email's time on one agent: drawn as a bar on the report's timeline."""

    email_id: str
    start: float
    end: float | None = None
    status: str = "running"
    attempts: int = 1
    moved_in: bool = False  # handed over by rebalancing
    round: int = 1  # the agent's launch number (2+ = operator retry)


@dataclass(slots=True)
class Move:
    at: float
    from_agent: str
    to_agent: str
    email_ids: list[str]


@dataclass(slots=True)
class AgentView:
    """What the app knows about one sub-agent, from events only."""

    agent_id: str
    emails: list[str]
    state: str = "queued"
    launches: int = 0
    timeout_s: float = 0.0
    started_at: float | None = None
    ended_at: float | None = None
    current: str | None = None
    current_attempt: int = 0
    results: dict[str, str] = field(default_factory=dict)  # email id -> status from this agent
    retries: int = 0
    rate_limited: int = 0
    last_error: str = ""
    moved_in: set[str] = field(default_factory=set)
    spans: list[Span] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for e in self.emails if e in self.results)

    @property
    def failed(self) -> int:
        return sum(1 for e in self.emails if self.results.get(e) in BAD)

    @property
    def retryable(self) -> bool:
        return self.state in ("failed", "timeout", "cancelled") and self.failed > 0

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def elapsed(self, now: float) -> float:
        if self.started_at is None:
            return 0.0
        return max(0.0, (self.ended_at if self.ended_at is not None else now) - self.started_at)


@dataclass(frozen=True, slots=True)
class AgentCard:
    """Exactly what one agent panel or tile shows; equal cards mean nothing to repaint."""

    agent_id: str
    state: str
    done: int
    total: int
    failed: int
    elapsed_s: float
    timeout_s: float
    launches: int
    retries: int
    rate_limited: int
    subject: str
    error: str

    @property
    def word(self) -> str:
        return STATE_WORDS.get(self.state, self.state.upper())

    @property
    def icon(self) -> str:
        return STATE_ICONS.get(self.state, "?")


@dataclass(frozen=True, slots=True)
class HeaderInfo:
    """The run header's numbers, computed once per tick."""

    queued: int
    running: int
    done: int
    failed: int
    cancelled: int
    emails_done: int
    emails_total: int
    emails_failed: int
    rate: float
    eta_s: float | None
    budget_left: float | None
    rate_limited: int
    elapsed_s: float
    paused: bool
    finished: bool
    aborted: str | None


@dataclass(frozen=True, slots=True)
class Note:
    severity: str  # information | warning | error
    text: str


@dataclass(slots=True)
class RunState:
    """Everything the dashboard draws, updated per event; read and drained by the timer."""

    clock: Callable[[], float]
    run_id: str = ""
    total: int = 0
    concurrency: int = 0
    per_email_timeout: float = 0.0
    started_at: float | None = None
    ended_at: float | None = None
    agents: dict[str, AgentView] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)
    inbox: Inbox = field(default_factory=Inbox)
    moves: list[Move] = field(default_factory=list)
    paused: bool = False
    finished: bool = False
    aborted: str | None = None
    report: RunReport | None = None
    rounds: int = 0
    processed: int = 0  # EmailDone events, retries included: the throughput numerator
    rate_limited: int = 0
    events: int = 0
    _pending: dict[str, ResultRow] = field(default_factory=dict)
    _notes: list[Note] = field(default_factory=list)
    _changed: set[str] = field(default_factory=set)
    _cards: dict[str, AgentCard] = field(default_factory=dict)
    _open: set[str] = field(default_factory=set)  # emails an agent holds with no final row yet
    _bad: set[str] = field(default_factory=set)  # emails whose current row is failed or timeout

    # ------------------------------------------------------------------ folding events
    def apply(self, event: Event) -> None:
        """Fold one event in. Never raises for an unknown agent: events are facts, not requests."""
        now = self.clock()
        self.events += 1
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event, now)

    def _run_started(self, e: RunStarted, now: float) -> None:
        self.run_id, self.total, self.concurrency = e.run_id, e.total, e.concurrency
        self.per_email_timeout = e.per_email_timeout_s
        self.started_at = now
        self.subjects = dict(e.subjects)
        self.agents = {aid: AgentView(aid, list(ids)) for aid, ids in e.agents.items()}
        self._open = {eid for ids in e.agents.values() for eid in ids}
        self._cards = {}
        self._changed.update(self.agents)

    def _agent(self, agent_id: str) -> AgentView | None:
        agent = self.agents.get(agent_id)
        if agent is not None:
            self._changed.add(agent_id)
        return agent

    def _agent_queued(self, e: AgentQueued, now: float) -> None:
        if (agent := self._agent(e.agent_id)) is None:
            return
        agent.state = "queued"
        agent.last_error = ""
        agent.ended_at = None
        for email_id in e.email_ids:
            agent.results.pop(email_id, None)
        self._open.update(e.email_ids)
        self.finished = False

    def _agent_started(self, e: AgentStarted, now: float) -> None:
        if (agent := self._agent(e.agent_id)) is None:
            return
        agent.state = "running"
        agent.launches = e.attempt
        agent.timeout_s = e.timeout_s
        agent.started_at = now
        agent.ended_at = None

    def _email_started(self, e: EmailStarted, now: float) -> None:
        if (agent := self._agent(e.agent_id)) is None:
            return
        agent.current, agent.current_attempt = e.email_id, e.attempt
        open_span = agent.spans[-1] if agent.spans and agent.spans[-1].end is None else None
        if open_span is not None and open_span.email_id == e.email_id:
            open_span.attempts = e.attempt
        else:
            agent.spans.append(
                Span(e.email_id, now, attempts=e.attempt, moved_in=e.email_id in agent.moved_in, round=agent.launches)
            )

    def _email_done(self, e: EmailDone, now: float) -> None:
        row = e.row
        self.processed += 1
        kept = self.inbox.add(row)
        self._pending[kept.email_id] = kept
        self._open.discard(row.email_id)
        if kept.status in BAD:
            self._bad.add(kept.email_id)
        else:
            self._bad.discard(kept.email_id)
        agent = self._agent(e.agent_id) if e.agent_id else None
        if agent is None or row.email_id not in agent.emails:
            return  # an unreadable email (no agent) or a duplicate's copy
        agent.results[row.email_id] = row.status
        if row.status in BAD:
            agent.last_error = row.error or row.status
        if agent.current == row.email_id:
            agent.current = None
        span = next((s for s in reversed(agent.spans) if s.email_id == row.email_id and s.end is None), None)
        if span is None:  # given up before it started (cancel, agent timeout): a zero-length mark
            span = Span(row.email_id, now, attempts=0, moved_in=row.email_id in agent.moved_in, round=agent.launches)
            agent.spans.append(span)
        span.end, span.status = now, row.status

    def _email_retrying(self, e: EmailRetrying, now: float) -> None:
        if (agent := self._agent(e.agent_id)) is not None:
            agent.retries += 1
            agent.last_error = f"retrying: {e.error}"

    def _rate_limited(self, e: RateLimited, now: float) -> None:
        self.rate_limited += 1
        if (agent := self._agent(e.agent_id)) is not None:
            agent.rate_limited += 1

    def _reassigned(self, e: Reassigned, now: float) -> None:
        moved = set(e.email_ids)
        if (src := self._agent(e.from_agent)) is not None:
            src.emails = [x for x in src.emails if x not in moved]
        if (dst := self._agent(e.to_agent)) is not None:
            dst.emails.extend(e.email_ids)
            dst.moved_in |= moved
        self.moves.append(Move(now, e.from_agent, e.to_agent, list(e.email_ids)))

    def _agent_finished(self, e: AgentFinished, now: float) -> None:
        if (agent := self._agent(e.agent_id)) is None:
            return
        agent.state, agent.ended_at, agent.current = e.state, now, None
        if e.error:
            agent.last_error = e.error
        for span in agent.spans:
            if span.end is None:
                span.end, span.status = now, "failed"
        if e.state in BAD:
            self._notes.append(Note("error", f"{e.agent_id} {e.state}: {agent.last_error or 'no reason given'}"))
        elif e.state == "cancelled":
            self._notes.append(Note("warning", f"{e.agent_id} cancelled: {agent.last_error}"))

    def _paused(self, e: Paused, now: float) -> None:
        self.paused = e.paused
        self._changed.update(a.agent_id for a in self.agents.values() if a.state == "queued")

    def _run_aborted(self, e: RunAborted, now: float) -> None:
        self.aborted = e.reason
        self._notes.append(Note("error", f"run stopped: {e.reason} ({len(e.not_done)} emails not done)"))

    def _run_done(self, e: RunDone, now: float) -> None:
        self.report, self.ended_at, self.finished = e.report, now, True
        self.rounds += 1
        r = e.report
        bad = r.failed + r.timeout
        tail = f"; {bad} need a retry (R)" if bad else ""
        self._notes.append(Note("warning" if bad else "information",
                                f"run finished: {r.ok} ok, {bad} failed in {r.wall_s:.1f}s{tail}; press t for the run report"))

    # ------------------------------------------------------------------ reading
    def take_rows(self) -> list[ResultRow]:
        rows, self._pending = list(self._pending.values()), {}
        return rows

    def take_notes(self) -> list[Note]:
        notes, self._notes = self._notes, []
        return notes

    def take_changed(self) -> set[str]:
        changed, self._changed = self._changed, set()
        return changed

    @property
    def busy(self) -> bool:
        """Work would be lost by quitting now."""
        return any(a.active for a in self.agents.values())

    def retryable(self) -> list[str]:
        return [a.agent_id for a in self.agents.values() if a.retryable]

    def card(self, agent: AgentView, now: float) -> AgentCard:
        if agent.state == "running" and agent.current:
            line = self.subjects.get(agent.current, agent.current)
        elif agent.state in ("failed", "timeout", "cancelled"):
            line = agent.last_error
        elif agent.state == "running":
            line = agent.last_error or "between emails"
        elif agent.state == "done":
            line = "all done"
        else:
            line = "waiting for a slot" if not self.paused else "held: launching paused"
        return AgentCard(
            agent_id=agent.agent_id,
            state=agent.state,
            done=agent.done,
            total=len(agent.emails),
            failed=agent.failed,
            elapsed_s=round(agent.elapsed(now), 1),
            timeout_s=agent.timeout_s,
            launches=agent.launches,
            retries=agent.retries,
            rate_limited=agent.rate_limited,
            subject=line,
            error=agent.last_error if agent.state != "done" else "",
        )

    def cards(self) -> list[AgentCard]:
        """Every agent's card, in plan order; only changed or running agents are recomputed."""
        now = self.clock()
        dirty = self.take_changed()
        cache = self._cards
        for agent_id, agent in self.agents.items():
            if agent_id in dirty or agent.state == "running" or agent_id not in cache:
                cache[agent_id] = self.card(agent, now)
        return list(cache.values())

    def header(self, budget_left: float | None = None) -> HeaderInfo:
        now = self.clock()
        states = Counter(a.state for a in self.agents.values())
        elapsed = 0.0
        if self.started_at is not None:
            elapsed = max(0.0, (self.ended_at if self.finished and self.ended_at else now) - self.started_at)
        remaining = len(self._open)
        rate = self.processed / elapsed if elapsed > 0 else 0.0
        eta = remaining / rate if rate > 0 and remaining else (0.0 if self.finished else None)
        return HeaderInfo(
            queued=states["queued"],
            running=states["running"],
            done=states["done"],
            failed=states["failed"] + states["timeout"],
            cancelled=states["cancelled"],
            emails_done=self.total - remaining if self.total else 0,
            emails_total=self.total,
            emails_failed=len(self._bad),
            rate=rate,
            eta_s=eta,
            budget_left=budget_left,
            rate_limited=self.rate_limited,
            elapsed_s=elapsed,
            paused=self.paused,
            finished=self.finished and not self.busy,
            aborted=self.aborted,
        )

    def fixed_by_retry(self) -> int:
        """Emails that failed on some launch and are ok now: what operator retries recovered."""
        failed_once = {s.email_id for a in self.agents.values() for s in a.spans if s.status in BAD}
        return sum(1 for e in failed_once if (row := self.inbox.rows.get(e)) is not None and row.status == "ok")

    def failures_by_reason(self) -> list[tuple[str, int]]:
        """Failed/timed-out rows grouped by error text, most common first."""
        reasons = Counter((r.error or r.status) for r in self.inbox.rows.values() if r.status in BAD)
        return reasons.most_common()


_HANDLERS: dict[type, Callable[[RunState, object, float], None]] = {
    RunStarted: RunState._run_started,
    AgentQueued: RunState._agent_queued,
    AgentStarted: RunState._agent_started,
    EmailStarted: RunState._email_started,
    EmailDone: RunState._email_done,
    EmailRetrying: RunState._email_retrying,
    RateLimited: RunState._rate_limited,
    Reassigned: RunState._reassigned,
    AgentFinished: RunState._agent_finished,
    Paused: RunState._paused,
    RunAborted: RunState._run_aborted,
    RunDone: RunState._run_done,
}  # type: ignore[dict-item]
