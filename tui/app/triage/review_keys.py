"""The review desk's keys: walking the queue and marking rows (inbox), correcting (inbox and email detail).

One list of bindings per place, read by the footer, the help screen and the README's key table;
the correction actions live in `Correcting`, shared by the dashboard (cursor row, or every marked
row) and the email detail screen (its one email). None of these keys exist before this: they
were picked not to clash with the dashboard's r R c p / s t a A z q ?.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.binding import Binding

from tui.app.triage.confirm_actions import ConfirmActions
from tui.app.triage.picker import AskNumber, Picker
from tui.model import Category, ResultRow

QUEUE = Binding.Group("Review")
FIX = Binding.Group("Correct")

# Footer words are short (the inbox footer holds the dashboard's keys too); the help screen and
# the palette read the longer tooltip.
# Inbox only: the queue and marks (the dashboard screen runs them; the inbox shows them, see InboxTable).
QUEUE_BINDINGS = [
    Binding("n", "review_step(1)", "Next", id="review-next", group=QUEUE,
            tooltip="Next email to review"),
    Binding("N", "review_step(-1)", "Previous", id="review-prev", group=QUEUE,
            tooltip="Previous email to review"),
    Binding("v", "review_only", "Queue", id="review-only", group=QUEUE,
            tooltip="Show only emails to review (again: all)"),
    Binding("space", "mark", "Mark", id="review-mark", group=QUEUE, key_display="␣",
            tooltip="Mark / unmark the email, go to the next"),
    Binding("asterisk", "mark_shown", "All", id="review-mark-all", group=QUEUE,
            tooltip="Mark every email shown (the filter's matches); again: unmark them"),
]

# Corrections: the same keys on the inbox and on the email detail screen;
# with marked rows a correction applies to all of them.
CORRECTIONS: list[tuple[str, str, str, str, Binding.Group | None, str]] = [
    # key, action, footer word, id, footer group, help text
    ("m", "correct_route", "Route", "review-route", FIX, "Change the route (a picker, type to filter)"),
    ("C", "correct_category", "Category", "review-category", FIX, "Change the category (a picker)"),
    ("exclamation_mark", "toggle_urgent", "Urgent", "review-urgent", FIX, "Urgent on / off"),
    ("plus", "step_priority(10)", "+10", "review-priority-up", FIX, "Priority up by 10"),
    ("minus", "step_priority(-10)", "-10", "review-priority-down", FIX, "Priority down by 10"),
    ("P", "type_priority", "Pri", "review-priority", FIX, "Type a priority (0-100)"),
    ("i", "toggle_injection", "Inject", "review-injection", FIX,
     "Mark as prompt injection, or clear the flag (asks, naming the guard's reason)"),
    ("y", "accept", "Accept", "review-accept", FIX, "Accept the verdict as is (marks it reviewed)"),
    ("u", "undo", "Undo", "review-undo", FIX, "Undo the last correction of this session"),
]
CORRECTION_ACTIONS = {action.split("(")[0] for _, action, *_ in CORRECTIONS}
REVIEW_ACTIONS = CORRECTION_ACTIONS | {"review_step", "review_only", "mark", "mark_shown"}


def correction_bindings() -> list[Binding]:
    return [Binding(key, action, text, id=bid, group=group, tooltip=help_text)
            for key, action, text, bid, group, help_text in CORRECTIONS]


class Correcting:
    """The correction actions; the host says which rows they touch and hands the work to its desk.

    Host (a Screen) provides `desk()` (None: this run cannot be corrected), `targets()` (rows the
    key applies to) and `after_correction(rows, text)` (repaint and say so)."""

    app: Any

    def desk(self) -> Any: ...

    def targets(self) -> list[ResultRow]: ...

    def after_correction(self, rows: list[ResultRow], text: str) -> None: ...

    def _run(self, job: Callable[[], Awaitable[tuple[list[ResultRow], str]]]) -> None:
        async def go() -> None:
            try:
                rows, text = await job()
            except ValueError as exc:  # refused before anything was written
                self.app.notify(str(exc), severity="error", markup=False)
                return
            self.after_correction(rows, text)

        self.app.run_worker(go(), group="review", exclusive=False)

    def _correct(self, field: str, value: object, rows: list[ResultRow] | None = None) -> None:
        rows = rows if rows is not None else self.targets()
        desk = self.desk()
        if not rows or desk is None:
            return
        self._run(lambda: desk.correct(rows, {field: value}))

    def action_correct_route(self) -> None:
        rows = self.targets()
        desk = self.desk()
        if not rows or desk is None:
            return
        current = rows[0].route if len(rows) == 1 else None
        proposed = {f.removeprefix("proposed:") for r in rows for f in r.flags if f.startswith("proposed:")}
        title = f"Route for {_count(rows)}"
        self.app.push_screen(Picker(title, desk.route_choices(), current, proposed.pop() if len(proposed) == 1 else None),
                             lambda route: self._correct("route", route, rows) if route else None)

    def action_correct_category(self) -> None:
        rows = self.targets()
        if not rows or self.desk() is None:
            return
        current = rows[0].category if len(rows) == 1 else None
        choices = [(c.value, "") for c in Category]
        self.app.push_screen(Picker(f"Category for {_count(rows)}", choices, current),
                             lambda cat: self._correct("category", cat, rows) if cat else None)

    def action_toggle_urgent(self) -> None:
        rows = self.targets()
        if rows:
            self._correct("urgent", not all(r.urgent for r in rows), rows)

    def action_step_priority(self, step: int) -> None:
        rows, desk = self.targets(), self.desk()
        if rows and desk is not None:
            self._run(lambda: desk.step_priority(rows, step))

    def action_type_priority(self) -> None:
        rows = self.targets()
        if not rows or self.desk() is None:
            return
        current = rows[0].priority if len(rows) == 1 else None
        self.app.push_screen(AskNumber(f"Priority for {_count(rows)}", current),
                             lambda value: self._correct("priority", value, rows) if value is not None else None)

    def action_toggle_injection(self) -> None:
        """Marking is one key; clearing asks first and names what the guard saw."""
        rows = self.targets()
        if not rows or self.desk() is None:
            return
        flagged = [r for r in rows if r.injection]
        if not flagged:
            self._correct("injection", True, rows)
            return
        reasons = sorted({r.injection_reason or "no reason given" for r in flagged})
        lines = [f"The injection guard flagged {_count(flagged)} because:", *(f"• {r}" for r in reasons[:6]), "",
                 "Cleared, the email is treated like any other: its actions can be applied and it teaches "
                 "the next run. Press y only if you have read it."]
        self.app.push_screen(ConfirmActions(f"Clear the injection flag of {_count(flagged)}?", lines,
                                            yes="Clear the flag (y)"),
                             lambda yes: self._correct("injection", False, flagged) if yes else None)

    def action_accept(self) -> None:
        rows, desk = self.targets(), self.desk()
        if rows and desk is not None:
            self._run(lambda: desk.accept(rows))

    def action_undo(self) -> None:
        desk = self.desk()
        if desk is not None:
            self._run(desk.undo)


def _count(rows: list[ResultRow]) -> str:
    if len(rows) == 1:
        return f"“{rows[0].subject[:40] or rows[0].email_id}”"
    return f"{len(rows)} emails"
