"""`fanmail triage --headless`: a printer over the run layer (tui/run/): JSONL rows as they land,
progress on stderr, a report, an exit code."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import IO, TextIO

from tui.fanout.events import EmailDone, Event, RateLimited
from tui.fanout.preview import describe, format_cost
from tui.fanout.telemetry import pace
from tui.run import RunOpened
from tui.run.triage import TriageRun
from tui.settings import Settings

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


def _open_output(output: str | None, *, append: bool = False) -> IO[str]:
    if output in (None, "-"):
        return sys.stdout
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise OSError(f"folder for --output does not exist: {path.parent}")
    return path.open("a" if append else "w", encoding="utf-8")


class Printer:
    """The run's events as JSONL rows (each final row, in the order they land) and the progress line."""

    def __init__(self, output: str | None, stderr: TextIO) -> None:
        self.output = output
        self.stderr = stderr
        self.out: IO[str] | None = None
        self.progress: Progress | None = None

    def on_event(self, event: Event) -> None:
        if isinstance(event, EmailDone):
            self.out.write(event.row.jsonl())  # type: ignore[union-attr]
        elif isinstance(event, RunOpened):
            return self.opened(event)
        self.progress.update(event)  # type: ignore[union-attr] - RunOpened comes first

    def opened(self, event: RunOpened) -> None:
        stderr = self.stderr
        if event.segment > 1:
            stderr.write(f"fanmail: resuming run {event.run_id} (segment {event.segment}): "
                         f"{event.prior} emails already done, {event.total - event.prior} to go\n")
            if event.missing:
                stderr.write(f"fanmail: warning: {event.missing} emails of the run are no longer in "
                             f"the source; their stored rows are not written\n")
        else:
            stderr.write(f"fanmail: run {event.run_id}\n")
        if event.preview is not None:
            stderr.write(f"fanmail: preview: {describe(event.preview)}\n")
        self.progress = Progress(stderr, event.total)
        self.out = _open_output(self.output)

    def close(self) -> None:
        if self.out is None:
            return
        if self.out is not sys.stdout:
            self.out.close()
        else:
            self.out.flush()
        assert self.progress is not None
        self.progress.finish()


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
    applied with `apply` (tui/run/imap.py)."""
    run = TriageRun(settings, source, resume=resume, trace_path=trace_path, apply=apply, actions_path=actions_path,
                    warn=lambda message: stderr.write(f"fanmail: warning: {message}\n"))
    printer = Printer(output, stderr)
    try:
        await run.run(printer.on_event)
    finally:
        printer.close()
    report = run.report
    assert report is not None
    if report_path:
        Path(report_path).write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if run.aborted:
        stderr.write(f"fanmail: run stopped: {run.aborted}; {len(report.not_done)} emails not done\n")
    if run.prior:
        stderr.write(f"fanmail: {run.prior} rows from the run's earlier segments written first\n")
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
    for note in getattr(run.provider, "notes", ()):  # e.g. a server without json_schema: JSON mode
        stderr.write(f"fanmail: note: {note}\n")
    if run.triage is not None:  # actions summary, the review list, and at most one error line
        for line in run.triage.closing_lines():
            stderr.write(line + "\n")
        if run.triage.incomplete:
            return EXIT_SOME_FAILED
    return EXIT_OK if report.failed + report.timeout == 0 else EXIT_SOME_FAILED


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
