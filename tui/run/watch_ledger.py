"""What a watch remembers between starts, in the run store: where it stands in the folder (the
UIDVALIDITY and last UID handed out; for a Maildir, every key it has seen) and the Message-ID +
content digest of every email that got its verdict, so a restart or a recreated mailbox (new
UIDVALIDITY) never triages one twice.

Its own two tables beside the store's (created here, so the store's schema does not know watches).
"""

from __future__ import annotations

import hashlib

from tui.mail.watch import Mark
from tui.model import Email
from tui.store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watch_marks (run_id TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,
                                        last_uid INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS watch_files (run_id TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (run_id, name));
CREATE TABLE IF NOT EXISTS watch_seen (run_id TEXT NOT NULL, message_id TEXT NOT NULL, digest TEXT NOT NULL,
                                       email_id TEXT NOT NULL, PRIMARY KEY (run_id, message_id, digest));
"""


def watch_run_id(mailbox: str) -> str:
    """One run per watched mailbox (whatever the port or TLS mode): every start continues it."""
    return "watch-" + hashlib.blake2b(mailbox.encode(), digest_size=5).hexdigest()


class WatchLedger:
    def __init__(self, store: Store, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        with store.transaction() as db:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
        self.done: set[str] = store.done_ids(run_id)
        rows = store.query("SELECT message_id, digest FROM watch_seen WHERE run_id = ?", (run_id,))
        self.seen: set[tuple[str, str]] = {(r["message_id"], r["digest"]) for r in rows}

    def mark(self) -> Mark | None:
        rows = self.store.query("SELECT uidvalidity, last_uid FROM watch_marks WHERE run_id = ?", (self.run_id,))
        return Mark(int(rows[0]["uidvalidity"]), int(rows[0]["last_uid"])) if rows else None

    def save_mark(self, mark: Mark) -> None:
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO watch_marks (run_id, uidvalidity, last_uid) VALUES (?, ?, ?)",
                       (self.run_id, mark.uidvalidity, mark.last_uid))

    def files(self) -> set[str]:
        """The Maildir keys seen by earlier starts: a key not among them arrived while nobody watched."""
        rows = self.store.query("SELECT name FROM watch_files WHERE run_id = ?", (self.run_id,))
        return {r["name"] for r in rows}

    def save_files(self, names: list[str]) -> None:
        with self.store.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO watch_files (run_id, name) VALUES (?, ?)",
                           ((self.run_id, n) for n in names))

    def known(self, email: Email) -> bool:
        """Triaged before: this very email, or (a new UIDVALIDITY) the same message under a new UID."""
        return email.id in self.done or (email.message_id, email.digest) in self.seen

    def remember(self, email: Email) -> None:
        """An email has its verdict: never again, under this UID or another."""
        self.done.add(email.id)
        key = (email.message_id, email.digest)
        if key in self.seen:
            return
        self.seen.add(key)
        with self.store.transaction() as db:
            db.execute("INSERT OR IGNORE INTO watch_seen (run_id, message_id, digest, email_id) VALUES (?, ?, ?, ?)",
                       (self.run_id, email.message_id, email.digest, email.id))
