"""The dashboard on a real Dovecot: streaming triage, planned actions, a/A with confirms, --apply.

The simulator answers over real HTTP; the mailbox is checked afterwards with imaplib
(tests/dovecot.py). Waits are on conditions (`until`), never on wall-clock assertions.
"""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest

from dovecot import PASSWORD, DovecotServer, SmtpSink, ThrottledProxy, dovecot, seed, smtp_sink, snapshot  # noqa: F401
from test_app import SIZE, screen_text, sim_settings, until
from test_imap import FOLDERS, ROUTES_TOML, _check_filed

from tui.app.triage.app import TriageApp, make_app
from tui.app.triage.confirm_actions import ConfirmActions, ConfirmOverride
from tui.app.triage.email_detail import EmailDetail
from tui.mail.actions import route_keyword
from tui.mail.sample import generate_sample
from tui.store import Store

ROUTES = tomllib.loads(ROUTES_TOML)["routes"]


@pytest.fixture(autouse=True)
def _imap_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANMAIL_IMAP_PASSWORD", PASSWORD)


def imap_settings(sim_url: str, server: DovecotServer, tmp: Path, **kw: object):  # noqa: ANN201
    return sim_settings(sim_url, routes=ROUTES, imap_cafile=str(server.cafile), store=str(tmp / "store.db"),
                        retries=1, timeout=5.0, **kw)


def msgid_of(app: TriageApp, email_id: str) -> str:
    return f"<{app.session.emails[email_id].message_id}>"


def where(state: dict[str, list[tuple[str, set[str]]]], msgid: str) -> list[str]:
    return [folder for folder, items in state.items() for m, _ in items if m == msgid]


async def settled(pilot, app: TriageApp, total: int) -> None:  # noqa: ANN001
    """Every email has its row, every ok row its plan, and nothing is being applied."""
    state = app.dashboard.state
    await until(pilot, lambda: len(state.inbox.rows) == total and not state.busy
                and len(state.actions) == sum(r.status in ("ok", "duplicate") for r in state.inbox.rows.values())
                and not any(v.applying for v in state.actions.values()), timeout=30)
    app.dashboard.flush()
    await pilot.pause()


async def forwarding_app(sim_factory, dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path,  # noqa: ANN001
                         **app_kw: object) -> TriageApp:
    """The dashboard on 30 sample emails in Dovecot, the simulator answering, forwarding to the sink."""
    seed(dovecot, [m.raw for m in generate_sample(30, seed=7)])
    sim = await sim_factory(latency=0.01)
    settings = imap_settings(sim.url, dovecot, tmp_path, smtp=smtp_sink.url, smtp_insecure=True,
                             smtp_from="fanmail@test.example")
    return make_app(settings, dovecot.url(), **app_kw)


async def test_dashboard_triages_imap_and_applies_with_a_and_shift_a(
    sim_factory, dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    app = await forwarding_app(sim_factory, dovecot, smtp_sink, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        dash = app.dashboard
        state = dash.state
        await settled(pilot, app, 30)
        # agents arrived as batches formed (none was known when the run started)
        assert len(state.agents) == 6 and all(a.state == "done" for a in state.agents.values())
        assert all(r.status == "ok" for r in state.inbox.rows.values())
        shown = screen_text(app)
        assert "dry run: a applies one, A all" in shown and "held for review" in shown and "Action" in shown
        assert "Traceback" not in shown
        before = await asyncio.to_thread(snapshot, dovecot)
        assert len(before["INBOX"]) == 30, "a dry run changes nothing"

        views = state.actions
        movable = [e for e, v in views.items() if not v.review and any(a.kind == "move" for a in v.plan)]
        review = [e for e, v in views.items() if v.review]
        injected = [e for e in review if state.inbox.rows[e].injection]
        assert movable and injected
        # the plan is on screen: in the inbox's Action column and in the email's detail
        first = movable[0]
        folder = next(a.detail for a in views[first].plan if a.kind == "move")
        assert dash.table.action_text(first).endswith(f"→ {folder}")
        assert dash.table.action_text(injected[0]) == "review: stays in inbox"
        dash.open_email(injected[0])
        await pilot.pause()
        assert isinstance(app.screen, EmailDetail)
        detail = screen_text(app)
        assert "stays in inbox: suspected prompt injection" in detail and "If overridden" in detail
        await pilot.press("escape")
        dash.open_email(first)
        await pilot.pause()
        assert f"move to {folder}" in screen_text(app) and "planned (dry run: a applies)" in screen_text(app)
        await pilot.press("escape")

        titles = [c.title for c in dash.commands()]
        assert "Apply all planned actions" in titles
        # a: one email, after a confirm that says what will happen
        assert dash.table.select_email(first)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActions)
        assert f"move to {folder}" in screen_text(app) and "to 1 email?" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: views[first].status == "applied")
        state_now = await asyncio.to_thread(snapshot, dovecot)
        assert where(state_now, msgid_of(app, first)) == [FOLDERS[state.inbox.rows[first].route]]
        assert len(state_now["INBOX"]) == 29

        # A: every other planned email; review mail is not touched
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActions)
        confirm = screen_text(app)
        assert "emails held for review are not touched" in confirm and "moves" in confirm
        await pilot.press("y")
        await until(pilot, lambda: not state.appliable() and not any(v.applying for v in views.values()))
        after = await asyncio.to_thread(snapshot, dovecot)
        rows = [r.model_dump(mode="json") for r in state.inbox.rows.values()]
        for row in rows:  # every email where a headless --apply would have filed it
            expected = "INBOX" if row["route"] == "review" else FOLDERS[row["route"]]
            assert where(after, f"<{row['message_id']}>") == [expected], row
        inbox_flags = dict(after["INBOX"])
        for email_id in review:  # untouched: no keyword, no flag
            assert not any(f.startswith("$fanmail") or f == "\\Flagged" for f in inbox_flags[msgid_of(app, email_id)])
        assert {views[e].status for e in views if not views[e].review} == {"applied"}
        sent = len(smtp_sink.messages)
        assert sent == sum(1 for r in rows if r["route"] in ("incidents", "billing"))
        dash.flush()
        await pilot.pause()
        assert "✔" in dash.table.action_text(first)

        # a on an injection email: two questions, the second names the reason and only `o` files it
        target = next((e for e in injected if any(a.kind == "move" for a in views[e].override)), None)
        assert target is not None, "seed 7 has an injection email whose proposed route moves it"
        reason = views[target].reason
        assert dash.table.select_email(target)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActions) and "held for review" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmOverride)
        assert reason[:40] in screen_text(app)
        await pilot.press("y")  # not the override key: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, ConfirmOverride) and views[target].status == "review"
        await pilot.press("o")
        await until(pilot, lambda: views[target].status == "applied")
        moved_to = next(a.detail for a in views[target].override if a.kind == "move")
        final = await asyncio.to_thread(snapshot, dovecot)
        assert where(final, msgid_of(app, target)) == [moved_to.replace("/", ".")]
        others = [e for e in review if e != target]
        assert all(where(final, msgid_of(app, e)) == ["INBOX"] for e in others)
        await pilot.press("q")
    with Store(tmp_path / "store.db") as store:
        applied_once = [a for a in store.actions() if a["status"] == "applied"]

    # a second run on the same mailbox and store: what is left in INBOX is read again, A applies nothing
    again = make_app(app.settings, dovecot.url())
    async with again.run_test(size=SIZE, notifications=True) as pilot:
        left = len(final["INBOX"])
        await settled(pilot, again, left)
        views2 = again.dashboard.state.actions
        if again.dashboard.state.appliable():
            await pilot.press("A")
            await pilot.pause()
            await pilot.press("y")
            await until(pilot, lambda: not again.dashboard.state.appliable()
                        and not any(v.applying for v in views2.values()))
        assert all(v.status in ("already", "review") for v in views2.values()), {
            e: v.status for e, v in views2.items()}
        await pilot.press("q")
    assert await asyncio.to_thread(snapshot, dovecot) == final
    assert len(smtp_sink.messages) == sent, "nothing forwarded twice"
    with Store(tmp_path / "store.db") as store:
        assert [a for a in store.actions() if a["status"] == "applied"] == applied_once


async def test_dashboard_with_apply_files_as_verdicts_land(
    sim_factory, dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    actions_file = tmp_path / "actions.jsonl"
    app = await forwarding_app(sim_factory, dovecot, smtp_sink, tmp_path, apply=True, actions_path=str(actions_file))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        state = app.dashboard.state
        await settled(pilot, app, 30)
        assert "applied as verdicts land (--apply)" in screen_text(app)
        assert {v.status for v in state.actions.values()} == {"applied", "review"}
        rows = [r.model_dump(mode="json") for r in state.inbox.rows.values()]
        await pilot.press("q")
    _check_filed(dovecot, rows, smtp_sink)  # where headless --apply files them; forwards sent once
    lines = actions_file.read_text().splitlines()
    assert lines and all('"status": "applied"' in ln or '"status": "review"' in ln for ln in lines)


async def test_mailbox_gone_mid_read_is_a_notification_and_a_header_line(
    sim_factory, dovecot: DovecotServer, tmp_path: Path
) -> None:
    seed(dovecot, [m.raw for m in generate_sample(80, seed=4)])
    proxy = await ThrottledProxy(dovecot.port, rate=15_000).start()  # ~90 KB over 4 connections: seconds
    try:
        sim = await sim_factory(latency=0.01)
        settings = imap_settings(sim.url, dovecot, tmp_path, imap_insecure=True)
        app = make_app(settings, f"imap://fan@127.0.0.1:{proxy.port}/INBOX")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            state = app.dashboard.state
            await until(pilot, lambda: len(state.inbox.rows) >= 3, timeout=30)
            dovecot.stop()
            proxy.cut()
            await until(pilot, lambda: state.source_error is not None and len(state.inbox.rows) == 80
                        and not state.busy, timeout=30)
            app.dashboard.flush()
            await pilot.pause()
            assert app.is_running and app.return_code is None
            assert any("reading the mailbox stopped" in n.message for n in app._notifications)
            shown = screen_text(app)
            assert "MAILBOX: reading stopped" in shown and "Traceback" not in shown
            unread = [r for r in state.inbox.rows.values() if (r.error or "").startswith("not read:")]
            assert unread and all(r.status == "failed" for r in unread)
            # applying now fails with the reason on each email, nothing else happens
            if state.appliable():
                await pilot.press("A")
                await pilot.pause()
                await pilot.press("y")
                await until(pilot, lambda: not any(v.applying for v in state.actions.values())
                            and any(v.status == "failed" for v in state.actions.values()), timeout=30)
                app.dashboard.flush()
                failed = next(e for e, v in state.actions.items() if v.status == "failed")
                assert app.dashboard.table.action_text(failed).startswith("✗ ")
            await pilot.press("q")
    finally:
        await proxy.close()
    dovecot.start()
    left = await asyncio.to_thread(snapshot, dovecot)
    assert sum(len(v) for v in left.values()) == 80 and len(left["INBOX"]) == 80  # nothing moved, nothing lost
    assert not any(route_keyword("support") in f for _, f in left["INBOX"])


# ---------------------------------------------------------------- no server: state and plans


def test_state_learns_streamed_agents_and_counts_unread_mail_as_not_done() -> None:
    from tui.app.triage.session import ManualClock
    from tui.app.triage.state import RunState
    from tui.fanout.events import AgentQueued, EmailDone, RunStarted, SourceFailed
    from tui.model import Email, ResultRow

    state = RunState(clock=ManualClock())
    state.apply(RunStarted("r", 12, {}, 4, 1.0, {}))  # IMAP: the search found 12, no batch yet
    assert state.header().emails_done == 0 and state.streaming
    state.apply(AgentQueued("a01", ["imap:1:1", "imap:1:2"], {"imap:1:1": "hello", "imap:1:2": "again"}))
    assert list(state.agents) == ["a01"] and state.subjects["imap:1:1"] == "hello" and state.busy
    state.apply(EmailDone("a01", ResultRow.failure(Email(id="imap:1:1"), "failed", "x", agent_id="a01")))
    assert state.header().emails_done == 1
    state.apply(SourceFailed("connection lost", 2))
    assert state.header().source_error == "connection lost"
    assert any("reading the mailbox stopped after 2 of 12" in n.text for n in state.take_notes())


def test_override_plans_the_proposed_route_or_the_review_folder() -> None:
    from tui.mail.action_desk import plan_override
    from tui.mail.actions import plan_actions
    from tui.model import Email, ResultRow
    from tui.settings import Settings

    settings = Settings.model_validate({"routes": ROUTES})
    email = Email(id="imap:9:4", subject="hi", source_ref="imap://u@h:143/INBOX;UIDVALIDITY=9/;UID=4")
    row = ResultRow(email_id="imap:9:4", status="ok", urgent=False, priority=40, route="review", review=True,
                    injection=True, injection_reason="ignore previous", category="sales_lead", confidence=0.4,
                    flags=["injection", "proposed:sales"])
    assert [a.kind for a in plan_actions(row, email, settings)] == ["review"]
    assert [(a.kind, a.detail) for a in plan_override(row, email, settings)] == [
        ("keyword", "$fanmail_sales"), ("move", "Sales")]
    unsure = row.model_copy(update={"flags": ["low-confidence"], "injection": False})
    assert [(a.kind, a.detail) for a in plan_override(unsure, email, settings)] == [
        ("keyword", "$fanmail_review"), ("move", "Review")]
    assert plan_override(row.model_copy(update={"status": "failed"}), email, settings) == []


async def test_a_corrected_route_replans_the_move_and_a_files_it_there(
    sim_factory, dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    """The review desk on a mailbox: a route corrected by key moves the email to that route's
    folder, through the same `a` question as any planned action."""
    app = await forwarding_app(sim_factory, dovecot, smtp_sink, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        dash, state = app.dashboard, app.dashboard.state
        await settled(pilot, app, 30)
        await until(pilot, lambda: dash.desk() is not None)
        email_id = next(e for e, r in state.inbox.rows.items()
                        if r.status == "ok" and not r.review and r.route in ("support", "newsletters"))
        msgid = msgid_of(app, email_id)
        dash.table.select_email(email_id)
        await pilot.press("m", *"sales", "enter")
        await until(pilot, lambda: [a.detail for a in state.actions[email_id].plan if a.kind == "move"] == ["Sales"])
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmActions) and "Sales" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: state.actions[email_id].status == "applied", timeout=30)
    assert where(await asyncio.to_thread(snapshot, dovecot), msgid) == ["Sales"]
