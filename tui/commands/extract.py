"""`fanmail extract SOURCE`: the extraction view, or with --headless the feed as JSONL (and CSV).

The feed is written when the run ends, because a later document can flag an earlier one (the
same invoice number seen twice); progress goes to stderr as documents land.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from contextlib import ExitStack
from typing import IO, TYPE_CHECKING, TextIO

from pydantic import ValidationError

from tui.cli_flags import HEADLESS_HELP, add_setting_flags
from tui.settings import ConfigError, Settings

if TYPE_CHECKING:
    from tui.extract.records import ExtractRecord
    from tui.run.extract import ExtractOptions, ExtractRun

# The extraction modules (worker processes, OCR, PDF) are imported when the command runs, not
# here: every command builds this sub-command's parser, and a triage run should not pay for them.

EXIT_OK = 0
EXIT_SOME_FAILED = 3


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("extract", help="extract invoices, receipts and orders from PDFs, images and text "
                            "(dashboard view, or --headless for a JSONL/CSV feed)")
    parser.add_argument("source", help="Maildir, mbox file, folder of .eml, sample[:COUNT], or docs-sample[:COUNT] "
                        "(generated invoices and receipts as PDFs, images and text)")
    parser.add_argument("--headless", action="store_true", help=HEADLESS_HELP)
    parser.add_argument("--output", "-o", help="JSONL file for the feed (default: stdout)")
    parser.add_argument("--csv", metavar="FILE", help="also write the feed as CSV")
    parser.add_argument("--workers", type=int, help="OCR/PDF worker processes (default: one per core)")
    parser.add_argument("--doc-timeout", type=float, default=120.0, help="seconds per document (default 120)")
    parser.add_argument("--ocr-timeout", type=float, default=60.0, help="seconds per OCR pass (default 60)")
    parser.add_argument("--max-attachment-mb", type=float, default=20.0,
                        help="larger attachments are a failed record, not read (default 20)")
    readers = ["rules", "sim", "openai"]
    parser.add_argument("--reader", choices=readers, default="rules", dest="extract_provider",
                        help="who reads the fields: offline rules (default), the built-in simulator, or an "
                        "OpenAI-compatible model (strict JSON schema); not triage's --provider, whose default differs")
    parser.add_argument("--provider", choices=readers, dest="extract_provider", help=argparse.SUPPRESS)  # old spelling
    add_setting_flags(parser, ["model", "base_url", "api_key_env", "retries", "seed", "config"])


def options_from(args: argparse.Namespace) -> ExtractOptions:
    from tui.run.extract import ExtractOptions

    mb = args.max_attachment_mb
    if not math.isfinite(mb) or mb <= 0:
        raise ConfigError(f"extract: bad --max-attachment-mb {mb:g}: give a positive number of megabytes")
    try:
        return ExtractOptions(
            **({"workers": args.workers} if args.workers is not None else {}), doc_timeout_s=args.doc_timeout,
            ocr_timeout_s=args.ocr_timeout, max_attachment_bytes=max(1, round(mb * 1_000_000)))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "option"
        raise ConfigError(f"extract: bad {where}: {first['msg']}") from None


def run(args: argparse.Namespace, settings: Settings) -> int:
    from tui.extract.documents import load_messages
    from tui.extract.fields_model import check_provider
    from tui.run.extract import ExtractRun

    options = options_from(args)
    provider = args.extract_provider
    check_provider(settings, provider)
    messages = load_messages(args.source, seed=settings.seed)  # a bad source is a one-line SourceError
    if not args.headless:
        from tui.app.extract.app import run_extract_app

        return run_extract_app(settings, args.source, ExtractRun(messages, options, settings=settings,
                                                                 provider=provider))
    with ExitStack() as files:  # both opened first: a bad path is one line before any OCR, not after
        out = files.enter_context(open(args.output, "w", encoding="utf-8")) if args.output else sys.stdout
        table = files.enter_context(open(args.csv, "w", encoding="utf-8", newline="")) if args.csv else None
        records = asyncio.run(extract_headless(ExtractRun(messages, options, settings=settings, provider=provider),
                                               sys.stderr))
        write_feed(records, out, table)
    return EXIT_OK if all(r.status == "ok" for r in records) else EXIT_SOME_FAILED


def write_feed(records: list[ExtractRecord], out: IO[str], table: IO[str] | None) -> None:
    from tui.extract.feed import jsonl_line, write_csv

    for record in records:
        out.write(jsonl_line(record))
    out.flush()
    if table is not None:
        write_csv(records, table)


async def extract_headless(run_: ExtractRun, stderr: TextIO) -> list[ExtractRecord]:
    """Progress on stderr as documents land; the feed once the run ends."""
    from tui.extract.events import DocDone, ExtractDone, ExtractStarted

    done = failed = total = 0
    last = 0.0
    feed: list[ExtractRecord] = []

    def progress(event: object) -> None:
        nonlocal done, failed, total, last
        if isinstance(event, ExtractStarted):
            total = event.documents
            agents = ", ".join(f"{n} {agent}" for agent, n in sorted(event.per_agent.items()))
            stderr.write(f"fanmail: {len(run_.messages)} emails, {total} documents ({agents}), "
                         f"{event.workers} worker processes\n")
        elif isinstance(event, DocDone):
            done += 1
            failed += event.record.status != "ok"
            if time.monotonic() - last > 2.0:
                last = time.monotonic()
                stderr.write(f"fanmail: {done}/{total} documents, {failed} failed\n")
        elif isinstance(event, ExtractDone):
            flagged = sum(1 for r in event.records if r.conflicts)
            stderr.write(f"fanmail: done: {done} documents, {failed} failed, {flagged} with conflicts, "
                         f"{event.wall_s:.1f}s\n")
            feed.extend(event.records)

    try:
        await run_.run(progress)
    finally:
        run_.close()
    return feed
