"""A yes/no question that starts on the harmless button: the quit and the mailbox questions."""

from __future__ import annotations

from textual.screen import ModalScreen
from textual.widgets import Button


class Question(ModalScreen[bool]):
    """Dismisses with True for the button `YES_ID` or the `answer(True)` key; focus starts on `NO_ID`."""

    YES_ID = "yes"
    NO_ID = "no"

    def on_mount(self) -> None:
        self.query_one(f"#{self.NO_ID}", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == self.YES_ID)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
