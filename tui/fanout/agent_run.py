"""The coordinator's view of one sub-agent (tui/fanout/run.py): its queue, the emails it has held,
what it is doing now. A module of its own because the coordinator's mixins build and read it too.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.fanout.hedge import Hedge


@dataclass(slots=True)
class AgentRun:
    """The coordinator's view of one sub-agent. Only the coordinator mutates it."""

    agent_id: str
    queue: deque[str]
    held: list[str]  # every email this agent has been responsible for, in order
    state: str = "queued"  # queued | running | done | failed | timeout | cancelled
    attempt: int = 0
    current: str | None = None
    last_error: str = ""
    ok: int = 0
    failed: int = 0
    started_at: float | None = None
    sent_at: float | None = None  # when the request for `current` went out (None: not in flight)
    hedge: Hedge | None = None  # a second copy of the request for `current`, sent by an idle agent
    deadline: asyncio.Timeout | None = None
    cancel_reason: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)
