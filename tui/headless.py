"""`fanmail triage --headless`: JSONL rows as they land, progress on stderr, a report, an exit code."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import IO, TextIO

from tui.agents.runtime import open_provider
from tui.fanout.events import EmailDone, Event, RateLimited, RunAborted, RunDone
from tui.fanout.plan import make_plan
from tui.fanout.run import Coordinator
from tui.mail.sources import load_source
from tui.model import RunReport
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


def _open_output(output: str | None) -> IO[str]:
    if output in (None, "-"):
        return sys.stdout
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise OSError(f"folder for --output does not exist: {path.parent}")
    return path.open("w", encoding="utf-8")


async def triage_headless(
    settings: Settings, source: str, output: str | None, report_path: str | None, stderr: TextIO = sys.stderr
) -> int:
    emails = load_source(source, seed=settings.seed)
    plan = make_plan(emails, settings.batch_size)
    report: RunReport | None = None
    aborted: str | None = None
    async with open_provider(settings) as provider:
        await provider.check()
        coordinator = Coordinator(provider, settings)
        progress = Progress(stderr, plan.total)
        out = _open_output(output)
        try:
            async for event in coordinator.run(plan):
                if isinstance(event, EmailDone):
                    out.write(json.dumps(event.row.model_dump(mode="json"), ensure_ascii=False) + "\n")
                elif isinstance(event, RunAborted):
                    aborted = event.reason
                elif isinstance(event, RunDone):
                    report = event.report
                progress.update(event)
        finally:
            if out is not sys.stdout:
                out.close()
            else:
                out.flush()
        progress.finish()
    assert report is not None
    if report_path:
        Path(report_path).write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if aborted:
        stderr.write(f"fanmail: run stopped: {aborted}; {len(report.not_done)} emails not done\n")
    stderr.write(
        f"fanmail: {report.ok} ok, {report.failed} failed, {report.timeout} timed out, "
        f"{report.duplicate} duplicates in {report.wall_s:.1f}s "
        f"({report.speedup_vs_sequential:.1f}x sequential, {report.wall_over_ideal:.2f}x ideal)\n"
    )
    return EXIT_OK if report.failed + report.timeout == 0 else EXIT_SOME_FAILED


def run_headless(settings: Settings, source: str, output: str | None, report_path: str | None) -> int:
    return asyncio.run(triage_headless(settings, source, output, report_path))
