"""`fanmail provision USERS.csv`: the command around tui/outbound/provision.py.

Prints one table row per user on stdout (progress on stderr), writes `--output` as JSONL or CSV
(by its suffix), keeps generated passwords only in `--credentials FILE` (0600). Exit 0 when every
user is `ok`, 3 when some failed (their rows are still written), 2 for bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import re
import sys
import uuid
from pathlib import Path
from typing import TextIO

from tui.mail.smtp import PASSWORD_ENV as SMTP_PASSWORD_ENV
from tui.mail.smtp import parse_smtp_url
from tui.outbound.contacts import valid_address
from tui.outbound.provision import ProvisionJob, ProvisionRow, provision_all
from tui.outbound.provision_backends import load_backend
from tui.outbound.provision_users import assign_passwords, read_credentials, read_users, write_credentials
from tui.outbound.provision_welcome import DEFAULT_BODY, DEFAULT_SUBJECT, ImapServer, WelcomeTemplate
from tui.settings import ConfigError, Settings
from tui.store import open_run_store

EXIT_SOME_FAILED = 3
_COLUMNS = ["row", "user", "email", "status", "mailbox", "welcome", "verified", "message_id", "error",
            "agent_id", "latency_ms"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("provision", help="create mailboxes from USERS.csv, send each a welcome, check it over IMAP",
                       description="One agent per user: create the mailbox (Dovecot passwd-file or an HTTP "
                       "API), send the welcome over SMTP, log in over IMAP as the user to check it arrived. "
                       "Safe to run twice.")
    p.add_argument("users", type=Path, metavar="USERS.csv", help="columns: user (required), email, name, password")
    p.add_argument("--dovecot-passwd", type=Path, metavar="FILE", help="backend: add users to this Dovecot passwd-file")
    p.add_argument("--backend-config", type=Path, metavar="FILE",
                   help="backend described in TOML (kind = \"http\" or \"dovecot-passwd\"; see README)")
    p.add_argument("--smtp", dest="smtp", default=argparse.SUPPRESS,
                   help="SMTP server for the welcome: smtp://[USER@]HOST:PORT (STARTTLS) or smtps://")
    p.add_argument("--from", dest="smtp_from", default=argparse.SUPPRESS, metavar="ADDRESS",
                   help="sender of the welcome mail")
    p.add_argument("--imap-server", dest="imap_server", required=True, metavar="URL", help="where users log in: imap://HOST:PORT or imaps://HOST:PORT")
    p.add_argument("--subject", default=DEFAULT_SUBJECT, help="welcome subject ($name $user $email are filled in)")
    p.add_argument("--welcome", type=Path, metavar="FILE", help="welcome text template ($name $user $email)")
    p.add_argument("--credentials", type=Path, metavar="FILE",
                   help="user,password CSV (mode 0600): generated passwords are kept here, and read back on a rerun")
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help="per-user report: .csv, else JSONL")
    p.add_argument("--verify-wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long a sent welcome may take to arrive before the user counts as failed (default 30)")
    p.add_argument("--concurrency", dest="concurrency", type=int, default=argparse.SUPPRESS,
                   help="users provisioned at once (default 20)")
    p.add_argument("--agent-timeout", dest="agent_timeout", type=float, default=argparse.SUPPRESS,
                   help="seconds per user, all steps (default 60 + --verify-wait)")
    p.add_argument("--store", dest="store", default=argparse.SUPPRESS,
                   help="SQLite store whose action ledger records sent welcomes")
    p.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="fanmail.toml to read")
    p.add_argument("--imap-cafile", dest="imap_cafile", default=argparse.SUPPRESS, help="IMAP: extra trusted CA file")
    p.add_argument("--imap-insecure", dest="imap_insecure", action="store_true", default=argparse.SUPPRESS,
                   help="imap:// without STARTTLS (a local test server only)")
    p.add_argument("--smtp-cafile", dest="smtp_cafile", default=argparse.SUPPRESS, help="SMTP: extra trusted CA file")
    p.add_argument("--smtp-insecure", dest="smtp_insecure", action="store_true", default=argparse.SUPPRESS,
                   help="smtp:// without STARTTLS (a local test server only)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    users = read_users(args.users)
    if not settings.smtp:
        raise ConfigError("provision: give --smtp smtp://HOST:PORT for the welcome mail")
    try:
        smtp = parse_smtp_url(settings.smtp)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if smtp.user and not os.environ.get(SMTP_PASSWORD_ENV):
        raise ConfigError(f"--smtp names user {smtp.user}: set {SMTP_PASSWORD_ENV} to its password")
    sender = (settings.smtp_from or "").strip()
    if not valid_address(sender):
        raise ConfigError("provision: give --from ADDRESS (one plain address) as the welcome's sender")
    if not args.verify_wait >= 0:
        raise ConfigError("--verify-wait must be 0 or more seconds")
    imap = ImapServer.parse(args.imap_server, cafile=settings.imap_cafile, insecure=settings.imap_insecure)
    body = DEFAULT_BODY
    if args.welcome is not None:
        try:
            body = args.welcome.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read welcome template {args.welcome}: {getattr(exc, 'strerror', None) or 'not UTF-8'}") from None

    known = read_credentials(args.credentials) if args.credentials else {}
    assign_passwords(users, known)
    generated = {u.user: u.password.get_secret_value() for u in users if u.generated}
    if generated and args.credentials is None:
        raise ConfigError(f"{len(generated)} users have no password in the CSV: pass --credentials FILE to keep "
                          "the generated ones (they are never printed)")
    backend = load_backend(args.backend_config, args.dovecot_passwd)
    if args.credentials is not None and generated:
        write_credentials(args.credentials, {**known, **generated})  # before any mailbox has them

    store = open_run_store(settings.store, needed=False,
                           warn=lambda msg: print(f"fanmail: warning: {msg}", file=sys.stderr))
    done = 0

    def progress(row: ProvisionRow) -> None:
        nonlocal done
        done += 1
        detail = row.error or f"{row.mailbox}, welcome {row.welcome}" + (", found over IMAP" if row.verified else "")
        print(f"provision: [{done}/{len(users)}] {row.user}: {row.status} ({_clean(detail)})", file=sys.stderr)

    job = ProvisionJob(
        backend=backend, smtp=smtp, template=WelcomeTemplate(sender=sender, subject=args.subject, body=body),
        imap=imap, store=store, run_id="provision-" + uuid.uuid4().hex[:12],
        concurrency=settings.concurrency, verify_wait=args.verify_wait,
        agent_timeout=settings.agent_timeout or 60.0 + args.verify_wait,
        smtp_cafile=settings.smtp_cafile, smtp_insecure=settings.smtp_insecure, on_row=progress,
    )

    async def go() -> list[ProvisionRow]:
        try:
            return await provision_all(job, users)
        finally:
            await backend.close()

    try:
        rows = asyncio.run(go())
    finally:
        if store is not None:
            store.close()
    if args.credentials is not None and generated:
        stale = {r.user for r in rows if r.mailbox == "exists" and r.user in generated}
        if stale:  # those mailboxes kept their own password: a generated one would be wrong
            write_credentials(args.credentials, {u: p for u, p in {**known, **generated}.items() if u not in stale})
    print_table(rows, sys.stdout)
    if args.output is not None:
        write_rows(args.output, rows)
    failed = sum(r.status == "failed" for r in rows)
    print(f"provision: {len(rows) - failed} ok, {failed} failed; {job.sent} welcome mails sent", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else 0


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def print_table(rows: list[ProvisionRow], out: TextIO) -> None:
    header = ["USER", "MAILBOX", "WELCOME", "IMAP", "STATUS", "ERROR"]
    cells = [[r.user, r.mailbox, r.welcome, {True: "found", False: "missing", None: "-"}[r.verified], r.status,
              _clean(r.error)[:120]] for r in rows]
    widths = [max(len(header[i]), *(len(c[i]) for c in cells)) for i in range(len(header) - 1)]
    for line in [header, *cells]:
        out.write(("  ".join(v.ljust(w) for v, w in zip(line, widths)) + "  " + line[-1]).rstrip() + "\n")


def write_rows(path: Path, rows: list[ProvisionRow]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        if path.suffix.lower() == ".csv":
            writer = csv.DictWriter(handle, fieldnames=_COLUMNS)
            writer.writeheader()
            for row in rows:
                data = row.model_dump()
                data["verified"] = "" if data["verified"] is None else str(data["verified"]).lower()
                writer.writerow(data)
        else:
            for row in rows:
                handle.write(json.dumps(row.model_dump()) + "\n")
