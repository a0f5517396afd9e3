"""The shape the campaign and extraction views share: a header line, a panel per agent, a table of
what the run produced, driven by one async worker through `drive` (so a failure of the run itself is
on screen and in the log) and painted by a 4 Hz timer in one batch, as the triage dashboard does.

A view says only what differs: its ids and columns, its panels, a row's key and cells, and how its
header ends; the folding of events is its state's (`apply`, `drain`, `card`, `summary`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.app.widgets.agent_panel import AgentPanel
from tui.app.widgets.keyed_rows import upsert_row
from tui.run import drive

FLUSH_S = 0.25


class RunViewScreen(Screen[None]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
    header_id: ClassVar[str]
    table_id: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    what: ClassVar[str]  # "campaign": the worker's name and the start of the stopped toast
    expected: ClassVar[tuple[type[BaseException], ...]] = ()  # the run's own errors: one line, no traceback

    def __init__(self, run: Any, label: str, state: Any) -> None:
        super().__init__()
        self.view_run = run
        self.label = label
        self.state = state
        self.rows_shown = 0
        self.stopped = ""  # why the run ended early, if it did

    def agents(self) -> Iterable[tuple[str, str]]:
        """(panel id, the state's name for the agent) for every panel."""
        raise NotImplementedError

    def compose_panels(self, panels: list[AgentPanel]) -> ComposeResult:
        raise NotImplementedError

    def row(self, item: Any) -> tuple[str, list[Text]]:
        """A drained item's row key and cells."""
        raise NotImplementedError

    def header_tail(self) -> str:
        return f" · stopped: {self.stopped}" if self.stopped else ""

    def compose(self) -> ComposeResult:
        yield Static(self.label, id=self.header_id, markup=False)
        yield from self.compose_panels([AgentPanel(self.state.card(name), id=pid) for pid, name in self.agents()])
        table: DataTable[Text] = DataTable(id=self.table_id, cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(f"#{self.table_id}", DataTable)
        for name in self.columns:
            table.add_column(name, key=name)
        table.focus()
        self.set_interval(FLUSH_S, self.flush, name="flush")
        self.run_worker(self._drive(), name=self.what, exclusive=True, exit_on_error=False)

    async def _drive(self) -> None:
        stopped = await drive(self.view_run, self.state.apply, expected=self.expected)
        if stopped:
            self.stopped = stopped
            self.app.notify(f"{self.what} stopped: {stopped}", severity="error", timeout=30, markup=False)
        self.flush()

    def flush(self) -> None:
        """New rows appended, changed rows updated, panels refreshed: one repaint."""
        table = self.query_one(f"#{self.table_id}", DataTable)
        with self.app.batch_update():
            for item in self.state.drain():
                key, cells = self.row(item)
                upsert_row(table, key, self.columns, cells)
            self.rows_shown = table.row_count
            for pid, name in self.agents():
                self.query_one(f"#{pid}", AgentPanel).show(self.state.card(name))
            self.query_one(f"#{self.header_id}", Static).update(f"{self.label} · {self.state.summary()}"
                                                               f"{self.header_tail()}")

    def action_cursor_down(self) -> None:
        self.query_one(f"#{self.table_id}", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(f"#{self.table_id}", DataTable).action_cursor_up()
