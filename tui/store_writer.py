"""The store's write-behind buffer: verdicts and attempts wait in memory and a writer thread
commits them in one transaction per `flush_interval` or per `flush_rows` rows, so the engine
never blocks on SQLite (see tui/store.py).

A mixin of `Store`, whose state it reads and changes: the names below are declared for the
type checker, the store sets them in its `__init__`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from tui.store_schema import INSERT_ATTEMPT, UPSERT_VERDICT, StoreError, row_to_json


class WriteBehind:
    """The buffered writes and the writer thread, as methods of the store."""

    flush_interval: float
    flush_rows: int
    write_errors: int
    last_error: str | None
    _lock: threading.RLock
    _cond: threading.Condition
    _flush_lock: threading.Lock
    _verdicts: list[tuple[Any, ...]]
    _attempts: list[tuple[Any, ...]]
    _first_pending: float | None
    _closed: bool
    _writer: threading.Thread
    _db: sqlite3.Connection
    _tx: Callable[[], AbstractContextManager[sqlite3.Connection]]

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
                        db.executemany(UPSERT_VERDICT, (
                            (run_id, row.email_id, row.status, row.agent_id, row.attempts, row.latency_ms, segment,
                             row_to_json(row), at)
                            for run_id, row, segment, at in verdicts))
                    if attempts:
                        db.executemany(INSERT_ATTEMPT, attempts)
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
