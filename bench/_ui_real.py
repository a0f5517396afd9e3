"""The real dashboard under bench/ui.py: `make_app` on `sample:N`, the simulator in its own process.

engine="process" is production: the coordinator runs in a child process (tui/app/triage/engine_process.py).
engine="thread" is the earlier design, kept as the comparison: the coordinator on its own event
loop in a thread of the UI's process (tui/app/triage/session.py `LiveSession`), sharing the GIL.

The rate comes from the simulator's latency: with C agents in flight and L seconds per email
the run delivers about C / L results per second, so L = C / rate. The achieved rate is printed,
since a loaded machine may fall short of it.
"""

from __future__ import annotations

import asyncio
import time

from bench._frames import FrameClock, Result, press_until
from bench._sim import sim_process
from tui.app.triage.app import make_app
from tui.app.triage.inbox_table import InboxTable
from tui.settings import Settings

CONCURRENCY = 500


async def run_real(rows: int, rate: float, size: tuple[int, int], *, use_pilot: bool = False,
                   limit_s: float = 120.0, engine: str = "process") -> Result:
    latency = CONCURRENCY / rate
    with sim_process("--latency", f"{latency:.3f}", "--jitter", f"{latency / 4:.3f}", "--seed", "3") as url:
        settings = Settings(provider="sim", base_url=url, concurrency=CONCURRENCY,
                            batch_size=max(1, rows // CONCURRENCY), timeout=latency * 6, retries=1, seed=3)
        # an injected clock keeps the engine in the UI's process (a clock cannot cross processes)
        app = make_app(settings, f"sample:{rows}", clock=time.monotonic if engine == "thread" else None)
        clock = FrameClock(app)
        t0 = time.perf_counter()
        async with app.run_test(size=size) as pilot:
            while clock.first is None:
                await asyncio.sleep(0.001)
            result = Result(f"real dashboard, engine {engine} ({CONCURRENCY} agents)", (clock.first - t0) * 1000)
            table = app.screen.query_one(InboxTable)
            table.focus()
            while table.row_count < 20:  # j/k need rows to move through: wait for the first results
                await asyncio.sleep(0.01)
            clock.track(table, lambda: table.selected_email_id)
            started = time.perf_counter()
            cpu = time.process_time()
            deadline = started + limit_s
            await press_until(app, pilot, clock, lambda: table.selected_email_id,
                              lambda: table.row_count >= rows or time.perf_counter() > deadline, result,
                              use_pilot=use_pilot)
            result.stream_s = time.perf_counter() - started
            result.ui_cpu_s = time.process_time() - cpu
            result.rows = table.row_count
            app.session.close()
    return result
