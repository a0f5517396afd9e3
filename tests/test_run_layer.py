"""The run layer (tui/run/) beneath every front end: one flag means the same in each of them."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

from tui.app.triage.app import make_app
from tui.fanout.events import EmailDone, RunStarted
from tui.fanout.trace import read_trace
from tui.headless import triage_headless
from tui.settings import Settings
from tui.store import Store

SIZE = (160, 48)


async def until(pilot, check: Callable[[], bool], timeout: float = 20.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await pilot.pause(0.05)


def _traced(path: Path) -> tuple[str, set[str]]:
    timed = read_trace(path)
    run_ids = {e.run_id for _, e in timed if isinstance(e, RunStarted)}
    assert len(run_ids) == 1
    return run_ids.pop(), {e.row.email_id for _, e in timed if isinstance(e, EmailDone)}


async def test_trace_flag_traces_the_dashboard_run_as_it_does_a_headless_one(sim_factory, tmp_path: Path) -> None:
    sim = await sim_factory(latency=0.02, seed=3)
    settings = Settings(provider="sim", base_url=sim.url, concurrency=4, batch_size=5, timeout=2.0, retries=1,
                        store=str(tmp_path / "runs.db"))
    headless_trace, dashboard_trace = tmp_path / "headless.jsonl", tmp_path / "dashboard.jsonl"
    code = await triage_headless(settings, "sample:20", str(tmp_path / "rows.jsonl"), None, io.StringIO(),
                                 trace_path=str(headless_trace))
    assert code == 0

    app = make_app(settings, "sample:20", trace_path=str(dashboard_trace))  # the child-process engine
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: dash.state.run_id is not None and not dash.state.busy
                    and len(dash.state.inbox.rows) == 20)
        await app.session.wait_closed()

    ids = {f"s{n:05d}" for n in range(1, 21)}
    headless_run, headless_rows = _traced(headless_trace)
    dashboard_run, dashboard_rows = _traced(dashboard_trace)
    assert headless_rows == dashboard_rows == ids  # every email's final row, in both traces
    assert dashboard_run == dash.state.run_id != headless_run
    with Store(settings.store) as store:  # and the store knows where each run's trace is, for `fanmail replay`
        assert store.get_run(dashboard_run).trace_path == str(dashboard_trace.resolve())
        assert store.get_run(headless_run).trace_path == str(headless_trace.resolve())
