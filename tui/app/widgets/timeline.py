"""One lane per agent, time left to right: each email's span, retries, moves, operator retries.

Built from the spans the app recorded from events (start on EmailStarted, end on EmailDone),
so it shows what actually happened, not what was planned.
"""

from __future__ import annotations

import math

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from tui.app.agent_views import AgentView, Move

LABEL = 6
_KINDS = ("ok", "alt", "retried", "failed", "timeout", "moved", "round", "axis")


class Timeline(Widget):
    """Dumb: `show(agents, moves, t0, t1)`; renders at its own width."""

    COMPONENT_CLASSES = {f"timeline--{k}" for k in _KINDS}

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.agents: list[AgentView] = []
        self.moves: list[Move] = []
        self.t0 = 0.0
        self.t1 = 1.0

    def show(self, agents: list[AgentView], moves: list[Move], t0: float, t1: float) -> None:
        self.agents, self.moves, self.t0, self.t1 = agents, moves, t0, max(t1, t0 + 1e-6)
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.agents) + 3

    def _lane(self, agent: AgentView, width: int, styles: dict[str, Style]) -> Text:
        scale = width / (self.t1 - self.t0)
        cells: list[tuple[str, str]] = [(" ", "")] * width
        for n, span in enumerate(agent.spans):
            end = span.end if span.end is not None else self.t1
            c0 = min(width - 1, max(0, int((span.start - self.t0) * scale)))
            c1 = min(width - 1, max(c0, math.ceil((end - self.t0) * scale) - 1))
            if span.status in ("failed", "timeout"):
                glyph, kind = ("×", span.status) if span.attempts == 0 else ("█", span.status)
            elif span.round > 1:
                glyph, kind = "█", "round"
            elif span.attempts > 1:
                glyph, kind = "▒", "retried"
            else:
                glyph, kind = ("█", "ok") if n % 2 == 0 else ("▓", "alt")
            for c in range(c0, c1 + 1):
                cells[c] = (glyph, kind)
            if span.moved_in:
                cells[c0] = ("»", "moved")
        text = Text(f"{agent.agent_id:<{LABEL - 1}} ", no_wrap=True, end="")
        for glyph, kind in cells:
            text.append(glyph, styles.get(kind))
        return text

    def render(self) -> Text:
        width = max(10, (self.content_size.width or 80) - LABEL)
        styles = {k: self.get_component_rich_style(f"timeline--{k}") for k in _KINDS}
        span_s = self.t1 - self.t0
        axis = Text(" " * LABEL, no_wrap=True, end="")
        marks = [f"{span_s * i / 4:.1f}s" for i in range(5)]
        line = [" "] * width
        for i, mark in enumerate(marks):
            at = min(width - len(mark), int((width - 1) * i / 4))
            line[at:at + len(mark)] = list(mark)
        axis.append("".join(line[:width]), styles["axis"])
        out = Text("", no_wrap=True)
        out.append_text(axis)
        for agent in self.agents:
            out.append("\n")
            out.append_text(self._lane(agent, width, styles))
        out.append("\n")
        legend = [("█▓", "ok", " ok (alternating per email)  "), ("▒", "retried", " retried  "),
                  ("█", "failed", " failed  "), ("█", "timeout", " timed out  "), ("×", "failed", " given up  "),
                  ("»", "moved", f" moved in by rebalancing ({len(self.moves)} moves)  "),
                  ("█", "round", " operator retry")]
        out.append("\n" + " " * LABEL)
        for glyph, kind, words in legend:
            out.append(glyph, styles[kind])
            out.append(words, styles["axis"])
        return out
