"""`fanmail learned list|show|forget ID`: the rules corrections taught, and where they came from."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TextIO

from tui.review.learned import config_rules, forget, learned_rules
from tui.review.log import list_corrections
from tui.review.records import CorrectionError
from tui.settings import Settings
from tui.store import Store, StoreError, store_path


def run(args: argparse.Namespace, settings: Settings, out: TextIO = sys.stdout) -> int:
    path = store_path(settings.store)
    if not path.exists():
        raise StoreError(f"no store at {path} (no run recorded yet; pass --store PATH?)")
    with Store(path) as store:
        rules = learned_rules(store, settings)
        action = args.learned_command
        if action == "list":
            if args.json:
                for rule in [*config_rules(settings), *rules.values()]:
                    out.write(rule.model_dump_json() + "\n")
                return 0
            shown = [*config_rules(settings), *rules.values()]
            if not shown:
                out.write("no rules: correct a route or category (fanmail corrections add) to teach one\n")
            for rule in shown:
                note = f"  [{len(rule.history)} replaced]" if rule.history else ""
                out.write(rule.describe() + note + "\n")
            return 0
        rule_id = args.rule_id
        if rule_id not in rules:
            raise CorrectionError(f"no learned rule {rule_id!r} (see `fanmail learned list`)")
        if action == "forget":
            forget(store, settings, rule_id)
            sys.stderr.write(f"fanmail: forgot {rule_id}; a later correction can teach it again\n")
            return 0
        rule = rules[rule_id]
        out.write(rule.describe() + "\n")
        out.write(f"  learned {datetime.fromtimestamp(rule.learned_at):%Y-%m-%d %H:%M:%S} from: {rule.example}\n")
        taught = {c.id: c for c in list_corrections(store)}
        for cid in rule.taught_by:
            c = taught.get(cid)
            if c is not None:
                out.write(f"  correction #{c.id}: run {c.run_id} email {c.email_id}, {c.field} "
                          f"{json.dumps(c.model_value)} -> {json.dumps(c.value)} by {c.user}"
                          + (f" ({c.note})" if c.note else "") + "\n")
        for line in rule.history:
            out.write(f"  replaced: {line}\n")
        return 0
