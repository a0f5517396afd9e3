"""The watch dashboard: triage's dashboard (same inbox, keys, review and actions) on a watch run.

What it adds: the watch header (since, arrivals today, last arrival, connection), finished waves
folded into a history under the agent grid (tui/app/watch/state.py decides when), and `w` to
look at the mailbox now instead of waiting for the next push or poll.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding

from tui.app.triage.dashboard.palette import Command
from tui.app.triage.dashboard.screen import DashboardScreen
from tui.app.watch.header import WatchHeader
from tui.app.watch.history import WaveHistory
from tui.app.watch.report import WatchReportScreen
from tui.app.watch.state import WatchRunState


class WatchDashboard(DashboardScreen):
    BINDINGS = [
        Binding("w", "check_now", "Check now", id="check-now", tooltip="Look for new mail now (no waiting for the "
                "next push or poll; cuts a reconnect's wait short)"),
    ]
    header_class = WatchHeader
    report_help = "today's waves and every agent of them, failures, timeline (t)"

    def __init__(self, *args: object, wall: Callable[[], float], tz: tzinfo | None = None, **kw: object) -> None:
        self._wall, self._tz = wall, tz  # read by new_state, called by the base's __init__
        super().__init__(*args, **kw)  # type: ignore[arg-type]

    def new_state(self, clock: Callable[[], float]) -> WatchRunState:
        return WatchRunState(clock=clock, wall=self._wall, tz=self._tz)

    def under_grid(self) -> ComposeResult:
        yield WaveHistory(id="history")

    def flush(self) -> None:
        super().flush()
        state = self.state
        assert isinstance(state, WatchRunState)
        grid = self.grid
        title = "Agents" if grid.cards else "Agents · none at work: new mail starts a wave"
        if grid.border_title != title:
            grid.border_title = title
        waves = state.take_history()
        if waves is not None:
            self.query_one(WaveHistory).show(state, waves)

    def report_screen(self) -> WatchReportScreen:
        assert isinstance(self.state, WatchRunState)
        return WatchReportScreen(self.state, self._desk.agreement() if self._desk else None)

    def commands(self) -> list[Command]:
        return [Command("Check for new mail now", "no waiting for the next push or poll (w)", self.action_check_now),
                *super().commands()]

    def action_check_now(self) -> None:
        check = getattr(self.session, "check_now", None)
        if check is not None and check():
            self.app.notify("looking for new mail now", timeout=self.note_timeout)
