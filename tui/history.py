"""`fanmail runs`, `fanmail report RUN_ID` and `fanmail replay RUN_ID`: past runs from the store.

The telemetry of a run is computed from what the store recorded as it happened (final rows and
every attempt), so a run that crashed, or was resumed, reports as well as one that ended cleanly.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from tui.fanout.events import EmailDone, RunStarted
from tui.fanout.telemetry import RunHistory, percentile, suggest_from_history
from tui.fanout.trace import TraceError, read_trace, replay_timed
from tui.model import Email
from tui.review.agreement import review_lines, review_report
from tui.settings import ConfigError, Settings, provider_label
from tui.store import RunInfo, Store, StoreError, store_path

TIMEOUT_MARK = "no answer within"


def open_store(settings: Settings, *, must_exist: bool = True) -> Store:
    path = store_path(settings.store)
    if must_exist and str(path) != ":memory:" and not path.exists():
        raise StoreError(f"no store at {path} (no run recorded yet; pass --store PATH?)")
    return Store(path)


def _find(store: Store, run_id: str) -> RunInfo:
    run = store.find_run(run_id)
    if run is None:
        raise ConfigError(f"no run {run_id!r} in {store.path} (see `fanmail runs`)")
    return run


def _when(ts: float) -> str:
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
    run = _find(store, run_id)
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
        "created": _when(run.created_at),
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


# ---------------------------------------------------------------------------- commands


def cmd_runs(settings: Settings, *, limit: int = 20, as_json: bool = False, out: TextIO = sys.stdout) -> int:
    path = store_path(settings.store)
    if not path.exists():
        out.write(f"no runs recorded yet (store {path})\n" if not as_json else "[]\n")
        return 0
    with Store(path) as store:
        runs = store.list_runs(limit=limit)
    if as_json:
        out.write(json.dumps([{
            "run_id": r.run_id, "created": _when(r.created_at), "state": r.state, "source": r.source,
            "provider": r.provider, "model": None if r.provider == "rules" else r.model, "total": r.total, "done": r.done, "counts": r.counts,
            "segments": r.segments, "trace": r.trace_path,
        } for r in runs], indent=2) + "\n")
        return 0
    if not runs:
        out.write(f"no runs recorded yet (store {path})\n")
        return 0
    out.write(f"{'run':<14}{'started':<21}{'state':<13}{'done':>11}{'failed':>8}  {'provider/model':<24}source\n")
    for r in runs:
        failed = r.counts.get("failed", 0) + r.counts.get("timeout", 0)
        out.write(f"{r.run_id:<14}{_when(r.created_at):<21}{r.state:<13}{f'{r.done}/{r.total}':>11}{failed:>8}  "
                  f"{provider_label(r.provider, r.model)[:23]:<24}{r.source}\n")
    if any(r.state == "interrupted" for r in runs):
        out.write("interrupted runs can be continued: fanmail triage --resume RUN_ID --headless\n")
    return 0


def cmd_report(settings: Settings, run_id: str, *, as_json: bool = False, out: TextIO = sys.stdout) -> int:
    with open_store(settings) as store:
        telemetry = run_telemetry(store, run_id)
    out.write(json.dumps(telemetry, indent=2) + "\n" if as_json else format_report(telemetry))
    return 0


def _replay_inputs(settings: Settings, run_id: str | None, trace: str | None) -> tuple[Path, str | None, dict[str, Email], str]:
    """The trace file to read, the run id to keep, the emails for the detail view, a label."""
    emails: dict[str, Email] = {}
    label = "replay"
    if run_id is not None:
        with open_store(settings) as store:
            run = _find(store, run_id)
            for m in store.email_meta(run.run_id):
                emails[m["email_id"]] = Email(id=m["email_id"], message_id=m["message_id"], subject=m["subject"],
                                              sender=m["sender"])
        path = trace or run.trace_path
        if not path:
            raise ConfigError(f"run {run.run_id} was not traced: record runs with --trace FILE to replay them")
        return Path(path), run.run_id, emails, f"{run.source} · {provider_label(run.provider, run.model)} · replay {run.run_id}"
    if trace is None:
        raise ConfigError("replay: give a RUN_ID or --trace FILE")
    return Path(trace), None, emails, label


def cmd_replay(settings: Settings, run_id: str | None, *, trace: str | None = None, speed: float = 1.0,
               headless: bool = False, output: str | None = None, err: TextIO = sys.stderr) -> int:
    path, keep, emails, label = _replay_inputs(settings, run_id, trace)
    try:
        timed = read_trace(path, keep)
    except TraceError as exc:
        raise ConfigError(str(exc)) from None
    if not timed:
        raise ConfigError(f"no events of {'run ' + keep if keep else 'any run'} in trace {path}")
    for _, event in timed:  # fill in emails the store did not know (replay of a bare trace file)
        if isinstance(event, RunStarted):
            for eid, subject in event.subjects.items():
                emails.setdefault(eid, Email(id=eid, subject=subject))
        elif isinstance(event, EmailDone):
            row = event.row
            emails.setdefault(row.email_id, Email(id=row.email_id, message_id=row.message_id, subject=row.subject,
                                                  sender=row.sender))
    if not headless:
        from tui.app.app import make_app
        from tui.app.session import ReplaySession

        session = ReplaySession(timed, emails, speed=speed, label=label)
        app = make_app(settings, session=session, clock=session.clock)  # type: ignore[arg-type]
        app.run()
        return app.return_code or 0
    return asyncio.run(_replay_headless(timed, speed, output, err))


async def _replay_headless(timed: list[Any], speed: float, output: str | None, err: TextIO) -> int:
    out = sys.stdout if output in (None, "-") else open(output, "w", encoding="utf-8")  # noqa: SIM115
    started = time.monotonic()
    rows = 0
    try:
        async for event in replay_timed(timed, speed):
            if isinstance(event, EmailDone):
                rows += 1
                out.write(json.dumps(event.row.model_dump(mode="json"), ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    err.write(f"fanmail: replayed {len(timed)} events, {rows} rows in {time.monotonic() - started:.1f}s\n")
    return 0
