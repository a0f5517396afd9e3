"""The campaign view: one panel per segment agent and the recipients' outcomes as a table.

The run is driven in this screen's async worker (its SMTP and ledger work only awaits) through
`drive`, so a failure of the run itself is on screen and in the log; its events are folded into `CampaignState`, and a 4 Hz timer paints changed rows and the panels in one batch,
as the triage dashboard does. Quitting mid-send stops the agents: what they did not send stays
pending for the next run (and a message caught inside DATA is `unknown`, never re-sent).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.app.campaign.state import CampaignState, Outcome
from tui.app.safe_text import safe_line
from tui.app.widgets.agent_panel import AgentPanel
from tui.app.widgets.keyed_rows import upsert_row
from tui.mail.smtp import SmtpError
from tui.run import drive
from tui.run.campaign import CampaignRun

FLUSH_S = 0.25
COLUMNS = ("recipient", "segment", "outcome", "code", "attempts")
_STYLES = {"refused": "bold red", "unknown": "bold magenta", "deferred": "yellow", "retrying": "yellow"}


def _cells(outcome: Outcome) -> list[Text]:
    cells = [safe_line(v) for v in (outcome.recipient, outcome.segment, outcome.state,
                                    "" if outcome.code is None else str(outcome.code), str(outcome.attempts))]
    if outcome.state in _STYLES:
        cells[2].stylize(_STYLES[outcome.state])
    return cells


class CampaignScreen(Screen[None]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
    DEFAULT_CSS = """
    CampaignScreen #campaign-header { height: 1; padding: 0 1; background: $panel; }
    CampaignScreen #segments { grid-size: 3; grid-gutter: 0 1; height: auto; max-height: 60%; }
    CampaignScreen #segments AgentPanel { height: 5; }
    CampaignScreen #outcomes { height: 1fr; }
    """

    def __init__(self, run: CampaignRun, label: str, state: CampaignState) -> None:
        super().__init__()
        self.campaign = run
        self.todo = run.todo
        self.label = label
        self.state = state
        self.rows_shown = 0

    def compose(self) -> ComposeResult:
        yield Static(self.label, id="campaign-header", markup=False)
        with Grid(id="segments"):
            for index, name in enumerate(self.todo):
                yield AgentPanel(self.state.card(name), id=f"segment-{index}")
        table: DataTable[Text] = DataTable(id="outcomes", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#outcomes", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        table.focus()
        self.set_interval(FLUSH_S, self.flush, name="flush")
        self.run_worker(self._send(), name="campaign", exclusive=True, exit_on_error=False)

    async def _send(self) -> None:
        stopped = await drive(self.campaign, self.state.apply, expected=(SmtpError,))
        if stopped:
            self.app.notify(f"campaign stopped: {stopped}", severity="error", timeout=30, markup=False)
        self.flush()

    def flush(self) -> None:
        table = self.query_one("#outcomes", DataTable)
        with self.app.batch_update():
            for outcome in self.state.drain():
                upsert_row(table, outcome.recipient, COLUMNS, _cells(outcome))
            self.rows_shown = table.row_count
            for index, name in enumerate(self.todo):
                self.query_one(f"#segment-{index}", AgentPanel).show(self.state.card(name))
            done = " · finished: q to quit" if self.state.finished else ""
            if self.state.stopped:
                done = f" · stopped: {self.state.stopped}: q to quit"
            self.query_one("#campaign-header", Static).update(f"{self.label} · {self.state.summary()}{done}")

    def action_cursor_down(self) -> None:
        self.query_one("#outcomes", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#outcomes", DataTable).action_cursor_up()
