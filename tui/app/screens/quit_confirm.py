"""Asked before quitting while agents still run: quitting cancels them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.app.screens.question import Question


class QuitConfirm(Question):
    """Dismisses with True to quit. `y`/`q` quit, `n`/escape stay."""

    BINDINGS = [
        Binding("y,q", "answer(True)", "Quit", id="quit-yes"),
        Binding("n,escape", "answer(False)", "Stay", id="quit-no"),
    ]
    YES_ID, NO_ID = "quit-yes", "quit-no"

    def __init__(self, running: int, queued: int) -> None:
        super().__init__()
        self.running, self.queued = running, queued

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-box"):
            yield Static("Quit fanmail?", id="quit-title")
            yield Static(
                f"{self.running} agents are running and {self.queued} are queued. "
                "Quitting cancels them; their emails stay untriaged.",
                id="quit-body",
                markup=False,
            )
            with Horizontal(id="quit-buttons"):
                yield Button("Quit (y)", variant="error", id="quit-yes")
                yield Button("Keep running (n)", variant="primary", id="quit-no")
