"""The extraction view: a panel per format agent (pdf, ocr, text) and the feed as a table.

The run's events are folded into `ExtractState` by one async worker driving it through `drive`
(so a failure of the run is on screen and in the log) (the OCR and PDF work is in
the process pool, so this loop only awaits); a 4 Hz timer paints new rows and the panels in one
batch update, as the triage dashboard does.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.agents.base import ProviderError
from tui.app.extract.state import ExtractState
from tui.app.safe_text import safe_line
from tui.app.widgets.agent_panel import AgentPanel
from tui.app.widgets.keyed_rows import upsert_row
from tui.extract.records import AGENTS, ExtractRecord
from tui.run.extract import ExtractRun
from tui.run import drive
from tui.settings import ConfigError

FLUSH_S = 0.25
COLUMNS = ("document", "agent", "format", "status", "kind", "vendor", "number", "date", "total", "conf", "conflicts",
           "error")
MAX_CELL = 60  # a long reason must not push the other columns off screen


def _cells(record: ExtractRecord) -> list[Text]:
    """Mail-derived text is shown as typed, never as markup."""
    total = f"{record.currency or ''} {record.total:,.2f}".strip() if record.total is not None else ""
    conflicts = "; ".join(c.split(":")[0] for c in record.conflicts)
    values = [record.doc_id, record.agent, record.format.value, record.status, record.kind.value if record.kind else "",
              record.vendor or "", record.number or "", record.date or "", total, f"{record.confidence:.2f}", conflicts,
              record.error or ""]
    cells = [safe_line(v if len(v) <= MAX_CELL else v[: MAX_CELL - 1] + "…") for v in values]
    if record.status != "ok":
        cells[3].stylize("bold red")
    if conflicts:
        cells[-2].stylize("bold yellow")
    return cells


class ExtractScreen(Screen[None]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
    DEFAULT_CSS = """
    ExtractScreen #extract-header { height: 1; padding: 0 1; background: $panel; }
    ExtractScreen #extract-agents { height: 5; }
    ExtractScreen #extract-agents AgentPanel { width: 1fr; }
    ExtractScreen #feed { height: 1fr; }
    """

    def __init__(self, run: ExtractRun, label: str, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.run = run
        self.label = label
        self.state = ExtractState(clock=clock) if clock else ExtractState()
        self.rows_shown = 0
        self.stopped = ""  # why the run ended early, if it did

    def compose(self) -> ComposeResult:
        yield Static(self.label, id="extract-header", markup=False)
        with Horizontal(id="extract-agents"):
            for agent in AGENTS:
                yield AgentPanel(self.state.card(agent), id=f"agent-{agent}")
        table: DataTable[Text] = DataTable(id="feed", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#feed", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        table.focus()
        self.set_interval(FLUSH_S, self.flush, name="flush")
        self.run_worker(self._consume(), name="extract", exclusive=True, exit_on_error=False)

    async def _consume(self) -> None:
        stopped = await drive(self.run, self.state.apply, expected=(ConfigError, ProviderError))
        if stopped:  # the run itself stopped (a model it cannot open): say so
            self.stopped = stopped
            self.app.notify(f"extraction stopped: {self.stopped}", severity="error", timeout=30, markup=False)
        self.flush()

    def flush(self) -> None:
        """New rows appended, flagged rows updated, panels refreshed: one repaint."""
        table = self.query_one("#feed", DataTable)
        with self.app.batch_update():
            for record in self.state.drain():
                upsert_row(table, record.doc_id, COLUMNS, _cells(record))
            self.rows_shown = table.row_count
            for agent in AGENTS:
                self.query_one(f"#agent-{agent}", AgentPanel).show(self.state.card(agent))
            stopped = f" · stopped: {self.stopped}" if self.stopped else ""
            self.query_one("#extract-header", Static).update(f"{self.label} · {self.state.summary()}{stopped}")

    def action_cursor_down(self) -> None:
        self.query_one("#feed", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#feed", DataTable).action_cursor_up()
