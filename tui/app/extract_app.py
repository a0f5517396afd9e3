"""`fanmail extract SOURCE` without --headless: the fanmail app opened on the extraction view.

Same app (themes, keymap, help, palette), another default screen. The session here is the
extraction run; closing it shuts the OCR/PDF process pool down.
"""

from __future__ import annotations

from tui.app.app import FanmailApp
from tui.app.screens.extract import ExtractScreen
from tui.app.screens.help import HelpScreen
from tui.extract.documents import Message
from tui.extract.run import ExtractOptions, ExtractRun
from tui.settings import Settings


class ExtractSession:
    """The one piece of the dashboard's Session protocol the app calls: close()."""

    def __init__(self, run: ExtractRun, label: str) -> None:
        self.run = run
        self.label = label

    def close(self) -> None:
        self.run.close()


class ExtractApp(FanmailApp):
    def __init__(self, settings: Settings, run: ExtractRun, messages: list[Message], label: str) -> None:
        super().__init__(settings, ExtractSession(run, label))  # type: ignore[arg-type]
        self.extract_run = run
        self.extract_messages = messages
        self.extract_label = label

    def get_default_screen(self) -> ExtractScreen:  # type: ignore[override]
        return ExtractScreen(self.extract_run, self.extract_messages, self.extract_label)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen([("Extraction", ExtractScreen.BINDINGS), ("App", FanmailApp.BINDINGS)]))

    async def action_quit(self) -> None:
        self._close_and_exit()


def make_extract_app(settings: Settings, source: str, messages: list[Message],
                     options: ExtractOptions | None = None, run: ExtractRun | None = None) -> ExtractApp:
    run = run or ExtractRun(options)
    return ExtractApp(settings, run, messages, f"extract {source}")


def run_extract_app(settings: Settings, source: str, messages: list[Message], run: ExtractRun) -> int:
    app = make_extract_app(settings, source, messages, run=run)
    try:
        app.run()
    finally:
        app.extract_run.close()
    return 0
