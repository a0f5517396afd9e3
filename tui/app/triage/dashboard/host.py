"""What the dashboard's parts may use of the screen they are mixed into: declared once, defined by DashboardScreen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.app.triage.inbox_table import InboxTable
from tui.app.triage.session import Session
from tui.app.triage.state import RunState
from tui.app.widgets.agent_grid import AgentGrid


class DashboardHost:
    """Annotations only: no part defines these, so the screen's own attributes are the ones found."""

    app: Any
    state: RunState
    session: Session
    note_timeout: float | None
    grid: AgentGrid
    table: InboxTable
    is_mounted: bool
    _warn: Callable[[str], None]
