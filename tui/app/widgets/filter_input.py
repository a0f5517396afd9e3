"""The inbox filter line: typing filters live, enter keeps it, escape clears and hides it."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterInput(Input):
    BINDINGS = [Binding("escape", "dismiss", "Clear filter", id="filter-clear")]

    class Dismissed(Message):
        """Escape: the dashboard clears the filter and hides this line."""

    def __init__(self, **kw: object) -> None:
        super().__init__(placeholder="filter: subject, sender, route, category or status", **kw)  # type: ignore[arg-type]
        self.cursor_blink = False  # stable snapshots, calmer screen

    def action_dismiss(self) -> None:
        self.post_message(self.Dismissed())
