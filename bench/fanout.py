"""Fan-out against the physical limit: wall time vs ideal (total model time / concurrency).

Runs every case side by side in one process against a simulator in another process, so the
ratios are comparable even on a noisy machine.
Usage: python bench/fanout.py [--quick | --small | --hedging | --scale]
(--small: only the small-inbox cases, default --batch-size auto against the old fixed 10, and the
rules provider on one agent against a fan-out)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._sim import sim_process  # noqa: E402
from bench._tail_model import report as tail_model  # noqa: E402
from tui.run.provider import open_run_provider as open_provider  # noqa: E402 - as a run opens it, rule book in front
from tui.fanout.events import RunDone  # noqa: E402
from tui.fanout.plan import make_plan  # noqa: E402
from tui.fanout.run import Coordinator  # noqa: E402
from tui.mail.sample import sample_emails  # noqa: E402
from tui.agents.injection_rules import detect_injection  # noqa: E402
from tui.model import Email, RunReport, Verdict  # noqa: E402
from tui.settings import Settings  # noqa: E402


_CACHE: dict[int, list] = {}


def _emails(n: int) -> list:
    """Parsed once per size: the benchmark measures the engine, not the parser."""
    if n not in _CACHE:
        _CACHE[n] = sample_emails(n, seed=11)
    return _CACHE[n]


async def one_run(url: str, n: int, c: int, b: int | str, rebalance: bool, timeout: float,
                  hedge: str = "off", retries: int = 0, provider: str = "sim") -> tuple[RunReport, float]:
    settings = Settings(provider=provider, base_url=url, concurrency=c, batch_size=b, rebalance=rebalance,
                        timeout=timeout, retries=retries, hedge=hedge)
    plan = make_plan(_emails(n), settings)
    report = None
    cpu0 = time.process_time()
    async with open_provider(settings) as provider:
        async for event in Coordinator(provider, settings).run(plan):
            if isinstance(event, RunDone):
                report = event.report
    cpu = time.process_time() - cpu0
    assert report is not None
    return report, cpu


def line(label: str, r: RunReport, extra: str = "") -> None:
    print(f"{label:<42} wall {r.wall_s:7.2f}s  ideal {r.ideal_s:7.2f}s  wall/ideal {r.wall_over_ideal:5.3f}  "
          f"speed-up {r.speedup_vs_sequential:6.1f}x  ok {r.ok}/{r.total}{extra}")


def server_stats(url: str) -> dict:
    with urllib.request.urlopen(url.removesuffix("/v1") + "/sim/stats", timeout=10) as answer:
        return json.load(answer)


def hedging(mean: float, hang_rate: float = 0.0) -> None:
    """Hedging off vs auto at the tail: wall / ideal, where ideal is the sum of each email's
    first-request latency (as the simulator drew it, a hang counted at that latency) / C, the
    same for both; extra requests as the server counted them, against the emails it saw."""
    n, c, b = 200, 20, 10
    hangs = f", {hang_rate:.0%} of first attempts hang (timeout 1 s, 1 retry)" if hang_rate else ""
    print(f"\nHedging at the tail, N={n} C={c} B={b}, latency {mean * 1000:.0f} ms, sigma = mean/2{hangs}, "
          "median of 3 seeds")
    results: dict[str, list[tuple[float, float]]] = {"off": [], "auto": []}
    for seed in (3, 4, 5):
        for hedge in results:
            flags = ["--latency", str(mean), "--jitter", str(mean / 2), "--seed", str(seed)]
            with sim_process(*flags, "--hang-rate", str(hang_rate)) as url:
                report, _ = asyncio.run(one_run(url, n, c, b, True, 1.0 if hang_rate else 5.0, hedge,
                                                retries=1 if hang_rate else 0))
                stats = server_stats(url)
            emails = stats["per_email"].values()
            ideal = sum(e["first_latency_s"] or 0.0 for e in emails) / c
            extra = (stats["total"] - len(emails)) / len(emails) * 100
            results[hedge].append((report.wall_s / ideal, extra))
            print(f"  seed {seed} hedge {hedge:<4}  wall {report.wall_s:6.3f}s  ideal {ideal:6.3f}s  "
                  f"wall/ideal {report.wall_s / ideal:5.3f}  extra requests {extra:4.1f}%  "
                  f"hedges won {report.hedges_won}/{report.hedges_sent}  ok {report.ok}/{report.total}")
    for hedge, values in results.items():
        print(f"{'hedge ' + hedge + ': median wall/ideal, extra requests':<42} "
              f"{statistics.median(v[0] for v in values):.3f}  {statistics.median(v[1] for v in values):.1f}%")
    if not hang_rate:
        tail_model(n, c, mean)  # where the floor is for this latency, whatever the policy


def small_inboxes(mean: float) -> None:
    """The inbox sizes people have, at C=20: --batch-size auto (the default) against the old fixed
    10, side by side. Uniform latency (median of 3 runs) against ceil(N / C) x latency; sigma =
    mean/2 (median of 3 seeds) against total model time / C and against the report's limit
    (which adds the longest email and the ceil(N / C) shortest in a row). Other flags: defaults."""
    c, hedge = 20, Settings().hedge
    with sim_process("--latency", str(mean)) as url:  # the process's one-time set-up (~50 ms) is no case's
        asyncio.run(one_run(url, 7, c, "auto", True, 5.0, hedge))
    print(f"\nSmall inboxes, C={c}, latency {mean * 1000:.0f} ms, hedge {hedge}: default (auto) vs the old "
          "fixed --batch-size 10")
    for n in (7, 20, 50, 120):
        bound = -(-n // c) * mean
        cells = []
        for b in ("auto", 10):
            with sim_process("--latency", str(mean), "--jitter", "0", "--seed", "3") as url:
                uniforms = [asyncio.run(one_run(url, n, c, b, True, 5.0, hedge))[0] for _ in range(3)]
            uniform = sorted(uniforms, key=lambda r: r.wall_s)[1]  # the median of 3
            varied = []
            for seed in (3, 4, 5):
                with sim_process("--latency", str(mean), "--jitter", str(mean / 2), "--seed", str(seed)) as url:
                    varied.append(asyncio.run(one_run(url, n, c, b, True, 5.0, hedge))[0])
            over_total = statistics.median(r.wall_s / (r.model_time_s / c) for r in varied)
            over_limit = statistics.median(r.wall_over_ideal for r in varied)
            cells.append(f"B={b!s:<4} agents {uniform.agents:>2}: uniform wall {uniform.wall_s:5.2f}s = "
                         f"{uniform.wall_s / bound:4.2f}x; varied wall/(model/C) {over_total:5.2f}, "
                         f"wall/limit {over_limit:4.2f}")
        print(f"  N={n:<4} ceil(N/C) x latency {bound:.1f}s  |  " + "  |  ".join(cells))


def rules_fan_out(n: int = 2000) -> None:
    """Why `rules` runs on one agent: its call is in-process CPU, so more agents only add
    coordination. One agent against ceil(N / 20)-email batches (20 agents), median of 3."""
    walls: dict[str, list[float]] = {"one agent (auto)": [], "20 agents (B=100)": []}
    for _ in range(3):
        for label, b in (("one agent (auto)", "auto"), ("20 agents (B=100)", 100)):
            report, _ = asyncio.run(one_run("", n, 20, b, True, 5.0, provider="rules"))
            walls[label].append(report.wall_s)
    print(f"\nrules provider, N={n}, C=20, median of 3: " + ", ".join(
        f"{label} {statistics.median(v) * 1000:.0f} ms ({n / statistics.median(v):,.0f} emails/s)"
        for label, v in walls.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the sequential and 10,000-email runs")
    parser.add_argument("--small", action="store_true", help="only the small-inbox and rules cases")
    parser.add_argument("--hedging", action="store_true", help="only hedging off vs auto (N=200)")
    parser.add_argument("--scale", action="store_true", help="only N=10,000 C=500: CPU, wall, RSS")
    args = parser.parse_args()
    mean = 0.2
    if args.hedging or args.scale:
        if args.hedging:
            hedging(mean)
            hedging(mean, hang_rate=0.01)
        if args.scale:
            at_scale(mean)
        return
    if args.small:
        small_inboxes(mean)
        rules_fan_out()
        return
    print(f"N=200 C=20 B=10, simulated latency {mean * 1000:.0f} ms (simulator in its own process, "
          "restarted for every run so each sees the same latencies)")

    def run(jitter: float, seed: int, c: int, b: int, rebalance: bool) -> RunReport:
        with sim_process("--latency", str(mean), "--jitter", str(jitter), "--seed", str(seed)) as url:
            return asyncio.run(one_run(url, 200, c, b, rebalance, 5.0))[0]

    fixed = run(0.0, 3, 20, 10, False)
    balanced = run(0.0, 3, 20, 10, True)
    line("uniform latency: fixed partition", fixed)
    line("uniform latency: rebalancing", balanced, f"  reassignments {balanced.reassignments}")
    if not args.quick:
        seq = run(0.0, 3, 1, 200, False)
        line("uniform latency: sequential (C=1)", seq)
        print(f"{'measured speed-up, sequential / fan-out':<42} {seq.wall_s / balanced.wall_s:.1f}x")
    ratios: dict[bool, list[float]] = {False: [], True: []}
    for seed in (3, 4, 5):
        for rebalance in (False, True):
            report = run(mean / 2, seed, 20, 10, rebalance)
            ratios[rebalance].append(report.wall_over_ideal)
            label = "rebalancing" if rebalance else "fixed partition"
            line(f"varied (sigma = mean/2) seed {seed}: {label}", report)
    for rebalance, values in ratios.items():
        label = "rebalancing" if rebalance else "fixed partition"
        print(f"{'varied latency, median wall/ideal, ' + label:<42} {statistics.median(values):.3f}")
    hedging(mean)
    hedging(mean, hang_rate=0.01)
    small_inboxes(mean)
    rules_fan_out()
    if args.quick:
        return
    at_scale(mean)


def whole_command(url: str, n: int, c: int, b: int, work: Path) -> tuple[float, float, int]:
    """`fanmail triage sample:N --headless` in a child: (CPU s, wall s, peak RSS KiB) of that
    process alone, store, JSONL and progress included."""
    cmd = [sys.executable, "-m", "tui", "triage", f"sample:{n}", "--headless", "--provider", "sim",
           "--base-url", url, "--concurrency", str(c), "--batch-size", str(b), "--timeout", "5",
           "--retries", "0", "--output", str(work / "rows.jsonl"), "--store", str(work / "runs.db")]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise RuntimeError(f"headless run failed ({proc.returncode}): {' '.join(cmd)}")
    return usage.ru_utime + usage.ru_stime, time.monotonic() - start, usage.ru_maxrss


def source_cpu(n: int) -> float:
    """CPU of reading the sample source alone, in a child, as the command reads it (start-up
    included): the part of the whole command that is reading the mailbox, not the engine."""
    code = (f"from tui.fanout.gc_quiet import quiet_gc\nfrom tui.mail.sources import load_source\n"
            f"with quiet_gc(): load_source('sample:{n}', seed=7)")
    proc = subprocess.Popen([sys.executable, "-c", code])
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime


def parse_cpu(n: int) -> float:
    """CPU s of parsing the same sample from its bytes (in a child), what a real mailbox of N
    costs on top: the sample source builds its emails without parsing them back."""
    code = ("import time\nfrom tui.fanout.gc_quiet import quiet_gc\nfrom tui.mail.parse import parse_bytes\n"
            f"from tui.mail.sample import generate_sample\nmessages = generate_sample({n}, seed=7)\n"
            "start = time.process_time()\nwith quiet_gc():\n"
            "    emails = [parse_bytes(m.raw, email_id=m.email_id) for m in messages]\n"
            "print(time.process_time() - start)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


class _SleepingProvider:
    """Answers one fixed verdict after a latency drawn like the simulator's: what is left of a
    run is the coordinator's own work (tasks, timeouts, pacer, events, rows)."""

    name, model = "sleeper", "none"

    def __init__(self, mean: float, seed: int) -> None:
        self.expected_latency_s = mean
        self._rng = random.Random(seed)
        self._verdict = Verdict(urgent=False, priority=10, route="review", category="other", confidence=0.9,
                                injection=False)

    async def check(self) -> None:
        pass

    def estimate_tokens(self, email: Email) -> int:
        return 0

    async def classify(self, email: Email) -> Verdict:
        await asyncio.sleep(max(0.0, self._rng.gauss(self.expected_latency_s, self.expected_latency_s / 2)))
        return self._verdict

    async def aclose(self) -> None:
        pass


async def _http_alone(url: str, n: int, c: int) -> float:
    """CPU s of the run's HTTP client alone: the same request bodies (built before the clock
    starts), C at a time, against the same simulator."""
    settings = Settings(provider="sim", base_url=url, concurrency=c)
    async with open_provider(settings) as provider:
        http = provider.inner
        bodies = [http._encode(http._first_messages(e)) for e in _emails(n)]

        async def worker(mine: list[bytes]) -> None:
            for body in mine:
                await http.post(body)

        cpu0 = time.process_time()
        await asyncio.gather(*(worker(bodies[k::c]) for k in range(c)))
        return time.process_time() - cpu0


def engine_floor(mean: float, n: int, c: int, b: int) -> None:
    """What the engine's CPU per email is made of, each part measured alone (median of 3): the
    HTTP client, the coordinator around a provider that only sleeps, the injection pre-pass."""
    http, coord, guard = [], [], []
    for seed in (5, 6, 7):
        with sim_process("--latency", str(mean), "--jitter", str(mean / 2), "--seed", str(seed)) as url:
            http.append(asyncio.run(_http_alone(url, n, c)) * 1000 / n)
        settings = Settings(concurrency=c, batch_size=b, timeout=5.0, retries=0, hedge="auto")

        async def sleepers() -> float:
            plan = make_plan(_emails(n), settings)  # before the clock, as one_run's engine figure
            cpu0 = time.process_time()
            async for _ in Coordinator(_SleepingProvider(mean, seed), settings).run(plan):
                pass
            return time.process_time() - cpu0

        coord.append(asyncio.run(sleepers()) * 1000 / n)
        cpu0 = time.process_time()
        for email in _emails(n):
            detect_injection(email)
        guard.append((time.process_time() - cpu0) * 1000 / n)
    parts = {"aiohttp alone (same bodies)": http, "coordinator alone (sleeping)": coord,
             "injection pre-pass alone": guard}
    for label, values in parts.items():
        print(f"{'floor: ' + label:<42} {statistics.median(values):.3f} ms")
    print(f"{'floor: the three together':<42} {sum(statistics.median(v) for v in parts.values()):.3f} ms")


def at_scale(mean: float) -> None:
    """N=10,000 C=500: the engine alone in this process, then the whole headless command."""
    n, c, b = 10_000, 500, 20
    nominal = n * mean / c
    print(f"\nN=10,000 C=500 B=20, latency {mean * 1000:.0f} ms, sigma {mean / 2 * 1000:.0f} ms, hedge auto, "
          f"median of 3 seeds; nominal N x mean latency / C = {nominal:.2f}s")
    engine: list[tuple[float, float]] = []
    whole: list[tuple[float, float, int]] = []
    rss_mb = 0.0
    # The simulator works out its answers for both runs' emails before it serves (the engine's
    # sample seed 11, the command's default 7): a remote model's compute is not on this machine,
    # and the simulator's rules pass would otherwise take cores from the client being measured.
    prepared = ("--prepare", f"sample:{n}", "--prepare-seed", "11", "--prepare-seed", "7")
    for seed in (5, 6, 7):
        with sim_process("--latency", str(mean), "--jitter", str(mean / 2), "--seed", str(seed), *prepared) as url:
            big, cpu = asyncio.run(one_run(url, n, c, b, True, 5.0, "auto"))
            engine_used = server_stats(url)["prepared_used"]
            engine.append((cpu * 1000 / big.total, big.wall_s / nominal))
            if seed == 5:  # later runs in this process add what the earlier ones left to collect
                rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            line(f"  10k engine, seed {seed}", big, f"  CPU {engine[-1][0]:.3f} ms/email  hedges "
                 f"{big.hedges_won}/{big.hedges_sent}  answers prepared: {engine_used:,} requests")
            with tempfile.TemporaryDirectory() as tmp:
                cpu_s, wall_s, rss_kib = whole_command(url, n, c, b, Path(tmp))
            whole.append((cpu_s * 1000 / n, wall_s / nominal, rss_kib))
            command_used = server_stats(url)["prepared_used"] - engine_used
            print(f"  10k whole command, seed {seed}: CPU {whole[-1][0]:.3f} ms/email, wall {wall_s:.2f}s "
                  f"(start-up included), peak RSS {rss_kib / 1024:.0f} MiB, answers prepared: {command_used:,} requests")
    reading, parsing = source_cpu(n) * 1000 / n, parse_cpu(n) * 1000 / n
    print(f"{'engine CPU per email (client side)':<42} {statistics.median(e[0] for e in engine):.3f} ms")
    print(f"{'engine wall / nominal':<42} {statistics.median(e[1] for e in engine):.2f}")
    print(f"{'peak RSS of the engine process, 1st run':<42} {rss_mb:.0f} MiB")
    print(f"{'whole headless command, CPU per email':<42} {statistics.median(w[0] for w in whole):.3f} ms "
          f"(of which reading the sample source: {reading:.3f} ms)")
    print(f"{'parsing the same mail from its bytes':<42} {parsing:.3f} ms (a real mailbox's cost in its place)")
    print(f"{'whole headless command, wall / nominal':<42} {statistics.median(w[1] for w in whole):.2f}")
    print(f"{'whole headless command, peak RSS':<42} {max(w[2] for w in whole) / 1024:.0f} MiB")
    engine_floor(mean, n, c, b)


if __name__ == "__main__":
    main()
