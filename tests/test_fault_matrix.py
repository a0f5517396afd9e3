"""The fault matrix: every provider fault, and the process killed mid-run, against the same invariants.

Each cell runs the real coordinator over real HTTP on 127.0.0.1, recording into a real store
(the same Recorder the headless command uses), then checks:

- every input email has exactly one final row: none lost, none duplicated (events and store);
- no email was classified successfully twice (counted by the server);
- no action was applied twice (the store's ledger guards a stand-in for the IMAP mover);
- the run ended (RunDone, inside a bound).

The SIGKILL cells run `python -m tui triage sample:1000 --headless` against a simulator in this
process, kill it with SIGKILL mid-run, resume it with `--resume`, and check the same.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest
from faultserver import FaultServer, frac

from tui.agents.runtime import open_provider
from tui.agents.sim_fates import email_key
from tui.fanout.events import EmailDone, Event, RunDone
from tui.fanout.recorder import Recorder, prepare_run, with_prior
from tui.fanout.run import Coordinator
from tui.mail.sample import sample_emails
from tui.model import Email, ResultRow
from tui.settings import Settings
from tui.store import Store

COUNT = 120


def settings_for(url: str, **kw: object) -> Settings:
    # A generous per-email timeout: an answer that arrives after it would be asked for again, and
    # on a loaded machine that could look like double classification. Only hang cells lower it.
    base: dict[str, object] = dict(provider="openai", base_url=url, model="fault-1", concurrency=12, batch_size=10,
                                   timeout=10.0, retries=2, seed=5)
    base.update(kw)
    return Settings(**base)


class Ledger:
    """Stand-in for the IMAP mover: applies 'move to route' once per email, guarded by the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.applied: Counter[str] = Counter()

    def apply(self, run_id: str, rows: list[ResultRow]) -> None:
        for row in rows:
            if row.status != "ok":
                continue
            key = f"TEST:1:{row.email_id}:move:{row.route}"
            if self.store.action_applied(key):
                continue
            self.applied[key] += 1  # the side effect
            self.store.record_action(key, run_id=run_id, email_id=row.email_id, action="move",
                                     detail=row.route or "")


async def run_recorded(
    settings: Settings, emails: list[Email], store: Store, *, resume: str | None = None
) -> tuple[str, list[Event], list[ResultRow]]:
    """One run (or resumed segment) exactly as the headless command drives it; returns its rows."""
    prepared = await asyncio.to_thread(prepare_run, store, settings, f"sample:{len(emails)}", emails, resume=resume)
    recorder = Recorder(store, prepared.run_id, prepared.segment, prior=prepared.prior)
    events: list[Event] = []
    async with open_provider(settings) as provider:
        coordinator = Coordinator(provider, settings, run_id=prepared.run_id)
        async with asyncio.timeout(90):  # the run ends
            async for event in with_prior(coordinator.run(prepared.plan), prepared.prior):
                recorder.on_event(event)
                events.append(event)
        await recorder.aclose(provider)
    rows = [e.row for e in events if isinstance(e, EmailDone)]
    return prepared.run_id, events, rows


def check_invariants(emails: list[Email], events: list[Event], rows: list[ResultRow], store: Store, run_id: str,
                     server_ok: Counter[str], ledger: Ledger) -> None:
    ids = [e.id for e in emails]
    per_email = Counter(r.email_id for r in rows)
    assert set(per_email) == set(ids), "an email was lost"
    assert max(per_email.values()) == 1, "an email got two final rows"
    assert sum(isinstance(e, RunDone) for e in events) == 1, "the run did not end once"
    stored = store.verdicts(run_id)
    assert set(stored) == set(ids)
    final = {r.email_id: r for r in rows}
    assert all(stored[i].status == final[i].status for i in ids)
    assert not server_ok or max(server_ok.values()) == 1, "an email was classified successfully twice"
    assert sum(server_ok.values()) == sum(1 for r in rows if r.status == "ok")
    for r in rows:
        if r.status in ("failed", "timeout"):
            assert r.error
    ledger.apply(run_id, rows)
    ledger.apply(run_id, rows)  # a replay of the same rows (e.g. after a resume) applies nothing
    assert ledger.applied and max(ledger.applied.values()) == 1, "an action was applied twice"
    assert len(store.actions(run_id)) == len(ledger.applied)


# Which requests fail, per cell: `key` is the email's Message-ID, `n` its request number.
CELLS: dict[str, object] = {
    # 30% of emails get a 5xx on their first two requests, 5% on every request (-> failed rows).
    "http_5xx": lambda key, n: "500" if frac(key) < 0.05 or (frac(key) < 0.3 and n <= 2) else
                ("503" if frac(key, "b") < 0.1 and n == 1 else "ok"),
    "http_429": lambda key, n: "429" if frac(key) < 0.4 and n <= 2 else "ok",
    "http_529": lambda key, n: "529" if frac(key) < 0.4 and n <= 2 else "ok",
    # 20% hang on the first request (cut by the 1.5 s timeout), 3% on every one (-> timeout rows).
    "hang": lambda key, n: "hang" if frac(key) < 0.03 or (frac(key) < 0.2 and n == 1) else "ok",
    # the model's text is not JSON; 3% never answer JSON (-> failed rows)
    "garbage_json": lambda key, n: "garbage" if frac(key) < 0.03 or (frac(key) < 0.3 and n == 1) else "ok",
    "bad_http_body": lambda key, n: "badbody" if frac(key) < 0.3 and n == 1 else "ok",
    "reset_mid_body": lambda key, n: "reset" if frac(key) < 0.03 or (frac(key) < 0.3 and n <= 2) else "ok",
    "everything_at_once": lambda key, n: (
        ["500", "429", "529", "hang", "garbage", "badbody", "reset", "ok"][int(frac(key, str(n)) * 8)]
        if n <= 2 else "ok"),
}


HANGS = {"hang", "everything_at_once"}


@pytest.mark.parametrize("cell", sorted(CELLS))
async def test_fault_cell(cell: str, tmp_path: Path) -> None:
    server = await FaultServer(CELLS[cell]).start()  # type: ignore[arg-type]
    emails = sample_emails(COUNT, seed=5)
    try:
        with Store(tmp_path / "s.db") as store:
            timeout = 1.5 if cell in HANGS else 10.0
            run_id, events, rows = await run_recorded(settings_for(server.url, timeout=timeout), emails, store)
            check_invariants(emails, events, rows, store, run_id, server.ok, Ledger(store))
            faults = sum(n for fate, n in server.fates.items() if fate != "ok")
            assert faults > 0, "the cell must actually inject its fault"
            statuses = Counter(r.status for r in rows)
            assert statuses["ok"] >= COUNT * 0.8
    finally:
        await server.stop()


async def test_connection_refused_every_email_one_failed_row(tmp_path: Path) -> None:
    server = await FaultServer(lambda key, n: "ok").start()
    url = server.url
    await server.stop()  # nothing listens there any more
    emails = sample_emails(40, seed=5)
    with Store(tmp_path / "s.db") as store:
        run_id, events, rows = await run_recorded(settings_for(url, retries=1), emails, store)
        per_email = Counter(r.email_id for r in rows)
        assert set(per_email) == {e.id for e in emails} and max(per_email.values()) == 1
        assert all(r.status in ("failed", "duplicate") for r in rows)
        assert any("cannot reach" in (r.error or "") or "connect" in (r.error or "").lower() for r in rows)
        assert sum(isinstance(e, RunDone) for e in events) == 1
        assert set(store.verdicts(run_id)) == {e.id for e in emails}


async def test_provider_dies_mid_run_then_resume_finishes_the_rest(tmp_path: Path) -> None:
    """The server stops answering (refused) after 50 answers; a resume against a new one finishes."""
    emails = sample_emails(COUNT, seed=5)
    answered = 0
    server: FaultServer | None = None
    stopping: list[asyncio.Task[None]] = []

    def script(key: str, n: int) -> str:
        nonlocal answered
        answered += 1
        if answered == 50:
            assert server is not None
            stopping.append(asyncio.get_running_loop().create_task(server.stop()))
        return "ok"

    server = await FaultServer(script).start()
    with Store(tmp_path / "s.db") as store:
        ledger = Ledger(store)
        settings = settings_for(server.url, retries=1, concurrency=4)
        run_id, events, rows = await run_recorded(settings, emails, store)
        await asyncio.gather(*stopping)
        assert Counter(r.email_id for r in rows) == Counter(e.id for e in emails)
        failed = {r.email_id for r in rows if r.status == "failed"}
        assert failed, "the provider went away: some emails must have failed"
        ledger.apply(run_id, rows)
        first_ok = Counter(server.ok)

        second = await FaultServer(lambda key, n: "ok").start()
        try:
            _, events2, rows2 = await run_recorded(settings_for(second.url, retries=1), emails, store, resume=run_id)
            both = first_ok + second.ok
            check_invariants(emails, events2, rows2, store, run_id, both, ledger)
            assert all(r.status in ("ok", "duplicate") for r in rows2)
            done_before = {r.email_id for r in rows if r.status == "ok"}
            assert {e.id for e in emails if e.message_id in second.ok} <= {e.id for e in emails} - done_before
        finally:
            await second.stop()


# ---------------------------------------------------------------------------- SIGKILL and --resume


def _committed(db: Path) -> dict[str, str]:
    """email id -> status of the committed verdicts (read by a separate connection, like a crash would)."""
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return dict(conn.execute("SELECT email_id, status FROM verdicts").fetchall())
    except sqlite3.OperationalError:
        return {}
    finally:
        conn.close()


def _run_id(db: Path) -> str:
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return conn.execute("SELECT run_id FROM runs").fetchone()[0]
    finally:
        conn.close()


async def _spawn(*args: str, stderr_path: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FANMAIL_", "OPENAI_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui", *args, stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr_path.open("wb"), env=env,
    )


async def _wait_until(check, what: str, timeout: float = 60.0) -> None:  # noqa: ANN001
    async with asyncio.timeout(timeout):
        while not await asyncio.to_thread(check):
            await asyncio.sleep(0.05)


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def _kill_and_resume(sim, tmp_path: Path, *, quiesce: bool) -> dict[str, object]:  # noqa: ANN001
    """Run 1,000 emails in a subprocess, SIGKILL it mid-run, resume it; return what both runs did."""
    db, out1, out2 = tmp_path / "runs.db", tmp_path / "first.jsonl", tmp_path / "resumed.jsonl"
    common = ["--headless", "--store", str(db), "--timeout", "20", "--retries", "2"]
    proc = await _spawn("triage", "sample:1000", "--provider", "sim", "--base-url", sim.url, "--output", str(out1),
                        "--concurrency", "20", "--batch-size", "10", "--seed", "11", *common,
                        stderr_path=tmp_path / "first.err")
    try:
        await _wait_until(lambda: db.exists() and len(_committed(db)) >= 300, "300 rows committed")
        if quiesce:
            # Hold every new request at the server, let the answers already on their way land,
            # and wait until the store has committed every verdict the server gave: the kill
            # then cuts only requests that were never answered. Every request still open must be
            # a held one: an answer drawn before the hold, still in its latency, would otherwise
            # land after the check (and after the kill).
            sim.config.hang_rate = 1.0
            hung_before = sim.stats.hung
            def settled() -> bool:
                ok = sum(1 for s in _committed(db).values() if s == "ok")
                return sim.stats.in_flight == sim.stats.hung - hung_before and ok == sim.stats.ok
            await _wait_until(settled, "store caught up with the server")
        assert proc.returncode is None, "the run finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        assert await proc.wait() == -signal.SIGKILL
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    sim.config.hang_rate = 0.0
    at_kill = _committed(db)
    requests_at_kill = {k: c.requests for k, c in sim.stats.per_email.items()}
    run_id = _run_id(db)
    assert 300 <= len(at_kill) < 1000

    proc = await _spawn("triage", "--resume", run_id, "--output", str(out2), *common, stderr_path=tmp_path / "2.err")
    async with asyncio.timeout(120):
        code = await proc.wait()
    assert code == 0, (tmp_path / "2.err").read_text()
    return {"db": db, "out1": out1, "out2": out2, "at_kill": at_kill, "requests_at_kill": requests_at_kill,
            "run_id": run_id}


def _check_resumed(sim, r: dict[str, object]) -> tuple[set[str], set[str]]:  # noqa: ANN001
    emails = {e.id: e for e in sample_emails(1000, seed=11)}
    settings = Settings(seed=11)
    first, resumed = _rows(r["out1"]), _rows(r["out2"])  # type: ignore[arg-type]
    # The resumed run's JSONL alone has every email exactly once; the union adds no other email.
    count = Counter(row["email_id"] for row in resumed)
    assert set(count) == set(emails) and max(count.values()) == 1
    assert {row["email_id"] for row in first} <= set(emails)
    assert all(row["status"] in ("ok", "duplicate") for row in resumed)
    # A row the first run wrote is the row the resumed run reports (same verdict, same agent).
    by_id = {row["email_id"]: row for row in resumed}
    at_kill: dict[str, str] = r["at_kill"]  # type: ignore[assignment]
    for row in first:
        if at_kill.get(row["email_id"]) in ("ok", "duplicate"):
            assert by_id[row["email_id"]] == row
    # Done at the kill -> never sent to the model again.
    requests_at_kill: dict[str, int] = r["requests_at_kill"]  # type: ignore[assignment]
    done = {eid for eid, status in at_kill.items() if status in ("ok", "duplicate")}
    for eid in done:
        key = email_key(emails[eid], settings)
        assert sim.stats.per_email[key].requests == requests_at_kill.get(key, 0), f"{eid} was sent again"
    twice = {k for k, c in sim.stats.per_email.items() if c.ok > 1}
    in_doubt = {email_key(emails[eid], settings) for eid in emails if eid not in done}
    assert twice <= in_doubt
    with Store(r["db"]) as store:  # type: ignore[arg-type]
        run = store.get_run(r["run_id"])  # type: ignore[arg-type]
        assert run is not None and run.state == "done" and run.segments == 2
        assert set(store.verdicts(run.run_id)) == set(emails)
    return twice, done


async def test_sigkill_mid_run_then_resume_classifies_nothing_twice(sim_factory, tmp_path: Path) -> None:
    """Acceptance 1: SIGKILL during a 1,000-email run, then --resume."""
    sim = await sim_factory(latency=0.05, jitter=0.02, seed=11)
    result = await _kill_and_resume(sim, tmp_path, quiesce=True)
    twice, done = _check_resumed(sim, result)
    print(f"quiesced SIGKILL: {len(done)} done at the kill, {1000 - len(done)} finished by --resume")
    assert twice == set(), "the simulator classified an email successfully twice"
    assert sum(c.ok for c in sim.stats.per_email.values()) == len(
        {row["message_id"] for row in _rows(result["out2"]) if row["status"] == "ok"})  # type: ignore[arg-type]


async def test_sigkill_at_a_random_moment_loses_nothing(sim_factory, tmp_path: Path) -> None:
    """No quiescing: the kill lands wherever it lands. Rows stay exactly-once; only emails whose
    answer was in flight or not yet committed (at most one flush interval) may be asked again."""
    sim = await sim_factory(latency=0.05, jitter=0.02, seed=11)
    result = await _kill_and_resume(sim, tmp_path, quiesce=False)
    twice, done = _check_resumed(sim, result)
    print(f"random SIGKILL: {len(done)} done at the kill, {len(twice)} in-doubt emails classified again")
    assert len(twice) < 100
