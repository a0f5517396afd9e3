"""Small questions the review keys ask: pick one of a list (type to filter), or type a number.

Both are keyboard only: the typing line keeps the focus, up/down move in the list, enter takes
the highlighted choice, escape answers None (nothing changes).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.app.safe_text import safe_line


class Picker(ModalScreen[str | None]):
    """Dismisses with the chosen value, or None on escape."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker-cancel"),
        Binding("down", "move(1)", "Next choice", show=False),
        Binding("up", "move(-1)", "Previous choice", show=False),
        Binding("enter", "pick", "Choose", id="picker-choose"),
    ]

    def __init__(self, title: str, choices: list[tuple[str, str]], current: str | None = None,
                 suggested: str | None = None) -> None:
        """`choices` are (value, description). `current` is marked "now"; `suggested` (the route the
        model proposed for mail held for review) is marked and highlighted first, so enter takes it."""
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current
        self.suggested = suggested if suggested in {v for v, _ in choices} else None

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(safe_line(self.title_text), id="picker-title")
            box = Input(placeholder="type to filter", id="picker-filter")
            box.cursor_blink = False
            yield box
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-filter", Input).focus()

    def _fill(self, needle: str) -> None:
        """Names that contain what was typed first, then choices whose description does."""
        needle = needle.casefold()
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        by_name = [(v, d) for v, d in self.choices if needle in v.casefold()]
        shown = by_name + [(v, d) for v, d in self.choices if (v, d) not in by_name and needle in d.casefold()]
        width = max((len(v) for v, _ in self.choices), default=0)
        tags = {self.current: "now", self.suggested: "proposed"}
        options.add_options([
            Option(Text.assemble((v.ljust(width), "bold"), (f"  {tags.get(v, ''):<9}", "italic"), (d, "dim"),
                                 no_wrap=True, overflow="ellipsis"), id=v)
            for v, d in shown
        ])
        ids = [v for v, _ in shown]
        first = next((v for v in (self.suggested, self.current) if not needle and v in ids), None)
        options.highlighted = ids.index(first) if first else (0 if ids else None)

    @on(Input.Changed, "#picker-filter")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self) -> None:
        self.action_pick()

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    def action_pick(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)


class AskNumber(ModalScreen[int | None]):
    """A whole number in [low, high]; anything else is refused on the line, not dismissed."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="number-cancel")]

    def __init__(self, title: str, current: int | None, low: int = 0, high: int = 100) -> None:
        super().__init__()
        self.title_text, self.current, self.low, self.high = title, current, low, high

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(safe_line(self.title_text), id="picker-title")
            box = Input(value="" if self.current is None else str(self.current), type="integer",
                        placeholder=f"{self.low}-{self.high}", id="number")
            box.cursor_blink = False
            yield box
            yield Static(f"a whole number from {self.low} to {self.high}; enter sets it, escape cancels",
                         id="picker-hint")

    def on_mount(self) -> None:
        self.query_one("#number", Input).focus()

    @on(Input.Submitted, "#number")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            value = int(event.value)
        except ValueError:
            value = None
        if value is None or not self.low <= value <= self.high:
            self.query_one("#picker-hint", Static).update(
                f"{event.value!r} is not a whole number from {self.low} to {self.high}")
            return
        self.dismiss(value)
