"""The campaign ledger (SQLite, WAL): campaigns, one row per recipient, delivery events, suppression.

It lives in its own file beside the user's fanmail store (`outbound.db` next to `fanmail.db`, or
next to `--store PATH`), so it never contends with the triage store's writer.

Exactly once across crashes. A recipient's row goes `pending` -> `sending` -> `accepted` |
`refused` | `deferred` (retried, then final) and each step commits before the next SMTP step:

- `sending` is committed after the server accepted MAIL FROM and RCPT TO and *before* DATA; the
  outcome is committed as soon as the server answers DATA.
- A failure before DATA (connection refused, 4xx/5xx on RCPT) means nothing went out: the row
  goes back to be retried or is final, never `sending`.
- A row still `sending` when a run starts belongs to a run that died (SIGKILL, power) between
  DATA and the commit of its answer: the message may or may not have gone out. We cannot ask the
  server, so such rows become `unknown` and are NEVER re-sent automatically (at most once): the
  report lists them with their Message-ID for the operator to check in the server's log, and
  `--resend-unknown` sends them again on purpose. The window is one DATA round trip per agent,
  so at most one recipient per segment agent can be `unknown` after a crash.

Commits use `synchronous=NORMAL` in WAL mode: a committed row survives the process being killed.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tui.outbound.events import DeliveryEvent
from tui.store import StoreError, connect_wal, process_alive, store_path

LEDGER_NAME = "outbound.db"
# Later delivery events replace earlier ones only when they say more: a bounce beats a delivery.
_KIND_RANK = {"deferred": 1, "delivered": 2, "bounced": 3, "complaint": 4}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (
    campaign_id TEXT PRIMARY KEY,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    sender      TEXT NOT NULL,
    segment_by  TEXT NOT NULL,
    settings    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'running',   -- running | done | failed
    pid         INTEGER,
    host        TEXT
);
CREATE TABLE IF NOT EXISTS sends (
    campaign_id TEXT NOT NULL,
    recipient   TEXT NOT NULL,      -- address, or row:N for a row that is not sent
    segment     TEXT NOT NULL,
    row         INTEGER NOT NULL,
    message_id  TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL,      -- pending | sending | accepted | refused | deferred | suppressed | invalid | unknown
    attempts    INTEGER NOT NULL DEFAULT 0,
    smtp_code   INTEGER,
    smtp_reply  TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    updated_at  REAL NOT NULL,
    PRIMARY KEY (campaign_id, recipient)
);
CREATE INDEX IF NOT EXISTS sends_message ON sends (message_id);
CREATE TABLE IF NOT EXISTS delivery_events (
    id          INTEGER PRIMARY KEY,
    campaign_id TEXT,               -- NULL: matched no message we sent
    message_id  TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    UNIQUE (message_id, recipient, kind, source)
);
CREATE TABLE IF NOT EXISTS suppression (
    address     TEXT PRIMARY KEY,
    reason      TEXT NOT NULL,
    source      TEXT NOT NULL,
    at          REAL NOT NULL
);
"""
_SUPPRESS = "INSERT OR IGNORE INTO suppression (address, reason, source, at) VALUES (?, ?, ?, ?)"


class SendRow(BaseModel):
    campaign_id: str
    recipient: str
    segment: str
    row: int
    message_id: str
    state: str
    attempts: int
    smtp_code: int | None
    smtp_reply: str
    error: str
    updated_at: float


def ledger_path(configured_store: str | None) -> Path:
    return store_path(configured_store).with_name(LEDGER_NAME)


class Ledger:
    """Thread-safe; every write commits before it returns (call from a thread in async code)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = connect_wal(self.path)
            self._db.row_factory = sqlite3.Row
            with self._lock:
                self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the campaign ledger {self.path}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            try:
                self._db.close()
            except sqlite3.Error:
                pass

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction, committed on leaving (rolled back on an error)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _write(self, sql: str, params: Iterable[Any] = (), many: bool = False) -> int:
        with self._tx() as db:
            cur = db.executemany(sql, params) if many else db.execute(sql, tuple(params))
        return cur.rowcount

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # ---------------------------------------------------------------- campaigns
    def find_campaign(self, ref: str) -> str | None:
        """An id, a unique prefix of one, or 'last'."""
        if ref == "last":
            rows = self._read("SELECT campaign_id FROM campaigns ORDER BY updated_at DESC LIMIT 1")
        else:
            # a plain prefix test: LIKE would read '_' (allowed in ids) as a wildcard
            rows = self._read("SELECT campaign_id FROM campaigns WHERE substr(campaign_id, 1, ?) = ? "
                              "ORDER BY campaign_id = ? DESC", (len(ref), ref, ref))
            if len(rows) > 1 and rows[0]["campaign_id"] != ref:
                return None
        return rows[0]["campaign_id"] if rows else None

    def start_campaign(self, campaign_id: str, *, sender: str, segment_by: str, settings: dict[str, Any]) -> None:
        """Claim the campaign for this process. Atomic (one IMMEDIATE transaction), so two processes
        started at once cannot both send it: the second gets a StoreError (one line)."""
        now = time.time()
        with self._tx() as db:
            row = db.execute("SELECT status, pid, host FROM campaigns WHERE campaign_id = ?",
                             (campaign_id,)).fetchone()
            if (row is not None and row["status"] == "running" and row["pid"] != os.getpid()
                    and process_alive(row["pid"], row["host"])):
                raise StoreError(f"campaign {campaign_id} is being sent by another fanmail process "
                                 f"(pid {row['pid']}) right now")
            db.execute(
                "INSERT INTO campaigns (campaign_id, created_at, updated_at, sender, segment_by, settings, status, "
                "pid, host) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?) ON CONFLICT (campaign_id) DO UPDATE SET "
                "updated_at = excluded.updated_at, status = 'running', pid = excluded.pid, host = excluded.host",
                (campaign_id, now, now, sender, segment_by, json.dumps(settings), os.getpid(), socket.gethostname()))

    def finish_campaign(self, campaign_id: str, status: str) -> None:
        self._write("UPDATE campaigns SET status = ?, updated_at = ?, pid = NULL WHERE campaign_id = ?",
                    (status, time.time(), campaign_id))

    # ---------------------------------------------------------------- recipients
    def add_recipients(self, campaign_id: str, rows: Iterable[tuple[str, str, int, str, str, str]]) -> None:
        """(recipient, segment, row, message_id, state, error); rows already known are left alone."""
        now = time.time()
        self._write("INSERT OR IGNORE INTO sends (campaign_id, recipient, segment, row, message_id, state, error, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(campaign_id, r, seg, row, mid, state, err, now) for r, seg, row, mid, state, err in rows],
                    many=True)

    def recover_interrupted(self, campaign_id: str) -> int:
        """Rows left `sending` by a dead run become `unknown` (never re-sent); returns how many."""
        return self._write("UPDATE sends SET state = 'unknown', updated_at = ?, error = 'the run stopped during DATA: "
                           "the message may have been sent; check the server log for its Message-ID' "
                           "WHERE campaign_id = ? AND state = 'sending'", (time.time(), campaign_id))

    def resend_unknown(self, campaign_id: str) -> int:
        return self._write("UPDATE sends SET state = 'pending', error = '', updated_at = ? "
                           "WHERE campaign_id = ? AND state = 'unknown'", (time.time(), campaign_id))

    def states(self, campaign_id: str) -> dict[str, str]:
        return {r["recipient"]: r["state"] for r in
                self._read("SELECT recipient, state FROM sends WHERE campaign_id = ?", (campaign_id,))}

    def mark_sending(self, campaign_id: str, recipient: str, attempts: int) -> None:
        self._write("UPDATE sends SET state = 'sending', attempts = ?, updated_at = ? "
                    "WHERE campaign_id = ? AND recipient = ?", (attempts, time.time(), campaign_id, recipient))

    def mark_outcome(self, campaign_id: str, recipient: str, state: str, *, attempts: int,
                     code: int | None = None, reply: str = "", error: str = "") -> None:
        self._write("UPDATE sends SET state = ?, attempts = ?, smtp_code = ?, smtp_reply = ?, error = ?, "
                    "updated_at = ? WHERE campaign_id = ? AND recipient = ?",
                    (state, attempts, code, reply[:500], error[:500], time.time(), campaign_id, recipient))

    def note_error(self, campaign_id: str, recipient: str, error: str) -> None:
        """Why a recipient still waits (its agent failed); its state is left as it was."""
        self._write("UPDATE sends SET error = ?, updated_at = ? WHERE campaign_id = ? AND recipient = ? "
                    "AND state IN ('pending', 'deferred')", (error[:500], time.time(), campaign_id, recipient))

    def sends(self, campaign_id: str) -> list[SendRow]:
        rows = self._read("SELECT * FROM sends WHERE campaign_id = ? ORDER BY segment, row", (campaign_id,))
        return [SendRow(**dict(r)) for r in rows]

    # ---------------------------------------------------------------- suppression
    def suppressed(self) -> dict[str, str]:
        return {r["address"]: r["reason"] for r in self._read("SELECT address, reason FROM suppression")}

    def suppress(self, address: str, reason: str, source: str) -> None:
        self._write(_SUPPRESS, (address.lower(), reason[:300], source, time.time()))

    # ---------------------------------------------------------------- delivery events
    def record_events(self, events: list[DeliveryEvent]) -> tuple[int, int]:
        """Match events to sent messages by Message-ID (then recipient), keep them, suppress hard
        bounces and complaints. Idempotent (the same event twice is kept once). Returns
        (matched, unmatched) among the new events."""
        matched = unmatched = 0
        with self._tx() as db:
            for ev in events:
                message_id, recipient = ev.message_id.strip(), ev.recipient.strip().lower()
                row = self._match(message_id, recipient)
                campaign_id = row["campaign_id"] if row else None
                if row is not None:  # one message, one recipient: the ledger's spelling wins
                    message_id, recipient = row["message_id"], row["recipient"]
                cur = db.execute(
                    "INSERT OR IGNORE INTO delivery_events (campaign_id, message_id, recipient, kind, source, "
                    "reason, status, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (campaign_id, message_id, recipient, ev.kind, ev.source, ev.reason[:500],
                     ev.status[:20], ev.at.isoformat()))
                if cur.rowcount == 0:
                    continue
                if campaign_id is None:
                    unmatched += 1
                    continue
                matched += 1
                if ev.permanent_failure and recipient:
                    db.execute(_SUPPRESS, (recipient, f"{ev.kind}: {ev.reason}"[:300], ev.source, time.time()))
        return matched, unmatched

    def _match(self, message_id: str, recipient: str) -> sqlite3.Row | None:
        """The send an event is about: by Message-ID (a Message-ID we never sent matches nothing);
        without one, the latest message that went to the address."""
        if message_id:
            rows = self._db.execute("SELECT campaign_id, recipient, message_id FROM sends WHERE message_id = ? "
                                    "ORDER BY recipient = ? DESC LIMIT 1", (message_id, recipient)).fetchall()
            return rows[0] if rows else None
        if recipient:
            rows = self._db.execute("SELECT campaign_id, recipient, message_id FROM sends WHERE recipient = ? "
                                    "AND state IN ('accepted', 'unknown') ORDER BY updated_at DESC LIMIT 1",
                                    (recipient,)).fetchall()
            if rows:
                return rows[0]
        return None

    def latest_events(self, campaign_id: str) -> dict[str, dict[str, Any]]:
        """Per recipient, the most telling delivery event (a bounce beats a delivery beats a deferral)."""
        best: dict[str, dict[str, Any]] = {}
        for r in self._read("SELECT * FROM delivery_events WHERE campaign_id = ? ORDER BY at, id", (campaign_id,)):
            current = best.get(r["recipient"])
            if current is None or _KIND_RANK.get(r["kind"], 0) >= _KIND_RANK.get(current["kind"], 0):
                best[r["recipient"]] = dict(r)
        return best
