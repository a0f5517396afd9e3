"""The watch's report (t): every wave of today's watch and every agent of them, folded into history or not.

A watch's run never ends while it is watched, so the numbers the triage report takes from the
run's end are not there; what the state kept of each wave and agent is. The failures, the review
agreement and the timeline below are triage's, over the same agents.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from tui.app.agent_views import AgentView
from tui.app.triage.run_report import RunReportScreen
from tui.app.watch.state import Wave, WatchRunState


def waves_table(state: WatchRunState, waves: list[Wave]) -> Table | Text:
    if not waves:
        return Text("No mail has arrived today.")
    table = Table(box=None, header_style="bold")
    for name in ("wave", "arrived", "emails", "agents", "outcome", "took"):
        table.add_column(name, justify="right" if name in ("wave", "emails", "took") else "left",
                         overflow="fold" if name == "agents" else "ellipsis")
    for wave in waves:
        if wave.ended is None:
            failed = state.failed_in(wave)
            outcome = f"on the grid: {failed} failed (r retries)" if failed else "on the grid"
            took = state.clock() - wave.started
        else:
            outcome = f"{wave.failed} failed" if wave.failed else "ok"
            took = wave.ended - wave.started
        if wave.retried:
            outcome += f", {wave.retried} retried"
        arrived = state.clock_time(wave.at) + (" (waiting at start)" if wave.catch_up else "")
        table.add_row(str(wave.number), arrived, str(len(wave.email_ids)), ", ".join(wave.agents) or "—",
                      outcome, f"{took:.1f}s")
    return table


def agents_table(state: WatchRunState, agents: list[AgentView]) -> Table | Text:
    """Per agent, from what the dashboard saw of it (the run's own telemetry comes only when a watch ends)."""
    if not agents:
        return Text("No agent has run today.")
    now = state.clock()
    table = Table(box=None, header_style="bold")
    for name in ("agent", "wave", "emails", "ok", "failed", "launches", "retries", "429s", "busy s", "wall s"):
        table.add_column(name, justify="left" if name == "agent" else "right")
    for a in agents:
        ok = sum(1 for status in a.results.values() if status == "ok")
        busy = sum((s.end if s.end is not None else now) - s.start for s in a.spans)
        wave = state.wave_of(a.agent_id)
        table.add_row(a.agent_id, "—" if wave is None else str(wave), str(len(a.emails)), str(ok), str(a.failed),
                      str(a.launches), str(a.retries), str(a.rate_limited), f"{busy:.1f}", f"{a.elapsed(now):.1f}")
    return table


class WatchReportScreen(RunReportScreen):
    """Triage's report screen, headed by today's waves and agents."""

    state: WatchRunState

    def head(self) -> ComposeResult:
        state = self.state
        waves, agents = state.today_waves(), state.report_agents()
        emails = sum(len(w.email_ids) for w in waves)
        yield Static(f"Watch report · today: {len(waves)} wave{'s' * (len(waves) != 1)}, {len(agents)} "
                     f"agent{'s' * (len(agents) != 1)}, {emails} email{'s' * (emails != 1)}",
                     classes="section-title", markup=False)
        yield Static(waves_table(state, waves), classes="section", id="report-waves")
        yield Static("Agents today (folded into history or still on the grid)", classes="section-title")
        yield Static(agents_table(state, agents), classes="section", id="report-agents")
        if state.report is not None:  # the watch was closed: the run's own numbers too
            yield from super().head()
