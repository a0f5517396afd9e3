"""The dashboard's run state: coordinator events folded into plain data, no Textual.

The event worker calls `RunState.apply` for every event (cheap, no widgets); the screen's
timer reads what changed (`take_rows`, `take_notes`, `cards`) a few times a second. Keeping
this pure makes replays deterministic and lets tests check it without a terminal. The view
models it folds into live in `agent_views` (per agent) and `mail_action_views` (per email's actions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from tui.app.agent_views import BAD, AgentCard, AgentView, Move, Span
from tui.app.triage.mail_action_views import ActionCounts, MailActions
from tui.fanout.events import (
    AgentFinished,
    AgentQueued,
    AgentStarted,
    EmailDone,
    EmailRetrying,
    EmailStarted,
    Event,
    HedgeEnded,
    HedgeSent,
    Paused,
    RateLimited,
    Reassigned,
    RunAborted,
    RunDone,
    RunStarted,
    SourceFailed,
)
from tui.fanout.merge import Inbox
from tui.mail.action_desk import ActionsDone, ActionsPlanned, ActionsQueued
from tui.mail.actions import ActionOutcome
from tui.model import ResultRow, RunReport


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
    source_error: str | None = None  # the mailbox stopped answering mid-read
    actions: ActionCounts | None = None  # IMAP runs: what the plan and the operator did
    preview: str | None = None  # file sources: tokens, cost and time estimated before the run
    cluster: str | None = None  # --executor ray: "ray: 2 nodes, 16 workers"
    pace: str | None = None  # a finished run against a model: wall time over the limit at the cap
    review_left: int | None = None  # rows that still need a human (None: this run cannot be corrected)


@dataclass(frozen=True, slots=True)
class Note:
    severity: str  # information | warning | error
    text: str
    agent: str | None = None  # an agent that failed or timed out: such notes collapse into one toast


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
    streaming: bool = False  # batches form while the source is read (IMAP): agents arrive late
    source_error: str | None = None
    source_read: int = 0
    cluster: str | None = None  # where the agents run, when not in this process (RunStarted.cluster)
    actions: dict[str, MailActions] = field(default_factory=dict)  # IMAP runs: email id -> its actions
    imap_actions: bool = False  # this run plans mail actions (set by the screen from its session)
    auto_apply: bool = False
    _seen: set[str] = field(default_factory=set)  # streaming: emails known from an agent or a row
    _action_changes: set[str] = field(default_factory=set)
    _counts: ActionCounts | None = None
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
        self.streaming = not e.agents and e.total > 0
        if e.cluster:
            nodes = e.cluster.get("nodes", 0)
            self.cluster = f"ray: {nodes} node{'' if nodes == 1 else 's'}, {e.cluster.get('workers', 0)} workers"
        self._seen = set(self._open)
        self._cards = {}
        self._changed.update(self.agents)

    def _agent(self, agent_id: str) -> AgentView | None:
        agent = self.agents.get(agent_id)
        if agent is not None:
            self._changed.add(agent_id)
        return agent

    def _agent_queued(self, e: AgentQueued, now: float) -> None:
        if e.agent_id not in self.agents:  # a batch formed while the source is still read
            self.agents[e.agent_id] = AgentView(e.agent_id, list(e.email_ids))
            self.subjects.update(e.subjects)
        agent = self._agent(e.agent_id)
        assert agent is not None
        self._seen.update(e.email_ids)
        agent.state = "queued"
        agent.last_error = ""
        agent.ended_at = None
        for email_id in e.email_ids:
            agent.results.pop(email_id, None)
            agent.touch()
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
        self._seen.add(row.email_id)
        if kept.status in BAD:
            self._bad.add(kept.email_id)
        else:
            self._bad.discard(kept.email_id)
        agent = self._agent(e.agent_id) if e.agent_id else None
        if agent is None or row.email_id not in agent.emails:
            return  # an unreadable email (no agent) or a duplicate's copy
        agent.results[row.email_id] = row.status
        agent.touch()
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

    def _hedge_sent(self, e: HedgeSent, now: float) -> None:
        if (agent := self._agent(e.agent_id)) is not None:
            agent.hedges_sent += 1
            agent.hedging = e.email_id
            agent.touch()

    def _hedge_ended(self, e: HedgeEnded, now: float) -> None:
        if (agent := self._agent(e.agent_id)) is not None:
            agent.hedges_won += e.won
            agent.hedging = None
            agent.touch()

    def _reassigned(self, e: Reassigned, now: float) -> None:
        moved = set(e.email_ids)
        if (src := self._agent(e.from_agent)) is not None:
            src.emails = [x for x in src.emails if x not in moved]
            src.touch()
        if (dst := self._agent(e.to_agent)) is not None:
            dst.emails.extend(e.email_ids)
            dst.touch()
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
            self._notes.append(Note("error", f"{e.agent_id} {e.state}: {agent.last_error or 'no reason given'}",
                                    agent=e.agent_id))
        elif e.state == "cancelled":
            self._notes.append(Note("warning", f"{e.agent_id} cancelled: {agent.last_error}"))

    def _paused(self, e: Paused, now: float) -> None:
        self.paused = e.paused
        self._changed.update(a.agent_id for a in self.agents.values() if a.state == "queued")

    def _source_failed(self, e: SourceFailed, now: float) -> None:
        self.source_error, self.source_read = e.reason, e.read
        self._notes.append(Note("error", f"reading the mailbox stopped after {e.read} of {self.total} emails: "
                                         f"{e.reason}. Emails read are still triaged; the rest stay unread, "
                                         "run again later to finish."))

    # ------------------------------------------------------------------ actions (IMAP runs)
    def _actions_planned(self, e: ActionsPlanned, now: float) -> None:
        old = self.actions.get(e.email_id)
        view = MailActions(e.email_id, e.actions, e.override)
        if old is not None:  # planned again after a retry: keep what was already done
            view.outcomes, view.applying = old.outcomes, old.applying
        self.actions[e.email_id] = view
        self._action_changed(e.email_id)

    def _actions_queued(self, e: ActionsQueued, now: float) -> None:
        for email_id in e.email_ids:
            if (view := self.actions.get(email_id)) is not None:
                view.applying = True
                self._action_changed(email_id)

    def _actions_done(self, e: ActionsDone, now: float) -> None:
        emails: dict[str, list[ActionOutcome]] = {}
        for outcome in e.outcomes:
            emails.setdefault(outcome.action.email_id, []).append(outcome)
        for email_id, outcomes in emails.items():
            if (view := self.actions.get(email_id)) is not None:
                view.applying = False
                view.outcomes.update((o.action.key, o) for o in outcomes)
                self._action_changed(email_id)
        counts = Counter(o.status for o in e.outcomes)
        failed = [o for o in e.outcomes if o.status == "failed"]
        if failed:
            self._notes.append(Note("error", f"{len(failed)} actions failed ({failed[0].action.email_id}: "
                                             f"{failed[0].note}); those emails stay where they are"))
        if e.by_operator:
            parts = [f"{counts[s]} {word}" for s, word in (("applied", "applied"), ("already", "already done earlier"),
                                                           ("skipped", "skipped")) if counts[s]]
            self._notes.append(Note("warning" if failed or counts["skipped"] else "information",
                                    f"actions for {len(emails)} emails: " + (", ".join(parts) or "nothing done")))

    def _action_changed(self, email_id: str) -> None:
        self._action_changes.add(email_id)
        self._counts = None

    def take_action_changes(self) -> dict[str, MailActions]:
        changed, self._action_changes = self._action_changes, set()
        return {e: self.actions[e] for e in changed if e in self.actions}

    def action_counts(self) -> ActionCounts:
        if self._counts is None:
            by = Counter(view.status for view in self.actions.values())
            self._counts = ActionCounts(self.auto_apply, by["planned"], by["applying"], by["applied"],
                                        by["already"], by["failed"] + by["skipped"], by["review"])
        return self._counts

    def appliable(self) -> list[str]:
        """Emails `A` would apply: planned actions not done yet; never review mail, never one being applied."""
        return [e for e, view in self.actions.items() if not view.review and not view.applying and view.todo()]

    def fail(self, reason: str) -> None:
        """The event stream broke (not an event: the session raised): say so on the header, once."""
        self.aborted = reason
        self._notes.append(Note("error", f"the run stopped: {reason}"))

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
        elif agent.state == "running" and agent.hedging:
            line = "hedging: " + self.subjects.get(agent.hedging, agent.hedging)
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
            hedges_sent=agent.hedges_sent,
            hedges_won=agent.hedges_won,
            subject=line,
            error=agent.last_error if agent.state != "done" else "",
        )

    def cards(self, clocks: Collection[str] | None = None) -> list[AgentCard]:
        """Every agent's card, in plan order; only changed agents are recomputed, plus running
        ones whose clock is on screen: all of them (None), or only those in `clocks` (compact
        tiles show no clock, so with 500 agents a tick rebuilds a handful of cards, not 500)."""
        now = self.clock()
        dirty = self.take_changed()
        cache = self._cards
        for agent_id, agent in self.agents.items():
            ticking = agent.state == "running" and (clocks is None or agent_id in clocks)
            if ticking or agent_id in dirty or agent_id not in cache:
                cache[agent_id] = self.card(agent, now)
        return list(cache.values())

    def header(self, budget_left: float | None = None, preview: str | None = None,
               review_left: int | None = None) -> HeaderInfo:
        now = self.clock()
        states = Counter(a.state for a in self.agents.values())
        elapsed = 0.0
        if self.started_at is not None:
            elapsed = max(0.0, (self.ended_at if self.finished and self.ended_at else now) - self.started_at)
        remaining = len(self._open)
        if self.streaming:  # emails the source has not handed over yet are not done either
            remaining += max(0, self.total - len(self._seen))
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
            source_error=self.source_error,
            actions=self.action_counts() if self.actions or self.imap_actions else None,
            preview=preview,
            cluster=self.cluster,
            review_left=review_left,
            pace=self._pace(),
        )

    def _pace(self) -> str | None:
        r = self.report
        if r is None or not self.finished or not r.model_latency:
            return None  # without model latency the emails/s figure says it all
        return f"wall {r.wall_s:.1f}s = {r.wall_over_ideal:.2f}x the limit at {r.concurrency} agents"

    def report_agents(self) -> list[AgentView]:
        """The agents the run report covers: every one of the run (a watch adds those it folded away)."""
        return list(self.agents.values())

    def fixed_by_retry(self) -> int:
        """Emails that failed on some launch and are ok now: what operator retries recovered."""
        failed_once = {s.email_id for a in self.report_agents() for s in a.spans if s.status in BAD}
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
    HedgeSent: RunState._hedge_sent,
    HedgeEnded: RunState._hedge_ended,
    AgentFinished: RunState._agent_finished,
    Paused: RunState._paused,
    RunAborted: RunState._run_aborted,
    RunDone: RunState._run_done,
    SourceFailed: RunState._source_failed,
    ActionsPlanned: RunState._actions_planned,
    ActionsQueued: RunState._actions_queued,
    ActionsDone: RunState._actions_done,
}  # type: ignore[dict-item]
