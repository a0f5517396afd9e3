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
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from tui.agents import json_wire
from tui.model import ResultRow

SCHEMA_VERSION = 1
DONE_STATUSES = ("ok", "duplicate")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    source      TEXT NOT NULL,
    settings    TEXT NOT NULL,          -- JSON of the Settings the run started with (no keys)
    provider    TEXT NOT NULL DEFAULT '',
    model       TEXT NOT NULL DEFAULT '',
    total       INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'running',  -- running | done | aborted
    segments    INTEGER NOT NULL DEFAULT 1,       -- 1 + number of resumes
    pid         INTEGER,
    host        TEXT,
    trace_path  TEXT,
    report      TEXT                              -- JSON RunReport of the last segment
);
CREATE TABLE IF NOT EXISTS segments (
    run_id      TEXT NOT NULL,
    segment     INTEGER NOT NULL,
    started_at  REAL NOT NULL,
    ended_at    REAL,
    status      TEXT NOT NULL DEFAULT 'running',
    report      TEXT,
    tokens_in   INTEGER,
    tokens_out  INTEGER,
    PRIMARY KEY (run_id, segment)
);
CREATE TABLE IF NOT EXISTS emails (
    run_id      TEXT NOT NULL,
    email_id    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    message_id  TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    sender      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, email_id)
);
CREATE TABLE IF NOT EXISTS attempts (
    run_id      TEXT NOT NULL,
    segment     INTEGER NOT NULL,
    email_id    TEXT NOT NULL,
    agent_id    TEXT NOT NULL,
    attempt     INTEGER NOT NULL,    -- the email's attempt number within its agent run
    started_at  REAL NOT NULL,
    ended_at    REAL,
    outcome     TEXT NOT NULL,       -- ok | failed | timeout | retry | rate_limited | cancelled
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_run ON attempts (run_id, email_id);
CREATE TABLE IF NOT EXISTS verdicts (
    run_id      TEXT NOT NULL,
    email_id    TEXT NOT NULL,
    status      TEXT NOT NULL,
    agent_id    TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    latency_ms  INTEGER,
    segment     INTEGER NOT NULL DEFAULT 1,
    row         TEXT NOT NULL,       -- JSON ResultRow incl. subject/sender/date/review/flags
    updated_at  REAL NOT NULL,
    PRIMARY KEY (run_id, email_id)
);
CREATE TABLE IF NOT EXISTS actions (
    key         TEXT PRIMARY KEY,    -- e.g. INBOX:<uidvalidity>:<uid>:move:Billing
    run_id      TEXT NOT NULL,
    email_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_run ON actions (run_id, email_id);
CREATE TABLE IF NOT EXISTS corrections (     -- the operator's word (tui/review/log.py)
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      TEXT NOT NULL,
    email_id    TEXT NOT NULL,
    field       TEXT NOT NULL,       -- route | category | urgent | priority | injection | accept
    model_value TEXT NOT NULL,       -- JSON: what the run had decided
    value       TEXT NOT NULL,       -- JSON: what the operator set
    at          REAL NOT NULL,
    user        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    session     TEXT NOT NULL DEFAULT '',
    grp         INTEGER NOT NULL DEFAULT 0,  -- one operator action (a bulk correction)
    sender      TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    list_id     TEXT NOT NULL DEFAULT '',
    undone_at   REAL                         -- taken back by undo (kept, never deleted)
);
CREATE INDEX IF NOT EXISTS corrections_run ON corrections (run_id, email_id);
CREATE TABLE IF NOT EXISTS forgotten_rules (  -- `fanmail learned forget`: corrections up to
    rule_id     TEXT PRIMARY KEY,             -- `through` no longer teach this rule
    through     INTEGER NOT NULL,
    at          REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS email_texts (      -- what `fanmail review RUN_ID` shows of an email
    run_id      TEXT NOT NULL,
    email_id    TEXT NOT NULL,
    list_id     TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL,               -- JSON Email, body cut to the run's max_body_chars
    PRIMARY KEY (run_id, email_id)
);
"""

_UPSERT_VERDICT = """
INSERT INTO verdicts (run_id, email_id, status, agent_id, attempts, latency_ms, segment, row, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, email_id) DO UPDATE SET
    status = excluded.status, agent_id = excluded.agent_id, attempts = excluded.attempts,
    latency_ms = excluded.latency_ms, segment = excluded.segment, row = excluded.row,
    updated_at = excluded.updated_at
WHERE NOT (verdicts.status = 'ok' AND excluded.status NOT IN ('ok', 'duplicate'))
"""

_INSERT_ATTEMPT = """
INSERT INTO attempts (run_id, segment, email_id, agent_id, attempt, started_at, ended_at, outcome, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


class StoreError(Exception):
    """The store file cannot be opened or used; one line for the user."""


def connect_wal(path: Path) -> sqlite3.Connection:
    """One connection shared by threads, in autocommit mode (writers BEGIN IMMEDIATE themselves),
    WAL with synchronous=NORMAL (a commit survives a killed process), waiting up to 10 s on a lock."""
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=10000")
    return db


def process_alive(pid: int | None, host: str | None) -> bool:
    """Is process `pid` running on this host (the one that claimed a run or a campaign)? A zombie
    is not: kill(pid, 0) succeeds on one, and under a container's PID 1 a dead claimant's zombie
    can linger, which would keep its run claimed."""
    if not pid or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): kill() is all there is
    return state != "Z"


def default_store_path() -> Path:
    return Path(user_data_dir("fanmail")) / "fanmail.db"


def row_to_json(row: ResultRow) -> str:
    """The row with the fields the JSONL contract leaves out, so a re-emitted row is identical
    (compact, by pydantic-core's encoder: a fifth of json.dumps's time on the writer thread)."""
    return json_wire.dumps(row.full_dict()).decode()


def row_from_json(text: str) -> ResultRow:
    return ResultRow.model_validate(json.loads(text))


@dataclass(slots=True)
class RunInfo:
    run_id: str
    created_at: float
    updated_at: float
    source: str
    settings: dict[str, Any]
    provider: str
    model: str
    total: int
    status: str
    segments: int
    pid: int | None
    host: str | None
    trace_path: str | None
    report: dict[str, Any] | None
    counts: dict[str, int] = field(default_factory=dict)  # verdict status -> rows

    @property
    def done(self) -> int:
        return sum(self.counts.get(s, 0) for s in DONE_STATUSES)

    def alive(self) -> bool:
        """Is the process that last ran it still running (on this host)? False once it ended."""
        return self.status == "running" and process_alive(self.pid, self.host)

    @property
    def state(self) -> str:
        """running | done | aborted | interrupted (crashed or killed: resume it)."""
        if self.status == "running" and not self.alive():
            return "interrupted"
        return self.status


@dataclass(slots=True)
class AttemptRecord:
    run_id: str
    segment: int
    email_id: str
    agent_id: str
    attempt: int
    started_at: float
    ended_at: float | None
    outcome: str
    error: str = ""


class Store:
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
            self._db.executescript(_SCHEMA)
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

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._due():
                    wait = None
                    if self._first_pending is not None:
                        wait = max(0.0, self._first_pending + self.flush_interval - time.monotonic())
                    self._cond.wait(wait)
                closed = self._closed
            self._flush_pending()
            if closed:
                return

    def _due(self) -> bool:
        pending = len(self._verdicts) + len(self._attempts)
        if not pending:
            return False
        if pending >= self.flush_rows:
            return True
        return self._first_pending is not None and time.monotonic() - self._first_pending >= self.flush_interval

    def _flush_pending(self) -> None:
        # One flush at a time (writer thread or flush()), so batches commit in the order they
        # were taken: an operator retry's row never lands before the row it replaces.
        with self._flush_lock:
            with self._cond:
                verdicts, self._verdicts = self._verdicts, []
                attempts, self._attempts = self._attempts, []
                self._first_pending = None
            if not verdicts and not attempts:
                return
            try:
                with self._tx() as db:
                    if verdicts:
                        db.executemany(_UPSERT_VERDICT, (
                            (run_id, row.email_id, row.status, row.agent_id, row.attempts, row.latency_ms, segment,
                             row_to_json(row), at)
                            for run_id, row, segment, at in verdicts))
                    if attempts:
                        db.executemany(_INSERT_ATTEMPT, attempts)
            except Exception as exc:  # disk full, locked for too long: count it, keep the writer alive
                self.write_errors += 1
                self.last_error = str(exc)

    def _enqueue(self, bucket: list[tuple[Any, ...]], item: tuple[Any, ...]) -> None:
        with self._cond:
            if self._closed:
                raise StoreError("the store is closed")
            bucket.append(item)
            if self._first_pending is None:
                self._first_pending = time.monotonic()
            if len(self._verdicts) + len(self._attempts) >= self.flush_rows:
                self._cond.notify()
            elif len(self._verdicts) + len(self._attempts) == 1:
                self._cond.notify()  # start the interval clock in the writer

    def flush(self) -> None:
        """Commit everything buffered so far (blocking: from a thread or at the end of a run)."""
        self._flush_pending()

    def close(self) -> None:
        """Flush and close. Idempotent."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self._writer.join(timeout=30)
        self._flush_pending()
        with self._lock:
            try:
                self._db.close()
            except sqlite3.Error:
                pass

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

    # ------------------------------------------------------------------ runs
    def create_run(
        self,
        run_id: str,
        *,
        source: str,
        settings: dict[str, Any],
        total: int,
        provider: str = "",
        model: str = "",
        trace_path: str | None = None,
    ) -> None:
        now = time.time()
        with self._tx() as db:
            db.execute(
                """INSERT INTO runs (run_id, created_at, updated_at, source, settings, provider, model, total,
                                     status, segments, pid, host, trace_path)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', 1, ?, ?, ?)""",
                (run_id, now, now, source, json.dumps(settings), provider, model, total, os.getpid(),
                 socket.gethostname(), trace_path),
            )
            db.execute("INSERT INTO segments (run_id, segment, started_at) VALUES (?, 1, ?)", (run_id, now))

    def resume_run(self, run_id: str, *, trace_path: str | None = None) -> int:
        """Start the next segment of an existing run; returns its number (2 for the first resume)."""
        now = time.time()
        with self._tx() as db:
            row = db.execute("SELECT segments FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                raise StoreError(f"no run {run_id!r} in the store")
            segment = int(row[0]) + 1
            db.execute(
                "UPDATE segments SET status = 'interrupted', ended_at = COALESCE(ended_at, ?) "
                "WHERE run_id = ? AND status = 'running'", (now, run_id))
            db.execute(
                """UPDATE runs SET segments = ?, status = 'running', pid = ?, host = ?, updated_at = ?,
                   trace_path = COALESCE(?, trace_path) WHERE run_id = ?""",
                (segment, os.getpid(), socket.gethostname(), now, trace_path, run_id),
            )
            db.execute("INSERT INTO segments (run_id, segment, started_at) VALUES (?, ?, ?)", (run_id, segment, now))
        return segment

    def finish_segment(
        self,
        run_id: str,
        segment: int,
        *,
        status: str,
        report: dict[str, Any] | None = None,
        tokens_in: int | None = None,
        tokens_out: int | None = None,
    ) -> None:
        """End a segment (status done | aborted) after flushing what is buffered."""
        self.flush()
        now = time.time()
        text = json.dumps(report) if report is not None else None
        with self._tx() as db:
            db.execute(
                """UPDATE segments SET ended_at = ?, status = ?, report = ?, tokens_in = ?, tokens_out = ?
                   WHERE run_id = ? AND segment = ?""",
                (now, status, text, tokens_in, tokens_out, run_id, segment),
            )
            db.execute(
                "UPDATE runs SET status = ?, updated_at = ?, report = COALESCE(?, report) WHERE run_id = ?",
                (status, now, text, run_id),
            )

    def get_run(self, run_id: str) -> RunInfo | None:
        rows = self._query("SELECT * FROM runs WHERE run_id = ?", (run_id,))
        if not rows:
            return None
        return self._run_info(rows[0])

    def find_run(self, prefix: str) -> RunInfo | None:
        """A run by its id or an unambiguous prefix of it; 'last' for the newest."""
        if prefix in ("last", "latest"):
            runs = self.list_runs(limit=1)
            return runs[0] if runs else None
        exact = self.get_run(prefix)
        if exact is not None:
            return exact
        rows = self._query("SELECT * FROM runs WHERE run_id LIKE ? ESCAPE '\\' LIMIT 2",
                           (prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",))
        if len(rows) == 1:
            return self._run_info(rows[0])
        if len(rows) > 1:
            raise StoreError(f"run id prefix {prefix!r} is ambiguous")
        return None

    def list_runs(self, limit: int = 50) -> list[RunInfo]:
        rows = self._query("SELECT * FROM runs ORDER BY created_at DESC, run_id LIMIT ?", (limit,))
        return [self._run_info(r) for r in rows]

    def _run_info(self, r: sqlite3.Row) -> RunInfo:
        counts = {
            row["status"]: row["n"]
            for row in self._query("SELECT status, COUNT(*) AS n FROM verdicts WHERE run_id = ? GROUP BY status",
                                   (r["run_id"],))
        }
        return RunInfo(
            run_id=r["run_id"], created_at=r["created_at"], updated_at=r["updated_at"], source=r["source"],
            settings=json.loads(r["settings"]), provider=r["provider"], model=r["model"], total=r["total"],
            status=r["status"], segments=r["segments"], pid=r["pid"], host=r["host"], trace_path=r["trace_path"],
            report=json.loads(r["report"]) if r["report"] else None, counts=counts,
        )

    def segments(self, run_id: str) -> list[dict[str, Any]]:
        rows = self._query("SELECT * FROM segments WHERE run_id = ? ORDER BY segment", (run_id,))
        out = []
        for r in rows:
            d = dict(r)
            d["report"] = json.loads(d["report"]) if d["report"] else None
            out.append(d)
        return out

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
