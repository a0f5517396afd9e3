"""The Ray executor (`pytest -m ray`): the same fan-out with sub-agents as Ray actors.

A local Ray (2 CPUs, 100 MB object store, its state in a temp dir) started once for the module,
and a two-node local cluster (`ray.cluster_utils.Cluster`) for the shared rate limit. The model
is the simulator on 127.0.0.1, served by the test's own loop: the actors are other processes and
reach it over real HTTP, and its stats are the server-side truth checked here.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from tui.agents.runtime import open_provider  # noqa: E402
from tui.agents.sim_fates import email_key  # noqa: E402
from tui.fanout.events import AgentQueued, EmailDone, Event, Reassigned, RunStarted  # noqa: E402
from tui.fanout.plan import make_plan  # noqa: E402
from tui.fanout.run import Coordinator  # noqa: E402
from tui.mail.sources import load_source  # noqa: E402
from tui.model import ResultRow  # noqa: E402
from tui.settings import Settings  # noqa: E402

pytestmark = pytest.mark.ray

MB = 1024 * 1024
VERDICT_FIELDS = ("message_id", "status", "urgent", "priority", "route", "category", "confidence", "injection",
                  "injection_reason", "summary")


@pytest.fixture(scope="module")
def ray_local(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One local Ray for the module; its address, for drivers in other processes."""
    if ray.is_initialized():
        ray.shutdown()
    ray.init(num_cpus=2, object_store_memory=100 * MB, include_dashboard=False, namespace="fanmail",
             _temp_dir=str(tmp_path_factory.mktemp("ray")), log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def ray_settings(url: str, **kw: object) -> Settings:
    base: dict[str, object] = dict(provider="sim", base_url=url, executor="ray", concurrency=4, batch_size=25,
                                   timeout=5.0, retries=1, sim_latency=0.02)
    base.update(kw)
    return Settings(**base)


async def run_all(coordinator: Coordinator, emails_spec: str,
                  on_event=None) -> tuple[list[Event], dict[str, ResultRow]]:  # noqa: ANN001
    plan = make_plan(load_source(emails_spec, seed=coordinator.settings.seed), coordinator.settings)
    events: list[Event] = []
    rows: dict[str, ResultRow] = {}
    async for event in coordinator.run(plan):
        events.append(event)
        if isinstance(event, EmailDone):
            assert event.row.email_id not in rows, f"{event.row.email_id} reported twice"
            rows[event.row.email_id] = event.row
        if on_event is not None:
            on_event(event)
    return events, rows


def sim_ok_counts(sim, emails_spec: str, settings: Settings) -> Counter[str]:  # noqa: ANN001
    """How many times the simulator answered each email of the source with a verdict."""
    keys = {email_key(e, settings) for e in load_source(emails_spec, seed=settings.seed)}
    return Counter({k: sim.stats.per_email[k].ok if k in sim.stats.per_email else 0 for k in keys})


# ---------------------------------------------------------------- 1: the CLI writes the same contract


async def triage_cli(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui", "triage", *args, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    _, err = await asyncio.wait_for(proc.communicate(), timeout=240)
    return proc.returncode or 0, err.decode()


async def test_cli_on_ray_writes_the_same_rows_as_local_every_email_once(
        ray_local: str, sim_factory, tmp_path: Path) -> None:
    count = 2000
    source = f"sample:{count}"
    local_sim = await sim_factory(latency=0.005)
    ray_sim = await sim_factory(latency=0.005)
    # A config rule decides one sender's mail without a request: on Ray too, on the agents' side.
    config = tmp_path / "fanmail.toml"
    config.write_text('[[rules]]\nsender = "shipfast.example"\nroute = "billing"\n')
    common = ["--headless", "--provider", "sim", "--concurrency", "16", "--batch-size", "50", "--timeout", "10",
              "--store", str(tmp_path / "store.db"), "--config", str(config)]
    code, err = await triage_cli(source, *common, "--base-url", local_sim.url, "-o", str(tmp_path / "local.jsonl"))
    assert code == 0, err
    code, err = await triage_cli(source, *common, "--base-url", ray_sim.url, "-o", str(tmp_path / "ray.jsonl"),
                                 "--executor", "ray", "--ray-address", ray_local)
    assert code == 0, err

    def rows(name: str) -> dict[str, dict]:
        lines = (tmp_path / name).read_text().splitlines()
        parsed = [json.loads(line) for line in lines]
        by_id = {r["email_id"]: r for r in parsed}
        assert len(parsed) == len(by_id) == count, "one line per input email, each exactly once"
        return by_id

    local, remote = rows("local.jsonl"), rows("ray.jsonl")
    assert local.keys() == remote.keys()
    assert set(remote[next(iter(remote))]) == set(local[next(iter(local))]), "the same contract fields"
    for email_id, row in local.items():
        assert {f: row[f] for f in VERDICT_FIELDS} == {f: remote[email_id][f] for f in VERDICT_FIELDS}, email_id
    assert Counter(r["status"] for r in remote.values())["ok"] > 0.9 * count
    ruled = [r for r in remote.values() if r["review"]["rule"] is not None]
    assert ruled and all(r["route"] == "billing" or r["injection"] for r in ruled), "the rule book decides on Ray too"
    settings = Settings()
    answered = sim_ok_counts(ray_sim, source, settings)
    unique = sum(1 for r in remote.values() if r["status"] == "ok" and r["review"]["rule"] is None)
    assert sum(answered.values()) == unique and set(answered.values()) <= {0, 1}, "no email classified twice"
    assert 1 < ray_sim.stats.peak_in_flight <= 16, "fanned out, never above --concurrency"


async def test_bad_ray_addresses_are_one_line_and_exit_2(ray_local: str) -> None:
    for address, says in (("ray://head:10001", "Ray Client (ray://) cannot stream"),
                          ("127.0.0.1:1", "no Ray cluster answers there")):
        code, err = await triage_cli("sample:5", "--headless", "--provider", "rules", "-o", os.devnull,
                                     "--executor", "ray", "--ray-address", address)
        lines = [x for x in err.splitlines() if x.startswith("fanmail: error:")]
        assert code == 2 and len(lines) == 1 and says in lines[0], err
        assert "Traceback" not in err


# ---------------------------------------------------------------- 3: an actor dies mid-run


async def test_killed_actor_hands_its_unreported_emails_to_another_agent(ray_local: str, sim_factory) -> None:
    sim = await sim_factory(latency=0.05)
    settings = ray_settings(sim.url, concurrency=4, batch_size=25, rebalance=False)
    source = "sample:120"
    async with open_provider(settings) as provider:
        coordinator = Coordinator(provider, settings)
        reported_by_victim: list[str] = []
        killed: list[str] = []

        def on_event(event: Event) -> None:
            if isinstance(event, EmailDone) and event.agent_id == "a01":
                reported_by_victim.append(event.row.email_id)
                if len(reported_by_victim) == 5 and not killed:
                    actor = coordinator.executor.actor_of("a01")  # type: ignore[attr-defined]
                    assert actor is not None
                    ray.kill(actor, no_restart=True)
                    killed.append("a01")

        events, rows = await run_all(coordinator, source, on_event)

    assert killed
    assert len(rows) == 120, "every email exactly once"
    assert all(r.status in ("ok", "duplicate") for r in rows.values()), "nothing lost"
    handed = [e for e in events if isinstance(e, Reassigned) and e.from_agent == "a01"]
    assert len(handed) == 1 and handed[0].to_agent == "a01+1"
    assert any(isinstance(e, AgentQueued) and e.agent_id == "a01+1" for e in events)
    moved = handed[0].email_ids
    assert moved and not set(moved) & set(reported_by_victim), "only unreported emails move"
    assert all(rows[e].agent_id == "a01+1" and rows[e].status == "ok" for e in moved), "they finish on the heir"
    assert len(reported_by_victim) < 25, "the victim stopped reporting when its actor died"
    answered = sim_ok_counts(sim, source, settings)
    assert set(answered.values()) == {1}, "every email answered by the simulator exactly once"
    emails = {e.id: e for e in load_source(source, seed=settings.seed)}
    for email_id in reported_by_victim:
        assert sim.stats.per_email[email_key(emails[email_id], settings)].requests == 1, "done ones not sent again"


async def test_large_bodies_cross_by_reference_and_keys_stay_with_the_driver(
        ray_local: str, sim_factory) -> None:
    from tui.fanout.executors.ray_executor import LARGE_EMAIL_CHARS
    from tui.model import Email

    sim = await sim_factory(latency=0.0)
    settings = ray_settings(sim.url, concurrency=2, batch_size=2)
    big = [Email(id=f"big{i}", message_id=f"<big{i}@x>", subject="report", text="word " * (LARGE_EMAIL_CHARS // 4))
           for i in range(4)]
    async with open_provider(settings) as provider:
        coordinator = Coordinator(provider, settings)
        executor = coordinator.executor
        seen_refs: list[object] = []
        original = executor.email_arg  # type: ignore[attr-defined]

        def spy(email):  # noqa: ANN001, ANN202
            arg = original(email)
            seen_refs.append(arg)
            return arg

        executor.email_arg = spy  # type: ignore[attr-defined]
        rows = {}
        async for event in coordinator.run(make_plan(big, 2)):
            if isinstance(event, EmailDone):
                rows[event.row.email_id] = event.row
    assert {r.status for r in rows.values()} == {"ok"} and len(rows) == 4
    assert seen_refs and all(isinstance(a, ray.ObjectRef) for a in seen_refs), "large bodies go as object refs"

    # The key stays where it is: the spec names the variable only, and the workers (whose
    # environment lacks it) send none, while the driver has it.
    keyed = ray_settings(sim.url, provider="openai", api_key_env="FANMAIL_TEST_DRIVER_KEY", concurrency=1,
                         batch_size=5, model="gpt-4o-mini")
    os.environ["FANMAIL_TEST_DRIVER_KEY"] = "sk-driver-only-secret"
    try:
        async with open_provider(keyed) as provider:
            coordinator = Coordinator(provider, keyed)
            spec = coordinator.executor.spec  # type: ignore[attr-defined]
            assert "sk-driver-only-secret" not in spec.model_dump_json()
            events, rows = await run_all(coordinator, "sample:5")
    finally:
        del os.environ["FANMAIL_TEST_DRIVER_KEY"]
    assert {r.status for r in rows.values()} <= {"ok", "duplicate"}
    assert sim.last_headers is not None and "sk-driver-only-secret" not in json.dumps(sim.last_headers)
    assert "sk-driver-only-secret" not in repr(events)


async def test_rate_limiter_actor_restarts_after_a_crash_and_the_run_finishes(ray_local: str, sim_factory) -> None:
    from tui.fanout.executors.ray_executor import NAMESPACE, limiter_name

    sim = await sim_factory(latency=0.01)
    settings = ray_settings(sim.url, rpm=3000, concurrency=4, batch_size=20)
    source = "sample:160"
    async with open_provider(settings) as provider:
        coordinator = Coordinator(provider, settings)
        crashed: list[bool] = []
        crashed_at: list[float] = []

        def on_event(event: Event) -> None:
            if isinstance(event, EmailDone) and len(coordinator.rows) == 40 and not crashed:
                spec = coordinator.executor.spec  # type: ignore[attr-defined]
                name = limiter_name(spec, settings.rpm, settings.tpm)
                ray.kill(ray.get_actor(name, namespace=NAMESPACE), no_restart=False)
                crashed.append(True)
                crashed_at.append(time.monotonic())

        events, rows = await run_all(coordinator, source, on_event)
        limiter = coordinator.executor.limiter  # type: ignore[attr-defined]
        granted_after_restart = await limiter.granted_count.remote()
        assert tuple(await limiter.limits.remote()) == (3000, None), "restarted with the run's limits"
        # its log died with it: it counts the last minute as spent, so no minute goes over the limit.
        # That minute frees up evenly from the restart on, so at most the time since the crash has
        # come back (a limiter that forgot would show ~0.96: 3000 a minute, ~120 sent since)
        left = await limiter.budget_left.remote()
        assert left <= (time.monotonic() - crashed_at[0]) / 60 + 0.02, left
    assert crashed and len(rows) == 160
    assert all(r.status in ("ok", "duplicate") for r in rows.values()), "agents waited for the restarted limiter"
    ok = sum(1 for r in rows.values() if r.status == "ok")
    assert 0 < granted_after_restart < ok, "a fresh limiter served the rest"
    assert set(sim_ok_counts(sim, source, settings).values()) == {1}


async def test_rate_budget_shown_is_the_cluster_limiters(ray_local: str, sim_factory, monkeypatch) -> None:
    """The dashboard's rate budget on Ray comes from the limiter actor the agents ask, not from
    the driver's own pacer (which no request goes through)."""
    from tui.fanout.executors import ray_executor

    monkeypatch.setattr(ray_executor, "BUDGET_POLL_S", 0.05)
    sim = await sim_factory(latency=0.02)
    settings = ray_settings(sim.url, rpm=600, concurrency=4, batch_size=10)
    async with open_provider(settings) as provider:
        coordinator = Coordinator(provider, settings)
        seen: list[float | None] = []
        await run_all(coordinator, "sample:80",
                      lambda e: seen.append(coordinator.executor.budget_left()) if isinstance(e, EmailDone) else None)
        assert coordinator.pacer.budget_left() == 1.0, "the driver's pacer sent nothing"
    figures = [b for b in seen if b is not None]
    assert figures and min(figures) < 0.95, seen[-5:]  # 80 requests against 600/min: the limiter's count
    assert all(0.0 <= b <= 1.0 for b in figures)


# ---------------------------------------------------------------- 4: cancel and retry from the dashboard


async def test_dashboard_cancel_and_retry_on_ray(ray_local: str, sim_factory) -> None:
    from tests.test_app import SIZE, screen_text, until
    from tui.app.triage.app import make_app

    sim = await sim_factory(latency=1.0)  # slow: a01 is surely mid-request when `c` is pressed
    settings = ray_settings(sim.url, concurrency=2, batch_size=5, timeout=5.0, retries=0, sim_latency=1.0)
    source = "sample:20"
    app = make_app(settings, source)
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: dash.state.agents.get("a01") is not None
                    and dash.state.agents["a01"].state == "running" and dash.state.agents["a01"].current is not None,
                    timeout=60)
        dash.flush()
        await pilot.pause()
        dash.grid.select("a01")
        await pilot.press("c")
        await until(pilot, lambda: dash.state.agents["a01"].state == "cancelled", timeout=30)
        a01 = list(dash.state.agents["a01"].emails)
        cancelled = [e for e in a01 if (r := dash.state.inbox.rows.get(e)) is not None
                     and r.error == "cancelled by operator"]
        assert cancelled
        dash.flush()
        await pilot.pause()
        assert "CANCELLED" in screen_text(app)
        assert "ray: 1 node, 2 workers" in screen_text(app), "the header says where the agents run"
        await until(pilot, lambda: not dash.state.busy, timeout=60)
        await pilot.press("r")  # a01 is selected: run it again, on a Ray actor
        await until(pilot, lambda: dash.state.agents["a01"].state == "done" and not dash.state.busy, timeout=60)
        dash.flush()
        await pilot.pause()
        assert all(dash.state.inbox.rows[e].status == "ok" for e in a01)
        assert len(dash.state.inbox.rows) == 20
    answered = sim_ok_counts(sim, source, settings)
    assert set(answered.values()) == {1}, "the cancelled request was dropped mid-flight, then done once on retry"


# ---------------------------------------------------------------- 2: two nodes share one rate limit (last: it
# replaces the module's Ray with a two-node cluster)


@pytest.fixture
def two_nodes(ray_local: str, tmp_path: Path):  # noqa: ANN201
    from ray.cluster_utils import Cluster

    ray.shutdown()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "object_store_memory": 80 * MB,
                                                            "include_dashboard": False})
    cluster.add_node(num_cpus=1, object_store_memory=80 * MB)
    ray.init(address=cluster.address, namespace="fanmail", log_to_driver=False)
    cluster.wait_for_nodes()
    # a node counts once it has run something: until then soft affinity may place actors elsewhere
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    @ray.remote(num_cpus=0)
    def node_id() -> str:
        return ray.get_runtime_context().get_node_id()

    for node in (n["NodeID"] for n in ray.nodes() if n["Alive"]):
        on_it = node_id.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False))
        assert ray.get(on_it.remote(), timeout=120) == node
    yield cluster
    ray.shutdown()
    cluster.shutdown()


async def test_two_nodes_share_one_rpm_limit(two_nodes, sim_factory) -> None:
    rpm = 900
    count = 1000  # about 66 s at 900/min: the simulator's sliding minute fills and keeps sliding
    sim = await sim_factory(latency=0.05, rpm=rpm)
    settings = ray_settings(sim.url, rpm=rpm, concurrency=6, batch_size=20, retries=0)
    async with open_provider(settings) as provider:
        coordinator = Coordinator(provider, settings)
        events, rows = await run_all(coordinator, f"sample:{count}")
        nodes = coordinator.executor.nodes_used  # type: ignore[attr-defined]
    started = next(e for e in events if isinstance(e, RunStarted))
    assert started.cluster is not None and started.cluster["nodes"] == 2
    assert len(nodes) == 2, "the agents ran on both nodes"
    assert all(r.status in ("ok", "duplicate") for r in rows.values())
    assert sim.stats.rate_limited == 0, "no 429 from the simulator's own RPM window"
    assert sim.stats.peak_in_flight <= settings.concurrency
    times = sorted(sim.stats.accepted_at)
    achieved = (len(times) - 1) / (times[-1] - times[0]) * 60
    print(f"two nodes: {achieved:.0f}/min of {rpm} allowed over {times[-1] - times[0]:.1f}s, busiest minute "
          f"{sim.stats.max_in_window()}, 429s {sim.stats.rate_limited}, peak in flight {sim.stats.peak_in_flight}")
    assert achieved >= 0.9 * rpm, f"{achieved:.0f} requests/min of {rpm} allowed"
    assert sim.stats.max_in_window() <= rpm
