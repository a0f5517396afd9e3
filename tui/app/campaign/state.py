"""What the campaign view shows, folded from the sender's events; no widgets here.

One `AgentCard` per segment (the same panel the triage dashboard draws per agent) and the latest
outcome per recipient; the screen's timer drains what changed and paints it in one batch.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.app.agent_views import AgentCard
from tui.outbound.campaign import (
    CampaignEvent,
    RecipientDeferred,
    RecipientDone,
    SegmentDone,
    SegmentFailed,
    SegmentStarted,
)
from tui.run import RunFailed
from tui.run.campaign import CampaignDone

PROBLEM_STATES = ("refused", "deferred", "unknown")


@dataclass
class SegmentTally:
    total: int
    done: int = 0
    problems: int = 0
    deferrals: int = 0
    state: str = "queued"
    started_at: float | None = None
    finished_at: float | None = None
    current: str = ""
    error: str = ""


# A recipient's latest outcome: a final one, or state "retrying" while a 4xx waits for its retry.
Outcome = RecipientDone


@dataclass
class CampaignState:
    totals: dict[str, int]
    timeout_s: float = 0.0
    clock: Callable[[], float] = time.monotonic
    segments: dict[str, SegmentTally] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    finished: bool = False
    stopped: str = ""  # why the run itself stopped, if it did
    _dirty: dict[str, Outcome] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.segments = {name: SegmentTally(total) for name, total in self.totals.items()}

    def apply(self, event: CampaignEvent | CampaignDone | RunFailed) -> None:
        if isinstance(event, (CampaignDone, RunFailed)):
            self.finished = True
            self.stopped = event.error if isinstance(event, RunFailed) else ""
            return
        tally = self.segments.setdefault(event.segment, SegmentTally(0))
        now = self.clock()
        if isinstance(event, SegmentStarted):
            tally.state, tally.started_at, tally.total = "running", now, event.total
        elif isinstance(event, RecipientDone):
            tally.done += 1
            tally.current = f"{event.recipient}: {event.state}"
            if event.state in PROBLEM_STATES:
                tally.problems += 1
            self.counts[event.state] += 1
            self._note(event)
        elif isinstance(event, RecipientDeferred):
            tally.deferrals += 1
            tally.current = f"{event.recipient}: deferred ({event.code}), retrying"
            self._note(Outcome(event.segment, event.recipient, "retrying", event.code, event.attempts))
        elif isinstance(event, SegmentDone):
            tally.state, tally.finished_at = "done", now
        elif isinstance(event, SegmentFailed):
            tally.state = "timeout" if "timed out" in event.error else "failed"
            tally.finished_at, tally.error = now, f"{event.error} ({event.left} left pending)"
            tally.current = tally.error

    def _note(self, outcome: Outcome) -> None:
        self.outcomes[outcome.recipient] = outcome
        self._dirty[outcome.recipient] = outcome

    def drain(self) -> list[Outcome]:
        changed, self._dirty = list(self._dirty.values()), {}
        return changed

    def card(self, segment: str) -> AgentCard:
        t = self.segments[segment]
        end = t.finished_at if t.finished_at is not None else self.clock()
        elapsed = end - t.started_at if t.started_at is not None else 0.0
        return AgentCard(agent_id=segment, state=t.state, done=t.done, total=t.total, failed=t.problems,
                         elapsed_s=elapsed, timeout_s=self.timeout_s, launches=1, retries=t.deferrals,
                         rate_limited=0, subject=t.current, error=t.error)

    def failed_segments(self) -> dict[str, str]:
        failed = {name: t.error for name, t in self.segments.items() if t.state in ("failed", "timeout")}
        return failed | ({"(run)": self.stopped} if self.stopped else {})

    def summary(self) -> str:
        total = sum(t.total for t in self.segments.values())
        done = sum(t.done for t in self.segments.values())
        parts = [f"{done}/{total} recipients"] + [f"{k} {v}" for k, v in sorted(self.counts.items())]
        failed = [name for name, t in self.segments.items() if t.state in ("failed", "timeout")]
        if failed:
            parts.append(f"{len(failed)} segment(s) failed")
        return " · ".join(parts)
