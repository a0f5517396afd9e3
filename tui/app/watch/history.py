"""Folded waves, one line each, newest last: what the watch did while nobody looked."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.app.watch.state import Wave, WatchRunState

SHOWN = 5  # lines of history on screen (2 on a terminal under TALL rows); the inbox holds the rest
TALL = 40


class WaveHistory(Static):
    """Dumb: `show` the folded waves; repaints only when they changed."""

    COMPONENT_CLASSES = {"wave-history--failed", "wave-history--dim"}

    _last: tuple[WatchRunState, list[Wave]] | None = None

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def show(self, state: WatchRunState, waves: list[Wave]) -> None:
        self._last = (state, waves)
        shown = waves[-(SHOWN if self.app.size.height >= TALL else 2):]
        older = state.folded_waves - len(shown)
        self.border_title = f"History: {state.folded_waves} wave{'s' * (state.folded_waves != 1)} done" + (
            f" ({older} earlier not shown)" if older else "")
        text = Text(end="", no_wrap=True, overflow="ellipsis")
        if not shown:
            text.append("no wave finished yet: a wave's agents fold into one line here once all of them are done",
                        self.get_component_rich_style("wave-history--dim"))
        for i, wave in enumerate(shown):
            if i:
                text.append("\n")
            style = "wave-history--failed" if wave.failed else "wave-history--dim"
            text.append(state.wave_line(wave), self.get_component_rich_style(style) if wave.failed else "")
        self.update(text)
