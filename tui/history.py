"""Past runs from the store: their history and telemetry (the `runs`, `report` and `replay`
commands over it are in tui/commands/history.py).

The telemetry of a run is computed from what the store recorded as it happened (final rows and
every attempt), so a run that crashed, or was resumed, reports as well as one that ended cleanly.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from tui.fanout.telemetry import RunHistory, percentile, suggest_from_history
from tui.review.agreement import review_lines, review_report
from tui.settings import ConfigError, Settings, provider_label
from tui.store import RunInfo, Store, StoreError, store_path

TIMEOUT_MARK = "no answer within"


def open_store(settings: Settings, *, must_exist: bool = True) -> Store:
    path = store_path(settings.store)
    if must_exist and str(path) != ":memory:" and not path.exists():
        raise StoreError(f"no store at {path} (no run recorded yet; pass --store PATH?)")
    return Store(path)


def find_run(store: Store, run_id: str) -> RunInfo:
    run = store.find_run(run_id)
    if run is None:
        raise ConfigError(f"no run {run_id!r} in {store.path} (see `fanmail runs`)")
    return run


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------------------- telemetry


def run_history(store: Store, run: RunInfo) -> RunHistory:
    rows = store.verdicts(run.run_id)
    attempts = store.attempts(run.run_id)
    return RunHistory(
        run_id=run.run_id,
        provider=run.provider,
        model=run.model,
        total=run.total,
        concurrency=int(run.settings.get("concurrency") or 1),
        batch_size=run.settings.get("batch_size") or "auto",
        ok_latency_s=[r.latency_ms / 1000 for r in rows.values() if r.status == "ok" and r.latency_ms is not None],
        timeouts=sum(1 for a in attempts if a.outcome == "timeout" or a.error.startswith(TIMEOUT_MARK)),
        requests=sum(1 for a in attempts if a.outcome != "cancelled"),
        rate_limited=sum(1 for a in attempts if a.outcome == "rate_limited"),
        timeout_s=run.settings.get("timeout"),
    )


def run_telemetry(store: Store, run_id: str) -> dict[str, Any]:
    """Everything `fanmail report` prints, as one JSON-able dict."""
    run = find_run(store, run_id)
    by_segment = store.verdicts_by_segment(run.run_id)
    attempts = store.attempts(run.run_id)
    segments = store.segments(run.run_id)
    multi = run.segments > 1

    def label(segment: int, agent_id: str) -> str:
        return f"{segment}:{agent_id}" if multi and agent_id else (agent_id or "-")

    agents: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "emails": 0, "ok": 0, "failed": 0, "timeout": 0, "retries": 0, "rate_limited": 0, "busy_s": 0.0,
        "first": None, "last": None, "ok_latency_ms": [],
    })
    statuses: dict[str, int] = defaultdict(int)
    ok_ms: list[float] = []
    for segment, row in by_segment:
        statuses[row.status] += 1
        if row.status == "duplicate":
            continue
        a = agents[label(segment, row.agent_id)]
        a["emails"] += 1
        if row.status == "ok":
            a["ok"] += 1
            if row.latency_ms is not None:
                a["ok_latency_ms"].append(row.latency_ms)
                ok_ms.append(row.latency_ms)
        elif row.status == "timeout":
            a["timeout"] += 1
        else:
            a["failed"] += 1
    timeouts = 0
    for att in attempts:
        a = agents[label(att.segment, att.agent_id)]
        if att.ended_at is not None:
            a["busy_s"] += max(0.0, att.ended_at - att.started_at)
            a["last"] = max(a["last"] or att.ended_at, att.ended_at)
        a["first"] = min(a["first"] or att.started_at, att.started_at)
        if att.outcome == "retry":
            a["retries"] += 1
        elif att.outcome == "rate_limited":
            a["rate_limited"] += 1
        if att.outcome == "timeout" or att.error.startswith(TIMEOUT_MARK):
            timeouts += 1
    per_agent = []
    for name in sorted(agents):
        a = agents[name]
        lat = a.pop("ok_latency_ms")
        first, last = a.pop("first"), a.pop("last")
        a.update(agent_id=name, busy_s=round(a["busy_s"], 3),
                 wall_s=round(last - first, 3) if first is not None and last is not None else 0.0,
                 p50_s=round(percentile(lat, 0.5) / 1000, 3), p95_s=round(percentile(lat, 0.95) / 1000, 3))
        per_agent.append(a)

    wall = 0.0
    for seg in segments:
        if seg["ended_at"]:
            wall += seg["ended_at"] - seg["started_at"]
    tokens_in = [s["tokens_in"] for s in segments if s["tokens_in"] is not None]
    tokens_out = [s["tokens_out"] for s in segments if s["tokens_out"] is not None]

    history_runs = [r for r in store.list_runs(limit=200) if r.created_at <= run.created_at
                    and (r.provider, r.model) == (run.provider, run.model)]
    history = [run_history(store, r) for r in history_runs[:5]]
    concurrency = int(run.settings.get("concurrency") or 1)
    suggestion = suggest_from_history(history, concurrency=concurrency)
    return {
        "run_id": run.run_id,
        "state": run.state,
        "source": run.source,
        "provider": run.provider,
        "model": run.model,
        "created": when(run.created_at),
        "segments": run.segments,
        "total": run.total,
        "rows": sum(statuses.values()),
        "ok": statuses.get("ok", 0),
        "failed": statuses.get("failed", 0),
        "timeout": statuses.get("timeout", 0),
        "duplicate": statuses.get("duplicate", 0),
        "missing": max(0, run.total - sum(statuses.values())),
        "concurrency": concurrency,
        "batch_size": run.settings.get("batch_size") or "auto",
        "timeout_s": run.settings.get("timeout"),
        "wall_s": round(wall, 3),
        "requests": sum(1 for a in attempts if a.outcome != "cancelled"),
        "retries": sum(a["retries"] for a in per_agent),
        "rate_limited": sum(a["rate_limited"] for a in per_agent),
        "timeouts": timeouts,
        "p50_s": round(percentile(ok_ms, 0.5) / 1000, 3),
        "p95_s": round(percentile(ok_ms, 0.95) / 1000, 3),
        "tokens_in": sum(tokens_in) if tokens_in else None,
        "tokens_out": sum(tokens_out) if tokens_out else None,
        "actions": len(store.actions(run.run_id)),
        "per_agent": per_agent,
        "suggested_batch_size": suggestion.batch_size,
        "suggested_timeout_s": suggestion.timeout_s,
        "suggestion_p95_s": round(suggestion.p95_s, 3),
        "suggestion_runs": suggestion.runs,
        "suggestion_samples": suggestion.samples,
        "suggestion_notes": suggestion.notes,
        "review": review_report(store, run.run_id),
    }


def format_report(t: dict[str, Any]) -> str:
    lines = [
        f"run {t['run_id']}  {t['source']}  {provider_label(t['provider'], t['model'])}  {t['state']}  started {t['created']}"
        + (f"  ({t['segments']} segments: resumed)" if t["segments"] > 1 else ""),
        f"emails {t['total']}: {t['ok']} ok, {t['failed']} failed, {t['timeout']} timed out, "
        f"{t['duplicate']} duplicates" + (f", {t['missing']} without a row (resume it)" if t["missing"] else ""),
        f"wall {t['wall_s']:.1f}s  concurrency {t['concurrency']}  batch size {t['batch_size']}  "
        f"timeout {t['timeout_s'] if t['timeout_s'] is not None else 'default'}",
        f"per email (ok answers): p50 {t['p50_s']:.3f}s  p95 {t['p95_s']:.3f}s",
        f"requests {t['requests']}  retries {t['retries']}  429s {t['rate_limited']}  timeouts {t['timeouts']}  "
        + ("tokens " + (f"{t['tokens_in']} in / {t['tokens_out']} out" if t["tokens_in"] is not None else "unknown")),
        "",
        f"{'agent':<10}{'emails':>7}{'ok':>6}{'failed':>8}{'timeout':>9}{'retries':>9}{'429s':>6}"
        f"{'busy s':>9}{'wall s':>9}{'p50 s':>8}{'p95 s':>8}",
    ]
    for a in t["per_agent"]:
        lines.append(
            f"{a['agent_id']:<10}{a['emails']:>7}{a['ok']:>6}{a['failed']:>8}{a['timeout']:>9}{a['retries']:>9}"
            f"{a['rate_limited']:>6}{a['busy_s']:>9.2f}{a['wall_s']:>9.2f}{a['p50_s']:>8.3f}{a['p95_s']:>8.3f}"
        )
    runs = len(t["suggestion_runs"])
    lines += [
        "",
        f"suggested: --batch-size {t['suggested_batch_size']} --timeout {t['suggested_timeout_s']}"
        f"  (2.5 x p95 {t['suggestion_p95_s']:.3f}s of {t['suggestion_samples']} ok answers over the last "
        f"{runs} run{'s' if runs != 1 else ''} of {provider_label(t['provider'], t['model'])}; one wave at concurrency "
        f"{t['concurrency']})",
    ]
    lines += [f"note: {n}" for n in t["suggestion_notes"]]
    if t.get("review"):
        lines += ["", *review_lines(t["review"])]
    return "\n".join(lines) + "\n"
