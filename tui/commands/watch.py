"""`fanmail watch imap[s]://USER@HOST[:PORT]/FOLDER` or `fanmail watch ~/Maildir`: the live inbox (tui/run/watch.py), on the
dashboard (tui/app/watch/) or headless.

Headless: one JSONL row per new email, written and flushed as it lands; connection changes and a count on
stderr; SIGTERM or ctrl+c stops watching and lets in-flight emails finish within `--grace`.
"""

from __future__ import annotations

import argparse
import asyncio

from tui.cli_flags import APPLY_HELP, HEADLESS_HELP
from tui.settings import ConfigError, Settings

# The watch run (IMAP, Maildir, the action desk) and its printer (tui/commands/watch_headless.py)
# are imported when the command runs: every command builds this sub-command's parser.

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
    from tui.run.watch import WatchRun

    watch = WatchRun(settings, args.source, poll_s=args.poll, idle=args.idle, grace_s=args.grace, apply=args.apply)
    if not args.headless:
        from tui.app.watch.app import run_watch_app

        return run_watch_app(settings, watch)
    from tui.commands.watch_headless import watch_headless

    return asyncio.run(watch_headless(watch, args.output))
