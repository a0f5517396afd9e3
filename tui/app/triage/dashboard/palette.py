"""What the dashboard offers the command palette: only the actions that would do something now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.app.triage.dashboard.host import DashboardHost
from tui.app.triage.review_keys import QUEUE_BINDINGS, correction_bindings
from tui.app.widgets.agent_grid import MAX_PANELS


@dataclass(frozen=True, slots=True)
class Command:
    """One palette entry that is valid right now."""

    title: str
    help: str
    run: Callable[[], object]


class PaletteCommands(DashboardHost):
    """`commands()` for FanmailApp.view_commands; the host is the dashboard screen, whose actions
    (steering, applying, the inbox's) the entries run."""

    check_action: Callable[[str, tuple[object, ...]], bool | None]
    run_action: Callable[[str], Any]
    selected_actions: Callable[[], Any]
    report_help = "telemetry, failures, suggestions, timeline (t)"  # what t's report holds

    def _review_commands(self) -> list[Command]:
        """The review keys that would do something now, named as on the footer, with their key."""
        out: list[Command] = []
        for binding in [*QUEUE_BINDINGS, *correction_bindings()]:
            action = binding.action
            if self.check_action(action.split("(")[0], ()):
                key = self.app.get_key_display(binding)
                title = binding.tooltip or binding.description
                if action == "review_only" and self.table.scoped:
                    title = "Show every email again"
                out.append(Command(f"Review: {title}", f"({key})", lambda a=action: self.run_action(a)))
        return out

    def commands(self) -> list[Command]:
        """Only what can be done right now, so the palette never offers a dead action."""
        state, selected = self.state, self.grid.selected
        agent = state.agents.get(selected or "")
        out: list[Command] = []
        if agent is not None and agent.retryable:
            out.append(Command(f"Retry agent {agent.agent_id}", f"re-run its {agent.failed} failed emails (r)",
                               self.action_retry))
        for agent_id in state.retryable():
            if agent_id != selected:
                out.append(Command(f"Retry agent {agent_id}", "re-run its failed emails",
                                   lambda a=agent_id: self.session.retry(a)))
        if state.retryable():
            out.append(Command("Retry all failed agents", f"{len(state.retryable())} agents (R)", self.action_retry_all))
        if agent is not None and agent.active:
            out.append(Command(f"Cancel agent {agent.agent_id}", "its unfinished emails become failed rows (c)",
                               self.action_cancel))
        if state.busy:
            out.append(Command("Resume launching" if state.paused else "Pause launching",
                               "running agents finish their batch either way (p)", self.action_toggle_pause))
        if self.table.selected_email_id:
            out.append(Command("Open selected email", "headers, verdict, body as text (enter)",
                               lambda: self.open_email(self.table.selected_email_id or "")))
        if self.session.actions_enabled:
            view = self.selected_actions()
            if view is not None and not view.applying and view.todo(override=view.review):
                out.append(Command("Override review of selected email" if view.review else
                                   "Apply actions of selected email",
                                   "asks twice, names the reason (a)" if view.review else "asks first (a)",
                                   self.action_apply_selected))
            if state.appliable():
                out.append(Command("Apply all planned actions", f"{len(state.appliable())} emails, asks first; "
                                   "never review mail (A)", self.action_apply_all))
        out += self._review_commands()
        out.append(Command("Filter inbox", "subject, sender, route, category, status (/)", self.action_filter))
        for mode in self.table.sort_modes:
            if mode != self.table.sort_mode:
                out.append(Command(f"Sort inbox by {mode}", "the cursor stays on its email (s cycles)",
                                   lambda m=mode: self.set_sort(m)))
        out.append(Command("Run report", self.report_help, self.action_report))
        if len(state.agents) <= MAX_PANELS:
            out.append(Command("Full agent panels" if self.grid.compact else "Compact agent grid",
                               "switch the agent grid's density (z)", self.action_toggle_compact))
        return out
