"""`fanmail watch URL` with a dashboard: the fanmail app opened on the watch dashboard."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import tzinfo
from functools import partial

from tui.app.app import KeySections, check_keymap
from tui.app.triage.review_desk import ReviewDesk
from tui.app.triage.app import TriageApp, key_sections
from tui.app.triage.dashboard.screen import DashboardScreen
from tui.app.triage.session import ThreadSession
from tui.app.watch.dashboard import WatchDashboard
from tui.run.watch import WatchRun
from tui.settings import Settings, provider_label


class WatchSession(ThreadSession):
    """A `WatchRun` on its own thread; `w` reaches its watcher."""

    run: WatchRun

    def __init__(self, run: WatchRun, *, label: str) -> None:
        super().__init__(run, label=label, actions_enabled=run.maildir is None, auto_apply=run.apply)

    async def wait_closed(self, timeout: float | None = None) -> None:
        """As triage's, but long enough for --grace: emails in flight finish (or get failed rows) before the app is gone."""
        await super().wait_closed(self.run.grace_s + 10.0 if timeout is None else timeout)

    def check_now(self) -> bool:
        if self.run.closed:
            return False
        self._send("check_now")
        return True


class WatchApp(TriageApp):
    """Same app as triage (themes, keymap, palette, quit asking while agents run); its own screen and help."""

    def __init__(self, settings: Settings, session: WatchSession, *, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time, tz: tzinfo | None = None,
                 note_timeout: float | None = None, keymap: dict[str, str] | None = None) -> None:
        super().__init__(settings, session, clock=clock, keymap=keymap, note_timeout=note_timeout)  # type: ignore[arg-type]
        self._wall, self._tz = wall, tz

    def get_default_screen(self) -> WatchDashboard:
        self.dashboard = WatchDashboard(self.session, self.clock, self.note_timeout, wall=self._wall, tz=self._tz,
                                        open_review=partial(ReviewDesk.open, self.settings))
        return self.dashboard

    def key_sections(self) -> KeySections:
        return watch_key_sections()


def watch_key_sections() -> KeySections:
    """Triage's sections, the dashboard's first, with the watch's own keys at its head."""
    sections = key_sections()
    assert sections[0][1] is DashboardScreen.BINDINGS
    return [("Watch dashboard", [*WatchDashboard.BINDINGS, *DashboardScreen.BINDINGS]), *sections[1:]]


def make_watch_app(settings: Settings, run: WatchRun, **kw: object) -> WatchApp:
    check_keymap(settings.keymap, watch_key_sections())
    label = f"{run.label} · {provider_label(settings.provider, settings.model)}"
    return WatchApp(settings, WatchSession(run, label=label), **kw)  # type: ignore[arg-type]


def run_watch_app(settings: Settings, run: WatchRun) -> int:
    app = make_watch_app(settings, run)
    app.run()
    return app.return_code or 0
