"""The extraction view: a panel per format agent (pdf, ocr, text) and the feed as a table, on the
shared run view (tui/app/run_view.py; the OCR and PDF work is in the process pool, so this loop
only awaits).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal

from tui.agents.base import ProviderError
from tui.app.extract.state import ExtractState
from tui.app.run_view import RunViewScreen
from tui.app.safe_text import safe_line
from tui.app.widgets.agent_panel import AgentPanel
from tui.extract.records import AGENTS, ExtractRecord
from tui.run.extract import ExtractRun
from tui.settings import ConfigError

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


class ExtractScreen(RunViewScreen):
    header_id, table_id, columns, what = "extract-header", "feed", COLUMNS, "extraction"
    expected = (ConfigError, ProviderError)
    DEFAULT_CSS = """
    ExtractScreen #extract-header { height: 1; padding: 0 1; background: $panel; }
    ExtractScreen #extract-agents { height: 5; }
    ExtractScreen #extract-agents AgentPanel { width: 1fr; }
    ExtractScreen #feed { height: 1fr; }
    """

    def __init__(self, run: ExtractRun, label: str, clock: Callable[[], float] | None = None) -> None:
        super().__init__(run, label, ExtractState(clock=clock) if clock else ExtractState())

    def agents(self) -> list[tuple[str, str]]:
        return [(f"agent-{agent}", agent) for agent in AGENTS]

    def compose_panels(self, panels: list[AgentPanel]) -> ComposeResult:
        with Horizontal(id="extract-agents"):
            yield from panels

    def row(self, item: ExtractRecord) -> tuple[str, list[Text]]:
        return item.doc_id, _cells(item)
