"""Per-agent view models of the triage dashboard: what one sub-agent did, as plain data.

`RunState` keeps one `AgentView` per sub-agent (its emails, results and timeline spans) and turns
it into an `AgentCard`, the frozen snapshot a panel or tile paints; the campaign and extraction
views reuse `AgentCard` for their own cards. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BAD = ("failed", "timeout")
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
    hedges_sent: int = 0  # second copies it sent for other agents' slow requests
    hedges_won: int = 0
    hedging: str | None = None  # the email whose copy it is waiting on
    last_error: str = ""
    moved_in: set[str] = field(default_factory=set)
    spans: list[Span] = field(default_factory=list)
    _version: int = 0
    _counted: tuple[tuple[int, int, int], tuple[int, int]] | None = None

    @property
    def done(self) -> int:
        return self._counts()[0]

    @property
    def failed(self) -> int:
        return self._counts()[1]

    def _counts(self) -> tuple[int, int]:
        """(done, failed), recounted only when results or the batch changed: cards for hundreds
        of running agents are rebuilt four times a second."""
        key = (len(self.results), len(self.emails), self._version)
        if self._counted is None or self._counted[0] != key:
            done = sum(1 for e in self.emails if e in self.results)
            failed = sum(1 for e in self.emails if self.results.get(e) in BAD)
            self._counted = (key, (done, failed))
        return self._counted[1]

    def touch(self) -> None:
        """Results changed in place (same count): forget the cached counts."""
        self._version += 1

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
    hedges_sent: int = 0
    hedges_won: int = 0

    @property
    def word(self) -> str:
        return STATE_WORDS.get(self.state, self.state.upper())

    @property
    def icon(self) -> str:
        return STATE_ICONS.get(self.state, "?")

