"""The watch dashboard's header: watching since, arrivals today, last arrival, the connection, then the agents."""

from __future__ import annotations

from rich.text import Text

from tui.app.safe_text import plain_line
from tui.app.triage.run_header import RunHeader
from tui.app.watch.state import WatchHeaderInfo

CONNECTION_WORDS = {
    "connecting": ("connecting…", "dim"),
    "idle": ("idle (push)", "done"),
    "polling": ("polling", "done"),
    "stopped": ("stopped", "dim"),
}


class WatchHeader(RunHeader):
    """Dumb, like RunHeader: shows the last WatchHeaderInfo it got."""

    def render(self) -> Text:
        info = self.info
        if not isinstance(info, WatchHeaderInfo):
            return super().render()
        text = Text(end="")
        text.append(" fanmail ", self._style("title"))
        text.append(f" {plain_line(self.label)}  ", self._style("dim"))
        if info.aborted:
            text.append(f"✖ STOPPED: {plain_line(info.aborted)}", self._style("failed"))
        elif info.paused:
            text.append("⏸ PAUSED: new waves wait (p resumes)", self._style("paused"))
        else:
            text.append("◉ WATCHING", self._style("running"))
        text.append(f" since {info.since or '…'}", self._style("dim"))
        if info.waiting:
            text.append(f" ({info.waiting} waiting at start)", self._style("dim"))
        text.append("  │ ")
        text.append(f"{info.arrivals_today} arrived today", self._style("done") if info.arrivals_today
                    else self._style("dim"))
        text.append(f"  │ last {info.last_arrival or '—'}  │ ")
        self._connection(text, info)
        text.append("\n agents ")
        for name, count in (("queued", info.queued), ("running", info.running), ("failed", info.failed)):
            text.append(f"{count} {name}", self._style(name) if count else self._style("dim"))
            text.append("  ")
        text.append(f"│ waves {info.waves} ({info.folded} folded)  │ ")
        self._emails(text, info)
        self._budget(text, info)
        if info.actions is not None:
            self._actions_line(text, info.actions)
        return text

    def _connection(self, text: Text, info: WatchHeaderInfo) -> None:
        if info.connection == "reconnecting":
            wait = "" if info.retry_in_s is None else f" in {info.retry_in_s:.0f} s"
            text.append(f"⟳ reconnecting{wait}", self._style("paused"))
            if info.connection_detail:
                text.append(f": {plain_line(info.connection_detail)}", self._style("failed"))
            return
        word, style = CONNECTION_WORDS.get(info.connection, (info.connection, "dim"))
        text.append(f"{info.connection_kind} {word}", self._style(style))
