"""Local asyncio vs Ray actors: the same fan-out, wall time over ideal and the cost per email.

Both runs go side by side in one invocation against one simulator in its own process, at a
fixed latency (no jitter, no faults), so the difference is what each executor adds:

    overhead per email = (wall - ideal) x concurrency / emails

(ideal = emails x latency / concurrency). Ray is started once before its run, and the first
`--concurrency` actors are warmed up before the run's clock starts: both are printed apart.
Usage: python bench/executors.py [--n 10000] [--latency 0.2] [--concurrency 32] [--batch-size 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._sim import sim_process  # noqa: E402
from tui.agents.runtime import open_provider  # noqa: E402
from tui.fanout.events import RunDone, RunStarted  # noqa: E402
from tui.fanout.plan import make_plan  # noqa: E402
from tui.fanout.run import Coordinator  # noqa: E402
from tui.mail.sample import sample_emails  # noqa: E402
from tui.model import RunReport  # noqa: E402
from tui.settings import Settings  # noqa: E402


async def one_run(url: str, emails: list, executor: str, args: argparse.Namespace) -> RunReport:
    settings = Settings(provider="sim", base_url=url, executor=executor, concurrency=args.concurrency,
                        batch_size=args.batch_size, timeout=max(5.0, 10 * args.latency), retries=0,
                        sim_latency=args.latency)
    report = None
    async with open_provider(settings) as provider:
        async for event in Coordinator(provider, settings).run(make_plan(emails, args.batch_size)):
            if isinstance(event, RunStarted) and event.cluster:
                print(f"ray: {event.cluster['nodes']} node(s), {event.cluster['workers']} actors warmed up in "
                      f"{event.cluster['warm_up_s']:.1f}s before the run's clock starts")
            if isinstance(event, RunDone):
                report = event.report
    assert report is not None
    return report


def line(label: str, r: RunReport, args: argparse.Namespace) -> None:
    """Ideal from the simulator's fixed latency (the same for both executors), not from the
    client's own timings, which would hide part of an executor's cost."""
    ideal = r.ok * args.latency / args.concurrency
    overhead_ms = (r.wall_s - ideal) * args.concurrency / max(1, r.ok) * 1000
    print(f"{label:<8} wall {r.wall_s:8.2f}s  ideal {ideal:8.2f}s  wall/ideal {r.wall_s / ideal:6.3f}  "
          f"overhead/email {overhead_ms:6.1f} ms  ok {r.ok}/{r.total}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()
    import ray

    emails = sample_emails(args.n, seed=11)
    print(f"N={args.n} C={args.concurrency} B={args.batch_size}, simulated latency {args.latency * 1000:.0f} ms "
          f"(simulator in its own process), Ray {ray.__version__} local, 2 CPUs")
    with sim_process("--latency", str(args.latency), "--jitter", "0", "--seed", "3") as url:
        local = asyncio.run(one_run(url, emails, "local", args))
        began = time.monotonic()
        ray.init(num_cpus=2, object_store_memory=100 * 1024 * 1024, include_dashboard=False, log_to_driver=False,
                 _temp_dir=tempfile.mkdtemp(prefix="fanmail-ray-"))
        print(f"ray.init: {time.monotonic() - began:.1f}s (once per session, not in the figures below)")
        try:
            remote = asyncio.run(one_run(url, emails, "ray", args))
        finally:
            ray.shutdown()
    line("local", local, args)
    line("ray", remote, args)
    print(f"ray wall / local wall: {remote.wall_s / local.wall_s:.2f}x")


if __name__ == "__main__":
    main()
