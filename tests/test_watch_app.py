"""The watch dashboard (`fanmail watch URL`) on a real Dovecot, the simulator answering over HTTP.

Mail is delivered with APPEND while the dashboard is open (tests/dovecot.py); every wait is on a
condition with a bound (`until`), never a sleep or a timed assertion.
"""

from __future__ import annotations

import asyncio
import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from dovecot import PASSWORD, DovecotServer, SmtpSink, dovecot, seed, smtp_sink, snapshot  # noqa: F401 - fixtures
from test_app import SIZE, screen_text, sim_settings, until
from test_app_imap import imap_settings
from test_watch_maildir import deliver as deliver_file
from watch_process import FAST_SIM
from tui.app.triage.confirm_actions import ConfirmActions
from tui.app.screens.help import HelpScreen
from tui.app.screens.quit_confirm import QuitConfirm
from tui.app.triage.run_report import RunReportScreen
from tui.app.watch.app import WatchApp, make_watch_app
from tui.app.watch.header import WatchHeader
from tui.app.watch.replay import arecord_watch, watch_replay_app
from tui.app.watch.report import WatchReportScreen
from tui.app.watch.state import WatchRunState
from tui.app.widgets.timeline import Timeline
from tui.mail.sample import generate_sample
from tui.review.log import list_corrections
from tui.run.watch import WatchRun
from tui.store import Store

RAWS = [m.raw for m in generate_sample(40, seed=11)]
WAIT_S = 60.0  # a loaded machine; passing tests take a fraction of it


@pytest.fixture(autouse=True)
def _imap_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANMAIL_IMAP_PASSWORD", PASSWORD)


async def watch_app(sim_factory, dovecot: DovecotServer, tmp_path: Path, *, poll_s: float = 30.0,  # noqa: ANN001
                    idle: bool = True, smtp: SmtpSink | None = None, **sim: object) -> WatchApp:
    server = await sim_factory(**{"latency": 0.01, **sim})
    forwarding = dict(smtp=smtp.url, smtp_insecure=True, smtp_from="fanmail@test.example") if smtp else {}
    settings = imap_settings(server.url, dovecot, tmp_path, batch_size=2, **forwarding)
    run = WatchRun(settings, dovecot.url(), poll_s=poll_s, idle=idle, grace_s=2.0)
    return make_watch_app(settings, run, note_timeout=60)


async def deliver(dovecot: DovecotServer, raws: list[bytes]) -> None:
    for raw in raws:  # one APPEND each, as a mail server delivers them
        await asyncio.to_thread(seed, dovecot, [raw])


def shown(app: WatchApp) -> str:
    """The screen as the last tick drew it (inside `until`, which pauses between looks)."""
    return screen_text(app)


async def fresh(pilot, app: WatchApp) -> str:  # noqa: ANN001
    """The screen with everything folded so far drawn and laid out."""
    app.dashboard.flush()
    await pilot.pause()
    return screen_text(app)


def sorted_on_screen(app: WatchApp) -> bool:
    table, state = app.dashboard.table, app.dashboard.state
    return [k[-1] for k in table._order] == [r.email_id for r in state.inbox.ranked()]


async def test_rows_arrive_while_the_dashboard_is_open_and_the_header_counts_them(
        sim_factory, dovecot: DovecotServer, tmp_path: Path) -> None:
    await asyncio.to_thread(seed, dovecot, RAWS[:3])
    app = await watch_app(sim_factory, dovecot, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        state = app.dashboard.state
        await until(pilot, lambda: len(state.inbox.rows) == 3 and state.connection.state == "idle", WAIT_S)
        await until(pilot, lambda: "3 waiting at start" in shown(app) and "IMAP idle" in shown(app), WAIT_S)
        text = await fresh(pilot, app)
        assert "0 arrived today" in text and "last —" in text
        await deliver(dovecot, RAWS[3:8])
        await until(pilot, lambda: len(state.inbox.rows) == 8 and not state.busy, WAIT_S)
        text = await fresh(pilot, app)
        assert "5 arrived today" in text and "Inbox 8/8" in text
        assert state.last_arrival is not None and state.clock_time(state.last_arrival) in text
        assert sorted_on_screen(app)
        assert all(r.status == "ok" for r in state.inbox.rows.values())
        assert "Traceback" not in text
        await pilot.press("q")


async def test_finished_waves_fold_into_one_line_each_and_t_reports_their_agents(
        sim_factory, dovecot: DovecotServer, tmp_path: Path) -> None:
    app = await watch_app(sim_factory, dovecot, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        state = app.dashboard.state
        await until(pilot, lambda: state.connection.state == "idle", WAIT_S)
        for n, raws in enumerate((RAWS[:3], RAWS[3:4], RAWS[4:9]), start=1):
            await deliver(dovecot, raws)  # one wave each: the next is sent once this one has folded
            await until(pilot, lambda n=n: state.folded_waves >= n, WAIT_S)
        await until(pilot, lambda: len(state.inbox.rows) == 9, WAIT_S)
        assert sum(len(w.email_ids) for w in state.history) == 9
        assert not state.agents and not state.waves, "every finished agent left the grid"
        text = await fresh(pilot, app)
        assert f"History: {state.folded_waves} waves done" in text
        for wave in state.history:
            assert state.wave_line(wave) in text, text
        assert not app.dashboard.grid.cards, "the grid shows no folded agent"
        await pilot.press("t")  # the day's report: the folded waves' agents and emails, off the grid or not
        await until(pilot, lambda: isinstance(app.screen, WatchReportScreen), WAIT_S)
        await pilot.pause()
        agents = sum(len(w.agents) for w in state.history)
        assert f"Watch report · today: 3 waves, {agents} agents, 9 emails" in screen_text(app)
        check_report_covers_every_wave(app, state)
        await pilot.press("escape", "q")


async def test_r_retries_a_failed_agent_and_its_wave_then_folds(
        sim_factory, dovecot: DovecotServer, tmp_path: Path) -> None:
    # every email fails its first attempt (retries=1 in the settings: two attempts), then answers
    app = await watch_app(sim_factory, dovecot, tmp_path, stuck_rate=1.0, stuck_attempts=2)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        dash, state = app.dashboard, app.dashboard.state
        await until(pilot, lambda: state.connection.state == "idle", WAIT_S)
        await deliver(dovecot, RAWS[:1])
        await until(pilot, lambda: state.retryable(), WAIT_S)
        failed = state.retryable()[0]
        assert state.waves and not state.folded_waves, "a wave with a failed agent stays on the grid"
        dash.flush()
        await pilot.pause()
        dash.grid.select(failed)
        await pilot.press("r")
        await until(pilot, lambda: state.folded_waves == 1, WAIT_S)
        (wave,) = state.history
        assert wave.agents == [failed] and wave.failed == 0 and wave.retried == 1
        assert state.inbox.rows[wave.email_ids[0]].status == "ok"
        assert "1 retried" in await fresh(pilot, app)
        await pilot.press("q")


async def test_a_dovecot_restart_is_shown_then_mail_after_it_arrives(
        sim_factory, dovecot: DovecotServer, tmp_path: Path) -> None:
    app = await watch_app(sim_factory, dovecot, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        state = app.dashboard.state
        await until(pilot, lambda: state.connection.state == "idle", WAIT_S)
        await asyncio.to_thread(dovecot.stop)
        await until(pilot, lambda: "⟳ reconnecting in" in shown(app), WAIT_S)
        await asyncio.to_thread(dovecot.start)
        await until(pilot, lambda: state.connection.state == "idle", WAIT_S)
        assert "IMAP idle" in await fresh(pilot, app)
        await deliver(dovecot, RAWS[:2])
        await until(pilot, lambda: len(state.inbox.rows) == 2, WAIT_S)
        assert state.arrivals_today == 2
        await pilot.press("q")


async def test_w_looks_now_when_polling(sim_factory, dovecot: DovecotServer, tmp_path: Path) -> None:
    app = await watch_app(sim_factory, dovecot, tmp_path, poll_s=3600, idle=False)  # no poll during the test
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        state = app.dashboard.state
        await until(pilot, lambda: state.connection.state == "polling", WAIT_S)
        assert "IMAP polling" in await fresh(pilot, app)
        await deliver(dovecot, RAWS[:2])
        await pilot.press("w")
        await until(pilot, lambda: len(state.inbox.rows) == 2, WAIT_S)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app)
        assert "Watch dashboard" in help_text and "Check now" in help_text and "Retry" in help_text
        assert "Check for new mail now" in [c.title for c in app.dashboard.commands()]  # the palette has it too
        await pilot.press("escape", "q")


async def test_shift_a_applies_the_planned_actions_and_the_report_opens(
        sim_factory, dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    await asyncio.to_thread(seed, dovecot, RAWS[:4])
    app = await watch_app(sim_factory, dovecot, tmp_path, smtp=smtp_sink)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        state = app.dashboard.state
        await deliver(dovecot, RAWS[4:6])
        await until(pilot, lambda: len(state.inbox.rows) == 6 and not state.busy and len(state.actions) == 6, WAIT_S)
        assert "dry run: a applies one, A all" in await fresh(pilot, app)
        review = {e for e, v in state.actions.items() if v.review}
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmActions), WAIT_S)
        await pilot.press("y")
        await until(pilot, lambda: not state.appliable() and not any(v.applying for v in state.actions.values()),
                    WAIT_S)
        assert {v.status for e, v in state.actions.items() if e not in review} == {"applied"}, [
            (o.action.kind, o.status, o.note) for v in state.actions.values() for o in v.outcomes.values()
            if o.status != "applied"]
        after = await asyncio.to_thread(snapshot, dovecot)
        assert len(after["INBOX"]) == len(review), "what was filed left the inbox; review mail stayed"
        forwards = sum(1 for e, v in state.actions.items() if e not in review for a in v.plan if a.kind == "forward")
        assert len(smtp_sink.messages) == forwards
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, RunReportScreen), WAIT_S)
        assert "Traceback" not in screen_text(app)
        await pilot.press("escape", "q")


def section(app: WatchApp, widget_id: str) -> list[list[str]]:
    """A report section's table, one list of words a line (the section in full, scrolled or not)."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(app.screen.query_one(f"#{widget_id}", Static).content)
    return [line.replace(",", " ").split() for line in console.export_text().splitlines() if line.strip()]


def check_report_covers_every_wave(app: WatchApp, state: WatchRunState) -> None:
    """Each wave of the day has its row (emails, agents), each of its agents a row whose emails add up to
    the wave's, and a lane on the timeline; folded waves as much as those on the grid."""
    waves = sorted([*state.history, *state.waves.values()], key=lambda w: w.number)
    wave_rows = {row[0]: row for row in section(app, "report-waves")[1:]}
    agent_rows = {row[0]: row for row in section(app, "report-agents")[1:]}
    for wave in waves:
        row = wave_rows[str(wave.number)]
        assert str(len(wave.email_ids)) in row and all(a in row for a in wave.agents), (wave, row)
        assert all(agent_rows[a][1] == str(wave.number) for a in wave.agents)
        assert sum(int(agent_rows[a][2]) for a in wave.agents) == len(wave.email_ids)
    every_agent = [a for w in waves for a in w.agents]
    assert sorted(agent_rows) == sorted(every_agent)
    assert [v.agent_id for v in app.screen.query_one(Timeline).agents] == every_agent


async def test_the_recorded_watchs_report_lists_folded_and_open_waves() -> None:
    """Seven recorded waves, five folded, one failed and one at work on the grid: all in the report."""
    app, drawn = watch_replay_app(await arecord_watch())
    async with app.run_test(size=SIZE) as pilot:
        await drawn(pilot)
        state = app.dashboard.state
        assert state.history and state.waves, "the recording has folded waves and waves on the grid"
        assert "today's waves" in next(c.help for c in app.dashboard.commands() if c.title == "Run report")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, WatchReportScreen)
        check_report_covers_every_wave(app, state)
        failed = next(row for row in section(app, "report-waves") if "failed" in row)
        assert "on the grid" in " ".join(failed), "the failed wave is still on the grid, waiting for r"


async def test_a_maildir_watch_on_the_dashboard(sim_factory, tmp_path: Path) -> None:
    box = tmp_path / "Maildir"
    for sub in ("tmp", "new", "cur"):
        (box / sub).mkdir(parents=True)
    deliver_file(box, RAWS[0])
    server = await sim_factory(latency=0.01)
    settings = sim_settings(server.url, store=str(tmp_path / "store.db"), timeout=5.0)
    app = make_watch_app(settings, WatchRun(settings, str(box), poll_s=3600, grace_s=2.0), note_timeout=60)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        state = app.dashboard.state
        await until(pilot, lambda: len(state.inbox.rows) == 1 and state.connection.state == "polling", WAIT_S)
        deliver_file(box, RAWS[1])
        await pilot.press("w")  # no poll within the test: w looks now
        await until(pilot, lambda: len(state.inbox.rows) == 2 and state.folded_waves == 2, WAIT_S)
        await fresh(pilot, app)
        header = app.dashboard.query_one(WatchHeader).render().plain  # unwrapped: a tmp path is long
        assert "Maildir polling" in header and "1 waiting at start" in header and "1 arrived today" in header
        assert "dry run" not in header and not app.dashboard.check_action("apply_all", ()), "a Maildir is only read"
        await pilot.press("q")


async def test_review_keys_correct_a_watched_email_and_its_actions_follow(
        sim_factory, dovecot: DovecotServer, tmp_path: Path) -> None:
    await asyncio.to_thread(seed, dovecot, RAWS[:3])
    app = await watch_app(sim_factory, dovecot, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        dash, state = app.dashboard, app.dashboard.state
        await until(pilot, lambda: len(state.inbox.rows) == 3 and len(state.actions) == 3
                    and dash.desk() is not None, WAIT_S)
        dash.flush()
        await pilot.pause()
        email_id = next(e for e, r in state.inbox.rows.items() if not r.urgent and not state.actions[e].review)
        assert dash.table.select_email(email_id)
        assert not any(a.kind == "flag" for a in state.actions[email_id].plan)
        await pilot.press("exclamation_mark")  # urgent on: the correction is stored, the plan gets its flag
        await until(pilot, lambda: any(a.kind == "flag" for a in state.actions[email_id].plan), WAIT_S)
        assert state.inbox.rows[email_id].urgent
        run_id = state.run_id
        await pilot.press("q")
    with Store(tmp_path / "store.db") as store:
        [record] = list_corrections(store, run_id)
    assert record.email_id == email_id and record.field == "urgent"


async def test_a_wrong_password_closes_the_dashboard_with_one_line(
        sim_factory, dovecot: DovecotServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FANMAIL_IMAP_PASSWORD", "not-the-password")
    app = await watch_app(sim_factory, dovecot, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.return_code == 2, WAIT_S)
    err = capsys.readouterr().err  # printed as the app exits (wrapped at the test console's width)
    assert err.startswith("fanmail: error: IMAP login as fan") and "refused" in err
    assert "Traceback" not in err and "not-the-password" not in err


def test_the_command_opens_the_dashboard_in_a_terminal_and_q_quits(dovecot: DovecotServer, tmp_path: Path) -> None:
    """`fanmail watch URL` itself (not make_watch_app): in a pseudo-terminal, the dashboard draws, q ends it, exit 0."""
    seed(dovecot, RAWS[:2])
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FANMAIL_", "OPENAI_"))}
    env |= {"FANMAIL_IMAP_PASSWORD": PASSWORD, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "48"}
    proc = subprocess.Popen([sys.executable, "-m", "tui", "watch", dovecot.url(), "--imap-cafile", str(dovecot.cafile),
                             "--store", str(tmp_path / "store.db"), *FAST_SIM],
                            stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + WAIT_S
        while b"WATCHING" not in seen or b"idle" not in seen:
            assert time.monotonic() < deadline and proc.poll() is None, seen[-2000:]
            if select.select([leader], [], [], 0.2)[0]:
                seen += os.read(leader, 65536)
        os.write(leader, b"q")
        deadline = time.monotonic() + WAIT_S
        while proc.poll() is None:  # keep reading: a full pty would block the app's last frames
            assert time.monotonic() < deadline, "q did not end the watch"
            if select.select([leader], [], [], 0.2)[0]:
                try:
                    seen += os.read(leader, 65536)
                except OSError:
                    break
        assert proc.wait(timeout=WAIT_S) == 0
        assert b"Traceback" not in seen
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)


async def test_quitting_mid_wave_asks_then_lets_the_emails_in_flight_finish(
        sim_factory, dovecot: DovecotServer, tmp_path: Path) -> None:
    await asyncio.to_thread(seed, dovecot, RAWS[:2])
    app = await watch_app(sim_factory, dovecot, tmp_path, latency=1.0)  # long enough to quit while they run
    async with app.run_test(size=SIZE) as pilot:
        state = app.dashboard.state
        await until(pilot, lambda: any(a.state == "running" for a in state.agents.values()), WAIT_S)
        run_id = state.run_id
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, QuitConfirm), WAIT_S)
        await pilot.press("y")  # the app ends; the screen waits (bounded) for the run to finish its grace
    with Store(tmp_path / "store.db") as store:
        rows = store.verdicts(run_id)
    assert len(rows) == 2 and all(r.status == "ok" for r in rows.values()), "in flight at q, ok within --grace"
