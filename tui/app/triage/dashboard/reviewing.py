"""The review desk on the dashboard: walking the queue, marking rows, and showing each correction.

The correction keys themselves are `Correcting`'s (shared with the email detail screen); this
part says which rows they touch (the marked ones, else the cursor's) and repaints once the store
has a correction.
"""

from __future__ import annotations

from collections.abc import Callable

from tui.app.triage.dashboard.host import DashboardHost
from tui.app.triage.email_detail import EmailDetail
from tui.app.triage.review_desk import ReviewDesk
from tui.app.triage.review_keys import CORRECTION_ACTIONS, Correcting
from tui.model import ResultRow


class Reviewing(DashboardHost, Correcting):
    """The review actions and their gates; the host is the dashboard screen, `_desk` its desk (or None)."""

    _desk: ReviewDesk | None
    _title_inbox: Callable[[], None]
    show_header: Callable[[], None]
    refresh_bindings: Callable[[], None]

    def desk(self) -> ReviewDesk | None:
        return self._desk

    def targets(self) -> list[ResultRow]:
        """What a correction key applies to: every marked row, else the row under the cursor."""
        table = self.table
        ids = table.marked or ([table.selected_email_id] if table.selected_email_id else [])
        return [row for eid in ids if (row := table.get_row(eid)) is not None]

    def check_review(self, action: str) -> bool | None:
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
        self.show_header()
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
