"""Durable runs: what the headless writer and the dashboard share around the coordinator.

    prepared = prepare_run(store, settings, source, emails, resume=run_id_or_None)
    recorder = Recorder(store, prepared.run_id, prepared.segment, trace=TraceWriter(...) or None)
    coordinator = Coordinator(provider, prepared.settings, run_id=prepared.run_id)
    async for event in with_prior(coordinator.run(prepared.plan), prepared.prior):
        recorder.on_event(event)      # non-blocking: buffered, committed by the store's thread
        ...
    await recorder.aclose(provider)   # flush, close the segment, close the trace

Resume works at the plan level: emails whose stored row is done (ok, or a duplicate of an ok
original) are taken out before `make_plan`, so they are never sent to a model again, and their
stored rows are re-emitted (`prepared.prior`) so the resumed run's output has every email once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from tui.fanout import events as ev
from tui.fanout.plan import Plan, PlanBuilder, make_plan
from tui.fanout.trace import TraceWriter, batch_of, get_logger
from tui.model import Email, ResultRow
from tui.review.texts import keep_texts
from tui.settings import ConfigError, Settings
from tui.store import AttemptRecord, Store, StoreError

log = logging.getLogger("tui.run")

# Settings that describe the machine rather than the run: never restored on --resume.
_NOT_RESTORED = {"store", "theme"}


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def stored_settings(settings: Settings) -> dict[str, Any]:
    """What is kept with a run (no API key is ever a setting, so none is stored)."""
    return settings.model_dump(mode="json", exclude=_NOT_RESTORED)


def resume_settings(
    store: Store, run_id: str, overrides: dict[str, Any], base: Settings, source: str | None = None
) -> tuple[Settings, str, str]:
    """(settings, source, full run id) to continue a stored run: its own settings, then the flags
    given now (e.g. a new --base-url). A different SOURCE than the run's is a usage error."""
    run = store.find_run(run_id)
    if run is None:
        raise ConfigError(f"--resume: no run {run_id!r} in {store.path}")
    if run.alive():
        raise ConfigError(f"--resume: run {run.run_id} is still running (pid {run.pid})")
    if source and source != run.source:
        raise ConfigError(f"--resume: run {run.run_id} read {run.source!r}, not {source!r}")
    values = {k: v for k, v in run.settings.items() if k in Settings.model_fields and k not in _NOT_RESTORED}
    values.update({k: v for k, v in overrides.items() if v is not None and k not in _NOT_RESTORED})
    values["store"] = base.store
    values["theme"] = base.theme
    try:
        settings = Settings.model_validate(values)
    except ValueError as exc:
        raise ConfigError(f"--resume: stored settings of {run.run_id} are not valid any more: {exc}") from None
    return settings, run.source, run.run_id


@dataclass(slots=True)
class PreparedRun:
    run_id: str
    segment: int  # 1 for a new run, 2 for the first resume...
    plan: Plan  # only the emails still to do
    prior: list[ResultRow] = field(default_factory=list)  # stored rows of done emails, source order
    total: int = 0  # every email of the source
    missing: list[str] = field(default_factory=list)  # stored emails the source no longer has

    @property
    def resumed(self) -> bool:
        return self.segment > 1


def _copy_row(original: ResultRow, dup: Email) -> ResultRow:
    """Exactly what the coordinator writes for a duplicate (see Coordinator._emit_copy)."""
    return original.model_copy(update={
        "email_id": dup.id,
        "message_id": dup.message_id,
        "status": "duplicate",
        "error": f"duplicate of {original.email_id}" + (f" ({original.error})" if original.error else ""),
    })


def prepare_run(
    store: Store | None,
    settings: Settings,
    source: str,
    emails: list[Email],
    *,
    resume: str | None = None,
    run_id: str | None = None,
    trace_path: str | None = None,
) -> PreparedRun:
    """Register a new run (or the next segment of `resume`) and build the plan of what is left.

    Blocking (a few SQLite transactions): call it before the event loop starts or in a thread.
    """
    if resume is None:
        run_id = run_id or new_run_id()
        if store is not None:
            store.create_run(run_id, source=source, settings=stored_settings(settings), total=len(emails),
                             provider=settings.provider, model=settings.model, trace_path=trace_path)
            store.add_emails(run_id, ((e.id, e.message_id, e.subject, e.sender) for e in emails))
            keep_texts(store, run_id, emails, settings.max_body_chars)
        return PreparedRun(run_id, 1, make_plan(emails, settings), [], len(emails))

    if store is None:
        raise StoreError("--resume needs the store")
    run = store.find_run(resume)
    if run is None:
        raise ConfigError(f"--resume: no run {resume!r} in {store.path}")
    stored = store.verdicts(run.run_id)
    # Which email copies which, over the whole source, exactly as the first segment saw it.
    dedupe = PlanBuilder()
    for email in emails:
        dedupe.add(email)
    duplicates = dedupe.plan.duplicates
    ok = {eid for eid, row in stored.items() if row.status == "ok"}
    done: set[str] = set(ok)
    for eid, row in stored.items():
        if row.status == "duplicate" and duplicates.get(eid) in ok:
            done.add(eid)
    prior: list[ResultRow] = []
    todo: list[Email] = []
    for email in emails:
        if email.id in done:
            prior.append(stored[email.id])
        elif duplicates.get(email.id) in ok:  # its original is done but its copy row was lost
            prior.append(_copy_row(stored[duplicates[email.id]], email))
        else:
            todo.append(email)
    source_ids = {e.id for e in emails}
    missing = [eid for eid in store.email_ids(run.run_id) if eid not in source_ids]
    segment = store.resume_run(run.run_id, trace_path=trace_path)
    known = set(store.email_ids(run.run_id))
    new = [e for e in emails if e.id not in known]
    if new:
        store.add_emails(run.run_id, ((e.id, e.message_id, e.subject, e.sender) for e in new))
        keep_texts(store, run.run_id, new, settings.max_body_chars)
    for row in prior:
        if row.email_id not in stored:  # a rebuilt duplicate row: keep it too
            store.put_verdict(run.run_id, row, segment=segment)
    plan = make_plan(todo, settings)
    # an email left to do may share its Message-ID with one done in an earlier segment
    plan.conflicts = {e.id: dedupe.plan.conflicts[e.id] for e in todo if e.id in dedupe.plan.conflicts}
    return PreparedRun(run.run_id, segment, plan, prior, len(emails), missing)


async def with_prior(events: AsyncIterator[ev.Event], prior: list[ResultRow]) -> AsyncIterator[ev.Event]:
    """The coordinator's events, with the stored rows of a resumed run as EmailDone events right
    after RunStarted (before it when the plan is empty and RunStarted still comes first)."""
    pending = list(prior)
    async for event in events:
        yield event
        if pending and isinstance(event, ev.RunStarted):
            for row in pending:
                yield ev.EmailDone(row.agent_id, row)
            pending = []
    for row in pending:  # pragma: no cover - the coordinator always starts with RunStarted
        yield ev.EmailDone(row.agent_id, row)


@dataclass(slots=True)
class _OpenAttempt:
    attempt: int
    started: float


class Recorder:
    """Writes a run as it happens: every final row to the store when it lands, every attempt,
    the trace (events + spans), and log lines with run/agent/batch/email on them.

    `on_event` never blocks the event loop: the store and the trace buffer and write from their
    own threads. Re-emitted rows of a resumed run (prior rows) are not written again.
    """

    def __init__(
        self,
        store: Store | None,
        run_id: str,
        segment: int = 1,
        *,
        trace: TraceWriter | None = None,
        prior: list[ResultRow] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.segment = segment
        self.trace = trace
        self.clock = clock
        self.log = get_logger("tui.run", run_id=run_id)
        self._prior = {r.email_id for r in prior or ()}
        self._agent_attempt: dict[str, int] = {}
        self._open: dict[tuple[str, str], _OpenAttempt] = {}
        self.rows: dict[str, ResultRow] = {}
        self.aborted: str | None = None
        self.report: Any = None
        self._closed = False

    def on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.EmailDone) and event.row.email_id in self._prior:
            self._prior.discard(event.row.email_id)  # a stored row re-emitted: already durable
            self.rows[event.row.email_id] = event.row
            return
        if self.trace is not None:
            self.trace.on_event(event)
        now = self.clock()
        if isinstance(event, ev.AgentStarted):
            self._agent_attempt[event.agent_id] = event.attempt
        elif isinstance(event, ev.EmailStarted):
            self._open[(event.agent_id, event.email_id)] = _OpenAttempt(event.attempt, now)
        elif isinstance(event, ev.EmailRetrying):
            self._close(event.agent_id, event.email_id, now, "retry", event.error)
            self._log(logging.INFO, event.agent_id, event.email_id, "attempt %d failed, retrying in %.2fs: %s",
                      event.attempt - 1, event.delay_s, event.error)
        elif isinstance(event, ev.RateLimited):
            self._close(event.agent_id, event.email_id, now, "rate_limited", "")
            self._log(logging.INFO, event.agent_id, event.email_id, "rate limited, waiting %.2fs",
                      event.retry_after_s)
        elif isinstance(event, ev.EmailDone):
            row = event.row
            self.rows[row.email_id] = row
            self._close(event.agent_id, row.email_id, now, row.status, row.error or "")
            if self.store is not None:
                self.store.put_verdict(self.run_id, row, segment=self.segment)
            if row.status in ("failed", "timeout"):
                self._log(logging.WARNING, event.agent_id, row.email_id, "%s after %d attempts: %s",
                          row.status, row.attempts, row.error)
        elif isinstance(event, ev.AgentFinished):
            if event.state != "done":
                self._log(logging.WARNING, event.agent_id, "", "agent %s: %s", event.state, event.error)
        elif isinstance(event, ev.Reassigned):
            self._log(logging.INFO, event.to_agent, "", "took %d emails from %s", len(event.email_ids),
                      event.from_agent)
        elif isinstance(event, ev.RunAborted):
            self.aborted = event.reason
            self._log(logging.ERROR, "", "", "run stopped: %s", event.reason)
        elif isinstance(event, ev.RunDone):
            self.report = event.report

    def _log(self, level: int, agent_id: str, email_id: str, msg: str, *args: object) -> None:
        if self.log.isEnabledFor(level):
            attempt = self._agent_attempt.get(agent_id)
            self.log.log(level, msg, *args, extra={"agent_id": agent_id, "email_id": email_id,
                                                   "batch": batch_of(agent_id, attempt)})

    def _close(self, agent_id: str, email_id: str, now: float, outcome: str, error: str) -> None:
        opened = self._open.pop((agent_id, email_id), None)
        if opened is None or self.store is None:
            return
        self.store.put_attempt(AttemptRecord(
            run_id=self.run_id, segment=self.segment, email_id=email_id, agent_id=agent_id,
            attempt=opened.attempt, started_at=opened.started, ended_at=now, outcome=outcome, error=error[:500],
        ))

    def finish(self, provider: Any = None) -> None:
        """Blocking: flush the store, close the segment (done/aborted) and the trace."""
        if self._closed:
            return
        self._closed = True
        now = self.clock()
        for (agent_id, email_id), opened in list(self._open.items()):
            self._close(agent_id, email_id, now, "cancelled", "run ended")
        try:
            if self.store is not None:
                tokens_in = getattr(provider, "input_tokens", None)
                tokens_out = getattr(provider, "output_tokens", None)
                report = self.report.model_dump(mode="json") if self.report is not None else None
                status = "aborted" if self.aborted or report is None else "done"
                self.store.finish_segment(self.run_id, self.segment, status=status, report=report,
                                          tokens_in=tokens_in, tokens_out=tokens_out)
                if self.store.write_errors:
                    self.log.error("%d store writes failed (last: %s): some rows may be asked for again on "
                                   "--resume", self.store.write_errors, self.store.last_error)
        finally:
            if self.trace is not None:
                self.trace.close()

    async def aclose(self, provider: Any = None) -> None:
        await asyncio.to_thread(self.finish, provider)
