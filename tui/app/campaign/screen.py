"""The campaign view: one panel per segment agent and the recipients' outcomes as a table, on the
shared run view (tui/app/run_view.py; its SMTP and ledger work only awaits). Quitting mid-send
stops the agents: what they did not send stays pending for the next run (and a message caught
inside DATA is `unknown`, never re-sent).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid

from tui.app.campaign.state import CampaignState, Outcome
from tui.app.run_view import RunViewScreen
from tui.app.widgets.agent_panel import AgentPanel
from tui.app.safe_text import safe_line
from tui.mail.smtp import SmtpError
from tui.run.campaign import CampaignRun

COLUMNS = ("recipient", "segment", "outcome", "code", "attempts")
_STYLES = {"refused": "bold red", "unknown": "bold magenta", "deferred": "yellow", "retrying": "yellow"}


def _cells(outcome: Outcome) -> list[Text]:
    cells = [safe_line(v) for v in (outcome.recipient, outcome.segment, outcome.state,
                                    "" if outcome.code is None else str(outcome.code), str(outcome.attempts))]
    if outcome.state in _STYLES:
        cells[2].stylize(_STYLES[outcome.state])
    return cells


class CampaignScreen(RunViewScreen):
    header_id, table_id, columns, what, expected = "campaign-header", "outcomes", COLUMNS, "campaign", (SmtpError,)
    DEFAULT_CSS = """
    CampaignScreen #campaign-header { height: 1; padding: 0 1; background: $panel; }
    CampaignScreen #segments { grid-size: 3; grid-gutter: 0 1; height: auto; max-height: 60%; }
    CampaignScreen #segments AgentPanel { height: 5; }
    CampaignScreen #outcomes { height: 1fr; }
    """

    def __init__(self, run: CampaignRun, label: str, state: CampaignState) -> None:
        super().__init__(run, label, state)
        self.todo = run.todo

    def agents(self) -> list[tuple[str, str]]:
        return [(f"segment-{index}", name) for index, name in enumerate(self.todo)]

    def compose_panels(self, panels: list[AgentPanel]) -> ComposeResult:
        with Grid(id="segments"):
            yield from panels

    def row(self, item: Outcome) -> tuple[str, list[Text]]:
        return item.recipient, _cells(item)

    def header_tail(self) -> str:
        if self.state.stopped:
            return f" · stopped: {self.state.stopped}: q to quit"
        return " · finished: q to quit" if self.state.finished else ""
