"""Command palette: the view's currently valid actions (FanmailApp.view_commands), plus help and quit. Textual's own
commands (Theme, Maximize, Screenshot) come from the app's system commands, less the ones these
replace (FanmailApp.get_system_commands), so each command is listed once."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider


class FanmailCommands(Provider):
    """Asks the app for what is valid right now each time the palette opens or the query changes."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        out: list[tuple[str, str, Callable[[], object]]] = list(app.view_commands())  # type: ignore[attr-defined]
        out.append(("Keys and help", "every key (?)", app.action_help))  # type: ignore[attr-defined]
        out.append(("Quit", "asks first while agents run (q)", app.action_quit))
        return out

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
