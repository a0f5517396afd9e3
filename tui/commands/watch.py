"""`fanmail watch imap[s]://USER@HOST[:PORT]/FOLDER` or `fanmail watch ~/Maildir`: the live inbox (tui/run/watch.py), on the
dashboard (tui/app/watch/) or headless.

Headless: one JSONL row per new email, written and flushed as it lands; connection changes and a count on
stderr; SIGTERM or ctrl+c stops watching and lets in-flight emails finish within `--grace`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from typing import IO, Any, TextIO

from tui.cli_flags import APPLY_HELP, HEADLESS_HELP
from tui.fanout.events import EmailDone
from tui.headless import _open_output
from tui.mail.action_desk import ActionsDone
from tui.mail.watch import WatchState
from tui.run import RunOpened
from tui.run.watch import WatchRun
from tui.settings import ConfigError, Settings

WATCH_EXAMPLES = """examples:
  FANMAIL_IMAP_PASSWORD=... fanmail watch imaps://me@mail.example.com/INBOX     # the dashboard
  FANMAIL_IMAP_PASSWORD=... fanmail watch imaps://me@mail.example.com/INBOX --headless -o rows.jsonl
  fanmail watch imap://me@127.0.0.1:1143/INBOX --imap-insecure --headless --poll 10 --no-idle
  fanmail watch ~/Maildir --headless -o rows.jsonl"""


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from tui.cli import _add_setting_flags

    watch = sub.add_parser("watch", help="watch an IMAP folder or a Maildir: triage new mail as it arrives "
                           "(dashboard, or --headless for JSONL)",
                           description="Triage what --imap-search matches (default UNSEEN), then every new "
                           "email as it arrives (IMAP IDLE, or NOOP polling), each exactly once across restarts. A Maildir: "
                           "what is unread (new/, cur/ without the S flag), then each new file, polled every second.",
                           epilog=WATCH_EXAMPLES)
    watch.add_argument("source", help="imap[s]://USER@HOST[:PORT]/FOLDER, or a Maildir folder")
    groups = _add_setting_flags(watch)
    out, mail = groups["output"], groups["mail"]
    out.add_argument("--headless", action="store_true", help=HEADLESS_HELP)
    out.add_argument("--output", "-o", help="JSONL file for the rows (default: stdout), appended to")
    mail.add_argument("--poll", type=float, default=None, help="seconds between NOOP polls on a server without "
                      "IDLE (default 30), or between looks at a Maildir (default 1)")
    mail.add_argument("--no-idle", dest="idle", action="store_false", help="poll even if the server has IDLE")
    mail.add_argument("--grace", type=float, default=10.0, help="seconds in-flight emails get to finish when "
                      "stopped (default 10); the rest get failed rows the next start retries")
    mail.add_argument("--apply", action="store_true", help=APPLY_HELP)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if not args.headless and args.output:
        raise ConfigError("watch: -o is for --headless (the dashboard shows the rows; they are in the store)")
    watch = WatchRun(settings, args.source, poll_s=args.poll, idle=args.idle, grace_s=args.grace, apply=args.apply)
    if not args.headless:
        from tui.app.watch.app import run_watch_app

        return run_watch_app(settings, watch)
    return asyncio.run(watch_headless(watch, args.output))


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
            self.out.write(json.dumps(event.row.model_dump(mode="json"), ensure_ascii=False) + "\n")
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
