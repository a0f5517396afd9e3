"""The fanmail app opened on a view given as a screen (extraction, campaign).

The help lists the view's own keys, and quitting closes the view's session (its process pool, its
sender) at once: these views have no "agents still running" ask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.binding import Binding
from textual.screen import Screen

from tui.app.app import Closable, FanmailApp, KeySections
from tui.settings import Settings


class ViewApp(FanmailApp):
    def __init__(self, settings: Settings, session: Closable, view: Callable[[], Screen[None]], help_title: str,
                 view_bindings: Sequence[Binding]) -> None:
        super().__init__(settings, session)
        self._view = view
        self._help_sections: KeySections = [(help_title, list(view_bindings)), *super().key_sections()]

    def get_default_screen(self) -> Screen[None]:
        return self._view()

    def key_sections(self) -> KeySections:
        return self._help_sections
