"""FanmailApp: the shared base every view's app stands on; it knows no view.

Themes, the keymap (`[keymap]` in the config, checked against the view's keys), help, quit (asking
first while the view says agents run), the palette and the last-key time the batched refreshes defer
to. Each view's app (tui/app/triage, watch, campaign, extract) says its screen, its key sections and
what is in flight.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.app.commands import FanmailCommands
from tui.app.screens.help import HelpScreen
from tui.app.screens.quit_confirm import QuitConfirm
from tui.app.terminal import require_terminal
from tui.app.themes import DEFAULT_THEME, load_themes, state_defaults
from tui.settings import ConfigError, Settings

KeySections = list[tuple[str, list[Binding]]]


class Closable(Protocol):
    """What quitting calls on a view's session (its run, process pool or sender)."""

    def close(self) -> None: ...


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

    def __init__(self, settings: Settings, session: Closable, *, keymap: dict[str, str] | None = None) -> None:
        themes, self._theme_problems = load_themes()
        self._state_defaults = state_defaults(themes)  # read by super().__init__()
        super().__init__()
        self.settings = settings
        self.session = session
        self.keymap = {**settings.keymap, **(keymap or {})}  # `[keymap]` in the config, then the caller's
        self.fanmail_themes = tuple(themes)
        for theme in themes.values():
            self.register_theme(theme)
        self._bad_theme: str | None = None
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        else:
            self._bad_theme = settings.theme
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self.startup_notes: list[str] = []

    def key_sections(self) -> KeySections:
        """Every key of the app by where it works: the help screen's sections, the ids a keymap may name."""
        return app_key_sections()

    def in_flight(self) -> tuple[int, int] | None:
        """(running, queued) agents that quitting would cancel, or None when nothing would be lost."""
        return None

    def view_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """The palette's entries from the view: (title, help, run) for what can be done right now."""
        return []

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's palette commands less Keys and Quit: the palette has ours (every key; quit asks
        first while agents run), and one title must not stand for two things."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Quit"):
                yield command

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """State colours for themes that are not ours (Textual's own), so `$failed` always resolves."""
        return self._state_defaults

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
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_sections()))

    async def action_quit(self) -> None:
        """Quit at once when idle; ask first while agents run, since quitting cancels them."""
        if isinstance(self.screen, QuitConfirm):
            return
        busy = self.in_flight()
        if busy is not None:
            self.push_screen(QuitConfirm(*busy), self._quit_answered)
        else:
            self._close_and_exit()

    def _quit_answered(self, yes: bool | None) -> None:
        if yes:
            self._close_and_exit()

    def _close_and_exit(self) -> None:
        self.session.close()
        self.exit()


def app_key_sections() -> KeySections:
    """The sections every view's help ends with: the help screen's own keys, then the app's."""
    return [("Help screen", HelpScreen.BINDINGS), ("App", FanmailApp.BINDINGS)]


def check_keymap(keymap: dict[str, str], sections: KeySections) -> None:
    """A keymap naming no binding would be ignored in silence: refuse it, listing the ids there are
    (of `sections`: the view's help sections)."""
    known = sorted({b.id for _, bindings in sections for b in bindings if isinstance(b, Binding) and b.id})
    unknown = sorted(set(keymap) - set(known))
    if unknown:
        raise ConfigError(f"unknown key id in [keymap]: {', '.join(unknown)}; ids: {', '.join(known)}")
