"""`fanmail runs`, `fanmail report RUN_ID` and `fanmail replay RUN_ID`: past runs from the store
(tui/history.py), printed, or replayed on the dashboard or as JSONL."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from tui.fanout.events import EmailDone, RunStarted
from tui.fanout.trace import TraceError, read_trace, replay_timed
from tui.history import find_run, format_report, open_store, run_telemetry, when
from tui.model import Email
from tui.settings import ConfigError, Settings, provider_label
from tui.store import Store, store_path


def cmd_runs(settings: Settings, *, limit: int = 20, as_json: bool = False, out: TextIO = sys.stdout) -> int:
    path = store_path(settings.store)
    if not path.exists():
        out.write(f"no runs recorded yet (store {path})\n" if not as_json else "[]\n")
        return 0
    with Store(path) as store:
        runs = store.list_runs(limit=limit)
    if as_json:
        out.write(json.dumps([{
            "run_id": r.run_id, "created": when(r.created_at), "state": r.state, "source": r.source,
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
        out.write(f"{r.run_id:<14}{when(r.created_at):<21}{r.state:<13}{f'{r.done}/{r.total}':>11}{failed:>8}  "
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
            run = find_run(store, run_id)
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
        from tui.app.triage.app import make_app
        from tui.app.triage.session import ReplaySession

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
                out.write(event.row.jsonl())
    finally:
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    err.write(f"fanmail: replayed {len(timed)} events, {rows} rows in {time.monotonic() - started:.1f}s\n")
    return 0
