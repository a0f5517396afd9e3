"""The fanmail app opened on another view than triage's dashboard (extraction, campaign).

Same app (themes, keymap, palette); the help lists the view's own keys, and quitting closes the
view's session (its process pool, its sender) without the dashboard's "agents still running" ask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from textual.binding import BindingType
from textual.screen import Screen

from tui.app.app import FanmailApp
from tui.app.screens.help import HelpScreen
from tui.settings import Settings


class Closable(Protocol):
    """The one piece of the dashboard's Session protocol such an app calls."""

    def close(self) -> None: ...


class ViewApp(FanmailApp):
    def __init__(self, settings: Settings, session: Closable, view: Callable[[], Screen[None]], help_title: str,
                 view_bindings: Sequence[BindingType]) -> None:
        super().__init__(settings, session)  # type: ignore[arg-type]
        self._view = view
        self._help_sections = [(help_title, list(view_bindings)), ("App", FanmailApp.BINDINGS)]

    def get_default_screen(self) -> Screen[None]:  # type: ignore[override]
        return self._view()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self._help_sections))

    async def action_quit(self) -> None:
        self._close_and_exit()
