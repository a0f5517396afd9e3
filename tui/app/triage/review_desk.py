"""The dashboard's side of reviewing one run: what the keys write, what the rows show, what undo takes back.

No Textual here. Every write goes through the corrections log (tui/review/log.py: validate,
then commit) in a worker thread, and the desk answers only after the commit, so the screen
never says "saved" for a correction a crash could lose. The desk keeps each email's row as the
run decided it, and the inbox shows `apply_corrections(that row, its corrections)`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.model import ResultRow
from tui.review.agreement import Agreement, agreement
from tui.review.apply import apply_corrections
from tui.review.log import CorrectionLog, corrections_by_email
from tui.review.queue import ReviewQueue
from tui.review.records import Correction
from tui.settings import Settings
from tui.store import Store, store_path


def badge(row: ResultRow) -> str:
    """Who decided a row when it was not the model alone: "✎ alice" (corrected), "✓ alice"
    (accepted as is), "⚙ L3" (a learned rule). Empty for the model's own verdicts."""
    d = row.decision
    if d is None:
        return ""
    if d.decided_by == "operator":
        return f"✎ {d.by}"
    if d.reviewed:
        return f"✓ {d.by}"
    if d.decided_by == "learned rule" and d.rule:
        return f"⚙ {d.rule}"
    return ""


class ReviewDesk:
    def __init__(self, settings: Settings, store: Store, run_id: str, *, user: str | None = None) -> None:
        self.settings = settings
        self.store = store
        self.run_id = run_id
        self.log = CorrectionLog(store, settings, user=user)  # user None: the OS user
        self.queue = ReviewQueue(settings.review_below)
        self._model: dict[str, ResultRow] = {}  # the row as the run decided it
        self._records: dict[str, list[Correction]] = corrections_by_email(store, run_id)
        self._undo: list[int] = []  # per operator action of this session: how many log groups it wrote
        self._lock = asyncio.Lock()  # one write at a time, in the order the keys were pressed
        self._closed = False

    @classmethod
    def open(cls, settings: Settings, run_id: str) -> ReviewDesk | None:
        """For a live run: the desk on the store the run records into, if that store has the run."""
        path = store_path(settings.store)
        if str(path) == ":memory:" or not Path(path).exists():
            return None
        store = Store(path)
        if store.get_run(run_id) is None:
            store.close()
            return None
        return cls(settings, store, run_id)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.store.close()

    # ------------------------------------------------------------------ rows
    def see(self, rows: list[ResultRow]) -> list[ResultRow]:
        """Rows from the run (stream or store): remembered as the run's, returned corrected."""
        for row in rows:
            self._model[row.email_id] = row
        shown = [self._shown(row.email_id) for row in rows]
        self.queue.update(shown)
        return shown

    def _shown(self, email_id: str) -> ResultRow:
        return apply_corrections(self._model[email_id], self._records.get(email_id, []))

    badge = staticmethod(badge)

    def corrections(self, email_id: str) -> list[tuple[str, str]]:
        """The detail screen's lines: what changed, from what, by whom, when."""
        out = []
        for r in self._records.get(email_id, []):
            when = datetime.fromtimestamp(r.at).strftime("%Y-%m-%d %H:%M")
            what = "accepted as is" if r.field == "accept" else f"{_word(r.model_value)} → {_word(r.value)}"
            note = f"; {r.note}" if r.note else ""
            out.append(("review" if r.field == "accept" else r.field, f"{what}  (by {r.user}, {when}{note})"))
        return out

    def route_choices(self) -> list[tuple[str, str]]:
        return [(r.name, r.description) for r in self.settings.routes]

    def agreement(self) -> Agreement:
        return agreement(self._shown(eid) for eid in self._model)

    # ------------------------------------------------------------------ writes
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    async def correct(self, rows: list[ResultRow], changes: dict[str, Any]) -> tuple[list[ResultRow], str]:
        """One correction for every row given, as one operator action (one undo step)."""
        what = ", ".join(f"{field} → {_word(value)}" for field, value in changes.items())
        return await self._write(rows, [([r.email_id for r in rows], changes)], what)

    async def step_priority(self, rows: list[ResultRow], step: int) -> tuple[list[ResultRow], str]:
        """Each row's priority moved by `step` within 0-100: one log action per resulting value."""
        by_value: dict[int, list[str]] = {}
        for row in rows:
            by_value.setdefault(max(0, min(100, (row.priority or 0) + step)), []).append(row.email_id)
        return await self._write(rows, [(ids, {"priority": v}) for v, ids in by_value.items()], f"priority {step:+d}")

    async def accept(self, rows: list[ResultRow]) -> tuple[list[ResultRow], str]:
        return await self._write(rows, [([r.email_id for r in rows], {"accept": None})], "accepted as is")

    async def _write(self, rows: list[ResultRow], writes: list[tuple[list[str], dict[str, Any]]],
                     what: str) -> tuple[list[ResultRow], str]:
        async with self._lock:
            def commit() -> list[Correction]:
                return [r for ids, changes in writes for r in self.log.add(self.run_id, ids, changes)]

            records = await asyncio.to_thread(commit)  # CorrectionError (a ValueError): nothing written
            self._undo.append(len(writes))
            for record in records:
                self._records.setdefault(record.email_id, []).append(record)
            shown = [self._shown(r.email_id) for r in rows if r.email_id in self._model]
            self.queue.update(shown)
        return shown, f"{what} on {_count(len(rows))}: saved (u undoes)"

    async def undo(self) -> tuple[list[ResultRow], str]:
        """Take back this session's last action: marked undone in the store, rows as before it."""
        async with self._lock:
            if not self._undo:
                raise ValueError("nothing to undo in this session")
            undone = await asyncio.to_thread(self.log.undo, self._undo.pop())
            ids = {r.id for r in undone}
            emails = list(dict.fromkeys(r.email_id for r in undone))
            for eid in emails:
                self._records[eid] = [r for r in self._records.get(eid, []) if r.id not in ids]
            shown = [self._shown(eid) for eid in emails if eid in self._model]
            self.queue.update(shown)
        fields = ", ".join(sorted({r.field for r in undone})) or "nothing"
        return shown, f"undone: {fields} on {_count(len(emails))}"


def _word(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None else str(value)


def _count(n: int) -> str:
    return "1 email" if n == 1 else f"{n} emails"
