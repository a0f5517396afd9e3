"""Durable run state in SQLite: runs, emails, attempts, final verdicts and the action ledger.

One file (WAL mode) per user by default, `--store PATH` to pick another. Everything here is
synchronous and thread-safe; the engine never calls a blocking method from the event loop:

- `put_verdict` / `put_attempt` only append to an in-memory buffer; a writer thread commits the
  buffer in one transaction every `flush_interval` seconds (100 ms) or as soon as `flush_rows`
  rows (200) are waiting. `flush()` forces it (call it through `asyncio.to_thread`).
- The action ledger (`action_applied`, `record_action`) is not buffered: `record_action`
  commits before it returns, so an action recorded as applied is never applied again, even
  after a crash. The IMAP/SMTP code calls it from a worker thread.

With `synchronous=NORMAL` in WAL mode a committed transaction survives the process being killed
(SIGKILL); only a power loss can drop the last few, which WAL keeps consistent.

A verdict row is one per (run, email): a later row replaces an earlier one (operator retry),
except that a failure never replaces a verdict that was already ok.

Parts of it live beside it: the file's tables and a row's JSON (tui/store_schema.py), the
buffered writes and their thread (tui/store_writer.py), runs and segments (tui/store_runs.py).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from tui.model import ResultRow
from tui.store_runs import DONE_STATUSES, AttemptRecord, RunInfo, RunLedger, process_alive
from tui.store_schema import SCHEMA, SCHEMA_VERSION, StoreError, row_from_json, row_to_json
from tui.store_writer import WriteBehind

__all__ = ["DONE_STATUSES", "SCHEMA_VERSION", "AttemptRecord", "RunInfo", "Store", "StoreError", "connect_wal",
           "default_store_path", "open_run_store", "process_alive", "row_from_json", "row_to_json", "store_path"]


def connect_wal(path: Path) -> sqlite3.Connection:
    """One connection shared by threads, in autocommit mode (writers BEGIN IMMEDIATE themselves),
    WAL with synchronous=NORMAL (a commit survives a killed process), waiting up to 10 s on a lock."""
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=10000")
    return db


def default_store_path() -> Path:
    return Path(user_data_dir("fanmail")) / "fanmail.db"


class Store(RunLedger, WriteBehind):
    """The SQLite store. Safe to share between threads; open one per process and reuse it."""

    def __init__(self, path: Path | str, *, flush_interval: float = 0.1, flush_rows: int = 200) -> None:
        self.path = Path(path).expanduser() if str(path) != ":memory:" else Path(":memory:")
        self.flush_interval = flush_interval
        self.flush_rows = flush_rows
        self._lock = threading.RLock()
        self._cond = threading.Condition(threading.Lock())
        self._flush_lock = threading.Lock()
        self._verdicts: list[tuple[Any, ...]] = []
        self._attempts: list[tuple[Any, ...]] = []
        self._first_pending: float | None = None
        self._closed = False
        self.write_errors = 0
        self.last_error: str | None = None
        try:
            if str(self.path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = connect_wal(self.path)
            self._create_schema()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from None
        self._writer = threading.Thread(target=self._write_loop, name="fanmail-store-writer", daemon=True)
        self._writer.start()

    # ------------------------------------------------------------------ plumbing
    def _create_schema(self) -> None:
        with self._lock:
            self._db.executescript(SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))

    class _Tx:
        def __init__(self, store: "Store") -> None:
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.store._lock.acquire()
            try:
                self.store._db.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.store._lock.release()
                raise
            return self.store._db

        def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
            try:
                self.store._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
            finally:
                self.store._lock.release()

    def _tx(self) -> "Store._Tx":
        return Store._Tx(self)

    def transaction(self) -> "Store._Tx":
        """`with store.transaction() as db:` one committed write (for tables other modules own)."""
        return Store._Tx(self)

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self._query(sql, params)

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._db.execute(sql, tuple(params))
            cur.row_factory = sqlite3.Row  # type: ignore[assignment]
            return cur.fetchall()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ action ledger
    def action_applied(self, key: str) -> bool:
        """True when an action with this idempotency key was recorded as applied."""
        return self.action_status(key) == "applied"

    def action_status(self, key: str) -> str | None:
        """The recorded status of an action ('applied', 'moving:<uidnext>', 'failed'), or None."""
        rows = self._query("SELECT status FROM actions WHERE key = ?", (key,))
        return rows[0]["status"] if rows else None

    def record_action(
        self, key: str, *, run_id: str, email_id: str, action: str, detail: str = "", status: str = "applied"
    ) -> None:
        """Record (commit now) an action's outcome. An applied action stays applied: a later
        record for the same key with another status (planned, failed) does not undo it."""
        now = time.time()
        with self._tx() as db:
            db.execute(
                """INSERT INTO actions (key, run_id, email_id, action, detail, status, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (key) DO UPDATE SET
                       run_id = excluded.run_id, email_id = excluded.email_id, action = excluded.action,
                       detail = excluded.detail, status = excluded.status, updated_at = excluded.updated_at
                   WHERE actions.status != 'applied'""",
                (key, run_id, email_id, action, detail, status, now, now),
            )

    def actions(self, run_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT key, run_id, email_id, action, detail, status, created_at, updated_at FROM actions"
        rows = self._query(sql + (" WHERE run_id = ?" if run_id else "") + " ORDER BY created_at, key",
                           (run_id,) if run_id else ())
        return [dict(r) for r in rows]

    # ------------------------------------------------------------------ emails
    def add_emails(self, run_id: str, emails: Iterable[tuple[str, str, str, str]]) -> None:
        """(email_id, message_id, subject, sender) for every input email, in source order."""
        with self._tx() as db:
            start = db.execute("SELECT COALESCE(MAX(seq), 0) FROM emails WHERE run_id = ?", (run_id,)).fetchone()[0]
            db.executemany(
                "INSERT OR IGNORE INTO emails (run_id, email_id, seq, message_id, subject, sender) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                ((run_id, eid, start + n, mid, subj, sender) for n, (eid, mid, subj, sender) in enumerate(emails, 1)),
            )

    def email_ids(self, run_id: str) -> list[str]:
        return [r["email_id"] for r in self._query("SELECT email_id FROM emails WHERE run_id = ? ORDER BY seq",
                                                     (run_id,))]

    # ------------------------------------------------------------------ verdicts and attempts
    def put_verdict(self, run_id: str, row: ResultRow, *, segment: int = 1) -> None:
        """Buffer the final row of one email (non-blocking); committed within flush_interval."""
        self._enqueue(self._verdicts, (run_id, row, segment, time.time()))  # serialised by the writer

    def put_attempt(self, record: AttemptRecord) -> None:
        """Buffer one finished attempt (non-blocking)."""
        self._enqueue(self._attempts, (
            record.run_id, record.segment, record.email_id, record.agent_id, record.attempt,
            record.started_at, record.ended_at, record.outcome, record.error,
        ))

    def verdicts(self, run_id: str) -> dict[str, ResultRow]:
        """Committed final rows of a run, by email id (call flush() first to include buffered ones)."""
        rows = self._query("SELECT email_id, row FROM verdicts WHERE run_id = ?", (run_id,))
        return {r["email_id"]: row_from_json(r["row"]) for r in rows}

    def verdicts_by_segment(self, run_id: str) -> list[tuple[int, ResultRow]]:
        """(segment that wrote it, final row) for every email with a committed row."""
        rows = self._query("SELECT segment, row FROM verdicts WHERE run_id = ?", (run_id,))
        return [(int(r["segment"]), row_from_json(r["row"])) for r in rows]

    def email_meta(self, run_id: str) -> list[dict[str, str]]:
        rows = self._query("SELECT email_id, message_id, subject, sender FROM emails WHERE run_id = ? ORDER BY seq",
                           (run_id,))
        return [dict(r) for r in rows]

    def done_ids(self, run_id: str) -> set[str]:
        rows = self._query("SELECT email_id FROM verdicts WHERE run_id = ? AND status IN ('ok', 'duplicate')",
                           (run_id,))
        return {r["email_id"] for r in rows}

    def attempts(self, run_id: str) -> list[AttemptRecord]:
        rows = self._query(
            "SELECT run_id, segment, email_id, agent_id, attempt, started_at, ended_at, outcome, error "
            "FROM attempts WHERE run_id = ? ORDER BY started_at, rowid", (run_id,))
        return [AttemptRecord(**dict(r)) for r in rows]


def store_path(configured: str | None) -> Path:
    """The store file a run uses: `--store PATH` / `store = ...` / FANMAIL_STORE, else the default."""
    return Path(configured).expanduser() if configured else default_store_path()


def open_run_store(configured: str | None, *, needed: bool,
                   warn: Callable[[str], None] | None = None) -> Store | None:
    """The run's store. An explicit store (or a resume) that fails is an error; the default one
    failing (read-only home) only costs durability, so the run goes on, after `warn` if given."""
    try:
        return Store(store_path(configured))
    except StoreError as exc:
        if configured or needed:
            raise
        if warn is not None:
            warn(f"{exc}; this run is not recorded (it cannot be resumed)")
        return None
