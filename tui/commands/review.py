"""`fanmail corrections ...`, `fanmail learned ...` and `fanmail review RUN_ID`: the review desk
for scripts. Every bad input is one line on stderr and exit 2, with nothing written."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from tui.review.log import CorrectionLog, corrected_rows, list_corrections
from tui.review.records import Correction, CorrectionError, parse_changes
from tui.settings import Settings
from tui.store import Store, StoreError, store_path

COMMANDS = ("corrections", "learned", "review")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", dest="store", default=argparse.SUPPRESS,
                        help="SQLite store (default: user data dir fanmail.db)")
    parser.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="fanmail.toml to read")


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    corrections = sub.add_parser("corrections", help="correct verdicts of a stored run, list, export, import")
    csub = corrections.add_subparsers(dest="corrections_command", metavar="ACTION", required=True)
    add = csub.add_parser("add", help="correct one email (or several: E1,E2): FIELD=VALUE ... or accept")
    add.add_argument("run_id", metavar="RUN_ID", help="a run id (or a unique prefix, or 'last')")
    add.add_argument("email_id", metavar="EMAIL_ID", help="the email (comma-separated for several)")
    add.add_argument("changes", metavar="FIELD=VALUE", nargs="+",
                     help="route=NAME category=NAME urgent=true|false priority=0-100 injection=true|false, or accept")
    add.add_argument("--note", default="", help="why (kept with the correction)")
    lst = csub.add_parser("list", help="corrections recorded (of one run, or all)")
    lst.add_argument("run_id", metavar="RUN_ID", nargs="?")
    lst.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    lst.add_argument("--all", action="store_true", help="include undone corrections")
    exp = csub.add_parser("export", help="write every correction as JSONL")
    exp.add_argument("file", type=Path, metavar="FILE")
    imp = csub.add_parser("import", help="read corrections from a JSONL export (all lines checked first)")
    imp.add_argument("file", type=Path, metavar="FILE")
    for command in (add, lst, exp, imp):
        _common(command)

    learned = sub.add_parser("learned", help="rules learned from corrections: list, show, forget")
    lsub = learned.add_subparsers(dest="learned_command", metavar="ACTION", required=True)
    llist = lsub.add_parser("list", help="the learned rules and what taught them")
    llist.add_argument("--json", action="store_true")
    show = lsub.add_parser("show", help="one rule with its provenance")
    show.add_argument("rule_id", metavar="ID")
    forget = lsub.add_parser("forget", help="stop using a rule (a later correction can teach it again)")
    forget.add_argument("rule_id", metavar="ID")
    for command in (llist, show, forget):
        _common(command)

    review = sub.add_parser("review", help="review a stored run in the dashboard (no model calls), "
                            "or --headless -o FILE to export its corrected rows")
    review.add_argument("run_id", metavar="RUN_ID", help="a run id (or a unique prefix, or 'last')")
    review.add_argument("--headless", action="store_true", help="no dashboard: the corrected rows as JSONL")
    review.add_argument("--output", "-o", help="JSONL file for --headless (default: stdout)")
    _common(review)


def _open(settings: Settings, *, create: bool = False) -> Store:
    path = store_path(settings.store)
    if not create and not path.exists():
        raise StoreError(f"no store at {path} (no run recorded yet; pass --store PATH?)")
    return Store(path)


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _show(value: object) -> str:
    return "-" if value is None else json.dumps(value) if isinstance(value, bool) else str(value)


def run(args: argparse.Namespace, settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    if args.command == "review":
        return _review(args, settings, out)
    if args.command == "learned":
        from tui.commands import learned as learned_cli

        return learned_cli.run(args, settings, out)
    action = args.corrections_command
    with _open(settings, create=action == "import") as store:
        log = CorrectionLog(store, settings)
        if action == "add":
            changes = parse_changes(args.changes, settings.route_names)
            ids = [e for e in args.email_id.split(",") if e]
            records = log.add(args.run_id, ids, changes, note=args.note)
            err.write(f"fanmail: recorded {len(records)} correction{'s' * (len(records) != 1)} "
                      f"(#{records[0].id}{f'-#{records[-1].id}' if len(records) > 1 else ''}) in run {records[0].run_id}\n")
            for line in _learning_lines(store, settings, records):
                err.write(f"fanmail: {line}\n")
            return 0
        if action == "list":
            run_id = log.resolve_run(args.run_id) if args.run_id else None
            records = list_corrections(store, run_id, include_undone=args.all)
            if args.json:
                for rec in records:
                    out.write(rec.model_dump_json() + "\n")
            else:
                _table(records, out)
            return 0
        if action == "export":
            n = log.export(args.file)
            err.write(f"fanmail: {n} corrections written to {args.file}\n")
            return 0
        try:
            added, skipped = log.import_(args.file)
        except FileNotFoundError:
            raise CorrectionError(f"no file {args.file}") from None
        err.write(f"fanmail: {added} corrections imported, {skipped} already in the store\n")
        return 0


def _learning_lines(store: Store, settings: Settings, records: list[Correction]) -> list[str]:
    """What the new corrections taught (or replaced), for the operator to see at once."""
    try:
        from tui.review.learned import taught_by
    except ImportError:
        return []
    return taught_by(store, settings, records)


def _table(records: list[Correction], out: TextIO) -> None:
    if not records:
        out.write("no corrections\n")
        return
    out.write(f"{'ID':>5}  {'WHEN':<19}  {'RUN':<12}  {'EMAIL':<14}  {'FIELD':<9}  {'MODEL':<12}  {'NOW':<12}  "
              f"{'BY':<10}  NOTE\n")
    for r in records:
        now = "accepted" if r.field == "accept" else _show(r.value)
        out.write(f"{r.id:>5}  {_when(r.at):<19}  {r.run_id[:12]:<12}  {r.email_id[:14]:<14}  {r.field:<9}  "
                  f"{_show(r.model_value)[:12]:<12}  {now[:12]:<12}  {r.user[:10]:<10}  "
                  f"{'(undone) ' if r.undone else ''}{r.note}\n")


def _review(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if not args.headless:
        if args.output:
            raise CorrectionError("review: --output is for --headless (the dashboard shows the run)")
        from tui.app.triage.review_app import run_review

        return run_review(settings, args.run_id)
    with _open(settings) as store:
        run = store.find_run(args.run_id)
        if run is None:
            raise CorrectionError(f"no run {args.run_id!r} in the store {store.path}")
        rows = corrected_rows(store, run.run_id)
        order = [e for e in store.email_ids(run.run_id) if e in rows] + sorted(set(rows) - set(store.email_ids(run.run_id)))
        target = sys.stdout if args.output in (None, "-") else Path(args.output).open("w", encoding="utf-8")
        try:
            for email_id in order:
                target.write(rows[email_id].jsonl())
        finally:
            if target is not sys.stdout:
                target.close()
        reviewed = sum(1 for r in rows.values() if r.decision is not None and r.decision.reviewed)
        sys.stderr.write(f"fanmail: run {run.run_id}: {len(order)} rows, {reviewed} reviewed\n")
    return 0
