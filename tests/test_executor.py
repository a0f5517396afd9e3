"""The executor boundary without Ray: the coordinator's side of a worker that dies.

A worker that raises `WorkerLost` stands for an actor or node that died (tests/test_ray.py kills
a real Ray actor). Here the requests still go over real HTTP to the simulator, through the local
executor, so the simulator's per-email counts are the truth about what was done twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from tui.agents.runtime import open_provider
from tui.agents.sim_fates import email_key
from tui.fanout.events import AgentFinished, EmailDone, Reassigned
from tui.fanout.executors.base import AttemptFailed, AttemptOk, WorkerLost
from tui.fanout.executors.local import LocalExecutor, LocalWorker
from tui.fanout.plan import make_plan
from tui.fanout.run import MAX_HAND_OFFS, Coordinator
from tui.mail.sources import load_source
from tui.model import Email
from tui.settings import Settings


class DyingWorker(LocalWorker):
    """Does `survives` emails, then dies on the next one before answering."""

    def __init__(self, executor: LocalExecutor, survives: int) -> None:
        super().__init__(executor)
        self.left = survives

    async def attempt(self, email: Email, started: Callable[[float], None]) -> AttemptOk | AttemptFailed:
        if self.left <= 0:
            raise WorkerLost("process gone")
        self.left -= 1
        return await super().attempt(email, started)


class DyingExecutor(LocalExecutor):
    """Workers of the agents named in `doomed` die after `survives` emails."""

    def __init__(self, coordinator_parts: tuple, doomed: set[str] | None, survives: int) -> None:
        provider, pacer, timeout, clock = coordinator_parts
        super().__init__(provider, pacer, per_email_timeout=timeout, estimate=None, clock=clock)
        self.doomed = doomed
        self.survives = survives

    def open(self, agent_id: str) -> LocalWorker:
        if self.doomed is None or agent_id in self.doomed:
            return DyingWorker(self, self.survives)
        return LocalWorker(self)


def settings_for(url: str) -> Settings:
    return Settings(provider="sim", base_url=url, concurrency=3, batch_size=10, timeout=5.0, retries=0,
                    rebalance=False)


async def run_dying(settings: Settings, emails: list[Email], doomed: set[str] | None,
                    survives: int) -> tuple[list, dict, Coordinator]:
    """A run whose workers for the agents in `doomed` (None: every agent) die after `survives` emails:
    every event, each email's one row, and the coordinator."""
    events, rows = [], {}
    async with open_provider(settings) as provider:
        coordinator = Coordinator(provider, settings)
        coordinator.executor = DyingExecutor(
            (provider, coordinator.pacer, coordinator.per_email_timeout, coordinator.clock), doomed, survives)
        async for event in coordinator.run(make_plan(emails, settings)):
            events.append(event)
            if isinstance(event, EmailDone):
                assert event.row.email_id not in rows, "each email is reported once"
                rows[event.row.email_id] = event.row
    return events, rows, coordinator


async def test_a_dead_worker_hands_its_unreported_emails_to_an_heir(sim_factory) -> None:
    sim = await sim_factory(latency=0.01)
    settings = settings_for(sim.url)
    emails = load_source("sample:40", seed=settings.seed)
    events, rows, coordinator = await run_dying(settings, emails, {"a02"}, 4)
    assert len(rows) == 40 and {r.status for r in rows.values()} <= {"ok", "duplicate"}
    handed = [e for e in events if isinstance(e, Reassigned)]
    assert [(e.from_agent, e.to_agent) for e in handed] == [("a02", "a02+1")]
    assert len(handed[0].email_ids) == 6, "10 in the batch, 4 reported before the worker died"
    assert all(rows[e].agent_id == "a02+1" for e in handed[0].email_ids)
    finished = {e.agent_id: e for e in events if isinstance(e, AgentFinished)}
    assert finished["a02"].state == "failed" and "worker lost" in finished["a02"].error
    assert finished["a02"].ok == 4 and finished["a02+1"].state == "done"
    assert coordinator.retryable() == [], "nothing of a02 is left to retry: its heir finished it"
    ok_at_sim = Counter(sim.stats.per_email[email_key(e, settings)].ok for e in emails)
    assert set(ok_at_sim) == {1}, "every email answered once, none twice"


async def test_workers_that_keep_dying_end_in_failed_rows_not_a_loop(sim_factory) -> None:
    sim = await sim_factory(latency=0.0)
    settings = settings_for(sim.url)
    emails = load_source("sample:20", seed=settings.seed)
    events, rows, _ = await run_dying(settings, emails, None, 1)
    assert len(rows) == 20, "every email still gets its row"
    failed = [r for r in rows.values() if r.status == "failed"]
    assert failed and all("worker lost" in (r.error or "") for r in failed)
    heirs = [e.to_agent for e in events if isinstance(e, Reassigned)]
    assert heirs and max(h.count("+") for h in heirs) == MAX_HAND_OFFS


def test_ray_executor_without_ray_is_one_line_before_any_run(monkeypatch, tmp_path, capsys) -> None:
    """Without the extra, --executor ray stops at the flags: exit 2, one line, nothing recorded."""
    import importlib.util

    from tui.cli import main

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "ray" else real_find_spec(name, *args))
    store = tmp_path / "store.db"
    code = main(["triage", "sample:5", "--headless", "--provider", "rules", "--executor", "ray",
                 "--store", str(store), "-o", str(tmp_path / "rows.jsonl")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "pip install 'fanmail[ray]'" in err[0], err
    assert not store.exists() and not (tmp_path / "rows.jsonl").exists()
