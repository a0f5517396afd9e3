"""Events the coordinator yields as work happens; the dashboard and the headless writer consume them."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.model import ResultRow, RunReport


@dataclass(frozen=True, slots=True)
class RunStarted:
    run_id: str
    total: int
    agents: dict[str, list[str]]  # agent id -> email ids of its batch, in order
    concurrency: int
    per_email_timeout_s: float
    subjects: dict[str, str] = field(default_factory=dict)  # email id -> subject, for panels
    cluster: dict[str, object] | None = None  # on Ray: address, nodes, workers (None: this process)


@dataclass(frozen=True, slots=True)
class AgentStarted:
    agent_id: str
    attempt: int  # 1 on the first launch, +1 for each operator retry
    email_ids: list[str]
    timeout_s: float


@dataclass(frozen=True, slots=True)
class EmailStarted:
    agent_id: str
    email_id: str
    attempt: int


@dataclass(frozen=True, slots=True)
class EmailDone:
    """A final row for one email. After an operator retry the same email may be done again: replace."""

    agent_id: str
    row: ResultRow


@dataclass(frozen=True, slots=True)
class EmailRetrying:
    agent_id: str
    email_id: str
    attempt: int
    error: str
    delay_s: float


@dataclass(frozen=True, slots=True)
class RateLimited:
    agent_id: str
    email_id: str
    retry_after_s: float


@dataclass(frozen=True, slots=True)
class Reassigned:
    """Not-yet-started emails moved from a busy agent to an idle one (rebalancing)."""

    from_agent: str
    to_agent: str
    email_ids: list[str]


@dataclass(frozen=True, slots=True)
class AgentFinished:
    """The agent ended. state: done | failed | timeout | cancelled. `error` is the last error, if any."""

    agent_id: str
    state: str
    ok: int
    failed: int
    error: str = ""


@dataclass(frozen=True, slots=True)
class AgentQueued:
    """An operator retry, or a batch formed while the source is still being read (streaming),
    waiting for a concurrency slot. An agent id not seen in RunStarted is a new agent."""

    agent_id: str
    email_ids: list[str]
    subjects: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceFailed:
    """Reading the mailbox broke off (e.g. the IMAP server went away). Emails already read still
    finish; the rest were never read, so a later run picks them up."""

    reason: str
    read: int


@dataclass(frozen=True, slots=True)
class Paused:
    paused: bool


@dataclass(frozen=True, slots=True)
class RunAborted:
    """Fatal provider error or --fail-fast: the reason and the emails left undone."""

    reason: str
    not_done: list[str]


@dataclass(frozen=True, slots=True)
class HedgeSent:
    """An idle agent sent a second copy of `owner`'s request for `email_id` (tui.fanout.hedge)."""

    agent_id: str
    owner: str
    email_id: str
    after_s: float  # how long the owner's request had run


@dataclass(frozen=True, slots=True)
class HedgeEnded:
    """The copy is over: `won` when its answer was the one kept (the owner's request was cut)."""

    agent_id: str
    owner: str
    email_id: str
    won: bool


@dataclass(frozen=True, slots=True)
class RunDone:
    report: RunReport


Event = (
    RunStarted
    | AgentQueued
    | AgentStarted
    | EmailStarted
    | EmailDone
    | EmailRetrying
    | RateLimited
    | Reassigned
    | HedgeSent
    | HedgeEnded
    | AgentFinished
    | Paused
    | SourceFailed
    | RunAborted
    | RunDone
)
