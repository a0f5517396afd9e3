"""The dashboard screen: owns the run state, consumes events in one worker, repaints on a timer.

Events never touch widgets: the worker folds them into `RunState`; a 4 Hz timer flushes new
rows into the inbox table and hands fresh cards to the agent grid inside one batch update. The
keys' work lives beside it, one part a job: steering the agents (steering.py), applying mail
actions (applying.py), the review desk (reviewing.py), the palette's entries (palette.py) and
the run's notes as toasts (toasts.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from tui.agents.base import ProviderError
from tui.app.triage.dashboard.applying import APPLYING, Applying
from tui.app.triage.dashboard.palette import PaletteCommands
from tui.app.triage.dashboard.reviewing import Reviewing
from tui.app.triage.dashboard.steering import STEERING, Steering
from tui.app.triage.dashboard.toasts import Toaster
from tui.app.triage.email_detail import EmailDetail
from tui.app.triage.engine_process import EngineFailed
from tui.app.triage.inbox_table import InboxTable
from tui.app.triage.review_desk import ReviewDesk
from tui.app.triage.review_keys import CORRECTION_ACTIONS, QUEUE_BINDINGS, REVIEW_ACTIONS, correction_bindings
from tui.app.triage.run_header import RunHeader
from tui.app.triage.run_report import RunReportScreen
from tui.app.triage.session import Session
from tui.app.triage.state import RunState
from tui.app.widgets.agent_grid import AgentGrid
from tui.app.widgets.filter_input import FilterInput
from tui.fanout.preview import brief
from tui.mail.sources import SourceError
from tui.settings import ConfigError

FLUSH_S = 0.25
INPUT_QUIET_S = 0.3  # a key this recent defers the stream's repaint...
MAX_DEFER_S = 1.0  # ...for at most this long
_RETRY = Binding.Group("Retry")
_APPLY = Binding.Group("Apply")
# Every correction key shares one gate (a row to correct), so one of them stands for all in the footer's key.
_FOOTER_GATED = (*STEERING, *APPLYING, "undo", min(CORRECTION_ACTIONS))


class DashboardScreen(Reviewing, Steering, Applying, PaletteCommands, Screen[None]):
    BINDINGS = [
        # Short footer words (the help shows the tooltips): with the review keys the footer is full.
        Binding("r", "retry", "Retry", id="retry", tooltip="Retry agent", group=_RETRY),
        Binding("R", "retry_all", "Retry all", id="retry-all", tooltip="Retry all failed", group=_RETRY),
        Binding("c", "cancel", "Cancel", id="cancel", tooltip="Cancel agent"),
        Binding("p", "toggle_pause", "Pause", id="pause", tooltip="Pause/resume"),
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("s", "cycle_sort", "Sort", id="sort"),
        Binding("t", "report", "Report", id="report"),
        Binding("a", "apply_selected", "Apply", id="apply", tooltip="Apply actions", group=_APPLY),
        Binding("A", "apply_all", "Apply all", id="apply-all", group=_APPLY),
        Binding("tab", "app.focus_next", "Grid ⇄ inbox", show=False, id="switch-pane"),
        Binding("z", "toggle_compact", "Compact grid", show=False, id="compact"),
    ]

    def __init__(self, session: Session, clock: Callable[[], float], note_timeout: float | None = None,
                 review: ReviewDesk | None = None, open_review: Callable[[str], ReviewDesk | None] | None = None) -> None:
        """`review`: the desk for a stored run (`fanmail review`); `open_review`: how to find one for
        a live run once its id is known (None: this dashboard cannot correct)."""
        super().__init__()
        self.session = session
        self._desk = review
        self._stored = review is not None  # `fanmail review RUN_ID`: nothing runs, so nothing to steer
        self._open_review = open_review if review is None else None
        self.state = self.new_state(clock)
        self.state.imap_actions = session.actions_enabled
        self.state.auto_apply = session.auto_apply
        self.note_timeout = note_timeout
        self._toaster = Toaster(note_timeout)
        self._actions_key: tuple[object, ...] = ()
        self._preview: str | None = None
        self._flushed_at = float("-inf")
        self._topped = False  # the inbox cursor went to the top when the run finished (once)

    def new_state(self, clock: Callable[[], float]) -> RunState:
        """The state the events fold into (the watch dashboard's adds waves and its header)."""
        return RunState(clock=clock)

    header_class: type[RunHeader] = RunHeader  # the watch dashboard's has the watch's line

    def under_grid(self) -> ComposeResult:
        """Widgets between the agent grid and the inbox (the watch dashboard's history)."""
        return iter(())

    def compose(self) -> ComposeResult:
        yield self.header_class(self.session.label, id="run-header")
        yield AgentGrid(id="agents")
        yield from self.under_grid()
        yield FilterInput(id="filter")
        yield InboxTable(id="inbox", actions=self.session.actions_enabled,
                         bindings=[*QUEUE_BINDINGS, *correction_bindings()])
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", FilterInput).display = False
        self.query_one(InboxTable).focus()
        self.run_worker(self._consume(), name="events", group="run", exclusive=True)
        self.set_interval(FLUSH_S, self._tick, name="flush")
        self.flush()

    async def on_unmount(self) -> None:
        await self.session.wait_closed()  # the run is recorded in full before the app is gone
        if self._desk is not None:
            self._desk.close()  # every correction was committed when the screen said so

    async def _consume(self) -> None:
        """The only place events arrive: fold each into plain state, nothing else."""
        try:
            async for event in self.session.events():
                self.state.apply(event)
        except (ProviderError, ConfigError, SourceError) as exc:  # e.g. the mailbox refused the login
            self.app.exit(return_code=2, message=f"fanmail: error: {exc}")
        except EngineFailed as exc:  # already one line, naming the error
            self.state.fail(str(exc))
        except Exception as exc:  # never a traceback over the dashboard: one line, on screen
            self.state.fail(f"{type(exc).__name__}: {exc}")

    # ------------------------------------------------------------------ the repaint
    @property
    def grid(self) -> AgentGrid:
        return self.query_one(AgentGrid)

    @property
    def table(self) -> InboxTable:
        return self.query_one(InboxTable)

    def _tick(self) -> None:
        """Input first: while the operator is pressing keys the stream is drawn at most once per
        MAX_DEFER_S, so a key's repaint does not queue behind a repaint of streamed rows."""
        now = time.monotonic()
        if now - self.app.last_key_at < INPUT_QUIET_S and now - self._flushed_at < MAX_DEFER_S:  # type: ignore[attr-defined]
            return
        self.flush()

    def flush(self) -> None:
        """Push what changed since the last tick to the widgets, in one batch."""
        state = self.state
        self._flushed_at = time.monotonic()
        with self.app.batch_update():
            rows = state.take_rows()
            if self._desk is None and self._open_review is not None and state.run_id:
                self._desk, self._open_review = self._open_review(state.run_id), None
                if self._desk is not None:
                    self._desk.see(list(state.inbox.rows.values()))
                    self.refresh_bindings()  # the review keys appear
            if rows and self._desk is not None:
                rows = self._desk.see(rows)
                self.table.set_badges({r.email_id: self._desk.badge(r) for r in rows})
                for row in rows:
                    state.inbox.rows[row.email_id] = row
            if rows:
                self.table.upsert_many(rows)
            if state.finished and not self._topped:
                self._topped = True
                self.table.top_unless_moved()
            changed = state.take_action_changes()
            if changed:
                self.table.set_actions({eid: view.cell() for eid, view in changed.items()})
            if self._preview is None and self.session.preview is not None:
                self._preview = brief(self.session.preview)
            self.show_header()
            if state.agents or self.grid.cards:  # a watch folds finished agents away: the grid empties
                grid = self.grid
                shown = {grid.selected} if grid.compact and grid.selected else None
                grid.show(state.cards(shown))
            self._title_inbox()
            self._toaster.show(self.app, state.take_notes())
            self._refresh_actions()

    def show_header(self) -> None:
        left = self._desk.queue.left if self._desk is not None else None
        self.query_one(RunHeader).show(self.state.header(self.session.budget_left(), self._preview, left))

    def _title_inbox(self) -> None:
        table = self.table
        title = f"Inbox {table.row_count}/{self.state.total} · sort: {table.sort_mode}"
        needle = self.query_one("#filter", FilterInput).value
        if table.scoped:
            title += " · only to review (v shows all)"
        if needle:
            title += f" · filter: {needle}"
        marked = len(table.marked)
        if marked:
            title += f" · {marked} marked"
        table.border_title = title

    # ------------------------------------------------------------------ which keys act now
    def _refresh_actions(self) -> None:
        """Footer shows r/R/c and the review keys as disabled when they cannot apply; recompute only on change."""
        key = tuple(self.check_action(action, ()) for action in _FOOTER_GATED)
        if key != self._actions_key:
            self._actions_key = key
            self.refresh_bindings()

    @on(InboxTable.Highlighted)
    def _inbox_highlighted(self) -> None:
        self._refresh_actions()  # the apply and correction keys follow the row under the cursor

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in REVIEW_ACTIONS:
            return self.check_review(action)
        if action in STEERING:
            return self.check_steering(action)
        if action in APPLYING:
            return self.check_apply(action)
        return True

    def on_key(self, event: events.Key) -> None:
        self.explain_disabled(event)

    def _warn(self, text: str) -> None:
        self.app.notify(text, severity="warning", timeout=self.note_timeout, markup=False)

    # ------------------------------------------------------------------ the inbox: filter, sort, open
    def action_filter(self) -> None:
        box = self.query_one("#filter", FilterInput)
        box.display = True
        box.focus()

    @on(FilterInput.Changed, "#filter")
    def _filter_changed(self, event: FilterInput.Changed) -> None:
        self.table.set_filter(event.value)
        self._title_inbox()

    @on(FilterInput.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    @on(FilterInput.Dismissed)
    def _filter_dismissed(self) -> None:
        box = self.query_one("#filter", FilterInput)
        box.value = ""
        box.display = False
        self.table.set_filter("")
        self.table.focus()
        self._title_inbox()

    def action_cycle_sort(self) -> None:
        modes = list(self.table.sort_modes)
        self.set_sort(modes[(modes.index(self.table.sort_mode) + 1) % len(modes)])

    def set_sort(self, mode: str) -> None:
        self.table.set_sort(mode)
        self._title_inbox()

    def report_screen(self) -> RunReportScreen:
        """What t opens (the watch dashboard's report lists its waves too)."""
        return RunReportScreen(self.state, self._desk.agreement() if self._desk else None)

    def action_report(self) -> None:
        self.app.push_screen(self.report_screen())

    def action_toggle_compact(self) -> None:
        self.grid.toggle_compact()

    def open_email(self, email_id: str) -> None:
        email = self.session.emails.get(email_id)
        if email is not None:
            desk = self._desk
            self.app.push_screen(EmailDetail(email, self.state.inbox.rows.get(email_id), self.state.actions.get(email_id),
                                             show_actions=self.session.actions_enabled,
                                             auto=self.session.auto_apply, desk=desk,
                                             corrections=desk.corrections(email_id) if desk else None,
                                             on_correction=self.after_correction))

    @on(InboxTable.Selected)
    def _inbox_selected(self, event: InboxTable.Selected) -> None:
        self.open_email(event.email_id)

    @on(AgentGrid.Opened)
    def _agent_opened(self, event: AgentGrid.Opened) -> None:
        agent = self.state.agents.get(event.agent_id)
        if agent is None:
            return
        email_id = agent.current or (agent.spans[-1].email_id if agent.spans else None)
        email_id = email_id or (agent.emails[0] if agent.emails else None)
        if email_id:
            self.open_email(email_id)
