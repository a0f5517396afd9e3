"""The tail of a fan-out as a schedule with no client overhead: what hedging can win at best.

N jobs with latencies drawn like the simulator's (normal, mean m, sigma s, cut at 0) run on C
slots, each slot taking the next job as it frees. Once none is left, a freeing slot may start a
second copy of a job in flight (a fresh latency draw); the job ends at the first copy to end and
its other copy's slot frees then. wall / ideal, with ideal = the sum of the first latencies / C,
is the figure bench/fanout.py measures for real; this says where its floor is.
"""

from __future__ import annotations

import heapq
import random
import statistics


def makespan_ratio(seed: int, *, n: int, c: int, mean: float, sigma: float, quantile: float | None,
                   budget: int, youngest: bool = False) -> tuple[float, int]:
    """(wall / ideal, copies sent) for one draw; quantile None: never hedge."""
    rng = random.Random(seed)
    first = [max(0.0, rng.gauss(mean, sigma)) for _ in range(n)]
    started: dict[int, float] = {}
    ends: list[tuple[float, int]] = []
    hedged: set[int] = set()
    answered: list[float] = []
    done: set[int] = set()
    nxt = sent = 0
    wall = 0.0
    for _ in range(min(c, n)):
        started[nxt] = 0.0
        heapq.heappush(ends, (first[nxt], nxt))
        nxt += 1
    while ends:
        t, job = heapq.heappop(ends)
        if job in done:
            continue
        done.add(job)
        answered.append(t - started[job])
        wall = t
        for _ in range(2 if job in hedged else 1):  # the cut copy's slot frees too
            if nxt < n:
                started[nxt] = t
                heapq.heappush(ends, (t + first[nxt], nxt))
                nxt += 1
                continue
            if quantile is None or sent >= budget:
                continue
            ordered = sorted(answered)
            threshold = ordered[min(len(ordered) - 1, int(len(ordered) * quantile))]
            ready = [j for j in started if j not in done and j not in hedged and t - started[j] >= threshold]
            if ready:
                pick = max(ready, key=started.get) if youngest else min(ready, key=started.get)
                hedged.add(pick)
                sent += 1
                heapq.heappush(ends, (t + max(0.0, rng.gauss(mean, sigma)), pick))
    return wall / (sum(first) / c), sent


def report(n: int, c: int, mean: float, seeds: range = range(30)) -> None:
    cases = [("no hedging", None, 0, False), ("p95, 5% budget (auto)", 0.95, n // 20, False),
             ("p90, 5% budget", 0.90, n // 20, False),
             ("any request, youngest first, 5% budget", 0.0, n // 20, True),
             ("any request, oldest first, no budget", 0.0, n, False)]
    print(f"  schedule model, no client overhead (median of {len(seeds)} draws):")
    for label, quantile, budget, youngest in cases:
        runs = [makespan_ratio(s, n=n, c=c, mean=mean, sigma=mean / 2, quantile=quantile, budget=budget,
                               youngest=youngest) for s in seeds]
        print(f"    {label:<40} wall/ideal {statistics.median(r[0] for r in runs):.3f}  "
              f"extra {statistics.mean(r[1] for r in runs) / n * 100:.1f}%")
