"""Delivery-to-verdict latency of `fanmail watch`: IDLE against NOOP polling every 30 s (or a Maildir).

A real Dovecot (tests/dovecot.py) and the built-in simulator (0.05 s per email, no faults): a
WatchRun watches INBOX while a thread APPENDs sample emails at 1, 10 and 50 arrivals per second.
Latency is from the APPEND's OK to the email's row (EmailDone); p50 / p95 per rate, IDLE beside
polling. With --maildir the second column is a Maildir watched every second instead, each email
delivered as an MDA does (written in tmp/, renamed into new/; latency from the rename).
Usage: python bench/watch.py [--seconds 10] [--poll 30] [--maildir]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from dovecot import PASSWORD, DovecotServer, dovecot_missing, seed  # noqa: E402
from tui.fanout.events import EmailDone  # noqa: E402
from tui.mail.parse import parse_bytes  # noqa: E402
from tui.mail.sample import generate_sample  # noqa: E402
from tui.mail.watch import WatchState  # noqa: E402
from tui.run.watch import WatchRun  # noqa: E402
from tui.settings import Settings  # noqa: E402


def _settings(tmp: Path, **kw: object) -> Settings:
    return Settings(provider="sim", sim_latency=0.05, sim_jitter=0.0, sim_fail_rate=0.0, sim_hang_rate=0.0,
                    sim_garbage_rate=0.0, sim_stuck_rate=0.0, store=str(tmp / "s.db"), **kw)


async def one(rate: float, seconds: float, *, idle: bool, poll_s: float) -> list[float]:
    """Latencies (s) of rate x seconds arrivals into a fresh Dovecot watched with IDLE or polling."""
    server = DovecotServer()
    server.start()
    try:
        settings = _settings(Path(tempfile.mkdtemp(prefix="fm-watch-bench-")), imap_cafile=str(server.cafile))
        run = WatchRun(settings, server.url(), poll_s=poll_s, idle=idle, grace_s=5)
        return await measure(run, lambda raw: seed(server, [raw]), rate, seconds, poll_s)
    finally:
        server.close()


async def one_maildir(rate: float, seconds: float) -> list[float]:
    """Latencies (s) of rate x seconds deliveries into a fresh Maildir watched every second."""
    tmp = Path(tempfile.mkdtemp(prefix="fm-watch-bench-"))
    box = tmp / "Maildir"
    for sub in ("tmp", "new", "cur"):
        (box / sub).mkdir(parents=True)
    names = iter(range(1_000_000))

    def deliver(raw: bytes) -> None:
        key = f"{time.time_ns()}.M{next(names)}.bench"
        (box / "tmp" / key).write_bytes(raw)
        (box / "tmp" / key).rename(box / "new" / key)

    return await measure(WatchRun(_settings(tmp), str(box), grace_s=5), deliver, rate, seconds, 1.0)


async def measure(run: WatchRun, deliver_one: Callable[[bytes], None], rate: float, seconds: float,
                  poll_s: float) -> list[float]:
    """Deliver rate x seconds sample emails at a fixed rate while `run` watches; each one's latency."""
    raws = [m.raw for m in generate_sample(max(1, int(rate * seconds)), seed=5)]
    delivered: dict[int, float] = {}  # sample index -> delivery done
    landed: dict[str, float] = {}
    watching = asyncio.Event()

    def on_event(event: object) -> None:
        if isinstance(event, WatchState) and event.state in ("idle", "polling"):
            watching.set()
        elif isinstance(event, EmailDone):
            landed[event.row.message_id] = time.monotonic()

    def deliver() -> None:
        start = time.monotonic()
        for i, raw in enumerate(raws):
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            deliver_one(raw)
            delivered[i] = time.monotonic()

    task = asyncio.ensure_future(run.run(on_event))
    await asyncio.wait_for(watching.wait(), 60)
    thread = threading.Thread(target=deliver)
    thread.start()
    await asyncio.to_thread(thread.join)
    ids = [parse_bytes(raw, email_id=str(i)).message_id for i, raw in enumerate(raws)]
    deadline = time.monotonic() + poll_s + 60
    while len(landed) < len(raws) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    run.close()
    await task
    return [landed[mid] - delivered[i] for i, mid in enumerate(ids) if mid in landed]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of arrivals per rate")
    parser.add_argument("--poll", type=float, default=30.0)
    parser.add_argument("--maildir", action="store_true", help="a Maildir polled every second beside IDLE")
    args = parser.parse_args()
    reason = dovecot_missing()
    if reason:
        sys.exit(f"bench/watch.py: {reason}")
    os.environ["FANMAIL_IMAP_PASSWORD"] = PASSWORD
    other = "Maildir p50" if args.maildir else f"poll {args.poll:.0f}s p50"
    print(f"{'arrivals/s':>10} | {'IDLE p50':>9} {'p95':>7} | {other:>12} {'p95':>7} | emails")
    for rate in (1, 10, 50):
        idle = await one(rate, args.seconds, idle=True, poll_s=args.poll)
        poll = (await one_maildir(rate, args.seconds) if args.maildir
                else await one(rate, args.seconds, idle=False, poll_s=args.poll))
        print(f"{rate:>10} | {pct(idle, 50):>8.2f}s {pct(idle, 95):>6.2f}s | {pct(poll, 50):>11.2f}s "
              f"{pct(poll, 95):>6.2f}s | {len(idle)}/{len(poll)} of {int(rate * args.seconds)}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
