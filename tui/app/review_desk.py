"""The dashboard's side of reviewing one run: what the keys write, what the rows show, what undo takes back.

No Textual here. The store work (tui/review: validate, commit, apply to a row) runs in a worker
thread and the desk answers only after the commit, so the screen never says "done" for a
correction a crash could lose. The desk keeps each email's row as the run decided it and the
corrections on top, so the inbox always shows `apply(model row, corrections)`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from tui.model import ResultRow
from tui.review import corrections as core
from tui.review.queue import ReviewQueue
from tui.settings import Settings
from tui.store import Store, store_path


@dataclass(frozen=True, slots=True)
class Agreement:
    """Model against operator over the reviewed emails of a run (the report screen draws it)."""

    reviewed: int
    fields: list[tuple[str, int, int]]  # (field, model agreed, reviewed emails with that field)
    confusion: dict[tuple[str, str], int]  # (model's route, operator's route) -> emails


class ReviewDesk:
    def __init__(self, settings: Settings, store: Store, run_id: str, *, user: str | None = None) -> None:
        self.settings = settings
        self.store = store
        self.run_id = run_id
        self.user = user  # None: the OS user (tui/review decides); tests and screenshots pass a name
        self.queue = ReviewQueue(settings.review_below)
        self._model: dict[str, ResultRow] = {}  # the row as the run decided it
        self._records: dict[str, list[core.Correction]] = {}
        for record in core.list_corrections(store, run_id):
            self._records.setdefault(record.email_id, []).append(record)
        self._undo: list[list[core.Correction]] = []  # this session's batches, newest last
        self._lock = asyncio.Lock()  # one write at a time, in the order the keys were pressed
        self._closed = False

    @classmethod
    def open(cls, settings: Settings, run_id: str) -> ReviewDesk | None:
        """For a live run: the desk on the store the run records into, if it has this run."""
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
        """Rows from the run (stream or store): remembered as the model's, returned corrected."""
        out = []
        for row in rows:
            self._model[row.email_id] = row
            out.append(self._shown(row.email_id))
        self.queue.update(out, reviewed=[r.email_id for r in out if self._records.get(r.email_id)])
        return out

    def _shown(self, email_id: str) -> ResultRow:
        return core.apply_corrections(self._model[email_id], self._records.get(email_id, []))

    def badge(self, row: ResultRow) -> str:
        """Who decided this row when it was not the model alone: "✎ alice" (corrected), "✓ alice" (accepted)."""
        records = self._records.get(row.email_id)
        if not records:
            return ""
        last = records[-1]
        return f"{'✓' if last.field == 'reviewed' else '✎'} {last.user}"

    def corrections(self, email_id: str) -> list[tuple[str, str]]:
        """The detail screen's lines: what changed, from what, by whom, when."""
        out = []
        for r in self._records.get(email_id, []):
            when = r.at.strftime("%Y-%m-%d %H:%M")
            what = "accepted as is" if r.field == "reviewed" else f"{r.old} → {r.new}"
            out.append((r.field if r.field != "reviewed" else "review",
                        f"{what}  (by {r.user}, {when}{'; ' + r.note if r.note else ''})"))
        return out

    def route_choices(self) -> list[tuple[str, str]]:
        return [(r.name, r.description) for r in self.settings.routes]

    # ------------------------------------------------------------------ writes
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    async def correct(self, rows: list[ResultRow], changes: dict[str, object]) -> tuple[list[ResultRow], str]:
        """One correction for every row given; all are validated before any is written."""
        field, value = next(iter(changes.items()))
        return await self._write(rows, lambda row: changes, f"{field} → {_word(value)}")

    async def step_priority(self, rows: list[ResultRow], step: int) -> tuple[list[ResultRow], str]:
        def change(row: ResultRow) -> dict[str, object]:
            return {"priority": max(0, min(100, (row.priority or 0) + step))}
        return await self._write(rows, change, f"priority {step:+d}")

    async def accept(self, rows: list[ResultRow]) -> tuple[list[ResultRow], str]:
        return await self._write(rows, lambda row: {"reviewed": True}, "accepted as is")

    async def _write(self, rows: list[ResultRow], change, what: str) -> tuple[list[ResultRow], str]:  # noqa: ANN001
        async with self._lock:
            batch = [(self._model.get(r.email_id, r), change(r)) for r in rows]
            records = await asyncio.to_thread(core.add_corrections, self.store, self.run_id, batch, user=self.user)
            for record in records:
                self._records.setdefault(record.email_id, []).append(record)
            self._undo.append(records)
            shown = [self._shown(r.email_id) for r in rows]
            self.queue.update(shown, reviewed=[r.email_id for r in shown])
        return shown, f"{what} on {_count(len(rows))}: saved (u undoes)"

    async def undo(self) -> tuple[list[ResultRow], str]:
        """Take back this session's last batch: deleted from the store, rows as before it."""
        async with self._lock:
            if not self._undo:
                raise ValueError("nothing to undo in this session")
            records = self._undo.pop()
            await asyncio.to_thread(core.delete_corrections, self.store, [r.id for r in records])
            ids = [r.id for r in records]
            emails = list(dict.fromkeys(r.email_id for r in records))
            for eid in emails:
                self._records[eid] = [r for r in self._records.get(eid, []) if r.id not in ids]
            shown = [self._shown(eid) for eid in emails if eid in self._model]
            for row in shown:
                if not self._records.get(row.email_id):
                    self.queue.unreview(row.email_id, row)
        return shown, f"undone: {records[0].field} on {_count(len(emails))}"

    # ------------------------------------------------------------------ agreement
    def agreement(self) -> Agreement:
        return core.agreement(self._model, self._records)


def _word(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _count(n: int) -> str:
    return "1 email" if n == 1 else f"{n} emails"
