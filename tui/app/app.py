"""FanmailApp: thin. Themes, keymap, quit and help live here; the run lives in DashboardScreen.

`make_app` is the one factory for the CLI, the tests, the snapshots and the screenshot script.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.app.commands import FanmailCommands
from tui.app.review_desk import ReviewDesk
from tui.app.review_keys import QUEUE_BINDINGS, correction_bindings
from tui.app.screens.confirm_actions import ConfirmActions, ConfirmOverride
from tui.app.triage.dashboard import DashboardScreen
from tui.app.screens.email_detail import EmailDetail
from tui.app.screens.help import HelpScreen
from tui.app.screens.run_report import RunReportScreen
from tui.app.screens.quit_confirm import QuitConfirm
from tui.app.engine_process import ProcessSession
from tui.app.triage.session import LiveSession, Session
from tui.app.terminal import require_terminal
from tui.app.themes import DEFAULT_THEME, load_themes, state_defaults
from tui.app.widgets.agent_grid import AgentGrid
from tui.app.widgets.filter_input import FilterInput
from tui.app.triage.inbox_table import InboxTable
from tui.mail.imap_target import is_imap
from tui.mail.sources import load_source
from tui.run.triage import check_triage_args
from tui.settings import ConfigError, Settings, provider_label
from tui.store import Store, StoreError, store_path


class FanmailApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # beside this file, also for the views' subclasses in their folders
    TITLE = "fanmail"
    COMMANDS = App.COMMANDS | {FanmailCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
    ]

    last_key_at = float("-inf")  # monotonic time of the operator's last key: the stream repaints around it
    terminal_hint = "add --headless"  # what to do instead when there is no terminal to draw on

    def run(self, *, headless: bool = False, **kwargs: Any) -> None:
        """Every dashboard opens here, so none of them can start (and spin) without a terminal."""
        if not headless:
            require_terminal(self.terminal_hint)
        return super().run(headless=headless, **kwargs)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_at = time.monotonic()
        await super().on_event(event)

    def __init__(
        self,
        settings: Settings,
        session: Session,
        *,
        clock: Callable[[], float] = time.monotonic,
        keymap: dict[str, str] | None = None,
        note_timeout: float | None = None,
        review: ReviewDesk | None = None,
    ) -> None:
        themes, self._theme_problems = load_themes()
        self._state_defaults = state_defaults(themes)  # read by super().__init__()
        super().__init__()
        self.settings = settings
        self.session = session
        self.clock = clock
        self.keymap = {**settings.keymap, **(keymap or {})}  # `[keymap]` in the config, then the caller's
        self.note_timeout = note_timeout
        self.review = review  # a stored run opened to review it (`fanmail review RUN_ID`)
        self.fanmail_themes = tuple(themes)
        for theme in themes.values():
            self.register_theme(theme)
        self._bad_theme: str | None = None
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        else:
            self._bad_theme = settings.theme
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self.dashboard: DashboardScreen | None = None
        self.startup_notes: list[str] = []

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's palette commands less Keys and Quit: the palette has ours (every key; quit asks
        first while agents run), and one title must not stand for two things."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Quit"):
                yield command

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """State colours for themes that are not ours (Textual's own), so `$failed` always resolves."""
        return self._state_defaults

    def get_default_screen(self) -> DashboardScreen:
        live = isinstance(self.session, (LiveSession, ProcessSession))  # a replay is not a run to correct
        self.dashboard = DashboardScreen(self.session, self.clock, self.note_timeout, review=self.review,
                                         open_review=partial(ReviewDesk.open, self.settings) if live else None)
        return self.dashboard

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        for note in self.startup_notes:
            self.notify(note, severity="warning", timeout=30, markup=False)
        for problem in self._theme_problems:
            self.notify(f"theme not loaded: {problem}", severity="warning", markup=False)
        if self._bad_theme:
            self.notify(f"unknown theme {self._bad_theme!r}; using {DEFAULT_THEME}. Themes: "
                        + ", ".join(self.fanmail_themes), severity="warning", markup=False)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections = key_sections()
        self.push_screen(HelpScreen(sections))

    async def action_quit(self) -> None:
        """Quit at once when idle; ask first while agents run, since quitting cancels them."""
        if isinstance(self.screen, QuitConfirm):
            return
        dashboard = self.dashboard
        if dashboard is not None and dashboard.state.busy:
            info = dashboard.state.header()
            self.push_screen(QuitConfirm(info.running, info.queued), self._quit_answered)
        else:
            self._close_and_exit()

    def _quit_answered(self, yes: bool | None) -> None:
        if yes:
            self._close_and_exit()

    def _close_and_exit(self) -> None:
        self.session.close()
        self.exit()


def make_app(
    settings: Settings,
    source: str = "sample",
    *,
    session: Session | None = None,
    clock: Callable[[], float] | None = None,
    keymap: dict[str, str] | None = None,
    note_timeout: float | None = None,
    resume: str | None = None,
    apply: bool = False,
    actions_path: str | None = None,
    review: ReviewDesk | None = None,
    trace_path: str | None = None,
) -> FanmailApp:
    """The app for a source (loaded now, so a bad path is a one-line CLI error), or for a given session.

    An IMAP source is read while the run goes (tui/run/triage.py); its actions are a dry run
    that the a/A keys apply, or with `apply` are applied as verdicts land."""
    check_keymap({**settings.keymap, **(keymap or {})})
    frozen_clock = clock is not None
    clock = clock or time.monotonic
    if session is None:
        label = f"{source} · {provider_label(settings.provider, settings.model)}"
        check_triage_args(settings, source, resume=resume, apply=apply, actions_path=actions_path, imap_urls=True)
        if is_imap(source):  # in this process: the detail screen looks up emails as they are read
            session = LiveSession(settings, source, None, label=label, clock=clock, apply=apply,
                                  actions_path=actions_path, trace_path=trace_path)
        else:
            emails = load_source(source, seed=settings.seed)
            if frozen_clock:  # an injected clock cannot cross into another process
                session = LiveSession(settings, source, emails, label=label, clock=clock, resume=resume,
                                      trace_path=trace_path)
            else:
                session = ProcessSession(settings, source, emails, label=label, resume=resume, trace_path=trace_path)
    return FanmailApp(settings, session, clock=clock, keymap=keymap, note_timeout=note_timeout, review=review)


def key_sections() -> list[tuple[str, list[Binding]]]:
    """Every key of the app by where it works: the help screen's sections and the ids a keymap may name."""
    return [
        ("Dashboard", DashboardScreen.BINDINGS),
        ("Agent grid (focused)", AgentGrid.BINDINGS),
        ("Inbox (focused)", InboxTable.BINDINGS),
        ("Review (inbox or detail)", [*QUEUE_BINDINGS, *correction_bindings()]),
        ("Filter line", FilterInput.BINDINGS + [Binding("enter", "submit", "Keep filter, back to inbox")]),
        ("Email detail", EmailDetail.BINDINGS[:3]),
        ("Run report", RunReportScreen.BINDINGS),
        ("Apply actions question", ConfirmActions.BINDINGS),
        ("Review override question", ConfirmOverride.BINDINGS),
        ("Quit question", QuitConfirm.BINDINGS),
        ("App", FanmailApp.BINDINGS),
    ]


def check_keymap(keymap: dict[str, str], sections: list[tuple[str, list[Binding]]] | None = None) -> None:
    """A keymap naming no binding would be ignored in silence: refuse it, listing the ids there are
    (of `sections`: the app's help sections, triage's by default)."""
    known = sorted({b.id for _, bindings in (sections or key_sections()) for b in bindings
                    if isinstance(b, Binding) and b.id})
    unknown = sorted(set(keymap) - set(known))
    if unknown:
        raise ConfigError(f"unknown key id in [keymap]: {', '.join(unknown)}; ids: {', '.join(known)}")


def interrupted_run(settings: Settings, source: str) -> str | None:
    """The newest run of this source that crashed or was killed, to offer resuming it."""
    try:
        with Store(store_path(settings.store)) as store:
            runs = store.list_runs(limit=20)
    except StoreError:
        return None
    return next((r.run_id for r in runs if r.source == source and r.state == "interrupted"), None)


def run_app(settings: Settings, source: str, *, resume: str | None = None, apply: bool = False,
            actions_path: str | None = None, trace_path: str | None = None) -> int:
    """Entry point used by `fanmail` and `fanmail triage SOURCE [--resume RUN_ID] [--apply] [--trace FILE]`."""
    app = make_app(settings, source, resume=resume, apply=apply, actions_path=actions_path, trace_path=trace_path)
    crashed = None if resume or is_imap(source) else interrupted_run(settings, source)
    if crashed:
        app.startup_notes.append(
            f"run {crashed} on {source} was interrupted; to finish it instead of starting over, quit and run: "
            f"fanmail triage {source} --resume {crashed}"
        )
    app.run()
    return app.return_code or 0
