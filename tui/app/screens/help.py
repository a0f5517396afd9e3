"""Every key, read from the live bindings (after any keymap), so the list cannot drift from the code."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# Keys handled by Textual itself that the operator still needs to know about.
EXTRA = [("ctrl+p", "Command palette: every action, themes")]
WIDE = 150  # terminals at least this wide get the keys in three columns


def _rows(app, sections: list[tuple[str, list]]) -> list[tuple[str, list[tuple[str, str]]]]:  # noqa: ANN001
    """(section, [(keys, description)]) with keymap overrides applied and duplicates merged."""
    keymap: dict[str, str] = getattr(app, "keymap", {}) or {}
    out = []
    for title, bindings in sections:
        merged: dict[str, list[str]] = {}
        for b in bindings:
            if not isinstance(b, Binding) or not b.description:
                continue
            keys = keymap.get(b.id, b.key) if b.id else b.key
            shown = [app.get_key_display(Binding(k.strip(), b.action)) for k in keys.split(",")]
            merged.setdefault(b.tooltip or b.description, []).extend(shown)
        out.append((title, [(" ".join(dict.fromkeys(k)), d) for d, k in merged.items()]))
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close", id="help-close")]

    def __init__(self, sections: list[tuple[str, list]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        sections = _rows(self.app, self.sections) + [("Anywhere", EXTRA)]
        count = 3 if self.app.size.width >= WIDE else 2  # the review keys made two columns too long
        share = (sum(len(rows) + 2 for _, rows in sections) + count - 1) // count
        columns: list[list[tuple[str, list[tuple[str, str]]]]] = [[] for _ in range(count)]
        used = 0
        for section in sections:  # a section goes to the column its middle falls in, so none runs far past its share
            size = len(section[1]) + 2
            columns[min(count - 1, (used + size // 2) // share)].append(section)
            used += size
        layout = Table.grid(padding=(0, 4))
        layout.add_row(*(_section_table(col) for col in columns))
        with VerticalScroll(id="help-box", classes="-wide" if count == 3 else ""):
            yield Static("fanmail keys  (escape closes)", classes="section-title")
            yield Static(layout, id="help-table")


def _section_table(sections: list[tuple[str, list[tuple[str, str]]]]) -> Group:
    """One column of sections; a section's title is a line of its own, so a long title does not
    widen the key column."""
    parts: list[Text | Table] = []
    for title, rows in sections:
        parts.append(Text(title, style="underline"))
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True, min_width=10)
        table.add_column()
        for keys, description in rows:
            table.add_row(Text(keys), Text(description))
        parts += [table, Text("")]
    return Group(*parts)
