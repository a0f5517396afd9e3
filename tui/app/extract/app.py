"""`fanmail extract SOURCE` without --headless: the fanmail app opened on the extraction view.

The session here is the extraction run; closing it shuts the OCR/PDF process pool down.
"""

from __future__ import annotations

from tui.app.extract.screen import ExtractScreen
from tui.app.view_app import ViewApp
from tui.extract.documents import Message
from tui.run.extract import ExtractOptions, ExtractRun
from tui.settings import Settings


class ExtractApp(ViewApp):
    def __init__(self, settings: Settings, run: ExtractRun, label: str) -> None:
        super().__init__(settings, run, lambda: ExtractScreen(run, label), "Extraction",
                         ExtractScreen.BINDINGS)
        self.extract_run = run


def make_extract_app(settings: Settings, source: str, messages: list[Message],
                     options: ExtractOptions | None = None, run: ExtractRun | None = None) -> ExtractApp:
    return ExtractApp(settings, run or ExtractRun(messages, options), f"extract {source}")


def run_extract_app(settings: Settings, source: str, run: ExtractRun) -> int:
    app = make_extract_app(settings, source, run.messages, run=run)
    try:
        app.run()
    finally:
        run.close()  # also when the app ends without `q` (a crash, a signal)
    return 0
