"""Moving emails between sub-agents: an idle agent takes half of the busiest one's queue
(rebalancing), and an agent whose worker died hands its unreported emails to an heir. Either
way an email leaves one agent before it joins the other, so none is ever held by two.

A mixin of `Coordinator` (tui/fanout/run.py), whose state it reads and changes: the names
below are declared for the type checker, the coordinator sets them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from tui.fanout.agent_run import AgentRun
from tui.fanout.events import AgentQueued, Event, Reassigned
from tui.fanout.plan import Plan
from tui.fanout.telemetry import RunTelemetry
from tui.settings import Settings

MAX_HAND_OFFS = 3  # an agent whose worker died passes its emails on at most this many times in a row
HEIR = "+"  # a01+1 took over a01's unreported emails when a01's worker died (a01.2 is a01's 2nd launch)


class Reassigning:
    """Rebalancing and hand-offs, as methods of the coordinator."""

    settings: Settings
    plan: Plan | None
    agents: dict[str, AgentRun]
    telemetry: RunTelemetry
    per_email_timeout: float
    abort_reason: str | None
    _waiting: int
    _closing: bool
    _emit: Callable[[Event], None]
    _extend: Callable[[AgentRun, float], None]
    _spawn: Callable[[AgentRun], None]

    def _rebalance_into(self, idle: AgentRun) -> None:
        """Hand an idle agent half the not-yet-started emails of the agent with the most left.

        Only when nobody waits for a slot (a waiting agent would use it better), and only emails
        still in a queue, so no email is ever held by two agents.
        """
        if not self.settings.rebalance or self._waiting or self.abort_reason or self._closing:
            return
        busiest: AgentRun | None = None
        for other in self.agents.values():
            if other is not idle and other.state == "running" and other.queue:
                if busiest is None or len(other.queue) > len(busiest.queue):
                    busiest = other
        if busiest is None:
            return
        take = (len(busiest.queue) + 1) // 2
        moved = [busiest.queue.pop() for _ in range(take)]
        moved.reverse()
        idle.queue.extend(moved)
        idle.held.extend(moved)
        moved_set = set(moved)
        busiest.held = [e for e in busiest.held if e not in moved_set]
        self._extend(idle, len(moved) * self.per_email_timeout)
        self.telemetry.reassignments += 1
        self.telemetry.agent(busiest.agent_id).reassigned_out += len(moved)
        self.telemetry.agent(idle.agent_id).reassigned_in += len(moved)
        self._emit(Reassigned(busiest.agent_id, idle.agent_id, moved))

    def _hand_off(self, lost: AgentRun, email_ids: list[str]) -> None:
        """The agent's worker died before reporting these emails: a new agent (on another
        worker) takes them. They leave the lost agent first, so none is ever held by two."""
        gone = set(email_ids)
        lost.held = [e for e in lost.held if e not in gone]
        n = 1
        while f"{lost.agent_id}{HEIR}{n}" in self.agents:
            n += 1
        heir = AgentRun(f"{lost.agent_id}{HEIR}{n}", deque(email_ids), list(email_ids))
        self.agents[heir.agent_id] = heir
        self.telemetry.agent(heir.agent_id).emails = len(email_ids)
        self.telemetry.reassignments += 1
        self.telemetry.agent(lost.agent_id).reassigned_out += len(email_ids)
        self.telemetry.agent(heir.agent_id).reassigned_in += len(email_ids)
        self._emit(Reassigned(lost.agent_id, heir.agent_id, list(email_ids)))
        assert self.plan is not None
        subjects = {e: self.plan.emails[e].subject for e in email_ids}
        self._emit(AgentQueued(heir.agent_id, list(email_ids), subjects))
        self._spawn(heir)
