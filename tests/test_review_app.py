"""The review desk driven by keys (Textual Pilot): a stored run opened with `fanmail review`, every
review key pressed, and what it wrote checked in the store and in the exported JSONL."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

from test_app import screen_text, until
from tui.app.triage.app import TriageApp
from tui.app.triage.replay import Recording, record_demo, review_app
from tui.app.triage.email_detail import EmailDetail
from tui.app.triage.picker import AskNumber, Picker
from tui.app.triage.run_report import RunReportScreen
from tui.review.log import list_corrections
from tui.review.records import Correction
from tui.store import Store

SIZE = (160, 48)
RUN = "review0001"


@pytest.fixture(scope="module")
def recording() -> Recording:
    return record_demo()


def row_text(table, email_id: str) -> str:  # noqa: ANN001 - InboxTable
    """The painted text of that email's row."""
    return "".join(seg.text for seg in table._row_strip(table.get_row(email_id), False))


def stored(path: Path) -> list[Correction]:
    with Store(path) as store:
        return list_corrections(store, RUN)


async def export_jsonl(tmp_path: Path) -> dict[str, dict]:
    """`fanmail review RUN --headless -o FILE` in its own process: the reviewed run as JSONL rows."""
    out = tmp_path / "reviewed.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANMAIL_")}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "tui", "review", RUN, "--headless", "-o", str(out),
                                                "--store", str(tmp_path / "store.db"), env=env,
                                                stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(120):
        _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return {row["email_id"]: row for row in map(json.loads, out.read_text().splitlines())}


@asynccontextmanager
async def reviewing(recording: Recording, tmp_path: Path) -> AsyncIterator[tuple[TriageApp, Pilot]]:
    """`fanmail review` on the recorded run (stored in tmp_path/store.db), drawn and settled."""
    app, settle = review_app(recording, str(tmp_path / "store.db"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        yield app, pilot


async def test_n_and_shift_n_walk_the_queue_and_v_shows_only_it(recording: Recording, tmp_path: Path) -> None:
    async with reviewing(recording, tmp_path) as (app, pilot):
        dash, table = app.dashboard, app.dashboard.table
        queue = dash.desk().queue
        assert queue.left > 3
        assert f"review: {queue.left} left" in screen_text(app)
        table.action_first()
        first = table.selected_email_id
        assert not queue.pending(first)  # the top of the inbox is urgent mail the model was sure of
        await pilot.press("n")
        one = table.selected_email_id
        assert queue.pending(one)
        await pilot.press("n")
        two = table.selected_email_id
        assert queue.pending(two) and two != one
        await pilot.press("N")
        assert table.selected_email_id == one
        await pilot.press("v")
        assert table.row_count == queue.left
        assert "only to review" in str(table.border_title)
        await pilot.press("v")
        assert table.row_count == len(recording.emails)


async def test_route_picker_filters_by_typing_and_the_store_has_it_first(recording: Recording, tmp_path: Path) -> None:
    async with reviewing(recording, tmp_path) as (app, pilot):
        dash, table = app.dashboard, app.dashboard.table
        left = dash.desk().queue.left
        await pilot.press("n")
        email_id = table.selected_email_id
        model_route = table.get_row(email_id).route
        await pilot.press("m")
        assert isinstance(app.screen, Picker)
        await pilot.press(*"sal")
        options = app.screen.query_one("#picker-list")
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == ["sales"]
        await pilot.press("enter")
        await until(pilot, lambda: table.get_row(email_id).route == "sales")
        [record] = stored(tmp_path / "store.db")  # committed before the row changed
        assert (record.email_id, record.field, record.model_value, record.value) == (email_id, "route", model_route, "sales")
        assert record.user == "operator"
        assert "✎ operator · " in row_text(table, email_id) and row_text(table, email_id).startswith("✎")
        assert dash.desk().queue.left == left - 1
        assert f"review: {left - 1} left" in screen_text(app)


async def test_urgent_toggle_and_priority_keys(recording: Recording, tmp_path: Path) -> None:
    async with reviewing(recording, tmp_path) as (app, pilot):
        table = app.dashboard.table
        await pilot.press("n")
        email_id = table.selected_email_id
        was = table.get_row(email_id)
        await pilot.press("exclamation_mark")
        await until(pilot, lambda: table.get_row(email_id).urgent is (not was.urgent))
        await pilot.press("plus")
        await until(pilot, lambda: table.get_row(email_id).priority == min(100, (was.priority or 0) + 10))
        await pilot.press("P")
        assert isinstance(app.screen, AskNumber)
        await pilot.press("ctrl+a", "ctrl+k", "1", "5", "0", "enter")  # refused on the line: 0-100 only
        assert isinstance(app.screen, AskNumber)
        await pilot.press("backspace", "backspace", "backspace", "7", "5", "enter")
        await until(pilot, lambda: table.get_row(email_id).priority == 75)
        fields = [(r.field, r.value) for r in stored(tmp_path / "store.db")]
        assert fields[0] == ("urgent", not was.urgent)
        assert ("priority", 75) in fields and len(fields) == 3


async def test_five_marked_rows_get_one_correction_and_undo_takes_it_back(recording: Recording,
                                                                           tmp_path: Path) -> None:
    async with reviewing(recording, tmp_path) as (app, pilot):
        table = app.dashboard.table
        await pilot.press("v")  # the queue only
        table.action_first()
        await pilot.press(*["space"] * 5)
        marked = table.marked
        assert len(marked) == 5 and "5 marked" in str(table.border_title)
        await pilot.press("m", *"billing", "enter")
        await until(pilot, lambda: all(table.get_row(e).route == "billing" for e in marked))
        records = stored(tmp_path / "store.db")
        assert sorted(r.email_id for r in records) == sorted(marked)
        assert {(r.field, r.value) for r in records} == {("route", "billing")}
        assert table.marked == []  # the marks were used up
        exported = await export_jsonl(tmp_path)
        for email_id in marked:  # the export carries each correction with the model's own value
            review = exported[email_id]["review"]
            assert exported[email_id]["route"] == "billing" and review["reviewed"] is True
            assert review["decided_by"] == "operator"
            assert review["corrected"] == {"route": "review"}  # field -> the model's value
        assert not any((row["review"] or {}).get("reviewed") for eid, row in exported.items() if eid not in marked)
        await pilot.press("u")
        await until(pilot, lambda: all(table.get_row(e).route == "review" for e in marked))
        assert stored(tmp_path / "store.db") == []
        assert app.dashboard.desk().queue.left == len([e for e in table._rows if app.dashboard.desk().queue.pending(e)])


async def test_star_marks_every_row_the_filter_shows(recording: Recording, tmp_path: Path) -> None:
    async with reviewing(recording, tmp_path) as (app, pilot):
        table = app.dashboard.table
        await pilot.press("slash", *"moving day", "enter")
        shown = table.row_count
        assert shown >= 2
        await pilot.press("asterisk")
        assert len(table.marked) == shown
        await pilot.press("y")  # accept them all as they are
        await until(pilot, lambda: len(stored(tmp_path / "store.db")) == shown)
        assert all(app.dashboard.desk().badge(table.get_row(e)).startswith("✓") for e in table._rows
                   if app.dashboard.desk().corrections(e))


async def test_clearing_injection_asks_and_names_the_reason(recording: Recording, tmp_path: Path) -> None:
    async with reviewing(recording, tmp_path) as (app, pilot):
        table = app.dashboard.table
        flagged = next(e for e in table._rows if table.get_row(e).injection)
        reason = table.get_row(flagged).injection_reason
        table.select_email(flagged)
        await pilot.press("i")
        assert reason and reason[:30] in screen_text(app)
        await pilot.press("n")  # no: nothing written
        assert stored(tmp_path / "store.db") == []
        await pilot.press("i", "y")
        await until(pilot, lambda: table.get_row(flagged).injection is False)
        [record] = stored(tmp_path / "store.db")
        assert (record.field, record.model_value, record.value) == ("injection", True, False)


async def test_detail_screen_corrects_and_lists_corrections(recording: Recording, tmp_path: Path) -> None:
    async with reviewing(recording, tmp_path) as (app, pilot):
        table = app.dashboard.table
        await pilot.press("n")
        email_id = table.selected_email_id
        await pilot.press("enter")
        assert isinstance(app.screen, EmailDetail)
        await pilot.press("C", *"spam", "enter")
        await until(pilot, lambda: table.get_row(email_id).category == "spam")
        assert isinstance(app.screen, EmailDetail)
        text = screen_text(app)
        assert "Corrections (operator)" in text and "→ spam" in text and "by operator" in text
        await pilot.press("escape", "t")
        assert isinstance(app.screen, RunReportScreen)
        text = screen_text(app)
        assert "Model vs operator · 1 emails reviewed" in text and "category" in text


async def test_palette_and_help_list_the_review_keys(recording: Recording, tmp_path: Path) -> None:
    async with reviewing(recording, tmp_path) as (app, pilot):
        titles = [c.title for c in app.dashboard.commands()]
        for title in ("Review: Next email to review", "Review: Change the route (a picker, type to filter)",
                      "Review: Urgent on / off", "Review: Accept the verdict as is (marks it reviewed)"):
            assert title in titles
        assert not any(t.startswith("Review: Undo") for t in titles)  # nothing to undo yet
        footer = screen_text(app).splitlines()[-1]
        assert "m C ! + - P i y u Correct" in footer and "n N v ␣ * Review" in footer
        await pilot.press("ctrl+p", *"next email to review")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: app.dashboard.desk().queue.pending(app.dashboard.table.selected_email_id or ""))
        await pilot.press("question_mark")
        help_text = screen_text(app)
        assert "Change the route" in help_text and "Undo the last correction" in help_text


async def test_a_live_run_is_corrected_into_its_own_store_record(sim_factory, tmp_path: Path) -> None:
    from test_app import sim_settings
    from tui.app.triage.app import make_app

    sim = await sim_factory(latency=0.01)
    settings = sim_settings(sim.url, store=str(tmp_path / "live.db"), review_below=0.7)
    app = make_app(settings, "sample:20")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: not dash.state.busy and len(dash.state.inbox.rows) == 20)
        await until(pilot, lambda: dash.desk() is not None)
        run_id = dash.state.run_id
        await until(pilot, lambda: "Correct" in screen_text(app).splitlines()[-1])
        footer = screen_text(app).splitlines()[-1]
        assert "Correct" in footer and "Report" in footer and "Help" in footer  # all of it fits at 160
        await pilot.press("n")
        email_id = dash.table.selected_email_id
        assert dash.desk().queue.pending(email_id)
        await pilot.press("y")
        await until(pilot, lambda: not dash.desk().queue.pending(email_id))
    with Store(tmp_path / "live.db") as store:
        [record] = list_corrections(store, run_id)
    assert record.email_id == email_id and record.field == "accept"
