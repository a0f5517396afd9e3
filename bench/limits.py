"""Rate limits from the provider's side: how much of the allowed rate a run uses, and how close
the cost/time preview comes to what happened.

The simulator runs in its own process and enforces the limits as sliding 60 s windows; its own
log says what reached it. Ratios, not times: used/allowed (1.0 = every token the limit allows),
preview/actual wall time, estimated/actual tokens. Usage: python bench/limits.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._sim import sim_process  # noqa: E402
from tui.agents.runtime import open_provider  # noqa: E402
from tui.fanout.events import RunDone  # noqa: E402
from tui.fanout.plan import make_plan  # noqa: E402
from tui.fanout.preview import estimate  # noqa: E402
from tui.fanout.run import Coordinator  # noqa: E402
from tui.mail.sample import sample_emails  # noqa: E402
from tui.settings import Settings  # noqa: E402

LATENCY = 0.05


async def one(url: str, n: int, rpm: int | None, tpm: int | None) -> dict[str, float]:
    settings = Settings(provider="sim", base_url=url, rpm=rpm, tpm=tpm, concurrency=20, timeout=10,
                        sim_latency=LATENCY)
    plan = make_plan(sample_emails(n, seed=11), settings)
    preview = estimate(plan, settings, latency_s=LATENCY)
    async with open_provider(settings) as provider:
        async for event in Coordinator(provider, settings).run(plan):
            if isinstance(event, RunDone):
                report = event.report
    stats = json.loads(urllib.request.urlopen(url.removesuffix("/v1") + "/sim/stats", timeout=5).read())
    charges = sorted((t, n) for t, n in stats["tokens_at"])
    span = charges[-1][0] - charges[0][0]
    tokens = sum(n for _, n in charges)
    # The rate over the run: what was sent before the last send, over the time it took.
    used_tpm = (tokens - charges[-1][1]) / span * 60 if span else 0.0
    used_rpm = (len(charges) - 1) / span * 60 if span else 0.0
    return {
        "wall": report.wall_s, "preview_wall": preview.wall_s, "bound": preview.bound_by,  # type: ignore[dict-item]
        "tpm_used": used_tpm / tpm if tpm else 0.0, "rpm_used": used_rpm / rpm if rpm else 0.0,
        "estimated_over_actual": preview.tokens / tokens, "429s": stats["rate_limited"],
        "ok": report.ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    args = parser.parse_args()
    n = 150 if args.quick else 400
    cases = [
        ("TPM-bound (RPM 3000, TPM 600k)", 3000, 600_000),
        ("RPM-bound (RPM 1200)", 1200, None),
        ("latency-bound (no limits)", None, None),
    ]
    print(f"N={n}, C=20, simulated latency {LATENCY * 1000:.0f} ms, simulator in its own process")
    for name, rpm, tpm in cases:
        flags = ["--latency", str(LATENCY), "--jitter", "0"]
        flags += ["--rpm", str(rpm)] if rpm else []
        flags += ["--tpm", str(tpm)] if tpm else []
        with sim_process(*flags) as url:
            r = asyncio.run(one(url, n, rpm, tpm))
        used = f"TPM used {r['tpm_used']:.3f}" if tpm else (f"RPM used {r['rpm_used']:.3f}" if rpm else "")
        print(f"{name:34s} preview/actual wall {r['preview_wall'] / r['wall']:.2f} (bound by {r['bound']})  "
              f"{used:15s}  estimated/actual tokens {r['estimated_over_actual']:.2f}  429s {r['429s']}  "
              f"ok {r['ok']}/{n}")


if __name__ == "__main__":
    main()
