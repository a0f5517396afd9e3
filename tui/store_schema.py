"""The store's file format (tui/store.py): its tables, the two statements the writer thread runs
in bulk, and a row as JSON in the verdicts table. One place for what a store file holds, and
the one error a store raises.
"""

from __future__ import annotations

import json

from pydantic_core import PydanticSerializationError, to_json

from tui.agents import json_wire
from tui.model import ResultRow

SCHEMA_VERSION = 1

SCHEMA = """
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

UPSERT_VERDICT = """
INSERT INTO verdicts (run_id, email_id, status, agent_id, attempts, latency_ms, segment, row, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, email_id) DO UPDATE SET
    status = excluded.status, agent_id = excluded.agent_id, attempts = excluded.attempts,
    latency_ms = excluded.latency_ms, segment = excluded.segment, row = excluded.row,
    updated_at = excluded.updated_at
WHERE NOT (verdicts.status = 'ok' AND excluded.status NOT IN ('ok', 'duplicate'))
"""

INSERT_ATTEMPT = """
INSERT INTO attempts (run_id, segment, email_id, agent_id, attempt, started_at, ended_at, outcome, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


class StoreError(Exception):
    """The store file cannot be opened or used; one line for the user."""


def row_to_json(row: ResultRow) -> str:
    """The row with the fields the JSONL contract leaves out, so a re-emitted row is identical:
    every field by name, straight from the row's attributes (pydantic-core writes the date and
    the `Review` in place: a fifth to a quarter of the time through `full_dict`, on the writer
    thread). Text with a lone surrogate cannot be UTF-8: that row goes through `full_dict` and
    the standard library's \\u escapes."""
    try:
        return to_json(row.__dict__).decode()
    except PydanticSerializationError:
        return json_wire.dumps(row.full_dict()).decode()


def row_from_json(text: str) -> ResultRow:
    return ResultRow.model_validate(json.loads(text))
