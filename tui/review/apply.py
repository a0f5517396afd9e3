"""Fold an email's corrections into its stored row: the corrected row and its `review` object.

Pure (no store, no Textual): the dashboard repaints a row with it, the JSONL export and the
report use it, and the re-planned IMAP actions follow from the row it returns
(`tui.mail.actions.plan_actions`). The newest correction of a field wins; undone ones are ignored.

Safety stays with code: injection mail is held for review (`row.review`) whatever route the
operator gives it, until the operator clears the injection flag itself; clearing it files the
email where the model proposed before the guard stepped in (or where the operator routes it).
A route correction on mail held only for low confidence makes it actionable: a human decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tui.model import ResultRow, Review
from tui.review.records import VALUE_FIELDS, Correction


def _proposed(flags: list[str]) -> str | None:
    for flag in flags:
        if flag.startswith("proposed:"):
            return flag.partition(":")[2] or None
    return None


def apply_corrections(row: ResultRow, corrections: Iterable[Correction]) -> ResultRow:
    """The row as the operator left it. Without live corrections the row comes back unchanged."""
    live = sorted((c for c in corrections if not c.undone and c.email_id == row.email_id),
                  key=lambda c: (c.at, c.id or 0))
    if not live:
        return row
    latest: dict[str, Any] = {}
    for c in live:
        if c.field in VALUE_FIELDS:
            latest[c.field] = c.value
    base = row.decision or Review()
    update: dict[str, Any] = {}
    corrected: dict[str, Any] = {}
    for field, value in latest.items():
        if getattr(row, field) != value:
            corrected[field] = getattr(row, field)
            update[field] = value
    flags = list(row.flags)
    injection = latest.get("injection", row.injection)
    if "injection" in corrected and not injection:  # cleared: the only way injection mail is filed
        flags = [f for f in flags if f != "injection"]
        if "route" not in latest and row.route == "review":
            update["route"] = _proposed(row.flags) or "review"
        update["injection_reason"] = ""
    elif "injection" in corrected and injection:  # marked: held, like the guard's own flag
        flags.append("injection")
        if "route" not in latest and row.route and row.route != "review":
            flags.append(f"proposed:{row.route}")
            update["route"] = "review"
        update["injection_reason"] = "marked by the operator"
    route = update.get("route", row.route)
    update["review"] = bool(injection) or route == "review"
    update["flags"] = flags
    notes = [c.note for c in live if c.note]
    update["decision"] = base.model_copy(update={
        "reviewed": True,
        "decided_by": "operator" if corrected else base.decided_by,
        "corrected": corrected,
        "by": live[-1].user,
        "at": live[-1].at,
        "corrections": [c.id for c in live if c.id is not None],
        "note": notes[-1] if notes else "",
    })
    return row.model_copy(update=update)


def is_reviewed(row: ResultRow) -> bool:
    return row.decision is not None and row.decision.reviewed
