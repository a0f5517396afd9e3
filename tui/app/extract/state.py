"""What the extraction view shows, folded from the run's events; no widgets here.

Events land in the UI loop as they come; the screen's 4 Hz timer takes the new and changed
records (`drain`) and the per-agent cards, and paints them in one batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.app.agent_views import AgentCard
from tui.extract.events import DocDone, DocStarted, ExtractDone, ExtractEvent, ExtractStarted
from tui.extract.records import AGENTS, ExtractRecord


@dataclass
class AgentTally:
    total: int = 0
    done: int = 0
    failed: int = 0
    running: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    current: str = ""
    last_error: str = ""


@dataclass
class ExtractState:
    clock: Callable[[], float] = time.monotonic
    agents: dict[str, AgentTally] = field(default_factory=lambda: {name: AgentTally() for name in AGENTS})
    records: dict[str, ExtractRecord] = field(default_factory=dict)
    documents: int = 0
    workers: int = 0
    finished: bool = False
    wall_s: float = 0.0
    _dirty: dict[str, ExtractRecord] = field(default_factory=dict)

    def apply(self, event: ExtractEvent) -> None:
        now = self.clock()
        if isinstance(event, ExtractStarted):
            self.documents, self.workers = event.documents, event.workers
            for agent, count in event.per_agent.items():
                self.agents.setdefault(agent, AgentTally()).total = count
        elif isinstance(event, DocStarted):
            tally = self.agents.setdefault(event.agent, AgentTally())
            tally.running += 1
            tally.current = event.label
            if tally.started_at is None:
                tally.started_at = now
        elif isinstance(event, DocDone):
            record = event.record
            tally = self.agents.setdefault(record.agent, AgentTally())
            tally.done += 1
            tally.running = max(0, tally.running - 1)
            if record.status != "ok":
                tally.failed += 1
                tally.last_error = f"{record.filename or record.doc_id}: {record.error}"
            if tally.done >= tally.total:
                tally.finished_at = now
            for changed in (record, *event.updated):
                self.records[changed.doc_id] = changed
                self._dirty[changed.doc_id] = changed
        elif isinstance(event, ExtractDone):
            self.finished, self.wall_s = True, event.wall_s

    def drain(self) -> list[ExtractRecord]:
        """Records new or changed since the last call (for the table's flush)."""
        out, self._dirty = list(self._dirty.values()), {}
        return out

    def card(self, agent: str) -> AgentCard:
        tally = self.agents.get(agent, AgentTally())
        if tally.total == 0:
            state = "done" if self.finished or self.documents else "queued"
        elif tally.done >= tally.total:
            state = "done"
        elif tally.started_at is None:
            state = "queued"
        else:
            state = "running"
        end = tally.finished_at if tally.finished_at is not None else self.clock()
        elapsed = end - tally.started_at if tally.started_at is not None else 0.0
        subject = tally.current if state == "running" else f"{tally.total} documents"
        return AgentCard(agent_id=f"{agent} agent", state=state, done=tally.done, total=tally.total,
                         failed=tally.failed, elapsed_s=elapsed, timeout_s=0.0, launches=1, retries=0,
                         rate_limited=0, subject=subject, error=tally.last_error)

    def summary(self) -> str:
        done = sum(t.done for t in self.agents.values())
        failed = sum(t.failed for t in self.agents.values())
        flagged = sum(1 for r in self.records.values() if r.conflicts)
        tail = f" · finished in {self.wall_s:.1f}s" if self.finished else ""
        return (f"{done}/{self.documents} documents · {failed} failed · {flagged} with conflicts · "
                f"{self.workers} OCR/PDF workers{tail}")
