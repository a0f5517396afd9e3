"""One sub-agent as a bordered panel: state by colour and word, progress, subject, time, error.

Dumb: it shows the last `AgentCard` it was given and renders at its own width.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tui.app.agent_views import AgentCard
from tui.app.safe_text import plain_line

STATES = ("queued", "running", "done", "failed", "timeout", "cancelled")


def progress_bar(done: int, total: int, width: int) -> str:
    """A fixed-width bar of full and light blocks (no partial glyphs: they render unevenly)."""
    width = max(1, width)
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)


def fmt_time(seconds: float) -> str:
    return f"{seconds:.1f}s" if seconds < 100 else f"{seconds:.0f}s"


class AgentPanel(Widget):
    """A 3-line panel; the border colour and title carry the state (CSS classes `-failed` ...)."""

    COMPONENT_CLASSES = {"agent-panel--error", "agent-panel--dim"}

    def __init__(self, card: AgentCard, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.card = card
        self._apply_state()

    def show(self, card: AgentCard) -> None:
        if card != self.card:
            self.card = card
            self._apply_state()
            self.refresh()

    def _apply_state(self) -> None:
        card = self.card
        for state in STATES:
            self.set_class(card.state == state, f"-{state}")
        self.border_title = f"{card.agent_id} {card.icon} {card.word}"
        extra = [f"try {card.launches}"] if card.launches > 1 else []
        extra += [f"{card.retries} {'retry' if card.retries == 1 else 'retries'}"] if card.retries else []
        extra += [f"{card.rate_limited}×429"] if card.rate_limited else []
        extra += [f"hedged {card.hedges_sent} ({card.hedges_won} won)"] if card.hedges_sent else []
        self.border_subtitle = " · ".join(extra)
        failed = card.state in ("failed", "timeout", "cancelled")
        self.tooltip = plain_line(card.subject) if failed and card.subject else None

    def render(self) -> Text:
        """Line 1 progress and time; then the subject it is on, or why it stopped (two lines)."""
        card = self.card
        width = max(10, self.content_size.width or 28)
        count = f"{card.done}/{card.total}"
        clock = f"{fmt_time(card.elapsed_s)}/{fmt_time(card.timeout_s)}" if card.timeout_s else ""
        tail = f" {count:>5} {clock:>11}"  # fixed width, so bars line up across panels
        text = Text(end="")
        text.append(progress_bar(card.done, card.total, width - len(tail)) + tail + "\n")
        error_style = self.get_component_rich_style("agent-panel--error")
        dim = self.get_component_rich_style("agent-panel--dim")
        if card.state in ("failed", "timeout", "cancelled"):
            # One line of the reason, cut to the panel (the whole of it: the tooltip, the failed rows'
            # detail, the run report), so the count and the key that helps always stay in view.
            reason = plain_line(card.subject)
            text.append((reason if len(reason) <= width else reason[:width - 1] + "…") + "\n", error_style)
            text.append(f"{card.done - card.failed} ok · {card.failed} failed: r retries"[:width], dim)
            return text
        text.append(plain_line(card.subject) + "\n")
        if card.error and card.state == "running":
            text.append(plain_line(card.error), error_style)
        elif card.state == "queued":
            text.append(f"{card.total} emails", dim)
        else:
            text.append(f"{card.done - card.failed} ok · {card.failed} failed", dim)
        return text
