"""Asked before the dashboard changes a mailbox: what will happen, to how many emails.

`ConfirmActions` answers `y` (apply) or `n`/escape. Filing a review email (prompt injection, low
confidence) takes a second question, `ConfirmOverride`, that names the reason and only accepts
`o`: a `y` typed twice in a hurry never overrides a review. Both start on the harmless button.
Everything taken from the mail or the model is shown as plain text.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.app.safe_text import safe_line
from tui.app.screens.question import Question


class ConfirmActions(Question):
    """Dismisses with True to go ahead."""

    BINDINGS = [
        Binding("y", "answer(True)", "Apply", id="actions-yes"),
        Binding("n,escape", "answer(False)", "Cancel", id="actions-no"),
    ]
    YES = "Apply (y)"
    NO = "Cancel (n)"
    YES_ID, NO_ID = "confirm-yes", "confirm-no"

    def __init__(self, title: str, lines: list[str], *, yes: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.yes_label = yes or self.YES

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes=type(self).__name__.lower()):
            yield Static(safe_line(self.title_text), id="confirm-title")
            body = Text("\n").join(safe_line(line, wrap=True) for line in self.lines)
            yield Static(body, id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.yes_label, variant="warning", id="confirm-yes")
                yield Button(self.NO, variant="primary", id="confirm-no")


class ConfirmOverride(ConfirmActions, inherit_bindings=False):
    """The second question for one review email: only `o` files it."""

    BINDINGS = [
        Binding("o", "answer(True)", "Override the review", id="override-yes"),
        Binding("n,escape", "answer(False)", "Keep it for review", id="override-no"),
    ]
    YES = "Override and file it (o)"
    NO = "Keep for review (n)"
