"""The store, the recorder, resume, correlated traces and logs, `runs`/`report`/`replay`."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
from collections import Counter, defaultdict
from pathlib import Path

from test_cli import fanmail, read_rows

from tui.agents.rules import classify
from tui.agents.runtime import open_provider
from tui.fanout.events import EmailDone, Event, RunDone, RunStarted
from tui.fanout.plan import make_plan
from tui.fanout.recorder import Recorder, prepare_run, with_prior
from tui.fanout.run import Coordinator
from tui.fanout.trace import (
    CONTEXT_FIELDS,
    ContextFilter,
    TraceWriter,
    read_trace,
    replay_events,
    spans,
    verdict_origins,
)
from tui.mail.sample import sample_emails
from tui.model import Email, ResultRow, Verdict
from tui.settings import Settings
from tui.store import Store

QUIET_SIM = ["--sim-fail-rate", "0", "--sim-hang-rate", "0", "--sim-garbage-rate", "0", "--sim-429-rate", "0"]


async def _until(check, bound: float = 10.0) -> None:  # noqa: ANN001
    async with asyncio.timeout(bound):
        while not check():
            await asyncio.sleep(0.02)


# ---------------------------------------------------------------------------- store


def test_action_ledger_api(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        key = "INBOX:1700000000:42:move:Billing"
        assert not store.action_applied(key)
        store.record_action(key, run_id="r1", email_id="e1", action="move", detail="Billing", status="planned")
        assert not store.action_applied(key)
        store.record_action(key, run_id="r1", email_id="e1", action="move", detail="Billing")
        assert store.action_applied(key)
        store.record_action(key, run_id="r2", email_id="e1", action="move", detail="Billing", status="failed")
        assert store.action_applied(key), "an applied action stays applied"
        [row] = store.actions()
        assert row["status"] == "applied" and row["run_id"] == "r1"
    with Store(tmp_path / "s.db") as again:  # committed: survives reopening (and a crash)
        assert again.action_applied(key)


def test_ledger_is_thread_safe_under_contention(tmp_path: Path) -> None:
    """Eight workers race to apply the same 50 actions, each check-then-record under its own lock
    per key (as a mover does); the ledger lets each through exactly once."""
    store = Store(tmp_path / "s.db")
    applied: Counter[str] = Counter()
    locks = defaultdict(threading.Lock)
    guard = threading.Lock()

    def worker() -> None:
        for n in range(50):
            key = f"INBOX:1:{n}:move:Support"
            with guard:
                lock = locks[key]
            with lock:
                if store.action_applied(key):
                    continue
                applied[key] += 1
                store.record_action(key, run_id="r", email_id=str(n), action="move")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    store.close()
    assert len(applied) == 50 and set(applied.values()) == {1}


async def test_verdicts_buffered_then_committed_and_replaced(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db", flush_interval=0.05)
    emails = sample_emails(30, seed=3)
    store.create_run("run1", source="sample:30", settings={}, total=30)
    for e in emails:
        store.put_verdict("run1", ResultRow.failure(e, "timeout", "no answer"))
    await _until(lambda: len(store.verdicts("run1")) == 30)  # the writer thread committed them
    first = emails[0]
    ok = ResultRow.from_verdict(first, classify(first), agent_id="a01", attempts=1)
    store.put_verdict("run1", ok)  # operator retry: the ok row replaces the timeout
    store.put_verdict("run1", ResultRow.failure(first, "failed", "late"))  # never hides an ok verdict
    store.flush()
    rows = store.verdicts("run1")
    assert rows[first.id].status == "ok" and rows[first.id].subject == first.subject  # extras kept
    assert store.done_ids("run1") == {first.id}
    store.close()


def test_runs_states(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        store.create_run("abc123def456", source="sample:5", settings={"concurrency": 3}, total=5)
        run = store.find_run("abc1")
        assert run is not None and run.state == "running"  # this very process
        conn = sqlite3.connect(str(tmp_path / "s.db"))
        conn.execute("UPDATE runs SET pid = 2147483646")
        conn.commit()
        conn.close()
        assert store.find_run("last").state == "interrupted"  # type: ignore[union-attr]
        assert store.resume_run("abc123def456") == 2
        store.finish_segment("abc123def456", 2, status="done")
        assert store.get_run("abc123def456").state == "done"  # type: ignore[union-attr]


def test_a_run_whose_process_is_a_zombie_is_interrupted(tmp_path: Path) -> None:
    """A claimant that died unreaped (a container's PID 1 may reap late) must not keep its run
    claimed: kill(pid, 0) succeeds on a zombie, /proc says it is one."""
    import subprocess
    import time

    dead = subprocess.Popen(["true"])  # not waited for until the end: a zombie child of this process
    deadline = time.monotonic() + 10
    while Path(f"/proc/{dead.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child did not exit"
        time.sleep(0.01)
    try:
        with Store(tmp_path / "s.db") as store:
            store.create_run("abc123def456", source="sample:5", settings={}, total=5)
            conn = sqlite3.connect(str(tmp_path / "s.db"))
            conn.execute("UPDATE runs SET pid = ?", (dead.pid,))
            conn.commit()
            conn.close()
            assert store.find_run("last").state == "interrupted"  # type: ignore[union-attr]
    finally:
        dead.wait()


# ---------------------------------------------------------------------------- recorder and resume


async def test_resume_skips_done_emails_and_reemits_their_rows(sim_factory, tmp_path: Path) -> None:
    sim = await sim_factory(latency=0.01)
    settings = Settings(provider="sim", base_url=sim.url, concurrency=5, batch_size=5, timeout=1.0, seed=4)
    emails = sample_emails(60, seed=4)
    with Store(tmp_path / "s.db") as store:
        # A first run that "crashed" after 25 rows: simulated by recording only those.
        prepared = prepare_run(store, settings, "sample:60", emails)
        plan = prepared.plan
        done_first: list[ResultRow] = []
        async with open_provider(settings) as provider:
            coordinator = Coordinator(provider, settings, run_id=prepared.run_id)
            recorder = Recorder(store, prepared.run_id)
            async for event in coordinator.run(plan):
                if isinstance(event, EmailDone) and len(done_first) < 25:
                    recorder.on_event(event)
                    done_first.append(event.row)
        store.flush()
        sent_first = {k: c.requests for k, c in sim.stats.per_email.items()}

        again = prepare_run(store, settings, "sample:60", emails, resume=prepared.run_id[:6])
        assert again.run_id == prepared.run_id and again.segment == 2
        done_ids = {r.email_id for r in done_first if r.status in ("ok", "duplicate")}
        assert {r.email_id for r in again.prior} >= done_ids
        assert not done_ids & set(again.plan.emails), "a done email was planned again"
        events: list[Event] = []
        async with open_provider(settings) as provider:
            coordinator = Coordinator(provider, settings, run_id=again.run_id)
            recorder = Recorder(store, again.run_id, again.segment, prior=again.prior)
            async for event in with_prior(coordinator.run(again.plan), again.prior):
                recorder.on_event(event)
                events.append(event)
            await recorder.aclose(provider)
        rows = [e.row for e in events if isinstance(e, EmailDone)]
        assert Counter(r.email_id for r in rows) == Counter(e.id for e in emails)
        assert isinstance(events[0], RunStarted)
        for key, count in sent_first.items():
            done_key = any(e.message_id == key and e.id in done_ids for e in emails)
            if done_key:
                assert sim.stats.per_email[key].requests == count
        assert len(store.verdicts(prepared.run_id)) == 60
        assert store.get_run(prepared.run_id).segments == 2  # type: ignore[union-attr]


async def test_operator_retry_replaces_the_stored_row(sim_factory, tmp_path: Path) -> None:
    sim = await sim_factory(latency=0.01, fail_rate=0.5, seed=4)
    settings = Settings(provider="sim", base_url=sim.url, concurrency=4, batch_size=5, timeout=1.0, retries=0)
    emails = sample_emails(30, seed=2)
    with Store(tmp_path / "s.db") as store:
        prepared = prepare_run(store, settings, "sample:30", emails)
        rounds = 0
        async with open_provider(settings) as provider:
            coordinator = Coordinator(provider, settings, keep_open=True, run_id=prepared.run_id)
            recorder = Recorder(store, prepared.run_id)
            async with asyncio.timeout(60):
                async for event in coordinator.run(prepared.plan):
                    recorder.on_event(event)
                    if isinstance(event, RunDone):
                        rounds += 1
                        if rounds == 1:
                            store.flush()
                            assert any(r.status == "failed" for r in store.verdicts(prepared.run_id).values())
                            sim.config.fail_rate = 0.0
                            assert coordinator.retry_failed()
                        else:
                            coordinator.close()
            await recorder.aclose(provider)
        assert {r.status for r in store.verdicts(prepared.run_id).values()} <= {"ok", "duplicate"}


# ---------------------------------------------------------------------------- logs and traces


class _LoggingProvider:
    """Rules verdicts; logs one line per email from inside the agent's task."""

    name = "rules"
    model = "rules-1"
    expected_latency_s = 0.01

    async def check(self) -> None:
        return None

    async def classify(self, email: Email) -> Verdict:
        await asyncio.sleep(0.001)
        logging.getLogger("tui.test.provider").info("classifying %s", email.id)
        return classify(email)

    async def aclose(self) -> None:
        return None


async def test_every_log_line_carries_run_agent_batch_email() -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("tui.test.provider")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        settings = Settings(provider="rules", concurrency=4, batch_size=5)
        coordinator = Coordinator(_LoggingProvider(), settings, run_id="run-ctx")  # type: ignore[arg-type]
        rows = {}
        async for event in coordinator.run(make_plan(sample_emails(40, seed=1), 5)):
            if isinstance(event, EmailDone):
                rows[event.row.email_id] = event.row
    finally:
        logger.removeHandler(handler)
    assert len(records) == len(rows) == 40
    for record in records:
        email_id = record.getMessage().split()[-1]
        assert record.run_id == "run-ctx" and record.email_id == email_id  # type: ignore[attr-defined]
        assert record.agent_id == rows[email_id].agent_id  # type: ignore[attr-defined]
        assert record.batch == f"{record.agent_id}.1"  # type: ignore[attr-defined]


async def test_trace_of_200_emails_tells_who_produced_each_verdict(tmp_path: Path) -> None:
    """Acceptance 5: from the trace alone, each email's agent and attempt."""
    out, trace = tmp_path / "rows.jsonl", tmp_path / "trace.jsonl"
    code, _, err = await fanmail(
        "triage", "sample:200", "--headless", "--provider", "sim", "--output", str(out), "--trace", str(trace),
        "--store", str(tmp_path / "s.db"), "--timeout", "0.3", "--retries", "2", "--concurrency", "20",
        "--sim-latency", "0.02", "--sim-jitter", "0.02", "--sim-fail-rate", "0.08", "--sim-hang-rate", "0.03",
        "--sim-garbage-rate", "0.03", "--seed", "3")
    assert code in (0, 3), err
    rows = {r["email_id"]: r for r in read_rows(out)}
    assert len(rows) == 200

    # Reconstruct from the spans, without the helper: the attempt span each final row closed.
    final_attempt: dict[str, dict[str, object]] = {}
    verdict_spans = spans(trace, "verdict")
    for span in spans(trace):
        for field in (*CONTEXT_FIELDS, "segment", "start", "end"):
            assert field in span, (field, span)
        assert span["run_id"] and span["start"] <= span["end"]
        if span["name"] == "attempt" and span["outcome"] in ("ok", "failed", "timeout"):
            final_attempt[span["email_id"]] = span  # type: ignore[index]
    assert {s["email_id"] for s in verdict_spans} == set(rows)
    retried = 0
    for email_id, row in rows.items():
        if row["status"] == "duplicate":
            continue
        span = final_attempt.get(email_id)
        if row["attempts"] == 0:  # never attempted (cancelled in a queue): the verdict span says who
            continue
        assert span is not None, email_id
        assert span["agent_id"] == row["agent_id"] and span["attempt"] == row["attempts"], (span, row)
        assert row["trace_id"] == f"{span['run_id']}/{span['agent_id']}.{span['agent_attempt']}/{email_id}"
        retried += row["attempts"] > 1
    assert retried > 0, "the faults must make some verdicts come from a later attempt"

    origins = verdict_origins(trace)
    assert set(origins) == set(rows)
    for email_id, origin in origins.items():
        assert origin["agent_id"] == rows[email_id]["agent_id"]
        assert origin["status"] == rows[email_id]["status"]
        if rows[email_id]["status"] != "duplicate" and rows[email_id]["attempts"]:
            assert origin["attempt"] == rows[email_id]["attempts"] and origin["from_attempt_span"]

    # Who did what when: one agent works on one email at a time.
    by_agent: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
    for span in spans(trace, "attempt"):
        by_agent[(span["agent_id"], span["agent_attempt"])].append((span["t_start"], span["t_end"]))
    for intervals in by_agent.values():
        intervals.sort()
        assert all(a[1] <= b[0] + 1e-6 for a, b in zip(intervals, intervals[1:]))
    # Log lines in the trace carry the same correlation fields.
    logs = [json.loads(line) for line in trace.read_text().splitlines() if '"kind": "log"' in line]
    assert logs and all(all(f in rec for f in CONTEXT_FIELDS) and rec["run_id"] for rec in logs)
    assert any(rec["email_id"] and rec["agent_id"] for rec in logs)


async def test_replay_yields_the_recorded_events(tmp_path: Path) -> None:
    settings = Settings(provider="rules", concurrency=5, batch_size=6)
    emails = sample_emails(50, seed=8)
    trace = tmp_path / "t.jsonl"
    writer = TraceWriter(trace, run_id="rep1")
    recorded: list[Event] = []
    coordinator = Coordinator(_LoggingProvider(), settings, run_id="rep1")  # type: ignore[arg-type]
    async for event in coordinator.run(make_plan(emails, 6)):
        writer.on_event(event)
        recorded.append(event)
    writer.close()
    replayed = [e async for e in replay_events(trace, speed=0)]
    assert [type(e) for e in replayed] == [type(e) for e in recorded]
    assert [e.row for e in replayed if isinstance(e, EmailDone)] == [e.row for e in recorded if isinstance(e, EmailDone)]
    assert replayed[-1] == recorded[-1]  # RunDone with the whole report
    timed = read_trace(trace)
    assert [t for t, _ in timed] == sorted(t for t, _ in timed)
    fast = [e async for e in replay_events(trace, speed=1000.0)]
    assert len(fast) == len(recorded)


# ---------------------------------------------------------------------------- commands


async def test_runs_report_replay_commands(tmp_path: Path) -> None:
    """Acceptance 4: `fanmail report` on a fresh store; with timeouts, timeout = 2-3x observed p95."""
    db, out, trace = tmp_path / "fresh.db", tmp_path / "r.jsonl", tmp_path / "t.jsonl"
    code, _, err = await fanmail("report", "last", "--store", str(db))
    assert code == 2 and err.startswith("fanmail: error:") and len(err.strip().splitlines()) == 1

    code, _, err = await fanmail(
        "triage", "sample:200", "--headless", "--provider", "sim", "-o", str(out), "--store", str(db),
        "--trace", str(trace), "--concurrency", "50", "--timeout", "1.2", "--retries", "2",
        "--sim-latency", "0.4", "--sim-jitter", "0.1", "--sim-hang-rate", "0.05", "--sim-fail-rate", "0",
        "--sim-garbage-rate", "0", "--sim-429-rate", "0", "--seed", "2")
    assert code in (0, 3), err
    run_id = err.split("fanmail: run ", 1)[1].split()[0]

    code, listing, _ = await fanmail("runs", "--store", str(db))
    assert code == 0 and run_id in listing and "done" in listing and "200/200" in listing

    code, text, err = await fanmail("report", run_id, "--store", str(db))
    assert code == 0, err
    for expected in ("p50", "p95", "retries", "429s", "tokens", "suggested: --batch-size", "--timeout", "a01"):
        assert expected in text, expected
    code, raw, _ = await fanmail("report", run_id[:5], "--store", str(db), "--json")
    report = json.loads(raw)
    assert report["timeouts"] > 0, "the hangs must have cut some attempts"
    assert report["total"] == 200 and report["ok"] + report["duplicate"] + report["failed"] + report["timeout"] == 200
    assert report["tokens_in"] and report["tokens_in"] > 0
    assert sum(a["emails"] for a in report["per_agent"]) == 200 - report["duplicate"]
    ratio = report["suggested_timeout_s"] / report["p95_s"]
    assert 2.0 <= ratio <= 3.0, (report["suggested_timeout_s"], report["p95_s"])
    assert report["suggested_batch_size"] == 4  # 200 emails in one wave of 50 agents

    code, replayed, err = await fanmail("replay", run_id, "--headless", "--speed", "0", "--store", str(db))
    assert code == 0, err
    assert sorted(replayed.splitlines()) == sorted(out.read_text().splitlines())


async def test_nothing_left_to_do_still_ends_with_run_done(tmp_path: Path) -> None:
    """Resuming a finished run: an empty plan, every row re-emitted, and the run still ends."""
    settings = Settings(provider="rules", concurrency=3, batch_size=4)
    emails = sample_emails(12, seed=1)
    with Store(tmp_path / "s.db") as store:
        prepared = prepare_run(store, settings, "sample:12", emails)
        for e in emails:
            store.put_verdict(prepared.run_id, ResultRow.from_verdict(e, classify(e), agent_id="a01", attempts=1))
        store.flush()
        again = prepare_run(store, settings, "sample:12", emails, resume=prepared.run_id)
        assert again.plan.total == 0 and len(again.prior) == 12
        coordinator = Coordinator(_LoggingProvider(), settings, run_id=again.run_id)  # type: ignore[arg-type]
        async with asyncio.timeout(10):
            events = [e async for e in with_prior(coordinator.run(again.plan), again.prior)]
        assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunDone)
        assert sorted(e.row.email_id for e in events if isinstance(e, EmailDone)) == sorted(e.id for e in emails)


async def test_replay_drives_the_dashboard(tmp_path: Path) -> None:
    """`fanmail replay` without --headless: the trace fed to the dashboard as its session."""
    from tui.app.triage.app import make_app
    from tui.app.triage.session import ReplaySession

    settings = Settings(provider="rules", concurrency=4, batch_size=5)
    emails = sample_emails(30, seed=8)
    trace = tmp_path / "t.jsonl"
    writer = TraceWriter(trace, run_id="dash1")
    async for event in Coordinator(_LoggingProvider(), settings, run_id="dash1").run(make_plan(emails, 5)):  # type: ignore[arg-type]
        writer.on_event(event)
    writer.close()
    timed = read_trace(trace)
    session = ReplaySession(timed, {e.id: e for e in emails}, speed=0)
    app = make_app(settings, session=session, clock=session.clock)  # type: ignore[arg-type]
    async with app.run_test(size=(160, 48)) as pilot:
        async with asyncio.timeout(20):
            await session.drained.wait()
        await pilot.pause()
        assert session.clock.now == timed[-1][0]
        assert app.is_running
    session.close()
