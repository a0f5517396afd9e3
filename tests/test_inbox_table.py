"""InboxTable behaviour through Pilot: what the operator sees (rendered lines) and the messages posted."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.message import Message

from tui.app.widgets.inbox_cells import layout
from tui.app.triage.inbox_table import InboxTable
from tui.model import ResultRow

BASE = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def row(n: int, **kw: object) -> ResultRow:
    fields: dict[str, object] = dict(
        email_id=f"e{n:05d}", status="ok", urgent=False, priority=50, route="support", category="complaint",
        confidence=0.9, injection=False, subject=f"subject {n:05d}", sender=f"user{n}@example.com",
        date=BASE + timedelta(minutes=n), agent_id=f"agent-{n % 7}",
    )
    fields.update(kw)
    return ResultRow(**fields)  # type: ignore[arg-type]


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield InboxTable(id="inbox")

    def on_mount(self) -> None:
        self.query_one(InboxTable).focus()

    def on_inbox_table_selected(self, message: InboxTable.Selected) -> None:
        self.messages.append(message)

    def on_inbox_table_highlighted(self, message: InboxTable.Highlighted) -> None:
        self.messages.append(message)


def lines(table: InboxTable) -> list[str]:
    """Text of the row lines as painted: through the widget's line cache, so a line the table
    forgot to refresh would show stale here too (line 0, the header, is left out)."""
    region = table.scrollable_content_region
    return [strip.text for strip in table.render_lines(Region(0, 0, region.width, region.height))][1:]


def shown(table: InboxTable) -> list[str]:
    """Email ids on screen, top to bottom, read back from the rendered subject column."""
    return [word for text in lines(table) for word in text.split() if word.startswith("0") and len(word) == 5]


def ids(*numbers: int) -> list[str]:
    return [f"{n:05d}" for n in numbers]


async def test_out_of_order_rows_show_in_rank_order() -> None:
    app = TableApp()
    async with app.run_test(size=(140, 20)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([
            row(1, priority=10),
            row(2, priority=90, urgent=True),
            row(3, status="failed", error="boom", priority=None, route=None),
            row(4, priority=90, urgent=True),  # same rank as 2 but newer: above it
            row(5, priority=60),
        ])
        await pilot.pause()
        assert shown(table) == ids(3, 4, 2, 5, 1)
        assert table.row_count == 5
        assert lines(table)[0].startswith("✗")


async def test_replaced_row_is_listed_once_at_its_new_rank() -> None:
    app = TableApp()
    async with app.run_test(size=(140, 20)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([row(n, priority=n * 10) for n in range(1, 6)])
        table.upsert_many([row(1, priority=99, urgent=True, subject="subject 00001 retried")])
        await pilot.pause()
        assert shown(table) == ids(1, 5, 4, 3, 2)
        assert table.row_count == 5
        assert "retried" in lines(table)[0]
        assert table.get_row("e00001").priority == 99  # type: ignore[union-attr]


async def test_cursor_stays_on_its_email_while_rows_stream_in_above() -> None:
    app = TableApp()
    async with app.run_test(size=(140, 12)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([row(n, priority=50) for n in range(20)])
        await pilot.pause()
        await pilot.press("j", "j", "j")
        picked = table.selected_email_id
        assert picked is not None
        highlights = sum(isinstance(m, InboxTable.Highlighted) for m in app.messages)
        for chunk in range(5):  # higher-ranked mail lands above the cursor
            table.upsert_many([row(100 + chunk * 10 + k, priority=80) for k in range(10)])
            await pilot.pause()
            assert table.selected_email_id == picked
        assert sum(isinstance(m, InboxTable.Highlighted) for m in app.messages) == highlights
        cursor_line = next(text for text in lines(table) if picked[1:] in text)  # still on screen
        await pilot.press("enter")
        await pilot.pause()
        selected = [m for m in app.messages if isinstance(m, InboxTable.Selected)]
        assert [m.email_id for m in selected] == [picked]
        assert cursor_line


async def test_scrolled_view_does_not_slide_when_rows_land_above() -> None:
    app = TableApp()
    async with app.run_test(size=(140, 12)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([row(n, priority=50) for n in range(100)])
        await pilot.pause()
        await pilot.press("pagedown", "pagedown", "pagedown", "j")
        await pilot.pause()
        before = shown(table)
        table.upsert_many([row(1000 + k, priority=90) for k in range(5)])
        await pilot.pause()
        assert shown(table) == before


async def test_keys_move_the_cursor_and_keep_it_visible() -> None:
    app = TableApp()
    async with app.run_test(size=(140, 12)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([row(n, priority=n) for n in range(50)])  # e00049 on top
        await pilot.pause()
        assert table.selected_email_id == "e00049"
        await pilot.press("G")
        await pilot.pause()
        assert table.selected_email_id == "e00000"
        assert "00000" in shown(table)
        await pilot.press("k")
        assert table.selected_email_id == "e00001"
        await pilot.press("g")
        assert table.selected_email_id == "e00049"
        await pilot.press("pagedown")
        await pilot.pause()
        page = table.scrollable_content_region.height - 1
        assert table.selected_email_id == f"e{49 - page:05d}"
        await pilot.press("down", "up", "up")
        assert table.selected_email_id == f"e{49 - page + 1:05d}"
        await pilot.press("end", "pageup")
        await pilot.pause()
        assert table.selected_email_id == f"e{page:05d}"
        assert f"{page:05d}" in shown(table)


async def test_filter_matches_any_text_column_case_insensitively() -> None:
    app = TableApp()
    async with app.run_test(size=(140, 20)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([
            row(1, subject="Invoice 00001 overdue"),
            row(2, sender="Billing@Vendor.example", subject="x 00002"),
            row(3, route="finance", subject="y 00003"),
            row(4, category="invoice", subject="z 00004"),
            row(5, status="timeout", route=None, subject="w 00005"),
        ])
        table.set_filter("INVOICE")
        await pilot.pause()
        assert sorted(shown(table)) == ids(1, 4)
        table.set_filter("vendor")
        assert table.row_count == 1
        table.set_filter("timeout")
        await pilot.pause()
        assert shown(table) == ids(5)
        assert table.selected_email_id == "e00005"  # the cursor moved onto a visible row
        table.upsert_many([row(6, subject="timeout again 00006", priority=99)])  # streams into the filter
        table.upsert_many([row(7, subject="unrelated 00007")])
        await pilot.pause()
        assert sorted(shown(table)) == ids(5, 6)
        table.set_filter("")
        await pilot.pause()
        assert table.row_count == 7


async def test_sort_modes() -> None:
    app = TableApp()
    async with app.run_test(size=(140, 20)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([
            row(1, sender="carol@x", priority=90, urgent=True),
            row(2, sender="alice@x", priority=10),
            row(3, sender="bob@x", priority=50, status="timeout", route=None),
        ])
        await pilot.press("j")
        picked = table.selected_email_id
        assert table.sort_mode == "priority"
        table.set_sort("date")
        await pilot.pause()
        assert shown(table) == ids(3, 2, 1)
        table.set_sort("sender")
        await pilot.pause()
        assert shown(table) == ids(2, 3, 1)
        table.set_sort("status")
        await pilot.pause()
        assert shown(table) == ids(3, 1, 2)
        assert table.selected_email_id == picked
        assert set(table.sort_modes) == {"priority", "date", "sender", "status"}


async def test_markup_and_control_characters_show_literally() -> None:
    app = TableApp()
    async with app.run_test(size=(160, 10)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([
            row(1, subject="[bold red]URGENT[/] 00001", sender="[link=http://x]me[/link]"),
            row(2, subject="\x1b[2J\x1b]0;pwned\x07 bell 00002\r\nnext", injection=True, priority=10),
            row(3, subject="abc\u202eexe.txt 00003", priority=5),
        ])
        await pilot.pause()
        text = "\n".join(lines(table))
        assert "[bold red]URGENT[/] 00001" in text
        assert "[link=http://x]me[/link]" in text
        assert "␛[2J␛]0;pwned␇ bell 00002␍␊next" in text
        assert "abc\ufffdexe.txt" in text
        assert "⚠" in text
        for y in range(table.scrollable_content_region.height):
            for segment in table.render_line(y):
                assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in segment.text)


async def test_width_adapts_and_subject_takes_the_rest() -> None:
    wide, narrow = layout(200), layout(40)
    assert sum(w for _, w in wide) + len(wide) - 1 == 200
    assert dict(wide)["subject"] > dict(layout(120))["subject"]
    assert "agent" not in dict(narrow) and "subject" in dict(narrow)
    assert sum(w for _, w in narrow) + len(narrow) - 1 == 40
    app = TableApp()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([row(1, subject="a fairly long subject line 00001 that will not fit here")])
        await pilot.pause()
        first = lines(table)[0]
        assert first.rstrip().endswith("…")
        assert len(first) == table.scrollable_content_region.width
        await pilot.resize_terminal(100, 10)
        await pilot.pause()
        assert len(lines(table)[0]) == table.scrollable_content_region.width == 100


async def test_row_styles_come_from_component_classes_and_follow_the_theme() -> None:
    app = TableApp()
    async with app.run_test(size=(140, 10)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([row(1, status="failed", error="x", route=None, priority=None), row(2)])
        await pilot.press("j")  # cursor off the failed row
        await pilot.pause()
        failed = table.get_component_rich_style("inbox-table--failed", partial=True)
        assert table.render_line(1)._segments[0].style.color == failed.color  # type: ignore[union-attr]
        before = table.render_line(2)._segments[0].style
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        assert table.render_line(2)._segments[0].style != before


async def test_ten_thousand_rows_in_chunks() -> None:
    app = TableApp()
    rng = random.Random(5)
    numbers = list(range(10_000))
    rng.shuffle(numbers)
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one(InboxTable)
        for start in range(0, len(numbers), 150):
            table.upsert_many(row(n, priority=rng.randrange(101), urgent=rng.random() < 0.1)
                              for n in numbers[start:start + 150])
            if start % 3000 == 0:
                await pilot.pause()
        table.upsert_many(row(n, priority=0) for n in numbers[:500])  # late retries replace rows
        await pilot.pause()
        assert table.row_count == 10_000
        await pilot.press("G")
        await pilot.pause()
        assert len(shown(table)) == table.scrollable_content_region.height - 1
        ranked = [table.get_row(f"e{int(i):05d}") for i in shown(table)]
        assert all(r is not None and r.priority == 0 for r in ranked[-3:])
        calls: list[int] = []
        render_line = table.render_line
        table.render_line = lambda y: calls.append(y) or render_line(y)  # type: ignore[method-assign]
        table.refresh()
        await pilot.pause()
        assert 0 < len(calls) <= table.size.height  # only what is on screen, whatever the row count


async def test_rows_landing_mid_screen_or_below_it_repaint_correctly() -> None:
    app = TableApp()
    async with app.run_test(size=(140, 12)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([row(n, priority=n) for n in range(100)])  # 00099 .. 00000
        await pilot.pause()
        top = shown(table)
        table.upsert_many([row(500, priority=1)])  # far below the screen
        await pilot.pause()
        assert shown(table) == top
        table.upsert_many([row(501, priority=96), row(97, priority=94, subject="subject 00097 again")])
        await pilot.pause()
        assert shown(table) == ids(99, 98, 501, 96, 95, 97, 94, 93, 92, 91, 90)
        assert "again" in lines(table)[5]


class BorderedApp(TableApp):
    CSS = "InboxTable { border: round $primary; padding: 0 1; }"


async def test_inside_a_border_rows_render_and_clicks_pick_the_row_under_the_pointer() -> None:
    app = BorderedApp()
    async with app.run_test(size=(120, 14)) as pilot:
        table = app.query_one(InboxTable)
        table.upsert_many([row(n, priority=n) for n in range(30)])  # 00029 on top
        await pilot.pause()
        painted = [s.text for s in table.render_lines(Region(0, 0, table.size.width, table.size.height))]
        assert painted[0].startswith("╭") and "Subject" in painted[1]
        assert shown(table)[:3] == ids(29, 28, 27)
        await pilot.click(InboxTable, offset=(10, 4))  # border 1 + header 1: third row
        assert table.selected_email_id == "e00027"
        await pilot.click(InboxTable, offset=(10, 3), times=2)
        assert [m.email_id for m in app.messages if isinstance(m, InboxTable.Selected)] == ["e00028"]
