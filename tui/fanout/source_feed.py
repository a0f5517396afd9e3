"""The coordinator's side of a streaming source (`Coordinator.run_stream`): batches form while
the source is still being read, so the first agents start before the whole mailbox is in.

A mixin of `Coordinator` (tui/fanout/run.py), whose state it reads and changes: the names
below are declared for the type checker, the coordinator sets them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterable, Callable

from tui.fanout.agent_run import AgentRun
from tui.fanout.events import AgentQueued, Event, SourceFailed
from tui.fanout.plan import Plan, PlanBuilder, agent_name, batch_size_for
from tui.fanout.telemetry import RunTelemetry
from tui.model import Email, ResultRow
from tui.settings import Settings


class StreamingSource:
    """Reading a streaming source into batches, as methods of the coordinator."""

    settings: Settings
    plan: Plan | None
    agents: dict[str, AgentRun]
    rows: dict[str, ResultRow]
    telemetry: RunTelemetry
    source_error: str | None
    _expected: int | None
    _reading: bool
    _between_waves: bool
    _active: int
    _idle: asyncio.Event
    _emit: Callable[[Event], None]
    _emit_row: Callable[[AgentRun | None, ResultRow], None]
    _emit_copy: Callable[[ResultRow, str], None]
    _kick_tail: Callable[[], None]
    _spawn: Callable[[AgentRun], None]

    async def _feed(self, source: AsyncIterable[Email | None], builder: PlanBuilder) -> None:
        """Read the source, forming a batch each time batch_size new emails have arrived: with N
        known (IMAP SEARCH) and auto, ceil(N / C), so the cap fills while mail still downloads."""
        size = self.telemetry.batch_size = batch_size_for(self._expected or None, self.settings)
        expected_agents = -(-self._expected // size) if self._expected else 99
        pending: list[str] = []
        read = 0
        try:
            async for email in source:
                if email is None:  # a wave ended (a watched mailbox): launch what it brought now
                    if pending:
                        self._launch_batch(pending, expected_agents)
                        pending = []
                    self._between_waves = True  # its tail may hedge, as a run's end does
                    continue
                if self._between_waves:
                    self._between_waves = False
                    self._kick_tail()  # a new wave: idle hedgers give their slots back
                read += 1
                kind = builder.add(email)
                if kind == "unreadable":
                    self._emit_row(None, ResultRow.failure(email, "failed", f"unreadable: {email.parse_error}"))
                elif kind == "duplicate":
                    original = self.rows.get(builder.plan.duplicates[email.id])
                    if original is not None:
                        self._emit_copy(original, email.id)
                else:
                    pending.append(email.id)
                    if len(pending) >= size:
                        self._launch_batch(pending, expected_agents)
                        pending = []
        except asyncio.CancelledError:
            for email_id in pending:
                email = builder.plan.emails[email_id]
                self._emit_row(None, ResultRow.failure(email, "failed", "not done: run closed"))
            pending = []
            raise
        except Exception as exc:  # the mailbox went away: finish what we have, say what happened
            self.source_error = str(exc) or type(exc).__name__
            self._emit(SourceFailed(self.source_error, read))
        finally:
            self._reading = False
            if pending:
                self._launch_batch(pending, expected_agents)
            self._active -= 1
            if self._active == 0:
                self._idle.set()

    def _launch_batch(self, email_ids: list[str], expected_agents: int) -> None:
        assert self.plan is not None
        agent_id = agent_name(len(self.agents) + 1, expected_agents)
        agent = self.agents[agent_id] = AgentRun(agent_id, deque(email_ids), list(email_ids))
        self.telemetry.agent(agent_id).emails = len(email_ids)
        subjects = {e: self.plan.emails[e].subject for e in email_ids}
        self._emit(AgentQueued(agent_id, list(email_ids), subjects))
        self._spawn(agent)
