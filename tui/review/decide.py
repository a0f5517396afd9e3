"""Rules before the model: a Provider wrapper that lets a matching rule decide without a request.

    provider = Deciding(inner, RuleBook.load(store, settings), Examples.load(store, settings), settings)

For each email: a config or learned rule that matches (tui/review/learned.py) decides it, unless
the message's own authentication results disown its From domain (then the model decides and the
row says why the rule was skipped). The injection guard always runs on rule-decided mail: a
flagged email keeps the rule's route only as a proposal and the review policy holds it for a
human. Everything else goes to the inner provider with a few relevant corrections as examples
in its prompt. Every verdict carries its `decision` (who decided), which becomes the row's
`review` object.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tui.agents import rules as offline
from tui.agents.prompt import CHARS_PER_TOKEN, OPERATOR_EXAMPLES
from tui.model import Email, Review, Verdict
from tui.review.learned import Rule, RuleBook, address_of, auth_failure, domain_key
from tui.review.records import Correction
from tui.settings import Settings
from tui.store import Store, store_path

RULE_CONFIDENCE = 0.95
MAX_EXAMPLES = 3
_WORD = re.compile(r"[a-z0-9]{3,}")


class DecidedVerdict(Verdict):
    """A verdict that knows who decided it; `ResultRow.from_verdict` turns `decision` into the row's."""

    decision: Review | None = None


def rule_verdict(email: Email, rule: Rule, settings: Settings) -> DecidedVerdict:
    """The rule's route and category; urgency, priority and the summary from the offline rules
    unless the rule learned them; injection from the guard, which always runs."""
    base = offline.classify(email, settings)
    decided_by = "learned rule" if rule.origin == "learned" else "rules"
    return DecidedVerdict(
        urgent=base.urgent if rule.urgent is None or base.injection else rule.urgent,
        priority=base.priority if rule.priority is None or base.injection else rule.priority,
        route=rule.route,
        category=rule.category,
        confidence=base.confidence if base.injection else max(base.confidence, RULE_CONFIDENCE),
        injection=base.injection,
        injection_reason=base.injection_reason,
        summary=base.summary,
        decision=Review(decided_by=decided_by, rule=rule.id, taught_by=list(rule.taught_by)),
    )


class Examples:
    """Corrections shown to the model for similar mail: same sender domain first, then shared
    subject words; sender, subject and the operator's verdict only, within a token budget."""

    def __init__(self, corrections: list[Correction], budget_tokens: int) -> None:
        self.budget_chars = budget_tokens * CHARS_PER_TOKEN
        self._items: list[tuple[str, set[str], dict[str, str]]] = []
        latest: dict[tuple[str, str], dict[str, Correction]] = {}
        for c in sorted((c for c in corrections if not c.undone), key=lambda c: c.id or 0):
            latest.setdefault((c.run_id, c.email_id), {})[c.field] = c
        for fields in latest.values():
            teaching = [fields[f] for f in ("route", "category") if f in fields]
            if not teaching:
                continue
            first = teaching[0]
            example = {"from": first.sender[:120], "subject": first.subject[:120]}
            example.update({c.field: str(c.value) for c in teaching})
            self._items.append((domain_key(address_of(first.sender)), set(_WORD.findall(first.subject.lower())),
                                example))

    def __len__(self) -> int:
        return len(self._items)

    @classmethod
    def load(cls, store: Store | None, settings: Settings) -> "Examples":
        from tui.review.log import list_corrections

        if store is None or not settings.learn or settings.example_tokens == 0:
            return cls([], 0)
        return cls(list_corrections(store), settings.example_tokens)

    def for_email(self, email: Email) -> tuple[dict[str, str], ...]:
        if not self._items or self.budget_chars <= 0:
            return ()
        domain = domain_key(address_of(email.sender))
        words = set(_WORD.findall(email.subject.lower()))
        scored = []
        for n, (d, w, example) in enumerate(self._items):
            score = (2.0 if domain and d == domain else 0.0) + (len(words & w) / len(words | w) if words and w else 0.0)
            if score > 0:
                scored.append((-score, -n, example))
        out: list[dict[str, str]] = []
        used = 0
        for _, _, example in sorted(scored)[:MAX_EXAMPLES]:
            size = len(json.dumps(example, ensure_ascii=False, separators=(",", ":"))) + 1
            if used + size > self.budget_chars:
                break
            out.append(example)
            used += size
        return tuple(out)


class Front:
    """The rule book and examples a run loaded, to put in front of another backend: a worker
    process or a Ray node builds its own backend and must decide as the driver does."""

    def __init__(self, book: RuleBook, examples: Examples, settings: Settings) -> None:
        self.book, self.examples, self.settings = book, examples, settings

    def __call__(self, inner: Any) -> "Deciding":
        return Deciding(inner, self.book, self.examples, self.settings)


class Deciding:
    """The inner provider behind the rule book; every other attribute is the inner one's."""

    def __init__(self, inner: Any, book: RuleBook, examples: Examples, settings: Settings) -> None:
        self.inner = inner
        self.book = book
        self.examples = examples
        self.settings = settings
        self.front = Front(book, examples, settings)
        self.decided_by = "rules" if getattr(inner, "name", "") == "rules" else "model"
        if hasattr(inner, "estimate_tokens"):
            self.estimate_tokens = self._estimate_tokens

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def plan(self, email: Email) -> tuple[Rule | None, str | None]:
        """(the rule that will decide it, or None; why a matching rule will not), no side effects."""
        rule = self.book.match(email) if len(self.book) else None
        if rule is None:
            return None, None
        failure = auth_failure(email)
        if failure is not None:
            return None, f"rule {rule.id} not used: {failure}"
        return rule, None

    def _estimate_tokens(self, email: Email) -> int:
        rule, _ = self.plan(email)
        if rule is not None:
            return 0
        token = OPERATOR_EXAMPLES.set(self.examples.for_email(email))
        try:
            return int(self.inner.estimate_tokens(email))
        finally:
            OPERATOR_EXAMPLES.reset(token)

    async def classify(self, email: Email) -> Verdict:
        rule, skipped = self.plan(email)
        if rule is not None:
            return rule_verdict(email, rule, self.settings)
        token = OPERATOR_EXAMPLES.set(self.examples.for_email(email))
        try:
            verdict = await self.inner.classify(email)
        finally:
            OPERATOR_EXAMPLES.reset(token)
        # The verdict's fields as they are (no dump to a dict first).
        return DecidedVerdict(**{**verdict.__dict__, "decision": Review(decided_by=self.decided_by,  # type: ignore[arg-type]
                                                                         rule_skipped=skipped)})


def wrap(inner: Any, settings: Settings) -> Deciding:
    """The run's provider with the store's learned rules and the config's rules in front."""
    store = None
    path = store_path(settings.store)
    if settings.learn and str(path) != ":memory:" and path.exists():
        try:
            store = Store(path)
        except Exception:  # an unreadable store costs the learning, not the run
            store = None
    try:
        return Deciding(inner, RuleBook.load(store, settings), Examples.load(store, settings), settings)
    finally:
        if store is not None:
            store.close()

