"""Hundreds of sub-agents as one-line tiles on the line API: one widget, only visible rows drawn.

500 separate panels cost ~128 ms to update at once; this costs one refresh whatever the count.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.agent_views import AgentCard

TILE_WIDTH = 24
_STATES = ("queued", "running", "done", "failed", "timeout", "cancelled")


def tile_text(card: AgentCard, width: int = TILE_WIDTH) -> str:
    """`✖ a07 FAILED    7/10` cut or padded to the tile width (one column kept as a gap)."""
    progress = f"{card.done}/{card.total}"
    head = f"{card.icon} {card.agent_id} {card.word}"
    room = width - 1 - len(head) - len(progress)
    body = head + " " * max(1, room) + progress
    return body[: width - 1].ljust(width)


class AgentTiles(ScrollView, can_focus=False):
    """A dense grid of tiles; the owning AgentGrid handles keys and tells it the cursor."""

    COMPONENT_CLASSES = {f"agent-tiles--{s}" for s in _STATES} | {"agent-tiles--cursor"}

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.cards: list[AgentCard] = []
        self.cursor = 0
        self._looks: list[tuple[str, str]] = []

    @property
    def columns(self) -> int:
        return max(1, (self.scrollable_content_region.width or self.size.width or TILE_WIDTH) // TILE_WIDTH)

    def show(self, cards: list[AgentCard], cursor: int) -> None:
        """Repaint only when what the tiles show changed: running agents' clocks tick every
        flush, but a tile has no clock, so most flushes during a big run repaint nothing."""
        looks = [(c.state, tile_text(c)) for c in cards]
        rows = -(-len(cards) // self.columns)
        if self.virtual_size.height != rows:
            self.virtual_size = Size(self.columns * TILE_WIDTH, rows)
        elif looks == self._looks and cursor == self.cursor:
            self.cards = cards
            return
        self.cards, self.cursor, self._looks = cards, cursor, looks
        self.refresh()

    def reveal(self, index: int) -> None:
        row = index // self.columns
        top, height = self.scroll_offset.y, self.scrollable_content_region.height or 1
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return -(-len(self.cards) // max(1, width // TILE_WIDTH)) if self.cards else 1

    def on_resize(self) -> None:
        self._looks = []
        self.show(self.cards, self.cursor)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        cols = self.columns
        row = self.scroll_offset.y + y
        base = self.rich_style
        segments: list[Segment] = []
        styles = {s: self.get_component_rich_style(f"agent-tiles--{s}", partial=True) for s in _STATES}
        cursor_style = self.get_component_rich_style("agent-tiles--cursor", partial=True)
        for col in range(cols):
            index = row * cols + col
            if index >= len(self.cards):
                break
            card = self.cards[index]
            style: Style = base + styles.get(card.state, Style())
            if index == self.cursor:
                style += cursor_style
            segments.append(Segment(tile_text(card)[:-1], style))
            segments.append(Segment(" ", base))
        return Strip(segments).extend_cell_length(width, base).crop(0, width)
