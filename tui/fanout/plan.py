"""Split the input deterministically: dedupe, then partition by index so each email is in one batch."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from tui.model import Email

SEQUENTIAL_BELOW = 10


def content_hash(email: Email) -> str:
    h = hashlib.blake2b(digest_size=12)
    for part in (email.sender, email.subject, email.text, email.hidden_text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Batch:
    agent_id: str
    email_ids: tuple[str, ...]


@dataclass(slots=True)
class Plan:
    """What the coordinator runs. `duplicates` maps a duplicate's id to the id it copies."""

    emails: dict[str, Email]
    batches: list[Batch]
    duplicates: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    copies: dict[str, list[str]] = field(default_factory=dict)  # original id -> its duplicates

    def __post_init__(self) -> None:
        for dup, original in self.duplicates.items():
            self.copies.setdefault(original, []).append(dup)

    @property
    def total(self) -> int:
        return len(self.emails)

    @property
    def to_classify(self) -> int:
        return sum(len(b.email_ids) for b in self.batches)


def make_plan(emails: list[Email], batch_size: int) -> Plan:
    """Dedupe by Message-ID + content, then cut the rest into batches in input order.

    Below SEQUENTIAL_BELOW emails one agent does everything: fanning out a handful costs more
    in connection setup and rate-limit budget than it saves.
    """
    by_id: dict[str, Email] = {}
    seen: dict[tuple[str, str], str] = {}
    duplicates: dict[str, str] = {}
    unreadable: list[str] = []
    work: list[str] = []
    for email in emails:
        if email.id in by_id:
            raise ValueError(f"email id {email.id!r} appears twice in the source")
        by_id[email.id] = email
        if email.parse_error is not None:
            unreadable.append(email.id)
            continue
        key = (email.message_id, content_hash(email))
        if key in seen:
            duplicates[email.id] = seen[key]
            continue
        seen[key] = email.id
        work.append(email.id)

    size = len(work) if len(work) < SEQUENTIAL_BELOW else batch_size
    chunks = [work[i : i + size] for i in range(0, len(work), max(size, 1))]
    width = max(2, len(str(len(chunks))))
    batches = [Batch(f"a{n:0{width}d}", tuple(chunk)) for n, chunk in enumerate(chunks, 1)]
    return Plan(emails=by_id, batches=batches, duplicates=duplicates, unreadable=unreadable)
