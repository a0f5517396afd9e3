"""Dashboard responsiveness: key-to-screen latency while results stream in, and first paint.

All variants run in this one process, one after another, headless at 160x48, so read the
ratios: absolute numbers move with the machine's load.

- InboxTable stand-in: the line-API table plus 500 agent tiles (Static widgets), results at
  ~600/s buffered and flushed 4x/s inside `app.batch_update()`, tiles of agents that reported
  updated on the same flush (bench/_ui_apps.py).
- DataTable stand-in: the same, but a stock DataTable touched per result as it arrives
  (add_row / update_cell), sorted once per flush.
- The real dashboard (`tui.app.triage.app.make_app` on `sample:N`, the simulator in its own process;
  bench/_ui_real.py), with the engine in a child process (production) and, for comparison, in a
  thread of the UI's process (the earlier design).

Method (bench/_frames.py): j/k keys are delivered the way the terminal driver delivers them
(`--pilot-press` uses `pilot.press` instead); each is timed from just before it is sent to the
first frame, serialised as a terminal would receive it, in which the table was repainted with
its cursor moved. So the time covers queueing behind stream work, the key handler, layout,
painting and serialising. First paint: entering `run_test` to the first frame.
Textual paints at most TEXTUAL_FPS (60) frames/s, and after a frame that overran its 16.7 ms
slot the next one waits 1-2 slots, so a key landing just after a busy frame waits up to ~33 ms
whatever the widget does; `--fps 120` shows how much of the tail that is.
Targets: p95 < 30 ms, first paint < 500 ms. Usage:
python bench/ui.py [--rows 10000] [--rate 600] [--only line|datatable|app] [--engine process|thread|both]
    [--pilot-press] [--fps N]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if TYPE_CHECKING:
    from bench._frames import Result
    from bench._ui_apps import StreamApp
    from tui.model import ResultRow

SIZE = (160, 48)


async def run_stand_in(kind: type[StreamApp], label: str, rows: list[ResultRow], rate: float,
                       use_pilot: bool) -> Result:
    from bench._frames import FrameClock, Result, press_until

    app = kind(rows, rate)
    clock = FrameClock(app)
    t0 = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        while clock.first is None:
            await asyncio.sleep(0.001)
        result = Result(label, (clock.first - t0) * 1000)
        clock.track(app.table, app.probe)
        started = time.perf_counter()
        app.start()
        await press_until(app, pilot, clock, app.probe, lambda: app.done, result, use_pilot=use_pilot)
        result.stream_s = time.perf_counter() - started
        result.rows = app.sent
        while not app.finished:
            await asyncio.sleep(0.05)
    return result


def has_real_app() -> bool:
    try:
        return importlib.util.find_spec("tui.app.triage.app") is not None
    except ImportError:
        return False


def report(results: list[Result]) -> None:
    print(f"{'variant':<40} {'first paint':>11} {'key p50':>8} {'key p95':>8} {'max':>7} {'n':>4}  stream")
    for r in results:
        lost = f", {r.misses} presses lost" if r.misses else ""
        print(f"{r.label:<40} {r.first_paint_ms:9.0f}ms {r.pct(0.5):6.1f}ms {r.pct(0.95):6.1f}ms "
              f"{max(r.samples, default=float('nan')):5.0f}ms {len(r.samples):4d}  "
              f"{r.rows} rows in {r.stream_s:.1f}s ({r.rows / max(r.stream_s, 1e-9):.0f}/s){lost}"
              + (f", UI process CPU {r.ui_cpu_s * 1000 / max(r.rows, 1):.2f} ms/row" if r.ui_cpu_s is not None else ""))
    base = results[0]
    for r in results[1:]:
        print(f"{r.label} vs {base.label}: key p95 x{r.pct(0.95) / base.pct(0.95):.1f}, "
              f"p50 x{r.pct(0.5) / base.pct(0.5):.1f}, first paint x{r.first_paint_ms / base.first_paint_ms:.2f}")
    for r in results:
        if "DataTable" not in r.label:
            ok = r.pct(0.95) < 30 and r.first_paint_ms < 500
            print(f"targets (key p95 < 30 ms, first paint < 500 ms), {r.label}: {'met' if ok else 'NOT met'}")


async def main_async(args: argparse.Namespace) -> None:
    import textual
    from textual import constants

    from bench._ui_apps import DataTableApp, LineTableApp, make_rows

    rows = make_rows(args.rows)
    print(f"{SIZE[0]}x{SIZE[1]} headless, textual {textual.__version__} at {constants.MAX_FPS} fps; stand-ins: "
          f"{args.rows} results + {len(rows) - args.rows} retries at {args.rate:.0f}/s, 500 agent tiles")
    results: list[Result] = []
    if args.only in (None, "line"):
        results.append(await run_stand_in(LineTableApp, "InboxTable stand-in (4x/s batch)", rows, args.rate,
                                          args.pilot_press))
    if args.only in (None, "datatable"):
        results.append(await run_stand_in(DataTableApp, "DataTable stand-in (per result)", rows, args.rate,
                                          args.pilot_press))
    if args.only in (None, "app"):
        if has_real_app():
            from bench._ui_real import run_real  # needs the dashboard package

            for engine in ("process", "thread") if args.engine == "both" else (args.engine,):
                results.append(await run_real(args.rows, args.rate, SIZE, use_pilot=args.pilot_press, engine=engine))
        else:
            print("tui.app.triage.app not found: the real dashboard is not measured")
    report(results)


def main() -> None:
    parser = argparse.ArgumentParser(description="Dashboard key-to-screen latency and first paint.")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=600.0, help="results per second")
    parser.add_argument("--only", choices=("line", "datatable", "app"))
    parser.add_argument("--pilot-press", action="store_true", help="send keys with pilot.press (slower sampling)")
    parser.add_argument("--engine", choices=("process", "thread", "both"), default="both",
                        help="real dashboard: engine in a child process (production) or a thread (before)")
    parser.add_argument("--fps", type=int, help="set TEXTUAL_FPS (Textual reads it once, on import)")
    args = parser.parse_args()
    if args.fps:
        os.environ["TEXTUAL_FPS"] = str(args.fps)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
