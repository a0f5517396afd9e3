"""`fanmail triage --headless`: JSONL rows as they land, progress on stderr, a report, an exit code."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from collections.abc import AsyncIterator, Callable
from typing import IO, TextIO

from tui.agents.runtime import open_provider
from tui.fanout.events import EmailDone, Event, RateLimited
from tui.fanout.preview import describe, estimate, format_cost
from tui.fanout.recorder import Recorder, prepare_run, with_prior
from tui.fanout.run import Coordinator
from tui.fanout.telemetry import pace
from tui.fanout.trace import TraceWriter
from tui.mail.imap_target import is_imap
from tui.mail.sources import load_source
from tui.model import RunReport
from tui.settings import ConfigError, Settings
from tui.store import open_run_store

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_SOME_FAILED = 3


class Progress:
    """One status line on stderr: rewritten in place on a terminal, a line every few seconds in logs."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self.failed = 0
        self.limited = 0
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, event: Event) -> None:
        if isinstance(event, EmailDone):
            self.done += 1
            if event.row.status in ("failed", "timeout"):
                self.failed += 1
        elif isinstance(event, RateLimited):
            self.limited += 1
        now = time.monotonic()
        if now - self._last >= (0.25 if self.tty else 2.0):
            self._last = now
            self._print(now)

    def _print(self, now: float, end: str = "") -> None:
        elapsed = max(1e-6, now - self.started)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        line = (
            f"fanmail: {self.done}/{self.total} done, {self.failed} failed, {self.limited} rate-limited, "
            f"{rate:.1f} emails/s, elapsed {elapsed:.1f}s, ETA {left:.0f}s"
        )
        if self.tty:
            self.stream.write("\r\x1b[2K" + line + end)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        self._print(time.monotonic(), end="\n" if self.tty else "")


def _open_output(output: str | None) -> IO[str]:
    if output in (None, "-"):
        return sys.stdout
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise OSError(f"folder for --output does not exist: {path.parent}")
    return path.open("w", encoding="utf-8")


async def triage_headless(
    settings: Settings,
    source: str,
    output: str | None,
    report_path: str | None,
    stderr: TextIO = sys.stderr,
    *,
    resume: str | None = None,
    trace_path: str | None = None,
    apply: bool = False,
    actions_path: str | None = None,
) -> int:
    """With `resume`, continue that stored run: its done emails are not sent again and their
    stored rows are written first, so the output has every email of the source exactly once.
    An IMAP source streams (the fan-out starts on the first emails fetched) and plans actions,
    applied with `apply` (tui/mail/imap_run.py)."""
    imap = None
    if is_imap(source):
        if resume:
            raise ConfigError("--resume is for file sources: for IMAP run the same command again (moved mail is "
                              "not read again and applied actions are never repeated)")
        emails = []
    else:
        if apply or actions_path:
            raise ConfigError("--apply and --actions are for IMAP sources (imap://USER@HOST:PORT/FOLDER)")
        emails = []  # read after the provider check: a wrong key fails before a big mailbox is read
    report: RunReport | None = None
    aborted: str | None = None
    preview = None
    async with open_provider(settings) as provider:
        await provider.check()
        if not is_imap(source):
            emails = load_source(source, seed=settings.seed)
        store = await asyncio.to_thread(
            open_run_store, settings.store, needed=resume is not None,
            warn=lambda message: stderr.write(f"fanmail: warning: {message}\n"))
        recorder: Recorder | None = None
        try:
            if is_imap(source):
                from tui.mail.imap_run import ImapTriage

                imap = await ImapTriage.open(source, settings, apply=apply, actions_path=actions_path)
            prepared = await asyncio.to_thread(
                prepare_run, store, settings, source, emails, resume=resume,
                trace_path=str(Path(trace_path).resolve()) if trace_path else None)
            plan = prepared.plan
            if prepared.resumed:
                stderr.write(f"fanmail: resuming run {prepared.run_id} (segment {prepared.segment}): "
                             f"{len(prepared.prior)} emails already done, {plan.total} to go\n")
                if prepared.missing:
                    stderr.write(f"fanmail: warning: {len(prepared.missing)} emails of the run are no longer in "
                                 f"the source; their stored rows are not written\n")
            else:
                stderr.write(f"fanmail: run {prepared.run_id}\n")
            if imap is None:  # tokens, cost and time before anything is sent (after the key check)
                preview = estimate(plan, settings, latency_s=provider.expected_latency_s, provider=provider)
                stderr.write(f"fanmail: preview: {describe(preview)}\n")
            trace = TraceWriter(trace_path, run_id=prepared.run_id, segment=prepared.segment,
                                append=prepared.resumed) if trace_path else None
            recorder = Recorder(store, prepared.run_id, prepared.segment, trace=trace, prior=prepared.prior)
            coordinator = Coordinator(provider, settings, run_id=prepared.run_id)
            if imap is not None:
                imap.attach(store, prepared.run_id)
            progress = Progress(stderr, (imap.expected if imap else plan.total) + len(prepared.prior))
            out = _open_output(output)
            try:
                events = imap.events(coordinator) if imap is not None else coordinator.run(plan)
                await _relay(with_prior(events, prepared.prior), recorder, out, progress,
                             imap.on_event if imap is not None else None)
                if imap is not None:
                    for row in imap.unread_rows():  # found by SEARCH, never read: still one row each
                        recorder.on_event(EmailDone("", row))
                        out.write(json.dumps(row.model_dump(mode="json"), ensure_ascii=False) + "\n")
                    await imap.finish()
            finally:
                if out is not sys.stdout:
                    out.close()
                else:
                    out.flush()
            report, aborted = recorder.report, recorder.aborted
            if report is not None and preview is not None:
                report = report.model_copy(update={"preview": preview})
        finally:
            if imap is not None:
                await imap.aclose()
            if recorder is not None:
                await recorder.aclose(provider)
            if store is not None:
                await asyncio.to_thread(store.close)
        progress.finish()
    assert report is not None
    if report_path:
        Path(report_path).write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if aborted:
        stderr.write(f"fanmail: run stopped: {aborted}; {len(report.not_done)} emails not done\n")
    if prepared.prior:
        stderr.write(f"fanmail: {len(prepared.prior)} rows from the run's earlier segments written first\n")
    stderr.write(
        f"fanmail: {report.ok} ok, {report.failed} failed, {report.timeout} timed out, "
        f"{report.duplicate} duplicates in {report.wall_s:.1f}s ({pace(report)})\n"
    )
    for note in report.advice:
        stderr.write(f"fanmail: next time: {note}\n")
    if report.input_tokens or report.output_tokens:
        said = f" (preview: {report.preview.cost})" if report.preview else ""
        stderr.write(f"fanmail: {report.input_tokens + report.output_tokens:,} tokens ({report.input_tokens:,} in, "
                     f"{report.output_tokens:,} out), cost {format_cost(report.cost_usd)}{said}\n")
    for note in getattr(provider, "notes", ()):  # e.g. a server without json_schema: JSON mode
        stderr.write(f"fanmail: note: {note}\n")
    if imap is not None:  # actions summary, the review list, and at most one error line
        for line in imap.closing_lines():
            stderr.write(line + "\n")
        if imap.incomplete:
            return EXIT_SOME_FAILED
    return EXIT_OK if report.failed + report.timeout == 0 else EXIT_SOME_FAILED


async def _relay(events: AsyncIterator[Event], recorder: Recorder, out: IO[str], progress: Progress,
                 also: Callable[[Event], None] | None = None) -> None:
    """Each event to the recorder (store, trace) first, then the JSONL row and the progress line."""
    async for event in events:
        recorder.on_event(event)
        if also is not None:
            also(event)
        if isinstance(event, EmailDone):
            out.write(json.dumps(event.row.model_dump(mode="json"), ensure_ascii=False) + "\n")
        progress.update(event)


def run_headless(
    settings: Settings,
    source: str,
    output: str | None,
    report_path: str | None,
    *,
    resume: str | None = None,
    trace_path: str | None = None,
    apply: bool = False,
    actions_path: str | None = None,
) -> int:
    return asyncio.run(triage_headless(settings, source, output, report_path, resume=resume, trace_path=trace_path,
                                       apply=apply, actions_path=actions_path))
