"""The watch dashboard's state: triage's `RunState`, plus the watch's own facts, no Textual.

A watch never finishes, so its agents would pile up all day. Each wave (`WaveArrived`) is
followed until every email of it has its row and none of its agents is still running or has
failed emails to retry; then its agents leave the grid and the wave becomes one line of
history (agents, emails, failures, time). A wave with a failed agent stays on the grid until
r / R brings it back. The header's facts come from events too: watching since (the run opened),
arrivals today (waves after the one that was waiting at the start), the last arrival, and the
connection (`WatchState`: idle, polling, reconnecting in N s, stopped).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from tui.app.agent_views import BAD, AgentView
from tui.app.triage.state import HeaderInfo, RunState
from tui.fanout.events import AgentFinished, AgentQueued, EmailDone, Event, RunStarted
from tui.mail.watch import WatchState
from tui.run import RunOpened
from tui.run.watch import WaveArrived

HISTORY_KEPT = 500  # folded waves remembered (one line each); older ones are only counted


@dataclass(slots=True)
class Wave:
    """One wave of new mail, from its arrival to the moment it folds."""

    number: int
    email_ids: tuple[str, ...]
    at: float  # wall clock of the arrival
    started: float  # the state's clock at the arrival: the wave's time runs from here
    catch_up: bool
    agents: list[str] = field(default_factory=list)
    ended: float | None = None
    failed: int = 0  # its emails whose row is failed or timed out when it folded
    retried: int = 0  # its agents that were launched more than once (operator retries)
    views: list[AgentView] = field(default_factory=list)  # its agents as they folded (kept for today's report)


@dataclass(frozen=True, slots=True)
class WatchHeaderInfo(HeaderInfo):
    """The run header's numbers plus the watch's line."""

    since: str = ""  # "09:12" (or a date and time once the watch is older than a day)
    waiting: int = 0  # emails that were waiting when the watch started
    arrivals_today: int = 0
    last_arrival: str | None = None
    connection: str = "connecting"  # connecting | idle | polling | reconnecting | stopped
    connection_detail: str = ""
    connection_kind: str = "IMAP"  # or Maildir
    retry_in_s: float | None = None  # reconnecting: seconds left before the next try
    waves: int = 0
    folded: int = 0


@dataclass(slots=True)
class WatchRunState(RunState):
    """`RunState` for a run that never ends: waves, history folding and the watch header."""

    wall: Callable[[], float] = time.time
    tz: tzinfo | None = None  # None: local time
    since: float | None = None
    waiting: int = 0
    arrivals_day: date | None = None
    arrivals_today: int = 0
    last_arrival: float | None = None
    connection: WatchState = field(default_factory=lambda: WatchState("connecting"))
    connection_at: float = 0.0
    waves: dict[int, Wave] = field(default_factory=dict)  # not folded yet
    history: list[Wave] = field(default_factory=list)  # folded, oldest first (the last HISTORY_KEPT)
    folded_today: list[Wave] = field(default_factory=list)  # folded waves that arrived today, with their agents
    folded_waves: int = 0
    history_changed: bool = True
    _wave_of_email: dict[str, int] = field(default_factory=dict)
    _wave_of_agent: dict[str, int] = field(default_factory=dict)

    def apply(self, event: Event | object) -> None:
        if isinstance(event, WatchState):
            self.connection, self.connection_at = event, self.clock()
            return
        if isinstance(event, WaveArrived):
            self._wave_arrived(event)
            return
        if isinstance(event, RunOpened):
            self.since = self.wall() if self.since is None else self.since
            return
        total = self.total
        RunState.apply(self, event)  # type: ignore[arg-type]
        if isinstance(event, RunStarted):  # a watch's total is what arrived, not the start's count
            self.total, self.streaming = total, True
        elif isinstance(event, AgentQueued):
            self._agent_queued_in_wave(event)
        elif isinstance(event, (EmailDone, AgentFinished)):
            self._maybe_fold(event)

    # ------------------------------------------------------------------ waves
    def _wave_arrived(self, e: WaveArrived) -> None:
        self.total += len(e.email_ids)
        if e.catch_up:
            self.waiting += len(e.email_ids)
        else:
            day = self._local(e.at).date()
            if day != self.arrivals_day:
                self.arrivals_day, self.arrivals_today = day, 0
            self.arrivals_today += len(e.email_ids)
            self.last_arrival = e.at
        self.waves[e.wave] = Wave(e.wave, e.email_ids, e.at, self.clock(), e.catch_up)
        for email_id in e.email_ids:
            self._wave_of_email[email_id] = e.wave

    def _agent_queued_in_wave(self, e: AgentQueued) -> None:
        if e.agent_id in self._wave_of_agent:
            wave = self.waves.get(self._wave_of_agent[e.agent_id])
            if wave is None:  # an agent of a folded wave launched again: a wave of its own, open
                self._reopen(e.agent_id)
            return
        number = next((self._wave_of_email[x] for x in e.email_ids if x in self._wave_of_email), None)
        if number is None or (wave := self.waves.get(number)) is None:
            return
        wave.agents.append(e.agent_id)
        self._wave_of_agent[e.agent_id] = number

    def _reopen(self, agent_id: str) -> None:
        number = self._wave_of_agent[agent_id]
        agent = self.agents.get(agent_id)
        ids = tuple(agent.emails) if agent is not None else ()
        self.waves[number] = Wave(number, ids, self.wall(), self.clock(), False, [agent_id])

    def _maybe_fold(self, e: EmailDone | AgentFinished) -> None:
        if isinstance(e, EmailDone):
            number = self._wave_of_email.get(e.row.email_id)
            if number is None and e.agent_id:
                number = self._wave_of_agent.get(e.agent_id)
        else:
            number = self._wave_of_agent.get(e.agent_id)
        wave = self.waves.get(number) if number is not None else None
        if wave is None or not self._settled(wave):
            return
        del self.waves[wave.number]
        wave.ended = self.clock()
        wave.failed = self.failed_in(wave)
        wave.views = [v for a in wave.agents if (v := self.agents.pop(a, None)) is not None]
        wave.retried = sum(1 for v in wave.views if v.launches > 1)
        for agent_id in wave.agents:
            self._cards.pop(agent_id, None)
        self._keep_for_today(wave)
        self.history.append(wave)
        del self.history[:-HISTORY_KEPT]
        self.folded_waves += 1
        self.history_changed = True

    def _keep_for_today(self, wave: Wave) -> None:
        """Today's report lists every agent of today's waves; a wave of an earlier day lets its agents go."""
        today = self._local(self.wall()).date()
        kept = self.folded_today
        while kept and self._local(kept[0].at).date() != today:
            kept.pop(0).views = []
        if self._local(wave.at).date() == today:
            kept.append(wave)
        else:
            wave.views = []

    def today_waves(self) -> list[Wave]:
        """Every wave of today's watch, folded or still on the grid, in the order they arrived."""
        today = self._local(self.wall()).date()
        folded = [w for w in self.folded_today if self._local(w.at).date() == today]
        return sorted([*folded, *self.waves.values()], key=lambda w: w.number)

    def wave_of(self, agent_id: str) -> int | None:
        return self._wave_of_agent.get(agent_id)

    def report_agents(self) -> list[AgentView]:
        """Today's agents wave by wave, folded into history or still on the grid (then any agent on the
        grid outside a wave); the agents of a folded wave from an earlier day are not kept."""
        out: list[AgentView] = []
        for wave in self.today_waves():
            out += wave.views if wave.ended is not None else [
                v for a in wave.agents if (v := self.agents.get(a)) is not None]
        listed = {id(v) for v in out}
        return out + [v for v in self.agents.values() if id(v) not in listed]

    def failed_in(self, wave: Wave) -> int:
        """Its emails whose row is failed or timed out now."""
        return sum(1 for x in wave.email_ids if (row := self.inbox.rows.get(x)) is not None and row.status in BAD)

    def _settled(self, wave: Wave) -> bool:
        """Every email has its row and no agent of the wave is running, queued or failed (r / R)."""
        if any(x not in self.inbox.rows for x in wave.email_ids):
            return False
        views: list[AgentView] = [v for a in wave.agents if (v := self.agents.get(a)) is not None]
        return not any(v.active or v.retryable for v in views)

    def take_history(self) -> list[Wave] | None:
        """The folded waves if they changed since the last call, else None."""
        if not self.history_changed:
            return None
        self.history_changed = False
        return list(self.history)

    # ------------------------------------------------------------------ reading
    def _local(self, at: float) -> datetime:
        return datetime.fromtimestamp(at, self.tz)

    def clock_time(self, at: float, *, seconds: bool = True) -> str:
        """A wall time as the header shows it: the time today, with the date on other days."""
        when, today = self._local(at), self._local(self.wall()).date()
        text = when.strftime("%H:%M:%S" if seconds else "%H:%M")
        return text if when.date() == today else f"{when:%Y-%m-%d} {text}"

    def header(self, budget_left: float | None = None, preview: str | None = None,
               review_left: int | None = None) -> WatchHeaderInfo:
        base = RunState.header(self, budget_left, preview, review_left)
        today = self._local(self.wall()).date()
        c = self.connection
        retry_in = None
        if c.state == "reconnecting":
            retry_in = max(0.0, c.retry_in_s - (self.clock() - self.connection_at))
        fields = {name: getattr(base, name) for name in HeaderInfo.__dataclass_fields__}
        fields["finished"] = False  # a watch is never finished: RunDone comes only when it is closed
        return WatchHeaderInfo(
            **fields,
            since=self.clock_time(self.since, seconds=False) if self.since is not None else "",
            waiting=self.waiting,
            arrivals_today=self.arrivals_today if self.arrivals_day == today else 0,
            last_arrival=self.clock_time(self.last_arrival) if self.last_arrival is not None else None,
            connection=c.state, connection_detail=c.detail, connection_kind=c.kind, retry_in_s=retry_in,
            waves=len(self.waves) + self.folded_waves, folded=self.folded_waves,
        )

    def wave_line(self, wave: Wave) -> str:
        """One folded wave: `wave 4  10:42:13  2 agents  7 emails  ok  3.2s`."""
        agents = len(wave.agents)
        emails = len(wave.email_ids)
        took = (wave.ended or wave.started) - wave.started
        outcome = f"{wave.failed} failed" if wave.failed else "ok"
        if wave.retried:
            outcome += f", {wave.retried} retried"
        kind = " waiting at start" if wave.catch_up else ""
        return (f"wave {wave.number:>3}  {self.clock_time(wave.at)}  {agents} agent{'s' * (agents != 1)}  "
                f"{emails} email{'s' * (emails != 1)}{kind}  {outcome}  {took:.1f}s")
