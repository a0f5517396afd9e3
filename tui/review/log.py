"""The corrections table: add (committed before returning), list, undo, export and import.

    log = CorrectionLog(store, settings)                   # one per process: its session
    records = log.add(run_id, ["e1", "e2"], {"route": "sales", "urgent": False}, note="")
    log.undo()                                             # the last action of this session
    rows = corrected_rows(store, run_id)                   # stored rows with corrections folded in

`add` validates everything first (run, every email, every field and value against the
configured routes and categories) and raises CorrectionError with one line before writing
anything; then one transaction commits all records, so a SIGKILL right after it returns loses
nothing (WAL, synchronous=NORMAL). Undo never deletes: it marks the records undone.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tui.model import ResultRow
from tui.review.records import Correction, CorrectionError, model_value, os_user, parse_value
from tui.settings import Settings
from tui.store import Store

_COLUMNS = ("id, run_id, email_id, field, model_value, value, at, user, note, session, grp, sender, subject, "
            "list_id, undone_at")


def _record(r: Any) -> Correction:
    return Correction(
        id=r["id"], run_id=r["run_id"], email_id=r["email_id"], field=r["field"],
        model_value=json.loads(r["model_value"]), value=json.loads(r["value"]), at=r["at"], user=r["user"],
        note=r["note"], session=r["session"], group=r["grp"], sender=r["sender"], subject=r["subject"],
        list_id=r["list_id"], undone=r["undone_at"] is not None)


class CorrectionLog:
    """Corrections of one session (this process) in one store, checked against `settings`' routes."""

    def __init__(self, store: Store, settings: Settings, *, session: str | None = None,
                 user: str | None = None) -> None:
        self.store = store
        self.settings = settings
        self.session = session or uuid.uuid4().hex[:12]
        self.user = user or os_user()

    # ------------------------------------------------------------------ writing
    def resolve_run(self, run_id: str) -> str:
        """The full id of a run given by id, unique prefix or 'last'; CorrectionError if none."""
        try:
            run = self.store.find_run(run_id)
        except Exception as exc:  # an ambiguous prefix
            raise CorrectionError(str(exc)) from None
        if run is None:
            raise CorrectionError(f"no run {run_id!r} in the store {self.store.path}")
        return run.run_id

    def add(self, run_id: str, email_ids: list[str], changes: dict[str, Any], *, note: str = "") -> list[Correction]:
        """Validate, then commit one record per (email, field) as one operator action. Returns
        the stored records (with ids). `changes` maps field -> value; {"accept": None} marks the
        rows reviewed with nothing changed."""
        if not changes:
            raise CorrectionError("nothing to correct: give a field and a value, or accept")
        if not email_ids:
            raise CorrectionError("no email to correct")
        run_id = self.resolve_run(run_id)
        typed = {field: parse_value(field, value, self.settings.route_names) for field, value in changes.items()}
        meta = self._email_meta(run_id)
        rows = self.store.verdicts(run_id)
        for email_id in email_ids:
            if email_id not in meta and email_id not in rows:
                raise CorrectionError(f"no email {email_id!r} in run {run_id}")
        now = time.time()
        records = [
            Correction(run_id=run_id, email_id=email_id, field=field, model_value=model_value(rows.get(email_id), field),
                       value=value, at=now, user=self.user, note=note, session=self.session,
                       sender=meta.get(email_id, {}).get("sender", rows[email_id].sender if email_id in rows else ""),
                       subject=meta.get(email_id, {}).get("subject", rows[email_id].subject if email_id in rows else ""),
                       list_id=meta.get(email_id, {}).get("list_id", ""))
            for email_id in dict.fromkeys(email_ids) for field, value in typed.items()
        ]
        return self._insert(records)

    def _insert(self, records: list[Correction], *, keep_group: bool = False) -> list[Correction]:
        out: list[Correction] = []
        with self.store.transaction() as db:
            group = db.execute("SELECT COALESCE(MAX(grp), 0) + 1 FROM corrections").fetchone()[0]
            for rec in records:
                cur = db.execute(
                    f"INSERT INTO corrections ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (rec.run_id, rec.email_id, rec.field, json.dumps(rec.model_value), json.dumps(rec.value), rec.at,
                     rec.user, rec.note, rec.session, rec.group if keep_group else group, rec.sender, rec.subject,
                     rec.list_id, time.time() if rec.undone else None))
                out.append(rec.model_copy(update={"id": cur.lastrowid, "group": rec.group if keep_group else group}))
        return out

    def _email_meta(self, run_id: str) -> dict[str, dict[str, str]]:
        meta = {m["email_id"]: dict(m) for m in self.store.email_meta(run_id)}
        for r in self.store.query("SELECT email_id, list_id FROM email_texts WHERE run_id = ?", (run_id,)):
            meta.setdefault(r["email_id"], {})["list_id"] = r["list_id"]
        return meta

    # ------------------------------------------------------------------ undo
    def undo(self, actions: int = 1) -> list[Correction]:
        """Take back the last `actions` operator actions of this session (newest first)."""
        rows = self.store.query(
            "SELECT DISTINCT grp FROM corrections WHERE session = ? AND undone_at IS NULL ORDER BY grp DESC LIMIT ?",
            (self.session, max(0, actions)))
        groups = [r["grp"] for r in rows]
        return self.undo_groups(groups)

    def undo_groups(self, groups: list[int]) -> list[Correction]:
        if not groups:
            return []
        marks = ",".join("?" * len(groups))
        with self.store.transaction() as db:
            found = db.execute(f"SELECT {_COLUMNS} FROM corrections WHERE grp IN ({marks}) AND undone_at IS NULL",
                               groups).fetchall()
            db.execute(f"UPDATE corrections SET undone_at = ? WHERE grp IN ({marks}) AND undone_at IS NULL",
                       (time.time(), *groups))
        cols = [c.strip() for c in _COLUMNS.split(",")]
        return [_record(dict(zip(cols, r))).model_copy(update={"undone": True}) for r in found]

    # ------------------------------------------------------------------ reading
    def list(self, run_id: str | None = None, *, include_undone: bool = False) -> list[Correction]:
        return list_corrections(self.store, run_id, include_undone=include_undone)

    # ------------------------------------------------------------------ files
    def export(self, path: Path) -> int:
        """Every correction (undone ones too, marked) as JSONL; returns how many."""
        records = self.list(include_undone=True)
        with path.open("w", encoding="utf-8") as out:
            for rec in records:
                out.write(rec.model_dump_json() + "\n")
        return len(records)

    def import_(self, path: Path) -> tuple[int, int]:
        """Read a JSONL export; every line is checked before anything is written. Records already
        in the store (same run, email, field, time and user) are skipped. Returns (added, skipped)."""
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise CorrectionError(f"{path}: not a UTF-8 JSONL file") from None
        records: list[Correction] = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = Correction.model_validate_json(line)
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"]) or "line"
                raise CorrectionError(f"{path}:{n}: {where}: {err['msg']}") from None
            try:
                value = parse_value(rec.field, rec.value, self.settings.route_names)
            except CorrectionError as exc:
                raise CorrectionError(f"{path}:{n}: {exc}") from None
            records.append(rec.model_copy(update={"id": None, "value": value}))
        known = {(r.run_id, r.email_id, r.field, r.at, r.user) for r in self.list(include_undone=True)}
        fresh = [r for r in records if (r.run_id, r.email_id, r.field, r.at, r.user) not in known]
        if fresh:  # one group per imported group, kept apart from this session's actions
            by_group: dict[int, list[Correction]] = defaultdict(list)
            for rec in fresh:
                by_group[rec.group].append(rec)
            for group in by_group.values():
                self._insert(group)
        return len(fresh), len(records) - len(fresh)


def list_corrections(store: Store, run_id: str | None = None, *, include_undone: bool = False,
                     email_id: str | None = None) -> list[Correction]:
    """Corrections in the order they were made (oldest first)."""
    where, params = [], []
    if run_id is not None:
        where.append("run_id = ?")
        params.append(run_id)
    if email_id is not None:
        where.append("email_id = ?")
        params.append(email_id)
    if not include_undone:
        where.append("undone_at IS NULL")
    sql = f"SELECT {_COLUMNS} FROM corrections" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    return [_record(r) for r in store.query(sql, params)]


def corrections_by_email(store: Store, run_id: str) -> dict[str, list[Correction]]:
    out: dict[str, list[Correction]] = defaultdict(list)
    for rec in list_corrections(store, run_id):
        out[rec.email_id].append(rec)
    return dict(out)


def corrected_rows(store: Store, run_id: str) -> dict[str, ResultRow]:
    """The run's stored rows with its corrections folded in (tui/review/apply.py)."""
    from tui.review.apply import apply_corrections

    by_email = corrections_by_email(store, run_id)
    return {eid: apply_corrections(row, by_email.get(eid, [])) for eid, row in store.verdicts(run_id).items()}
