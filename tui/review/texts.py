"""What a run keeps of each email so a stored run can be read and reviewed with no source at hand
(`fanmail review RUN_ID`), and so corrections know the List-Id they teach a rule by.

The body is cut to the run's `max_body_chars` (what a model was shown at most); raw bytes and
attachments' contents are never kept, only their names and sizes.
"""

from __future__ import annotations

from collections.abc import Iterable

from tui.model import Email
from tui.store import Store


def list_id(email: Email) -> str:
    """The List-Id's identifier (`<news.acme.example>` -> `news.acme.example`), or ""."""
    raw = email.headers.get("list-id", "")
    if "<" in raw and ">" in raw:
        raw = raw[raw.rfind("<") + 1:raw.rfind(">")]
    return raw.strip().lower()[:200]


def keep_texts(store: Store, run_id: str, emails: Iterable[Email], max_chars: int) -> None:
    """Store each email (blocking, one transaction: called where the run's emails are registered)."""
    rows = []
    for e in emails:
        cut = e if len(e.text) <= max_chars and len(e.hidden_text) <= max_chars // 4 else e.model_copy(
            update={"text": e.text[:max_chars], "hidden_text": e.hidden_text[:max_chars // 4]})
        rows.append((run_id, e.id, list_id(e), cut.model_dump_json()))
    with store.transaction() as db:
        db.executemany("INSERT OR IGNORE INTO email_texts (run_id, email_id, list_id, email) VALUES (?, ?, ?, ?)",
                       rows)


def stored_email(store: Store, run_id: str, email_id: str) -> Email | None:
    """The email as the run kept it, or None (a run recorded before emails were kept, or IMAP)."""
    found = store.query("SELECT email FROM email_texts WHERE run_id = ? AND email_id = ?", (run_id, email_id))
    return Email.model_validate_json(found[0]["email"]) if found else None
