"""Actions from verdicts: forward over SMTP, flag urgent mail, tag with the route, move to its folder.

Engine API (the dashboard uses the same two functions):

    actions = plan_actions(row, email, settings)            # pure: what would be done
    outcomes = await apply_actions(actions, imap=session, forwarder=fwd, store=store, run_id=...)

Safety rules, decided here by code and never by the email:
- Nothing is applied without --apply (or the operator confirming on screen): a plan is listed.
- Mail routed to review (injection-flagged or low confidence) gets a single `review` action,
  which is never applied: it stays where it is, untouched, and is listed for a human.
- Failed rows get no action. A duplicate delivery is filed like its original but not forwarded.
- Every applied action is recorded in the store under its key (mailbox + UIDVALIDITY + UID +
  action), so running the same --apply twice does nothing the second time.
- Per email the order is forward, flag, keyword, move, each recorded as soon as it succeeded.
  The move comes last (afterwards the UID is gone) and only when every earlier step of that email
  succeeded, so a crash or a lost server leaves the email in the inbox for a later run to finish.
  A move the server itself left half done (copied, not expunged) is finished without a second
  copy (tui/mail/moves.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from tui.mail import ledger
from tui.mail.imap_client import ImapSession
from tui.mail.action_types import Action, ActionOutcome
from tui.mail.imap_target import ImapError, parse_source_ref
from tui.mail.moves import move_group
from tui.mail.smtp import Forwarder, SmtpError
from tui.model import Email, ResultRow

URGENT_FLAG = "\\Flagged"
_ATOM_BAD = re.compile(r"[^A-Za-z0-9_.-]")


def route_keyword(route: str) -> str:
    return "$fanmail_" + (_ATOM_BAD.sub("_", route) or "route")


def _review_reason(row: ResultRow) -> str:
    if row.injection or "injection" in row.flags:
        return "suspected prompt injection" + (f": {row.injection_reason}" if row.injection_reason else "")
    if "low-confidence" in row.flags and row.confidence is not None:
        return f"low confidence {row.confidence:.2f}"
    return "routed to review"


def plan_actions(row: ResultRow, email: Email, settings: Any) -> list[Action]:
    """What the verdict asks for this email. Only IMAP emails have actions; failed rows have none."""
    ref = parse_source_ref(email.source_ref)
    if ref is None or row.status not in ("ok", "duplicate"):
        return []
    subject = email.subject
    route_name = row.route or "review"
    routes = {r.name: r for r in settings.routes}
    route = routes.get(route_name)
    if row.review or row.injection or route_name == "review" or route is None:
        return [Action("review", row.email_id, _review_reason(row), "review", ref, subject)]
    out: list[Action] = []
    if route.forward_to and row.status == "ok":  # a duplicate delivery is not forwarded twice
        out.append(Action("forward", row.email_id, route.forward_to, route.name, ref, subject))
    if row.urgent:
        out.append(Action("flag", row.email_id, URGENT_FLAG, route.name, ref, subject))
    out.append(Action("keyword", row.email_id, route_keyword(route.name), route.name, ref, subject))
    if route.folder and route.folder.strip("/").upper() != ref.folder.upper() and route.folder.upper() != "INBOX":
        out.append(Action("move", row.email_id, route.folder, route.name, ref, subject))
    return out


# ---------------------------------------------------------------- applying


def _forward_note(action: Action, row_summary: str | None) -> str:
    lines = [f"fanmail forwarded this message (route: {action.route}).", "",
             f"Subject: {action.subject or '(no subject)'}"]
    if row_summary:
        lines.append(f"Summary (model): {row_summary}")
    lines += ["", "The original message is attached unchanged."]
    return "\n".join(lines) + "\n"


async def apply_actions(
    actions: Iterable[Action],
    *,
    imap: ImapSession,
    forwarder: Forwarder | None,
    store: Any,
    run_id: str,
    summaries: dict[str, str] | None = None,
) -> list[ActionOutcome]:
    """Apply the actions of any number of emails of one folder (`imap` has it selected for writing).

    Commands are batched by kind (one UID STORE per flag, one UID MOVE per folder). A lost IMAP
    connection ends the batch: whatever was not done is reported `failed` and stays undone in the
    mailbox (the next run finishes it). Never raises for mail problems; outcomes say what happened.
    """
    todo = [a for a in actions]
    outcomes: dict[Action, ActionOutcome] = {}
    for a in todo:
        if not a.appliable:
            outcomes[a] = ActionOutcome(a, "review")
    work = [a for a in todo if a.appliable]
    done_before = await ledger.applied_keys(store, work)
    for a in work:
        if a.key in done_before:
            outcomes[a] = ActionOutcome(a, "already", "applied by an earlier run")
    pending = [a for a in work if a not in outcomes]
    blocked: set[str] = set()  # emails with a step that did not succeed: never moved
    fatal: str | None = None

    def fail(items: Iterable[Action], note: str) -> None:
        for a in items:
            outcomes[a] = ActionOutcome(a, "failed", note)
            blocked.add(a.email_id)

    by_kind: dict[str, list[Action]] = defaultdict(list)
    for a in pending:
        by_kind[a.kind].append(a)

    # 1. forwards: fetch the originals (BODY.PEEK, nothing marked read), send, record each
    forwards = by_kind.get("forward", [])
    if forwards:
        if forwarder is None:
            for a in forwards:
                outcomes[a] = ActionOutcome(a, "skipped", "no --smtp server configured; left in the inbox")
                blocked.add(a.email_id)
        else:
            try:
                raws = await imap.fetch_raw(a.ref.uid for a in forwards)
            except ImapError as exc:
                fatal = str(exc)
                fail(forwards, fatal)
                raws = {}
            for a in forwards if fatal is None else []:
                raw = raws.get(a.ref.uid)
                if raw is None:
                    fail([a], "message no longer in the folder")
                    continue
                try:
                    await forwarder.forward(raw, a.detail, subject=a.subject,
                                            note=_forward_note(a, (summaries or {}).get(a.email_id)))
                except SmtpError as exc:
                    fail([a], str(exc))
                    continue
                outcomes[a] = ActionOutcome(a, "applied")
                await ledger.record(store, run_id, [a])

    async def by_detail(items: list[Action], apply_group: Callable[[str, list[Action]], Awaitable[None]]) -> None:
        """One command per distinct detail (flag, folder); the first lost connection fails the rest."""
        nonlocal fatal
        groups: dict[str, list[Action]] = defaultdict(list)
        for a in items:
            groups[a.detail].append(a)
        for detail, group in groups.items():
            if fatal is not None:
                fail(group, fatal)
                continue
            try:
                await apply_group(detail, group)
            except ImapError as exc:
                fatal = str(exc)
                fail(group, fatal)
                continue
            for a in group:
                outcomes[a] = ActionOutcome(a, "applied")

    async def store_flag(flag: str, group: list[Action]) -> None:
        await imap.store((a.ref.uid for a in group), flag)
        await ledger.record(store, run_id, group)

    # 2./3. flags and keywords, one UID STORE per distinct flag
    for kind in ("flag", "keyword"):
        items = [a for a in by_kind.get(kind, []) if a.email_id not in blocked]
        if kind == "keyword" and items and imap.mailbox is not None and not imap.mailbox.keywords_allowed:
            for a in items:
                outcomes[a] = ActionOutcome(a, "skipped", "the server does not allow keywords in this folder")
            continue
        await by_detail(items, store_flag)

    # 4. moves, last, one UID MOVE per folder, only for emails whose earlier steps all succeeded
    moves = by_kind.get("move", [])
    for a in moves:
        if a.email_id in blocked and a not in outcomes:
            outcomes[a] = ActionOutcome(a, "skipped", "an earlier step failed; left in the inbox")
    await by_detail([a for a in moves if a not in outcomes],
                    lambda folder, group: move_group(imap, group, folder, store, run_id))
    for a in todo:  # steps after a failed one are not attempted
        if a not in outcomes:
            outcomes[a] = ActionOutcome(a, "failed" if fatal else "skipped",
                                        f"not attempted: {fatal}" if fatal else "an earlier step failed")
    return [outcomes[a] for a in todo]
