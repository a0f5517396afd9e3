"""All sub-agents: full panels when they fit, one dense tile grid when there are many.

The grid owns only the cursor (which agent is selected); everything it draws comes from the
`AgentCard`s the dashboard hands it each tick, and only changed panels are repainted.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from tui.app.agent_views import AgentCard
from tui.app.safe_text import safe_line
from tui.app.widgets.agent_panel import AgentPanel, fmt_time
from tui.app.widgets.agent_tiles import AgentTiles

PANEL_WIDTH = 30  # minimum; panels stretch to fill the row
PANEL_HEIGHT = 5
MAX_PANELS = 60  # above this, tiles: updating hundreds of widgets per tick is too slow
SHARE_OF_SCREEN = 0.5  # panels may use at most this much of the terminal's height


class AgentGrid(Widget, can_focus=True):
    """Focusable; j/k and arrows move the selection, enter opens the selected agent's email."""

    BINDINGS = [
        Binding("j", "move(1)", "Next agent", show=False, id="agent-next"),
        Binding("k", "move(-1)", "Previous agent", show=False, id="agent-prev"),
        Binding("right", "move(1)", "Next agent", show=False),
        Binding("left", "move(-1)", "Previous agent", show=False),
        Binding("down", "move_row(1)", "Agent below", show=False),
        Binding("up", "move_row(-1)", "Agent above", show=False),
        Binding("enter", "open", "Open email", id="agent-open"),
    ]

    class Opened(Message):
        """Enter on an agent: show the email it is on (or last worked on)."""

        def __init__(self, agent_id: str) -> None:
            super().__init__()
            self.agent_id = agent_id

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.cards: list[AgentCard] = []
        self.cursor = 0
        self.force_compact: bool | None = None  # None = decide from agent count and screen size
        self._panels: dict[str, AgentPanel] = {}
        self._compact: bool | None = None  # None until the first cards arrive
        self._focusline = ""

    def compose(self) -> ComposeResult:
        self.border_title = "Agents"
        yield Grid(id="panels")
        yield AgentTiles(id="tiles")
        yield Static(id="focusline", markup=False)

    # ------------------------------------------------------------------ data in
    @property
    def selected(self) -> str | None:
        return self.cards[self.cursor].agent_id if self.cards else None

    @property
    def compact(self) -> bool:
        return bool(self._compact)

    def select(self, agent_id: str) -> None:
        for i, card in enumerate(self.cards):
            if card.agent_id == agent_id:
                self._set_cursor(i)

    def show(self, cards: list[AgentCard]) -> None:
        """New cards for every agent; repaint only what changed."""
        old_ids, new_ids = [c.agent_id for c in self.cards], [c.agent_id for c in cards]
        selected = self.selected
        self.cards = cards
        if new_ids != old_ids:  # the selection stays on its agent when others leave (a watch folds them)
            keep = new_ids.index(selected) if selected in new_ids else self.cursor
            self.cursor = min(keep, max(0, len(cards) - 1))
            if old_ids and new_ids[: len(old_ids)] == old_ids and len(cards) <= MAX_PANELS and self._panels:
                self._mount_more(cards[len(old_ids):])  # streaming: batches keep forming, add theirs
            else:
                self._remount_panels(cards)
        self._choose_mode()
        if self._compact:
            self.query_one(AgentTiles).show(cards, self.cursor)
        else:
            for card in cards:
                panel = self._panels.get(card.agent_id)
                if panel is not None:
                    panel.show(card)
        self._show_focusline()

    def toggle_compact(self) -> None:
        self.force_compact = not self._compact
        self.show(self.cards)

    # ------------------------------------------------------------------ layout
    def _fits(self, count: int) -> bool:
        if count > MAX_PANELS:
            return False
        rows = -(-count // self._columns())
        return rows * PANEL_HEIGHT <= self.app.size.height * SHARE_OF_SCREEN

    def _columns(self) -> int:
        width = self.size.width or self.app.size.width
        return max(1, (width - 2) // PANEL_WIDTH)

    def _choose_mode(self) -> None:
        count = len(self.cards)
        if self.force_compact is None:
            compact = not self._fits(count)
        else:
            compact = self.force_compact or count > MAX_PANELS
        if compact != self._compact:
            self._compact = compact
            self.set_class(compact, "-compact")
        self.query_one("#panels", Grid).styles.grid_size_columns = self._columns()

    def _remount_panels(self, cards: list[AgentCard]) -> None:
        """Panels exist whenever there are few enough agents, so toggling modes is instant."""
        grid = self.query_one("#panels", Grid)
        grid.remove_children()
        self._panels = {}
        if len(cards) <= MAX_PANELS:
            self._panels = {c.agent_id: AgentPanel(c, classes="agent-panel") for c in cards}
            grid.mount_all(self._panels.values())
            self._mark_selected()

    def _mount_more(self, cards: list[AgentCard]) -> None:
        panels = {c.agent_id: AgentPanel(c, classes="agent-panel") for c in cards}
        self._panels.update(panels)
        self.query_one("#panels", Grid).mount_all(panels.values())
        self._mark_selected()

    def on_resize(self) -> None:
        if self.cards:
            self.show(self.cards)

    # ------------------------------------------------------------------ cursor
    def _set_cursor(self, index: int) -> None:
        if not self.cards:
            return
        self.cursor = max(0, min(index, len(self.cards) - 1))
        self._mark_selected()
        if self._compact:
            tiles = self.query_one(AgentTiles)
            tiles.show(self.cards, self.cursor)
            tiles.reveal(self.cursor)
        elif (panel := self._panels.get(self.cards[self.cursor].agent_id)) is not None:
            self.query_one("#panels", Grid).scroll_to_widget(panel, animate=False, immediate=True)
        self._show_focusline()

    def _mark_selected(self) -> None:
        chosen = self.selected
        for agent_id, panel in self._panels.items():
            panel.set_class(agent_id == chosen, "-selected")

    def _show_focusline(self) -> None:
        """In tile mode the selected agent's details sit on one line under the tiles."""
        if not self._compact or not self.cards:
            return
        c = self.cards[self.cursor]
        line = f"{c.agent_id} {c.icon} {c.word} · {c.done}/{c.total}"
        if c.timeout_s:
            line += f" · {fmt_time(c.elapsed_s)}/{fmt_time(c.timeout_s)}"
        line += f" · try {c.launches}" + (f" · {c.retries} {'retry' if c.retries == 1 else 'retries'}" if c.retries else "") + f" · {c.subject}"
        if line != self._focusline:
            self._focusline = line  # one line high by CSS: repaint it, never lay out the screen again
            self.query_one("#focusline", Static).update(safe_line(line), layout=False)

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_move_row(self, delta: int) -> None:
        if self._compact:
            columns = self.query_one(AgentTiles).columns
        else:
            columns = self._columns()
        self._set_cursor(self.cursor + delta * columns)

    def action_open(self) -> None:
        if self.selected:
            self.post_message(self.Opened(self.selected))
