"""Split the input deterministically: dedupe, then partition by index so each email is in one batch."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

from tui.model import Email
from tui.settings import Settings

CONFLICT = "same Message-ID, different content"
SHOWN_CONFLICTS = 3  # other email ids a conflict row names
# Providers whose call is a local function, not a wait on a model: fanning out cannot overlap
# anything, so one agent does everything (bench/fanout.py measures it; README "How the fan-out works").
IN_PROCESS_PROVIDERS = frozenset({"rules"})
STREAM_BATCH = 10  # --batch-size auto on a stream of unknown length
MAX_AUTO_BATCH = 1_000  # auto never puts more than this in one agent: retries and timeouts stay per slice


def content_key(email: Email) -> str:
    """The parser's digest of the message as its sender wrote it (tui.mail.digest). An email built
    without bytes (tests, stored rows) falls back to a hash of everything parsed from it."""
    if email.digest:
        return email.digest
    fields = email.model_dump_json(exclude={"id", "source_ref", "notes", "parse_error"})
    return "fields:" + hashlib.blake2b(fields.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Batch:
    agent_id: str
    email_ids: tuple[str, ...]


@dataclass(slots=True)
class Plan:
    """What the coordinator runs. `duplicates` maps a duplicate's id to the id it copies;
    `conflicts` maps each email whose Message-ID another email of different content shares to all
    the emails with that Message-ID (one list per Message-ID, shared: memory stays linear)."""

    emails: dict[str, Email]
    batches: list[Batch]
    duplicates: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    copies: dict[str, list[str]] = field(default_factory=dict)  # original id -> its duplicates
    conflicts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.emails)

    @property
    def to_classify(self) -> int:
        return sum(len(b.email_ids) for b in self.batches)

    def conflict(self, email_id: str) -> str | None:
        """What the row of `email_id` says about the other emails with its Message-ID, if any."""
        others = [e for e in self.conflicts.get(email_id, ()) if e != email_id]
        if not others:
            return None
        more = f" and {len(others) - SHOWN_CONFLICTS} more" if len(others) > SHOWN_CONFLICTS else ""
        return f"{CONFLICT}: also {', '.join(others[:SHOWN_CONFLICTS])}{more}"


class PlanBuilder:
    """Adds emails one at a time, so a plan can grow while a source is still being read."""

    def __init__(self, plan: Plan | None = None) -> None:
        self.plan = plan or Plan(emails={}, batches=[])
        self._seen: dict[tuple[str, str], str] = {}  # (Message-ID, content) -> first email
        self._by_message_id: dict[str, list[str]] = {}  # Message-ID -> its emails of distinct content

    def add(self, email: Email) -> str:
        """Record the email; say what it is: 'work', 'duplicate' or 'unreadable'."""
        plan = self.plan
        if email.id in plan.emails:
            raise ValueError(f"email id {email.id!r} appears twice in the source")
        plan.emails[email.id] = email
        if email.parse_error is not None:
            plan.unreadable.append(email.id)
            return "unreadable"
        key = (email.message_id, content_key(email))
        original = self._seen.get(key)
        if original is not None:  # the same message delivered again
            plan.duplicates[email.id] = original
            plan.copies.setdefault(original, []).append(email.id)
            return "duplicate"
        self._seen[key] = email.id
        if email.message_id:
            same_id = self._by_message_id.setdefault(email.message_id, [])
            same_id.append(email.id)
            if len(same_id) == 2:
                plan.conflicts[same_id[0]] = same_id
            if len(same_id) >= 2:
                plan.conflicts[email.id] = same_id
        return "work"


def agent_name(index: int, expected_agents: int) -> str:
    width = max(2, len(str(expected_agents)))
    return f"a{index:0{width}d}"


def waits_on_model(provider: str) -> bool:
    """False for a provider answering in-process (rules): no latency for a fan-out to hide."""
    return provider not in IN_PROCESS_PROVIDERS


def auto_batch_size(n: int, concurrency: int) -> int:
    """ceil(N / C): one wave that gives every slot work; rebalancing evens out the tail."""
    return max(1, min(MAX_AUTO_BATCH, math.ceil(n / max(1, concurrency))))


def batch_size_for(n: int | None, settings: Settings) -> int:
    """The batch size a run of `n` emails uses (None: a stream of unknown length).

    An explicit --batch-size wins. `auto`: one agent for an in-process provider, else ceil(N / C)
    at most (make_plan then spreads the emails over min(N, C) agents, sizes differing by one).
    """
    if settings.batch_size != "auto":
        return settings.batch_size
    if n is None:
        return STREAM_BATCH
    if not waits_on_model(settings.provider):
        return max(1, n)
    return auto_batch_size(n, settings.concurrency)


def make_plan(emails: list[Email], batch: int | Settings) -> Plan:
    """Fold true duplicates (same Message-ID, same content), then cut the rest into batches in
    input order.

    `batch` is a batch size, or the settings to work one out from (`batch_size_for`).
    """
    builder = PlanBuilder()
    work = [email.id for email in emails if builder.add(email) == "work"]
    size = batch if isinstance(batch, int) else batch_size_for(len(work), batch)
    chunks = [work[i : i + size] for i in range(0, len(work), max(size, 1))]
    if (isinstance(batch, Settings) and batch.batch_size == "auto" and waits_on_model(batch.provider)
            and len(chunks) < min(len(work), batch.concurrency)):
        # Every slot gets work: 50 emails at C=20 are 10 batches of 3 and 10 of 2, not 17 of 3.
        count = min(len(work), batch.concurrency)
        step, extra = divmod(len(work), count)
        bounds = [n * step + min(n, extra) for n in range(count + 1)]
        chunks = [work[bounds[n] : bounds[n + 1]] for n in range(count)]
    builder.plan.batches = [
        Batch(agent_name(n, len(chunks)), tuple(chunk)) for n, chunk in enumerate(chunks, 1)
    ]
    return builder.plan
