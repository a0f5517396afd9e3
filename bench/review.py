"""Teaching by correcting: agreement with the truth and model requests, before and after.

Run 1 triages the sample (seed 7) through the built-in simulator over real HTTP. An operator
stand-in then corrects a fixed share of the misrouted mail (route and category set to the truth
from the sample generator). Misrouted is any row whose route is not the truth's, including
mail the review policy held for a human (low confidence); injection mail is left out. Run 2 triages fresh mail (seed 8, never seen in run 1) twice
from the same starting store: once with learning off, once with it on. Figures are over run 2:
all mail, and the mail from senders the operator corrected (the same address or List-Id;
a domain rule also needs two corrected addresses of the domain to agree).

Usage: python bench/review.py [--count N] [--share 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.agents.sim import SimServer  # noqa: E402
from tui.agents.sim_config import SimConfig  # noqa: E402
from tui.headless import triage_headless  # noqa: E402
from tui.mail.sample import generate_sample  # noqa: E402
from tui.model import Category  # noqa: E402
from tui.review.learned import keys_for  # noqa: E402
from tui.review.log import CorrectionLog  # noqa: E402
from tui.review.texts import list_id  # noqa: E402
from tui.settings import Settings  # noqa: E402
from tui.store import Store  # noqa: E402
from tui.mail.parse import parse_bytes  # noqa: E402


def truth_routes(count: int, seed: int, settings: Settings) -> dict[str, tuple[str, Category, bool]]:
    out = {}
    for m in generate_sample(count, seed):
        route = "review" if m.truth.injection else settings.route_for(m.truth.category)
        out[m.email_id] = (route, m.truth.category, m.truth.injection)
    return out


async def triage(settings: Settings, count: int, out: Path) -> tuple[dict[str, dict], int]:
    """Rows by email id, and the requests the simulator saw for this run."""
    async with SimServer(SimConfig(latency=0.0, jitter=0.0, seed=settings.seed), port=0) as sim:
        run = settings.model_copy(update={"base_url": sim.url})
        code = await triage_headless(run, f"sample:{count}", str(out), None, stderr=io.StringIO())
        assert code == 0, f"run failed with exit {code}"
        requests = sim.stats.total
    rows = {r["email_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    return rows, requests


def agreement(rows: dict[str, dict], truth: dict[str, tuple[str, Category, bool]], ids: list[str]) -> float:
    ok = sum(1 for e in ids if rows[e]["route"] == truth[e][0])
    return ok / len(ids) if ids else 1.0


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=600)
    ap.add_argument("--share", type=float, default=0.5, help="share of run 1's misrouted mail the operator corrects")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fanmail-review-bench-"))
    base = Settings(provider="sim", store=str(tmp / "store.db"), seed=7, concurrency=20)
    try:
        truth1 = truth_routes(args.count, 7, base)
        rows1, requests1 = await triage(base, args.count, tmp / "run1.jsonl")
        misrouted = sorted(e for e, r in rows1.items() if r["status"] == "ok" and r["route"] != truth1[e][0]
                           and not truth1[e][2])
        chosen = sorted(random.Random(1).sample(misrouted, round(len(misrouted) * args.share)))
        with Store(tmp / "store.db") as store:
            run1 = store.list_runs(limit=1)[0].run_id
            log = CorrectionLog(store, base, user="bench-operator")
            for email_id in chosen:
                route, category, _ = truth1[email_id]
                log.add(run1, [email_id], {"route": route, "category": category.value})
        corrected_keys = set()
        by_id1 = {m.email_id: m for m in generate_sample(args.count, 7)}
        for email_id in chosen:
            e = parse_bytes(by_id1[email_id].raw, email_id=email_id)
            corrected_keys.update(k for k in keys_for(e.sender, list_id(e)) if k[0] != "domain")

        seed2 = base.model_copy(update={"seed": 8})
        truth2 = truth_routes(args.count, 8, seed2)
        emails2 = {m.email_id: parse_bytes(m.raw, email_id=m.email_id) for m in generate_sample(args.count, 8)}
        from_corrected = sorted(e for e, em in emails2.items() if set(keys_for(em.sender, list_id(em))) & corrected_keys)
        shutil.copy(tmp / "store.db", tmp / "store-off.db")
        off = seed2.model_copy(update={"learn": False, "store": str(tmp / "store-off.db")})
        rows_off, requests_off = await triage(off, args.count, tmp / "run2-off.jsonl")
        rows_on, requests_on = await triage(seed2, args.count, tmp / "run2-on.jsonl")
        decided = sum(1 for r in rows_on.values() if (r.get("review") or {}).get("decided_by") == "learned rule")
        all_ids = sorted(e for e in rows_on if rows_on[e]["status"] == "ok")

        print(f"run 1: sample:{args.count} seed 7, {requests1} model requests, {len(misrouted)} misrouted "
              f"(held for review or filed wrong; injection mail left out); the operator corrected {len(chosen)} ({args.share:.0%})")
        print(f"run 2: sample:{args.count} seed 8 (fresh mail); {len(from_corrected)} emails "
              f"({len(from_corrected) / args.count:.1%}) from corrected senders (the same address or List-Id)")
        print(f"{'':<34}{'learning off':>14}{'learning on':>14}")
        print(f"{'route agreement, corrected senders':<34}{agreement(rows_off, truth2, from_corrected):>14.1%}"
              f"{agreement(rows_on, truth2, from_corrected):>14.1%}")
        print(f"{'route agreement, all mail':<34}{agreement(rows_off, truth2, all_ids):>14.1%}"
              f"{agreement(rows_on, truth2, all_ids):>14.1%}")
        by_rule = sorted(e for e, r in rows_on.items() if (r.get("review") or {}).get("decided_by") == "learned rule")
        print(f"{'route agreement, rule-decided mail':<34}{agreement(rows_off, truth2, by_rule):>14.1%}"
              f"{agreement(rows_on, truth2, by_rule):>14.1%}")
        print(f"{'model requests':<34}{requests_off:>14}{requests_on:>14}")
        print(f"requests down {1 - requests_on / requests_off:.1%}: corrected senders sent {len(from_corrected) / args.count:.1%} "
              f"of the mail; learned rules (sender, List-Id, and domains two corrected senders agree on) decided "
              f"{decided} emails ({decided / args.count:.1%})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
