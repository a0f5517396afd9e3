"""The dashboard: owns the run state, consumes events in one worker, repaints on a timer.

Events never touch widgets: the worker folds them into `RunState`; a 4 Hz timer flushes new
rows into the inbox table and hands fresh cards to the agent grid inside one batch update.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.widgets import Footer

from tui.agents.base import ProviderError
from tui.app.triage.engine_process import EngineFailed
from tui.app.triage.mail_action_views import MailActions
from tui.app.triage.review_desk import ReviewDesk
from tui.app.triage.review_keys import CORRECTION_ACTIONS, QUEUE_BINDINGS, REVIEW_ACTIONS, Correcting, correction_bindings
from tui.app.triage.confirm_actions import ConfirmActions, ConfirmOverride
from tui.app.triage.email_detail import EmailDetail
from tui.app.triage.run_report import RunReportScreen
from tui.app.triage.session import NO_ACTIONS_HERE, Session
from tui.app.triage.state import Note, RunState
from tui.app.widgets.agent_grid import MAX_PANELS, AgentGrid
from tui.app.widgets.filter_input import FilterInput
from tui.app.triage.inbox_table import InboxTable
from tui.app.triage.run_header import RunHeader
from tui.fanout.preview import brief
from tui.mail.action_desk import phrase
from tui.mail.sources import SourceError
from tui.model import ResultRow
from tui.settings import ConfigError

FLUSH_S = 0.25
INPUT_QUIET_S = 0.3  # a key this recent defers the stream's repaint...
MAX_DEFER_S = 1.0  # ...for at most this long
_GATED_ACTIONS = ("retry", "retry_all", "cancel", "toggle_pause", "apply_selected", "apply_all")
_RETRY = Binding.Group("Retry")
_APPLY = Binding.Group("Apply")
# Every correction key shares one gate (a row to correct), so one of them stands for all in the footer's key.
_FOOTER_GATED = (*_GATED_ACTIONS, "undo", min(CORRECTION_ACTIONS))
_STEERING = ("retry", "retry_all", "cancel", "toggle_pause")
MAX_TOASTS = 3  # per flush; a provider outage must not bury the screen in notifications


@dataclass(frozen=True, slots=True)
class Command:
    """One palette entry that is valid right now."""

    title: str
    help: str
    run: Callable[[], object]


class DashboardScreen(Correcting, Screen[None]):
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
        self._actions_key: tuple[object, ...] = ()
        self._preview: str | None = None
        self._flushed_at = float("-inf")
        self._topped = False  # the inbox cursor went to the top when the run finished (once)
        self._failed_agents: list[str] = []  # named in the one failure toast
        self._failure_note: Notification | None = None

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
            left = self._desk.queue.left if self._desk is not None else None
            self.query_one(RunHeader).show(state.header(self.session.budget_left(), self._preview, left))
            if state.agents or self.grid.cards:  # a watch folds finished agents away: the grid empties
                grid = self.grid
                shown = {grid.selected} if grid.compact and grid.selected else None
                grid.show(state.cards(shown))
            self._title_inbox()
            self._toast(state.take_notes())
            self._refresh_actions()

    def _toast(self, notes: list[Note]) -> None:
        failures = [n for n in notes if n.agent is not None]
        notes = [n for n in notes if n.agent is None]
        shown = notes[:MAX_TOASTS]
        for note in shown:
            self.app.notify(note.text, severity=note.severity, timeout=self.note_timeout, markup=False)
        if len(notes) > len(shown):
            self.app.notify(f"…and {len(notes) - len(shown)} more (R retries every failed agent)",
                            severity="warning", timeout=self.note_timeout, markup=False)
        if failures:
            self._failure_toast(failures)

    def _failure_toast(self, failures: list[Note]) -> None:
        """Failed agents share one toast, replaced as more fail, so they never pile over the grid."""
        for note in failures:
            if note.agent not in self._failed_agents:
                self._failed_agents.append(note.agent or "")
        names = self._failed_agents
        text = failures[-1].text if len(names) == 1 else (
            f"{len(names)} agents failed: {', '.join(names[:6])}{'…' if len(names) > 6 else ''}; last: "
            f"{failures[-1].text} (R retries every failed agent)")
        # Textual has no public replace; both steps are synchronous, since a Notify still queued
        # when the next failure replaces it would land after the removal and leave two toasts.
        if self._failure_note is not None:
            self.app._unnotify(self._failure_note, refresh=False)
        timeout = self.note_timeout if self.note_timeout is not None else self.app.NOTIFICATION_TIMEOUT
        self._failure_note = Notification(text, "", "error", timeout, markup=False)
        self.app._on_notify(Notify(self._failure_note))

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

    def _refresh_actions(self) -> None:
        """Footer shows r/R/c and the review keys as disabled when they cannot apply; recompute only on change."""
        key = tuple(self.check_action(action, ()) for action in _FOOTER_GATED)
        if key != self._actions_key:
            self._actions_key = key
            self.refresh_bindings()

    def _selected_actions(self) -> MailActions | None:
        return self.state.actions.get(self.table.selected_email_id or "")

    @on(InboxTable.Highlighted)
    def _inbox_highlighted(self) -> None:
        self._refresh_actions()  # the apply and correction keys follow the row under the cursor

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in REVIEW_ACTIONS:
            return self._check_review(action)
        if action in _STEERING and self._stored:
            return False  # `fanmail review`: a stored run, nothing left to steer
        agent = self.state.agents.get(self.grid.selected or "") if self.is_mounted else None
        if action == "retry":
            return True if agent is not None and agent.retryable else None
        if action == "retry_all":
            return True if self.state.retryable() else None
        if action == "cancel":
            return True if agent is not None and agent.active else None
        if action == "toggle_pause":
            return True if self.state.busy else None
        if action in ("apply_selected", "apply_all"):
            if not self.session.actions_enabled:
                return False  # file sources have no actions: not even shown
            if action == "apply_all":
                return True if self.state.appliable() else None
            view = self._selected_actions() if self.is_mounted else None
            return True if view is not None and not view.applying and view.todo(override=view.review) else None
        return True

    # ------------------------------------------------------------------ the review desk
    def desk(self) -> ReviewDesk | None:
        return self._desk

    def targets(self) -> list[ResultRow]:
        """What a correction key applies to: every marked row, else the row under the cursor."""
        table = self.table
        ids = table.marked or ([table.selected_email_id] if table.selected_email_id else [])
        return [row for eid in ids if (row := table.get_row(eid)) is not None]

    def _check_review(self, action: str) -> bool | None:
        desk = self._desk
        if desk is None:
            return False  # a replay, or no store: not shown at all
        if action == "undo":
            return True if desk.can_undo else None
        if action in CORRECTION_ACTIONS and self.is_mounted and not self.targets():
            return None
        return True

    def after_correction(self, rows: list[ResultRow], text: str) -> None:
        """The store has it: show the new rows, drop the marks they were made with, say so."""
        desk, table = self._desk, self.table
        if desk is not None and rows:
            table.set_badges({r.email_id: desk.badge(r) for r in rows})
            for row in rows:
                self.state.inbox.rows[row.email_id] = row
            table.upsert_many(rows)
            self.session.replan(rows)  # IMAP: the move follows the corrected route
            if any(r.email_id in table.marked for r in rows):
                table.clear_marks()
        self.app.notify(text, timeout=self.note_timeout, markup=False)
        self._title_inbox()
        self.query_one(RunHeader).show(self.state.header(self.session.budget_left(), self._preview,
                                                         desk.queue.left if desk else None))
        self.refresh_bindings()
        detail = self.app.screen
        if isinstance(detail, EmailDetail) and desk is not None:
            if (row := self.state.inbox.rows.get(detail.email.id)) is not None:
                detail.show_row(row, desk.corrections(detail.email.id))

    def action_review_step(self, step: int) -> None:
        desk = self._desk
        if desk is None:
            return
        eid = self.table.find(desk.queue.pending, step)
        if eid is None:
            self._warn("nothing left to review" if not desk.queue.left else "nothing to review in this view")
        else:
            self.table.select_email(eid)

    def action_review_only(self) -> None:
        desk = self._desk
        if desk is not None:
            self.table.set_scope(None if self.table.scoped else desk.queue.pending)
            self._title_inbox()

    def action_mark(self) -> None:
        eid = self.table.selected_email_id
        if eid is not None:
            self.table.toggle_mark(eid)
            self.table.action_cursor_down()
            self._title_inbox()
            self.refresh_bindings()

    def action_mark_shown(self) -> None:
        self.table.mark_shown()
        self._title_inbox()
        self.refresh_bindings()

    # ------------------------------------------------------------------ operator actions
    # A steering key whose action is disabled (dimmed in the footer) would do nothing and say
    # nothing: say why instead.
    _EXPLAINED = ("retry", "retry_all", "toggle_pause")

    def _disabled_action(self, key: str) -> str | None:
        """The steering action bound to `key` (as the keymap has it), if that is what the key meant."""
        keymap: dict[str, str] = getattr(self.app, "keymap", {})
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action in self._EXPLAINED:
                keys = keymap.get(binding.id or "", binding.key)
                if key in (k.strip() for k in keys.split(",")):
                    return binding.action
        return None

    def on_key(self, event: events.Key) -> None:
        action = self._disabled_action(event.key)
        if action is None or self._stored or self.check_action(action, ()) is not None:
            return
        event.stop()
        if action == "toggle_pause":
            why = "the run has finished: nothing left to pause" if self.state.finished else "nothing is running to pause"
        elif self.state.busy and action == "retry_all":
            why = "nothing to retry yet: no agent has failed"
        else:
            why = "nothing to retry: no agent has failed emails" if action == "retry_all" else (
                f"nothing to retry: {self.grid.selected or 'no agent'} has no failed emails (r retries a failed, "
                "timed-out or cancelled agent)")
        self.app.notify(why, timeout=self.note_timeout, markup=False)

    def action_retry(self) -> None:
        agent_id = self.grid.selected
        if agent_id and self.session.retry(agent_id):
            self.app.notify(f"retrying {agent_id}", timeout=self.note_timeout)
        else:
            self.app.notify(f"{agent_id or 'no agent'}: nothing to retry (only failed, timed-out or cancelled "
                            "agents with failed emails)", severity="warning", timeout=self.note_timeout, markup=False)

    def action_retry_all(self) -> None:
        retried = self.session.retry_failed()
        if retried:
            self.app.notify(f"retrying {len(retried)} agents: {', '.join(retried[:8])}"
                            + ("…" if len(retried) > 8 else ""), timeout=self.note_timeout, markup=False)
        else:
            self.app.notify("no failed agents to retry", severity="warning", timeout=self.note_timeout)

    def action_cancel(self) -> None:
        agent_id = self.grid.selected
        if agent_id and self.session.cancel(agent_id):
            self.app.notify(f"cancelling {agent_id}", severity="warning", timeout=self.note_timeout)
        else:
            self.app.notify(f"{agent_id or 'no agent'} is not running", severity="warning", timeout=self.note_timeout)

    def action_toggle_pause(self) -> None:
        """Pause holds back new launches; agents already running finish their batch."""
        if self.state.paused:
            self.session.resume()
        else:
            self.session.pause()

    # ------------------------------------------------------------------ mail actions (IMAP runs)
    def _subject(self, email_id: str) -> str:
        row = self.state.inbox.rows.get(email_id)
        return (row.subject if row else "") or self.state.subjects.get(email_id, "") or email_id

    def action_apply_selected(self) -> None:
        """Apply the selected email's actions after a confirm; a review email needs a second one."""
        if not self.session.actions_enabled:
            self._warn(NO_ACTIONS_HERE)
            return
        email_id = self.table.selected_email_id
        view = self.state.actions.get(email_id or "")
        if email_id is None or view is None:
            self._warn("no actions for this email (failed rows get none; a verdict is needed first)")
            return
        if view.applying:
            self._warn("this email's actions are being applied")
            return
        if view.review:
            self._confirm_override(view)
            return
        todo = view.todo()
        if not todo:
            self._warn(f"nothing left to apply for this email ({view.status})")
            return
        lines = [f"Subject: {self._subject(email_id)}", "", *(f"• {phrase(a)}" for a in todo)]
        title = f"Apply {len(todo)} action{'s' * (len(todo) != 1)} to 1 email?"
        self.app.push_screen(ConfirmActions(title, lines), lambda yes: self._send([email_id]) if yes else None)

    def _confirm_override(self, view: MailActions) -> None:
        """Review mail (prompt injection, low confidence) is filed only after two explicit answers."""
        email_id = view.email_id
        todo = view.todo(override=True)
        if not todo:
            self._warn("this email is held for review and there is nothing to file it with "
                       "(no proposed route, and the review folder is the inbox)")
            return
        what = [f"• {phrase(a)}" for a in todo]
        first = ConfirmActions(
            "This email is held for review",
            [f"Subject: {self._subject(email_id)}", f"Why: {view.reason}", "",
             "It stays in the inbox, untouched, unless you override the review. Overriding would:", *what],
            yes="Override… (y)",
        )
        second = ConfirmOverride(
            f"Override the review: {view.reason}?",
            [f"This email was held back because: {view.reason}.",
             "A prompt-injection attempt can make a harmful email look routine. Filing it will:", *what,
             "", "Only this one email is affected. Press o to file it anyway, n to keep it for review."],
        )

        def answered_first(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(second, lambda sure: self._send([email_id], override=True) if sure else None)

        self.app.push_screen(first, answered_first)

    def action_apply_all(self) -> None:
        """Apply every planned action not done yet, after one confirm. Review mail is never included."""
        if not self.session.actions_enabled:
            self._warn(NO_ACTIONS_HERE)
            return
        ids = self.state.appliable()
        if not ids:
            self._warn("no planned actions left to apply")
            return
        kinds = Counter(a.kind for e in ids for a in self.state.actions[e].todo())
        words = {"move": "moves", "forward": "forwards", "flag": "flags", "keyword": "keywords"}
        lines = [f"• {kinds[k]} {words[k]}" for k in ("move", "forward", "flag", "keyword") if kinds[k]]
        review = self.state.action_counts().review
        if review:
            lines += ["", f"{review} emails held for review are not touched (a on one of them to override)."]
        if self.state.busy:
            lines += ["", "Emails still being triaged are not included: press A again when they land."]
        total = sum(kinds.values())
        self.app.push_screen(ConfirmActions(f"Apply {total} actions to {len(ids)} emails?", lines),
                             lambda yes: self._send(ids) if yes else None)

    def _send(self, email_ids: list[str], *, override: bool = False) -> None:
        problem = self.session.apply_actions(email_ids, override=override)
        if problem:
            self.app.notify(problem, severity="error", timeout=self.note_timeout, markup=False)
        else:
            self.app.notify(f"applying the actions of {len(email_ids)} email{'s' * (len(email_ids) != 1)}…",
                            timeout=self.note_timeout, markup=False)

    def _warn(self, text: str) -> None:
        self.app.notify(text, severity="warning", timeout=self.note_timeout, markup=False)

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

    def action_report(self) -> None:
        self.app.push_screen(RunReportScreen(self.state, self._desk.agreement() if self._desk else None))

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

    # ------------------------------------------------------------------ palette
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
            view = self._selected_actions()
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
        out.append(Command("Run report", "telemetry, failures, suggestions, timeline (t)", self.action_report))
        if len(state.agents) <= MAX_PANELS:
            out.append(Command("Full agent panels" if self.grid.compact else "Compact agent grid",
                               "switch the agent grid's density (z)", self.action_toggle_compact))
        return out
