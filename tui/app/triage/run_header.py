"""The run at a glance: agent counts by state, emails done, throughput, ETA, rate budget, time."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tui.app.triage.mail_action_views import ActionCounts
from tui.app.safe_text import plain_line
from tui.app.triage.state import HeaderInfo


def fmt_clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds < 3600 else f"{seconds // 3600}h{seconds // 60 % 60:02d}"


class RunHeader(Widget):
    """Dumb: shows the last HeaderInfo it got. Colours come from `$` theme variables via TCSS."""

    COMPONENT_CLASSES = {
        "run-header--title", "run-header--queued", "run-header--running", "run-header--done",
        "run-header--failed", "run-header--cancelled", "run-header--paused", "run-header--dim",
    }

    def __init__(self, label: str = "", **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.label = label
        self.info: HeaderInfo | None = None
        self._lines = 0

    def show(self, info: HeaderInfo) -> None:
        """Repaint on change; lay the screen out again only when the wrapped height changes,
        since a layout pass costs tens of milliseconds with many widgets mounted."""
        if info == self.info:
            return
        self.info = info
        width = self.size.width or self.app.size.width
        lines = len(self.render().wrap(self.app.console, max(1, width)))
        self.refresh(layout=lines != self._lines)
        self._lines = lines

    def _style(self, name: str):  # noqa: ANN202 - a rich Style
        return self.get_component_rich_style(f"run-header--{name}")

    def render(self) -> Text:
        info = self.info
        text = Text(end="")
        text.append(" fanmail ", self._style("title"))
        text.append(f" {plain_line(self.label)}  ", self._style("dim"))
        if info is None:
            text.append("starting the provider…")
            return text
        if info.aborted:
            text.append(f"✖ STOPPED: {plain_line(info.aborted)}", self._style("failed"))
        elif info.paused:
            text.append("⏸ PAUSED: no new agents launch (p resumes)", self._style("paused"))
        elif info.finished:
            text.append("✔ FINISHED (t: report)", self._style("done"))
            if info.pace:
                text.append(f"  │ {info.pace}", self._style("dim"))
        else:
            text.append("▶ RUNNING", self._style("running"))
        if info.preview:
            text.append(f"  │ preview {plain_line(info.preview)}", self._style("dim"))
        text.append("\n agents ")
        for name, count, word in (
            ("queued", info.queued, "queued"), ("running", info.running, "running"),
            ("done", info.done, "done"), ("failed", info.failed, "failed"),
            ("cancelled", info.cancelled, "cancelled"),
        ):
            if name == "cancelled" and not count:
                continue
            text.append(f"{count} {word}", self._style(name) if count else self._style("dim"))
            text.append("  ")
        text.append("│ ")
        self._emails(text, info)
        text.append(f"  │ {info.rate:.1f} emails/s  │ ETA ")
        text.append("—" if info.eta_s is None else fmt_clock(info.eta_s))
        self._budget(text, info)
        text.append(f"  │ elapsed {fmt_clock(info.elapsed_s)}")
        if info.cluster:
            text.append(f"  │ {plain_line(info.cluster)}", self._style("dim"))
        if info.source_error:
            text.append("\n ✖ MAILBOX: reading stopped: ", self._style("failed"))
            text.append(f"{plain_line(info.source_error)}; what was read is triaged, run again for the rest",
                        self._style("failed"))
        if info.actions is not None:
            self._actions_line(text, info.actions)
        return text

    def _emails(self, text: Text, info: HeaderInfo) -> None:
        """`emails 12/40 (1 failed)  │ review: 3 left`: shared with the watch header."""
        text.append(f"emails {info.emails_done}/{info.emails_total}")
        if info.emails_failed:
            text.append(f" ({info.emails_failed} failed)", self._style("failed"))
        if info.review_left is not None:
            text.append("  │ ")
            text.append(f"review: {info.review_left} left", self._style("paused") if info.review_left else self._style("done"))

    def _budget(self, text: Text, info: HeaderInfo) -> None:
        budget = "unlimited" if info.budget_left is None else f"{info.budget_left:.0%}"
        text.append(f"  │ rate budget {budget}")
        if info.rate_limited:
            text.append(f" ({info.rate_limited}×429)", self._style("paused"))

    def _actions_line(self, text: Text, a: ActionCounts) -> None:
        text.append("\n actions ")
        text.append("applied as verdicts land (--apply)" if a.auto else "dry run: a applies one, A all",
                    self._style("paused") if a.auto else self._style("dim"))
        for count, word, style in (
            (a.planned, "planned", "queued"), (a.applying, "applying", "running"), (a.applied, "applied", "done"),
            (a.already, "done earlier", "done"), (a.failed, "failed", "failed"), (a.review, "held for review", "paused"),
        ):
            if count or word in ("planned", "applied", "held for review"):
                text.append("  │ ")
                text.append(f"{count} {word}", self._style(style) if count else self._style("dim"))
