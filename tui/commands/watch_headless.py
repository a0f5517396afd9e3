"""`fanmail watch --headless`: one JSONL row per new email, written and flushed as it lands; connection
changes and a count on stderr; SIGTERM or ctrl+c stops watching (in-flight emails get `--grace`)."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import IO, Any, TextIO

from tui.fanout.events import EmailDone
from tui.headless import _open_output
from tui.mail.action_desk import ActionsDone
from tui.mail.watch import WatchState
from tui.run import RunOpened
from tui.run.watch import WatchRun


class WatchPrinter:
    """Rows as JSONL, flushed one by one; a line on stderr per connection change and per row."""

    def __init__(self, output: str | None, stderr: TextIO) -> None:
        self.output = output
        self.stderr = stderr
        self.out: IO[str] | None = None
        self.rows = 0
        self.failed = 0

    def on_event(self, event: Any) -> None:
        if isinstance(event, RunOpened):
            self.out = sys.stdout if self.output in (None, "-") else _open_output(self.output, append=True)
            word = "continuing" if event.segment > 1 else "starting"
            self._say(f"watch {event.run_id} ({word}, start {event.segment})")
        elif isinstance(event, EmailDone):
            assert self.out is not None
            self.out.write(event.row.jsonl())
            self.out.flush()
            self.rows += 1
            self.failed += event.row.status in ("failed", "timeout")
            self._say(f"{self.rows} new emails triaged, {self.failed} failed")
        elif isinstance(event, ActionsDone):
            for outcome in event.outcomes:
                note = f" ({outcome.note})" if outcome.note else ""
                self._say(f"{outcome.status}: {outcome.action.kind} {outcome.action.detail} "
                          f"{outcome.action.email_id}{note}")
        elif isinstance(event, WatchState) and event.state != "connecting":
            detail = f": {event.detail}" if event.detail else ""
            later = f"; again in {event.retry_in_s:.1f}s" if event.state == "reconnecting" else ""
            self._say(f"{event.kind} {event.state}{detail}{later}")

    def _say(self, line: str) -> None:
        self.stderr.write(f"fanmail: {line}\n")
        self.stderr.flush()

    def close(self) -> None:
        if self.out is not None and self.out is not sys.stdout:
            self.out.close()


async def watch_headless(watch: WatchRun, output: str | None, stderr: TextIO = sys.stderr) -> int:
    printer = WatchPrinter(output, stderr)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, watch.close)
    try:
        await watch.run(printer.on_event)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        printer.close()
    stderr.write(f"fanmail: stopped watching: {printer.rows} emails triaged this time, {printer.failed} failed"
                 + (f", {watch.skipped} already triaged before" if watch.skipped else "") + "\n")
    return 0
