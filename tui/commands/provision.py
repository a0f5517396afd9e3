"""`fanmail provision USERS.csv`: the command around tui/outbound/provision.py.

Prints one table row per user on stdout (progress on stderr), writes `--output` as JSONL or CSV
(by its suffix), keeps generated passwords only in `--credentials FILE` (0600). Exit 0 when every
user is `ok`, 3 when some failed (their rows are still written), 2 for bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui.cli_flags import add_setting_flags
from tui.settings import ConfigError, Settings

if TYPE_CHECKING:
    from tui.outbound.provision import ProvisionRow

# The provisioning modules (SMTP, IMAP, backends) are imported by `run`, not here: every
# command builds this sub-command's parser, and a triage run should not pay for them.

EXIT_SOME_FAILED = 3
_COLUMNS = ["row", "user", "email", "status", "mailbox", "welcome", "verified", "message_id", "error",
            "agent_id", "latency_ms"]


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("provision", help="create mailboxes from USERS.csv, send each a welcome, check it over IMAP",
                       description="One agent per user: create the mailbox (Dovecot passwd-file or an HTTP "
                       "API), send the welcome over SMTP, log in over IMAP as the user to check it arrived. "
                       "Safe to run twice.")
    p.add_argument("users", type=Path, metavar="USERS.csv", help="columns: user (required), email, name, password")
    p.add_argument("--dovecot-passwd", type=Path, metavar="FILE", help="backend: add users to this Dovecot passwd-file")
    p.add_argument("--backend-config", type=Path, metavar="FILE",
                   help="backend described in TOML (kind = \"http\" or \"dovecot-passwd\"; see README)")
    add_setting_flags(p, ["smtp", "smtp_from", "smtp_cafile", "smtp_insecure"])
    p.add_argument("--imap-server", dest="imap_server", required=True, metavar="URL", help="where users log in: imap://HOST:PORT or imaps://HOST:PORT")
    p.add_argument("--subject", help="welcome subject ($name $user $email are filled in)")
    p.add_argument("--welcome", type=Path, metavar="FILE", help="welcome text template ($name $user $email)")
    p.add_argument("--credentials", type=Path, metavar="FILE",
                   help="user,password CSV (mode 0600): generated passwords are kept here, and read back on a rerun")
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help="per-user report: .csv, else JSONL")
    p.add_argument("--verify-wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long a sent welcome may take to arrive before the user counts as failed (default 30)")
    add_setting_flags(p, ["concurrency", "agent_timeout", "store", "config", "imap_cafile", "imap_insecure"])


def run(args: argparse.Namespace, settings: Settings) -> int:
    from tui.outbound.cli_common import printable, require_smtp_password, smtp_target
    from tui.outbound.contacts import valid_address
    from tui.outbound.provision import ProvisionJob
    from tui.outbound.provision_backends import load_backend
    from tui.outbound.provision_users import assign_passwords, read_credentials, read_users, write_credentials
    from tui.outbound.provision_welcome import DEFAULT_BODY, DEFAULT_SUBJECT, ImapServer, WelcomeTemplate
    from tui.run.provision import ProvisionDone, ProvisionRun, UserDone
    from tui.store import open_run_store

    users = read_users(args.users)
    smtp = smtp_target(settings, "provision: give --smtp smtp://HOST:PORT for the welcome mail")
    require_smtp_password(smtp)
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
    finished: list[ProvisionDone] = []

    def progress(event: object) -> None:
        nonlocal done
        if isinstance(event, ProvisionDone):
            finished.append(event)
        if not isinstance(event, UserDone):
            return
        row = event.row
        done += 1
        detail = row.error or f"{row.mailbox}, welcome {row.welcome}" + (", found over IMAP" if row.verified else "")
        print(f"provision: [{done}/{len(users)}] {printable(row.user)}: {row.status} ({printable(detail)})",
              file=sys.stderr)

    job = ProvisionJob(
        backend=backend, smtp=smtp, template=WelcomeTemplate(sender=sender, subject=DEFAULT_SUBJECT if args.subject is None else args.subject,
                                                      body=body),
        imap=imap, store=store, run_id="provision-" + uuid.uuid4().hex[:12],
        fanout=settings.fanout(), verify_wait=args.verify_wait,
        smtp_cafile=settings.smtp_cafile, smtp_insecure=settings.smtp_insecure,
    )
    try:
        asyncio.run(ProvisionRun(job, users).run(progress))
        rows = finished[-1].rows
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
    print(f"provision: {len(rows) - failed} ok, {failed} failed; {finished[-1].sent} welcome mails sent", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else 0


def print_table(rows: list[ProvisionRow], out: TextIO) -> None:
    from tui.outbound.cli_common import printable

    header = ["USER", "MAILBOX", "WELCOME", "IMAP", "STATUS", "ERROR"]
    cells = [[printable(r.user), r.mailbox, r.welcome, {True: "found", False: "missing", None: "-"}[r.verified], r.status,
              printable(r.error)[:120]] for r in rows]
    widths = [max(len(header[i]), *(len(c[i]) for c in cells)) for i in range(len(header) - 1)]
    for line in [header, *cells]:
        out.write(("  ".join(v.ljust(w) for v, w in zip(line, widths)) + "  " + line[-1]).rstrip() + "\n")


def write_rows(path: Path, rows: list[ProvisionRow]) -> None:
    """`--output`: CSV when the name ends in .csv, else JSONL."""
    from tui.outbound.tables import write_csv, write_jsonl

    if path.suffix.lower() != ".csv":
        write_jsonl(path, (row.model_dump() for row in rows))
        return
    data = [row.model_dump() for row in rows]
    for item in data:
        item["verified"] = "" if item["verified"] is None else str(item["verified"]).lower()
    write_csv(path, _COLUMNS, data)
