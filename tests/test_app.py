"""The dashboard driven by keys (Textual Pilot) against the real simulator, plus its pure state."""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from textual.color import Color

from tui.app.triage.app import TriageApp, make_app
from tui.app.triage.replay import arecord_demo, replay_app
from tui.app.triage.email_detail import EmailDetail
from tui.app.triage.dashboard.screen import INPUT_QUIET_S, MAX_DEFER_S
from tui.app.screens.quit_confirm import QuitConfirm
from tui.app.triage.session import ManualClock, ReplaySession
from tui.app.triage.state import RunState
from tui.app.widgets.agent_panel import AgentPanel
from tui.app.triage.inbox_table import InboxTable
from tui.fanout.events import AgentFinished, AgentQueued, AgentStarted, EmailDone, EmailStarted, RunStarted
from tui.model import Email, ResultRow
from tui.settings import Settings

SIZE = (160, 48)
MARKUP = "[bold red]URGENT[/] server down"


def sim_settings(url: str, **kw: object) -> Settings:
    base: dict[str, object] = dict(provider="sim", base_url=url, concurrency=4, batch_size=5, timeout=1.0,
                                   retries=0, sim_latency=0.05)
    base.update(kw)
    return Settings(**base)


def screen_text(app: TriageApp) -> str:
    """What the terminal shows, as plain text (no colours)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system=None,
                      record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def until(pilot, check: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await pilot.pause(0.05)


def table_line(table: InboxTable, email_id: str) -> str:
    """The rendered text of one inbox row."""
    for y in range(1, table.size.height):
        strip = table.render_line(y)
        text = "".join(seg.text for seg in strip)
        if table.get_row(email_id) and table.get_row(email_id).subject[:12] in text.replace("␛", "\x1b"):
            return text
    return ""


# ---------------------------------------------------------------- live runs against the simulator


async def test_failed_agent_is_red_and_r_retries_it_rows_once(sim_factory) -> None:
    sim = await sim_factory(latency=0.05, fail_rate=0.25, seed=5)
    app = make_app(sim_settings(sim.url), "sample:40")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: bool(dash.state.agents) and not dash.state.busy)
        failed = dash.state.retryable()
        assert failed, "with a 25% failure rate and no retries some agent must fail"
        agent_id = failed[0]
        dash.flush()
        dash.grid.select(agent_id)
        await pilot.pause()
        panel = next(p for p in app.screen.query(AgentPanel) if p.card.agent_id == agent_id)
        assert panel.has_class("-failed") and "FAILED" in str(panel.border_title)
        red = Color.parse(app.theme_variables["failed"])
        assert panel.styles.border.top[1] == red, "the failed panel's border is the theme's failed colour"
        assert "FAILED" in screen_text(app)

        agent_emails = list(dash.state.agents[agent_id].emails)
        sim.config.fail_rate = 0.0  # the provider recovers; the operator presses r
        await pilot.press("r")
        await until(pilot, lambda: dash.state.agents[agent_id].state == "done" and not dash.state.busy)
        dash.flush()
        await pilot.pause()
        table = dash.table
        assert table.row_count == 40 == len(dash.state.inbox.rows)
        for email_id in agent_emails:
            assert table.get_row(email_id).status == "ok"
        assert not panel.has_class("-failed") and panel.has_class("-done")


async def test_shift_r_retries_every_failed_agent(sim_factory) -> None:
    sim = await sim_factory(latency=0.03, fail_rate=0.3, seed=2)
    app = make_app(sim_settings(sim.url), "sample:40")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: bool(dash.state.agents) and not dash.state.busy)
        assert len(dash.state.retryable()) >= 2
        sim.config.fail_rate = 0.0
        await pilot.press("R")
        await until(pilot, lambda: not dash.state.busy and not dash.state.retryable() and dash.state.rounds >= 2)
        dash.flush()
        assert dash.table.row_count == 40
        assert Counter(r.status for r in dash.state.inbox.rows.values()) == {"ok": 40}


async def test_the_seeded_default_demo_ends_with_failed_agents_that_shift_r_brings_back() -> None:
    """`fanmail` with no arguments: the built-in simulator leaves a few emails stuck past their
    retries (seed 7), so the operator has something to retry; R gets them all through. Only the
    latency is shortened here: which emails are stuck depends on the seed, not on time."""
    settings = Settings(sim_latency=0.02, sim_jitter=0.01, timeout=0.5).as_demo()
    app = make_app(settings, "sample")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: bool(dash.state.agents) and not dash.state.busy and dash.state.rounds >= 1, 60)
        failed = dash.state.retryable()
        assert len(failed) >= 2, failed  # "a few": 3 for seed 7
        bad = [r.email_id for r in dash.state.inbox.rows.values() if r.status in ("failed", "timeout")]
        assert bad and all(dash.state.inbox.rows[e].attempts == settings.retries + 1 for e in bad)
        await pilot.press("R")
        await until(pilot, lambda: not dash.state.busy and not dash.state.retryable() and dash.state.rounds >= 2, 60)
        assert Counter(r.status for r in dash.state.inbox.rows.values()) == {"ok": 198, "duplicate": 2}


async def test_c_cancels_the_selected_agent(sim_factory) -> None:
    sim = await sim_factory(latency=1.0)  # slow enough that a01 is surely still running at the key press
    app = make_app(sim_settings(sim.url, concurrency=2, timeout=5.0), "sample:20")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: dash.state.agents.get("a01") is not None and dash.state.agents["a01"].state == "running")
        dash.flush()  # the grid learns of a01 on the next tick; do it now so it can be selected
        await pilot.pause()
        dash.grid.select("a01")
        assert dash.grid.selected == "a01"
        await pilot.press("c")
        await until(pilot, lambda: dash.state.agents["a01"].state == "cancelled")
        rows = [dash.state.inbox.rows.get(e) for e in dash.state.agents["a01"].emails]
        assert any(r is not None and r.error == "cancelled by operator" for r in rows)
        dash.flush()
        await pilot.pause()
        assert "CANCELLED" in screen_text(app)


async def test_p_pauses_and_resumes_launching(sim_factory) -> None:
    sim = await sim_factory(latency=0.2)
    app = make_app(sim_settings(sim.url, concurrency=1, timeout=3.0), "sample:15")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: dash.state.agents.get("a01") is not None and dash.state.agents["a01"].state == "running")
        await pilot.press("p")
        await until(pilot, lambda: dash.state.paused)
        dash.flush()
        await pilot.pause()
        assert "PAUSED" in screen_text(app)
        await until(pilot, lambda: dash.state.agents["a01"].state == "done", timeout=10)
        await pilot.pause(0.5)
        assert dash.state.agents["a02"].state == "queued", "nothing launches while paused"
        await pilot.press("p")
        await until(pilot, lambda: not dash.state.paused)
        await until(pilot, lambda: not dash.state.busy, timeout=20)
        assert len(dash.state.inbox.rows) == 15


async def test_q_asks_while_agents_run_and_quits_at_once_when_idle(sim_factory) -> None:
    sim = await sim_factory(latency=0.3)
    app = make_app(sim_settings(sim.url, concurrency=2, timeout=3.0), "sample:20")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: dash.state.busy)
        await pilot.press("q")
        assert isinstance(app.screen, QuitConfirm)
        await pilot.press("n")
        assert app.screen is dash and app.is_running
        await pilot.press("q")
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0

    quick = make_app(sim_settings(sim.url, concurrency=4), "sample:10")
    sim.config.latency = 0.0
    async with quick.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(quick.dashboard.state.agents) and not quick.dashboard.state.busy)
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(quick.screen, QuitConfirm)
    assert quick.return_code == 0


async def test_markup_subject_and_ansi_body_show_literally() -> None:
    app = make_app(Settings(provider="rules"), "sample")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: len(dash.state.inbox.rows) == 200 and not dash.state.busy)
        dash.flush()
        await pilot.press("slash", *"server down", "enter")
        await pilot.pause()
        table = dash.table
        assert table.row_count == 1
        email_id = table.selected_email_id
        assert MARKUP in screen_text(app), "the subject's markup is shown as typed in the inbox"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EmailDetail)
        shown = screen_text(app)
        assert MARKUP in shown
        assert "[red]Do not render this as markup[/red]" in shown
        assert "\x1b" not in shown
        body = str(app.screen.query_one("#detail-body").render())
        email = dash.session.emails[email_id]
        if "\x1b" in email.text:
            assert "␛[31mCRITICAL" in body
        await pilot.press("escape")
        assert app.screen is dash


async def test_control_characters_become_visible_symbols() -> None:
    """A hostile email (ESC sequences, bell, bidi override) cannot reach the terminal."""
    email = Email(id="x1", sender="Eve <eve@evil.test>", subject="\x1b[2J\x07pay \u202egnp.exe",
                  text="line one\n\x1b[31mred\x1b[0m\n[blink]x[/blink]")
    row = ResultRow.failure(email, "failed", "boom \x1b[1m")
    clock = ManualClock(1.0)
    events = [
        (0.0, RunStarted("r1", 1, {"a01": ["x1"]}, 1, 5.0, {"x1": email.subject})),
        (0.1, AgentStarted("a01", 1, ["x1"], 5.0)),
        (0.2, EmailStarted("a01", "x1", 1)),
        (0.3, EmailDone("a01", row.model_copy(update={"agent_id": "a01"}))),
        (0.3, AgentFinished("a01", "failed", 0, 1, "boom \x1b[1m")),
    ]
    session = ReplaySession(events, {"x1": email}, clock)
    app = make_app(Settings(), session=session, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await session.drained.wait()
        app.dashboard.flush()
        await pilot.pause()
        shown = screen_text(app)
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
        assert "␛[2J␇pay" in shown
        app.dashboard.open_email("x1")
        await pilot.pause()
        detail = screen_text(app)
        assert "␛[31mred␛[0m" in detail and "[blink]x[/blink]" in detail


# ---------------------------------------------------------------- replays: palette, grid, themes


async def test_palette_offers_only_valid_actions() -> None:
    recording = await arecord_demo()
    app, settle = replay_app(recording, "mid", select=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.dashboard.commands()]
        assert "Retry agent a03" in titles and "Retry all failed agents" in titles
        assert "Pause launching" in titles
    app, settle = replay_app(recording, "retried", select=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.dashboard.commands()]
        assert not any(t.startswith(("Retry", "Pause", "Cancel")) for t in titles)
        assert "Run report" in titles


async def test_command_palette_lists_the_valid_actions() -> None:
    from textual.command import CommandList

    recording = await arecord_demo()
    app, settle = replay_app(recording, "mid")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"retry")
        await pilot.pause(0.3)
        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(p.startswith("Retry agent a03") for p in prompts)
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"report")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "RunReportScreen"


async def test_the_inbox_cursor_goes_to_the_top_when_the_run_ends_unless_the_operator_moved(sim_factory) -> None:
    sim = await sim_factory(latency=0.15, seed=5)
    for move in (False, True):
        app = make_app(sim_settings(sim.url, retries=2), "sample:60")
        async with app.run_test(size=SIZE) as pilot:
            dash = app.dashboard
            table = app.screen.query_one(InboxTable)
            await until(pilot, lambda: len(dash.state.inbox.rows) >= 8)
            await until(pilot, lambda: table.row_count >= 8)  # painted: j moves over rows on screen
            chosen = None
            if move:
                table.focus()
                await pilot.press("j", "j")
                chosen = table.selected_email_id
            await until(pilot, lambda: dash.state.finished and not dash.state.busy)
            dash.flush()
            await pilot.pause()
            if move:
                assert table.selected_email_id == chosen, "the operator's email keeps the cursor"
            else:
                assert table._cursor_index() == 0 and table.scroll_offset.y == 0, "the most urgent row, on screen"


async def test_steering_keys_after_the_run_say_why_they_do_nothing() -> None:
    recording = await arecord_demo()
    app, settle = replay_app(recording, "retried")  # finished, every failed agent brought back
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.dashboard.state.finished and not app.dashboard.state.retryable()
        for key, said in (("r", "nothing to retry: "), ("R", "nothing to retry: no agent has failed emails"),
                          ("p", "the run has finished: nothing left to pause")):
            await pilot.press(key)
            await until(pilot, lambda: any(n.message.startswith(said) for n in app._notifications))


async def test_a_failed_agents_error_is_cut_to_its_panel_and_the_retry_line_stays() -> None:
    recording = await arecord_demo()
    app, settle = replay_app(recording, "mid")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = next(p for p in app.screen.query(AgentPanel) if p.card.agent_id == "a03")
        lines = str(panel.render()).splitlines()
        width = panel.content_size.width
        assert len(lines) == 3 and all(len(line) <= width for line in lines), lines
        assert lines[1].endswith("…") and lines[2].endswith("1 failed: r retries"), lines
        assert panel.tooltip == panel.card.subject and len(panel.card.subject) > width, "the whole error"


async def test_failed_agents_share_one_toast_instead_of_piling_over_the_grid(sim_factory) -> None:
    sim = await sim_factory(latency=0.02, fail_rate=0.5, seed=5)
    app = make_app(sim_settings(sim.url, batch_size=2), "sample:40")  # 20 agents, no retries: most fail
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: dash.state.finished and not dash.state.busy)
        dash.flush()
        await pilot.pause()
        failed = dash.state.retryable()
        assert len(failed) >= 5
        toasts = [n.message for n in app._notifications if n.severity == "error"]
        assert len(toasts) == 1, toasts
        assert toasts[0].startswith(f"{len(failed)} agents failed: ") and "R retries every failed agent" in toasts[0]


async def test_the_palette_lists_each_command_once() -> None:
    """Textual's Keys and Quit would stand beside ours (every key; quit asks first): one title each."""
    from textual.command import CommandList

    recording = await arecord_demo()
    app, settle = replay_app(recording, "retried")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: bool(app.screen.query(CommandList)) and
                    app.screen.query_one(CommandList).option_count > 5)
        options = app.screen.query_one(CommandList)
        titles = [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]
        assert len(titles) == len(set(titles)), titles
        assert "Keys" not in titles and titles.count("Quit") == 1 and "Keys and help" in titles
        assert [t for t in titles if t.startswith("Theme")] == ["Theme"], "one way to change the theme"


async def test_twenty_agents_all_visible_at_160x48_and_compact_at_80x24() -> None:
    recording = await arecord_demo()
    for size, compact in ((SIZE, False), ((80, 24), True)):
        app, settle = replay_app(recording, "mid", select=None)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            grid = app.dashboard.grid
            assert grid.compact is compact
            if not compact:
                screen = app.screen.region
                panels = list(app.screen.query(AgentPanel))
                assert len(panels) == 20
                assert all(screen.contains_region(p.region) and p.region.height == 5 for p in panels)
            grid.focus()
            await pilot.press("j", "j")
            assert grid.selected == "a03"


async def test_five_hundred_agents_stay_cheap() -> None:
    app = make_app(Settings(provider="rules", concurrency=100, batch_size=10), "sample:5000")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: len(dash.state.agents) > 400 and not dash.state.busy, timeout=60)
        dash.flush()
        assert dash.grid.compact
        # Cheap by construction, not by a timed assertion: 495 agents are drawn by one line-API
        # widget, so the DOM stays small however many agents run (500 panels cost ~128 ms a tick).
        widgets = list(app.screen.walk_children())
        assert len(widgets) < 100, len(widgets)
        dash.flush()
        await pilot.pause()
        dash.grid.focus()
        await pilot.press("j", "down")
        assert dash.grid.selected == dash.grid.cards[1 + dash.query_one("#tiles").columns].agent_id


async def test_keys_come_first_the_stream_repaints_around_them() -> None:
    """While the operator presses keys the 4 Hz stream repaint is skipped, but never for longer
    than MAX_DEFER_S; without keys every tick repaints."""
    app = make_app(Settings(provider="rules"), "sample:10")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: not dash.state.busy and bool(dash.state.agents))
        dash.flush()
        before = dash._flushed_at
        await pilot.press("j")
        assert app.last_key_at > before
        # On a loaded machine the press itself can outlast INPUT_QUIET_S: the tick under test is the
        # one right after a key, with the stream just painted, so set both to now.
        flushed = dash._flushed_at = app.last_key_at = time.monotonic()
        dash._tick()
        assert dash._flushed_at == flushed, "a tick right after a key must not repaint the stream"
        dash._flushed_at -= MAX_DEFER_S
        dash._tick()
        assert dash._flushed_at > app.last_key_at, "deferred at most MAX_DEFER_S, even while keys keep coming"
        app.last_key_at -= INPUT_QUIET_S
        before = dash._flushed_at
        dash._tick()
        assert dash._flushed_at > before, "with no recent key every tick repaints"


async def test_themes_light_and_fallback() -> None:
    app = make_app(Settings(provider="rules", theme="fanmail-light"), "sample:10")
    async with app.run_test(size=SIZE):
        assert app.theme == "fanmail-light"
        assert app.theme_variables["failed"].lower() == "#cf222e"
    # Settings refuse an unknown name (tests/test_cli_names.py); a theme file that fails to load after
    # the settings named it still leaves a drawable dashboard.
    app = make_app(Settings(provider="rules").model_copy(update={"theme": "no-such-theme"}), "sample:10")
    async with app.run_test(size=SIZE, notifications=True):
        assert app.theme == "fanmail-dark"
        assert any("unknown theme" in n.message for n in app._notifications)
    app = make_app(Settings(provider="rules", theme="textual-dark"), "sample:10")
    async with app.run_test(size=SIZE):  # not ours: the state colours fall back, TCSS still parses
        assert app.theme_variables["failed"]


def test_tcss_uses_only_theme_variables() -> None:
    tcss = (Path(__file__).parents[1] / "tui" / "app" / "app.tcss").read_text()
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(|\b(red|green|blue|yellow)\b", tcss)


async def test_keymap_remaps_binding_ids() -> None:
    recording = await arecord_demo()
    session, clock = recording.session("mid")
    app = make_app(recording.settings, session=session, clock=clock, keymap={"report": "f5"})
    async with app.run_test(size=SIZE) as pilot:
        await session.drained.wait()
        await pilot.press("f5")
        await pilot.pause()
        assert type(app.screen).__name__ == "RunReportScreen"


# ---------------------------------------------------------------- state alone


def test_state_retry_replaces_rows_and_tracks_moves() -> None:
    clock = ManualClock()
    state = RunState(clock=clock)
    email = Email(id="e1", subject="hi")
    state.apply(RunStarted("r", 2, {"a01": ["e1"], "a02": ["e2"]}, 2, 1.0, {}))
    state.apply(AgentStarted("a01", 1, ["e1"], 1.0))
    state.apply(EmailStarted("a01", "e1", 1))
    state.apply(EmailDone("a01", ResultRow.failure(email, "timeout", "slow", agent_id="a01")))
    state.apply(AgentFinished("a01", "timeout", 0, 1, "slow"))
    assert state.retryable() == ["a01"] and state.take_notes()[0].severity == "error"
    state.apply(AgentQueued("a01", ["e1"]))
    assert state.agents["a01"].done == 0 and state.busy
    state.apply(AgentStarted("a01", 2, ["e1"], 1.0))
    clock.now = 2.0
    state.apply(EmailStarted("a01", "e1", 1))
    ok = ResultRow(email_id="e1", status="ok", agent_id="a01", urgent=False, priority=10, route="personal",
                   category="personal", confidence=0.9, injection=False)
    state.apply(EmailDone("a01", ok))
    state.apply(AgentFinished("a01", "done", 1, 0))
    rows = state.take_rows()
    assert [r.email_id for r in rows] == ["e1"] and rows[0].status == "ok"
    assert len(state.inbox.rows) == 1 and not state.retryable()
    assert [s.round for s in state.agents["a01"].spans] == [1, 2]


async def test_unreachable_provider_exits_with_one_line_and_code_2() -> None:
    app = make_app(Settings(provider="sim", base_url="http://127.0.0.1:9/v1"), "sample:10")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(2)
    assert app.return_code == 2


async def test_dashboard_runs_are_recorded_and_resume_sends_nothing_twice(sim_factory) -> None:
    from tui.store import Store, store_path

    sim = await sim_factory(latency=0.01)
    settings = sim_settings(sim.url, retries=1)
    app = make_app(settings, "sample:20")
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: not dash.state.busy and len(dash.state.inbox.rows) == 20)
        run_id = app.session.run_id
    assert run_id and sim.stats.ok == sum(1 for c in sim.stats.per_email.values() if c.ok)
    requests = sim.stats.total
    with Store(store_path(settings.store)) as store:
        stored = store.verdicts(run_id)
    assert len(stored) == 20 and all(r.status in ("ok", "duplicate") for r in stored.values())

    resumed = make_app(settings, "sample:20", resume=run_id)
    async with resumed.run_test(size=SIZE) as pilot:
        dash = resumed.dashboard
        await until(pilot, lambda: len(dash.state.inbox.rows) == 20)
        await pilot.pause(0.2)
    assert sim.stats.total == requests, "a resumed run sends nothing already done to the model"
