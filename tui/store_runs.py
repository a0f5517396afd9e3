"""Runs in the store (tui/store.py): a run's row and its segments (one per start or resume), the
process that claimed it and whether it still lives, and one attempt's record.

`RunLedger` is a mixin of `Store`, whose state it uses: the names below are declared for the
type checker, the store provides them.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.store_schema import StoreError

DONE_STATUSES = ("ok", "duplicate")


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
        pass  # another user's process: it exists, unless /proc says it has died
    return not _proc_says_dead(pid)


def _proc_says_dead(pid: int) -> bool:
    """Does /proc say `pid` has ended (a zombie, dying, or reaped since kill() found it)? False
    where there is no /proc (not Linux): there kill() is all there is."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return Path("/proc/self").exists()
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")


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


class RunLedger:
    """The runs and segments tables, as methods of the store."""

    _tx: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _query: Callable[..., list[sqlite3.Row]]
    flush: Callable[[], None]

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
