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

    @property
    def total(self) -> int:
        return len(self.emails)

    @property
    def to_classify(self) -> int:
        return sum(len(b.email_ids) for b in self.batches)


class PlanBuilder:
    """Adds emails one at a time, so a plan can grow while a source is still being read."""

    def __init__(self, plan: Plan | None = None) -> None:
        self.plan = plan or Plan(emails={}, batches=[])
        self._seen: dict[tuple[str, str], str] = {}

    def add(self, email: Email) -> str:
        """Record the email; say what it is: 'work', 'duplicate' or 'unreadable'."""
        plan = self.plan
        if email.id in plan.emails:
            raise ValueError(f"email id {email.id!r} appears twice in the source")
        plan.emails[email.id] = email
        if email.parse_error is not None:
            plan.unreadable.append(email.id)
            return "unreadable"
        key = (email.message_id, content_hash(email))
        original = self._seen.get(key)
        if original is not None:
            plan.duplicates[email.id] = original
            plan.copies.setdefault(original, []).append(email.id)
            return "duplicate"
        self._seen[key] = email.id
        return "work"


def agent_name(index: int, expected_agents: int) -> str:
    width = max(2, len(str(expected_agents)))
    return f"a{index:0{width}d}"


def make_plan(emails: list[Email], batch_size: int) -> Plan:
    """Dedupe by Message-ID + content, then cut the rest into batches in input order.

    Below SEQUENTIAL_BELOW emails one agent does everything: fanning out a handful costs more
    in connection setup and rate-limit budget than it saves.
    """
    builder = PlanBuilder()
    work = [email.id for email in emails if builder.add(email) == "work"]
    size = len(work) if len(work) < SEQUENTIAL_BELOW else batch_size
    chunks = [work[i : i + size] for i in range(0, len(work), max(size, 1))]
    builder.plan.batches = [
        Batch(agent_name(n, len(chunks)), tuple(chunk)) for n, chunk in enumerate(chunks, 1)
    ]
    return builder.plan
