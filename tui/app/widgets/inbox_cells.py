"""What one inbox row looks like as text: sort keys, column layout, safe cell strings.

Kept free of widget state so the table can cache per row and tests can check the pieces alone.
Mail is untrusted: every cell goes through `visible()`, so control characters (ANSI escapes,
bidi overrides) are shown as symbols and never reach the terminal, and nothing is parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from rich.cells import cell_len, set_cell_size

from tui.fanout.merge import rank_key
from tui.model import ResultRow

SortKey = tuple[object, ...]  # always ends with the email id: unique, so equality means "same email"

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_STATUS_RANK = {"failed": 0, "timeout": 1, "ok": 2, "duplicate": 3}


def _newest_first(row: ResultRow) -> float:
    return -((row.date or _EPOCH).timestamp())


SORT_KEYS: dict[str, Callable[[ResultRow], SortKey]] = {
    "priority": rank_key,
    "date": lambda r: (_newest_first(r), r.email_id),
    "sender": lambda r: (r.sender.casefold(), *rank_key(r)),
    "status": lambda r: (_STATUS_RANK.get(r.status, 9), 0 if r.review else 1, *rank_key(r)),
}

# C0 controls -> the "Control Pictures" block (ESC -> ␛), DEL -> ␡, C1 controls and the
# bidi/override marks (which can reorder what the operator reads) -> U+FFFD.
_VISIBLE = {c: 0x2400 + c for c in range(0x20)}
_VISIBLE[0x7F] = 0x2421
_VISIBLE.update({c: 0xFFFD for c in range(0x80, 0xA0)})
_VISIBLE.update({c: 0xFFFD for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def visible(text: str) -> str:
    """Make untrusted text safe to paint: nothing in it can move the cursor or change colours."""
    return text.translate(_VISIBLE)


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or cut to exactly `width` cells (wide characters counted), with … when cut."""
    n = cell_len(text)
    if n > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    pad = " " * (width - n)
    return pad + text if right else text + pad


def haystack(row: ResultRow) -> str:
    """What the filter searches, folded once per row rather than once per keystroke."""
    return "\0".join((row.subject, row.sender, row.route or "", row.category or "", row.status,
                      row.conflict or "")).casefold()


def marker(row: ResultRow) -> str:
    if row.status == "failed":
        return "✗"
    if row.status == "timeout":
        return "◷"
    if row.status == "duplicate":
        return "="
    if row.review:
        return "?"
    return "!" if row.urgent else " "


def _subject(row: ResultRow) -> str:
    said = "; ".join(x for x in (row.error, row.conflict) if x)
    return f"{row.subject} — {said}" if said else row.subject


# name -> (title, cell text, right aligned)
COLUMNS: dict[str, tuple[str, Callable[[ResultRow], str], bool]] = {
    "mark": ("", marker, False),
    "priority": ("Pri", lambda r: "" if r.priority is None else str(r.priority), True),
    "route": ("Route", lambda r: r.route or r.status, False),
    "action": ("Action", lambda r: "", False),  # IMAP runs: the planned action or its outcome (see cells)
    "category": ("Category", lambda r: r.category or "", False),
    "confidence": ("Conf", lambda r: "" if r.confidence is None else f"{round(r.confidence * 100)}%", True),
    "injection": ("⚠", lambda r: "⚠" if r.injection else "", False),
    "sender": ("From", lambda r: r.sender, False),
    "subject": ("Subject", _subject, False),
    "agent": ("Agent", lambda r: r.agent_id, False),
}
_ORDER = ("mark", "priority", "route", "action", "category", "confidence", "injection", "sender", "subject", "agent")
_DROP_FIRST = ("agent", "category", "confidence", "route", "sender", "action", "priority")  # when narrow
MIN_SUBJECT = 12

Layout = tuple[tuple[str, int], ...]


def layout(width: int, *, actions: bool = False) -> Layout:
    """Column widths for a table `width` cells wide: the subject gets whatever is left. The Action
    column is there only with `actions` (IMAP runs)."""
    widths = {"mark": 1, "priority": 3, "route": 12, "action": 22, "category": 12, "confidence": 4, "injection": 1,
              "sender": max(12, min(28, width // 6)), "agent": 8}
    dropped: set[str] = set() if actions else {"action"}

    def rest() -> int:
        shown = [c for c in _ORDER if c not in dropped]
        return width - sum(widths.get(c, 0) for c in shown) - (len(shown) - 1)

    for name in _DROP_FIRST:
        if rest() >= MIN_SUBJECT:
            break
        dropped.add(name)
    widths["subject"] = max(1, rest())
    return tuple((c, widths[c]) for c in _ORDER if c not in dropped)


def header_text(cols: Layout) -> str:
    return " ".join(fit(COLUMNS[c][0], w, COLUMNS[c][2]) for c, w in cols)


def cells(row: ResultRow, cols: Layout, action: str = "", badge: str = "", marked: bool = False) -> list[tuple[str, str]]:
    """(column name, exact-width safe text) per column; `action` fills the Action column, `badge`
    (who corrected the row) goes before the subject and turns the mark into ✎; a row marked for
    a bulk correction shows ●."""
    out = []
    for c, w in cols:
        if c == "action":
            text = action
        elif c == "mark" and marked:
            text = "●"
        elif c == "mark" and badge and row.status == "ok":
            text = "✎"
        elif c == "subject" and badge:
            text = f"{badge} · {_subject(row)}"
        else:
            text = COLUMNS[c][1](row)
        out.append((c, fit(visible(text), w, COLUMNS[c][2])))
    return out
