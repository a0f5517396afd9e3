"""The extraction view: a panel per format agent, the feed as a table, live while the pool works."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable

from tests.test_extract import as_messages, mail_with
from tui.app.extract.app import make_extract_app
from tui.app.extract.screen import ExtractScreen
from tui.app.widgets.agent_panel import AgentPanel
from tui.extract.corpus import generate
from tui.run.extract import ExtractOptions
from tui.settings import Settings
from system import needs_tesseract


@needs_tesseract
async def test_extract_view_shows_agents_and_feed() -> None:
    docs = generate(6, seed=2)
    raws = [(d.email_id, d.raw) for d in docs] + [("bad.eml", mail_with("x.png", "image/png", b"not a picture")),
                                                  ("again.eml", docs[0].raw)]  # the first PDF, sent twice
    app = make_extract_app(Settings(provider="rules"), "docs-sample:6", as_messages(raws), ExtractOptions(workers=2))
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ExtractScreen)
        for _ in range(600):
            if screen.state.finished and screen.rows_shown == 8:
                break
            await asyncio.sleep(0.05)
        await pilot.pause()
        table = screen.query_one("#feed", DataTable)
        assert table.row_count == 8
        panels = {p.id: p.card for p in screen.query(AgentPanel)}
        assert panels["agent-ocr"].done == 3 and panels["agent-ocr"].failed == 1
        assert panels["agent-pdf"].done == 3 and panels["agent-text"].done == 2
        assert all(card.state == "done" for card in panels.values())
        assert "x.png: not an image" in panels["agent-ocr"].error
        failed_row = table.get_row("bad.eml#1")
        assert str(failed_row[3]) == "failed" and str(failed_row[-1]).startswith("not an image")
        assert "8/8 documents · 1 failed · 2 with conflicts" in str(screen.query_one("#extract-header").render())
        assert str(table.get_row("again.eml#1")[-2]) == "duplicate_number"
        assert str(table.get_row(f"{docs[0].email_id}#1")[-2]) == "duplicate_number"  # flagged after it was shown
        start = table.cursor_row
        await pilot.press("j")
        assert table.cursor_row == start + 1
        await pilot.press("q")
    assert app.return_value is None


async def test_a_run_that_cannot_start_says_why(monkeypatch) -> None:
    """A run that stops before any document (no key for the model) is shown, not a silent empty view."""
    from tui.run.extract import ExtractRun

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    run = ExtractRun(as_messages([("a.eml", generate(1, 3)[0].raw)]), ExtractOptions(workers=1), settings=Settings(provider="rules"), provider="openai")
    app = make_extract_app(Settings(provider="rules"), "docs-sample:1", as_messages([("a.eml", generate(1, 3)[0].raw)]),
                           run=run)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ExtractScreen)
        for _ in range(200):
            if screen.stopped:
                break
            await asyncio.sleep(0.05)
        await pilot.pause()
        assert screen.stopped.startswith("extract: --reader openai needs OPENAI_API_KEY")
        assert "stopped: extract: --reader openai" in str(screen.query_one("#extract-header").render())
        await pilot.press("q")
