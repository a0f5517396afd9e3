"""Rules learned from corrections, with provenance, and the rule book a run decides with.

A correction of an email's route or category teaches rules at three levels: its sender
address, its List-Id, and its sender's domain once corrections of two or more addresses of it
agree (one customer's mail says little about their colleagues'; never a shared free-mail
domain: gmail.com says nothing about who wrote). An email is matched by the most specific level first. Urgency and
priority join a rule only when the last two or more corrections for that key agree. The newest
teaching wins: a correction that contradicts a rule replaces it, and the rule keeps the line
that says so. Rules are derived from the live corrections every time (undo and forget are
therefore exact); `fanmail learned forget ID` stores only "ignore what taught ID up to now".

Rules the operator wrote in the config (`[[rules]]`) come first, whatever was learned.
A rule keyed by who sent the mail is a spoofing target, so no rule decides an email whose own
Authentication-Results (or ARC-Authentication-Results) say the From domain failed DMARC, DKIM
or SPF: the model decides and the row says why the rule was skipped (tui/review/decide.py).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from email.utils import parseaddr
from typing import Literal

from pydantic import BaseModel, Field

from tui.agents.domains import FREEMAIL
from tui.model import Category, Email
from tui.review.records import Correction
from tui.review.texts import list_id as email_list_id
from tui.settings import Settings
from tui.store import Store

Kind = Literal["sender", "domain", "list"]
KINDS: tuple[Kind, ...] = ("sender", "domain", "list")  # most specific first
# Free mail the rules' table does not list (newer providers).
_MORE_FREEMAIL = frozenset({"googlemail.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com",
                            "pm.me", "zoho.com", "yandex.com", "ya.ru", "fastmail.com", "tutanota.com",
                            "hey.com", "hotmail.de", "outlook.de", "yahoo.de", "yahoo.fr", "laposte.net",
                            "orange.fr", "free.fr", "t-online.de", "libero.it"})
AGREE = 2  # corrections that must agree before urgency or priority is learned


class Rule(BaseModel):
    """One rule: where mail matching (kind, key) goes. `origin` config rules have no provenance."""

    id: str  # "sender:ann@acme.example", "domain:acme.example", "list:news.acme.example"
    kind: Kind
    key: str
    origin: Literal["learned", "config"] = "learned"
    route: str
    category: Category
    urgent: bool | None = None
    priority: int | None = None
    taught_by: list[int] = Field(default_factory=list)  # the correction that set route/category first
    example: str = ""  # the teaching email's sender and subject, for `learned show`
    learned_at: float = 0.0
    history: list[str] = Field(default_factory=list)  # what newer corrections replaced

    def describe(self) -> str:
        extra = "".join([f", urgent {str(self.urgent).lower()}" if self.urgent is not None else "",
                         f", priority {self.priority}" if self.priority is not None else ""])
        by = f" (correction #{', #'.join(map(str, self.taught_by))})" if self.taught_by else " (config)"
        return f"{self.id} -> route {self.route}, category {self.category.value}{extra}{by}"


def address_of(sender: str) -> str:
    return parseaddr(sender)[1].strip().lower()


def domain_key(address: str) -> str:
    domain = address.rpartition("@")[2]
    return "" if not domain or domain in FREEMAIL or domain in _MORE_FREEMAIL else domain


def keys_for(sender: str, list_id: str) -> list[tuple[Kind, str]]:
    """(kind, key) an email can be matched by, most specific first."""
    address = address_of(sender)
    out: list[tuple[Kind, str]] = []
    if "@" in address:
        out.append(("sender", address))
        if domain_key(address):
            out.append(("domain", domain_key(address)))
    if list_id:
        out.append(("list", list_id.lower()))
    return out


def _route_category(route: str | None, category: str | None, settings: Settings) -> tuple[str, Category]:
    """A teaching names a route, a category or both: the other follows from the config."""
    if route is None:
        assert category is not None
        return settings.route_for(category), Category(category)
    if category is not None:
        return route, Category(category)
    for r in settings.routes:
        if r.name == route and r.categories:
            return route, r.categories[0]
    return route, Category.OTHER


def derive(corrections: list[Correction], settings: Settings,
           forgotten: dict[str, int] | None = None) -> dict[str, Rule]:
    """The learned rules the live corrections teach now, by id."""
    forgotten = forgotten or {}
    per_email: dict[tuple[str, str], list[Correction]] = defaultdict(list)
    for c in sorted((c for c in corrections if not c.undone), key=lambda c: c.id or 0):
        per_email[(c.run_id, c.email_id)].append(c)
    teachings: dict[str, list[tuple[int, str, Category, Correction]]] = defaultdict(list)
    votes: dict[str, dict[str, list[tuple[int, object]]]] = defaultdict(lambda: defaultdict(list))
    for records in per_email.values():
        latest = {c.field: c for c in records}  # newest per field
        route_c, cat_c = latest.get("route"), latest.get("category")
        keys = keys_for(records[-1].sender, records[-1].list_id)
        for field in ("urgent", "priority"):
            if field in latest:
                for kind, key in keys:
                    votes[f"{kind}:{key}"][field].append((latest[field].id or 0, latest[field].value))
        if route_c is None and cat_c is None:
            continue
        route, category = _route_category(route_c.value if route_c else None, cat_c.value if cat_c else None,
                                          settings)
        taught = max(c.id or 0 for c in (route_c, cat_c) if c is not None)
        for kind, key in keys:
            teachings[f"{kind}:{key}"].append((taught, route, category, route_c or cat_c))  # type: ignore[arg-type]
    rules: dict[str, Rule] = {}
    for rule_id, found in teachings.items():
        through = forgotten.get(rule_id, 0)
        found = sorted(t for t in found if t[0] > through)
        if not found:
            continue
        history: list[str] = []
        for (old_id, old_route, old_cat, _), (new_id, new_route, new_cat, _) in zip(found, found[1:]):
            if (old_route, old_cat) != (new_route, new_cat):
                history.append(f"route {old_route}, category {old_cat.value} (correction #{old_id}) "
                               f"replaced by correction #{new_id}")
        taught, route, category, example = found[-1]
        kind, _, key = rule_id.partition(":")
        if kind == "domain" and len(_agreeing_senders(found)) < AGREE:
            continue  # one person's mail says little about their colleagues': wait for a second
        fields = {f: _agreed([v for v in votes[rule_id][f] if v[0] > through]) for f in ("urgent", "priority")}
        rules[rule_id] = Rule(id=rule_id, kind=kind, key=key, route=route, category=category,  # type: ignore[arg-type]
                              urgent=fields["urgent"], priority=fields["priority"], taught_by=[taught],
                              example=f"{example.sender} | {example.subject}", learned_at=example.at,
                              history=history)
    return rules


def _agreeing_senders(found: list[tuple[int, str, Category, Correction]]) -> set[str]:
    """Distinct sender addresses whose corrections gave the newest verdict, since it last changed."""
    _, route, category, _ = found[-1]
    senders: set[str] = set()
    for _, r, c, correction in reversed(found):
        if (r, c) != (route, category):
            break
        senders.add(address_of(correction.sender))
    return senders


def _agreed(votes: list[tuple[int, object]]) -> object | None:
    """The newest value when the newest AGREE or more corrections all gave it, else None."""
    if len(votes) < AGREE:
        return None
    ordered = [v for _, v in sorted(votes, key=lambda v: v[0])]
    last = ordered[-1]
    return last if all(v == last for v in ordered[-AGREE:]) else None


def config_rules(settings: Settings) -> list[Rule]:
    out = []
    for n, r in enumerate(settings.rules, 1):
        if r.list_id:
            kind, key = "list", r.list_id.strip().strip("<>").lower()
        else:
            value = (r.sender or "").strip().lower()
            kind, key = ("sender", address_of(value)) if "@" in value else ("domain", value.lstrip("@"))
        route, category = _route_category(r.route, r.category.value if r.category else None, settings)
        out.append(Rule(id=f"config{n}:{kind}:{key}", kind=kind, key=key, origin="config", route=route,  # type: ignore[arg-type]
                        category=category, urgent=r.urgent, priority=r.priority))
    return out


# ------------------------------------------------------------------ store access


def forgotten(store: Store) -> dict[str, int]:
    return {r["rule_id"]: r["through"] for r in store.query("SELECT rule_id, through FROM forgotten_rules")}


def learned_rules(store: Store, settings: Settings) -> dict[str, Rule]:
    from tui.review.log import list_corrections

    return derive(list_corrections(store), settings, forgotten(store))


def forget(store: Store, settings: Settings, rule_id: str) -> Rule:
    """Stop using a learned rule: the corrections that taught it so far no longer count."""
    rules = learned_rules(store, settings)
    if rule_id not in rules:
        raise KeyError(rule_id)
    through = store.query("SELECT COALESCE(MAX(id), 0) AS n FROM corrections")[0]["n"]
    with store.transaction() as db:
        db.execute("INSERT INTO forgotten_rules (rule_id, through, at) VALUES (?, ?, ?) "
                   "ON CONFLICT (rule_id) DO UPDATE SET through = excluded.through, at = excluded.at",
                   (rule_id, through, time.time()))
    return rules[rule_id]


def taught_by(store: Store, settings: Settings, records: list[Correction]) -> list[str]:
    """Lines for the operator: which rules these new corrections set or replaced."""
    ids = {r.id for r in records}
    out = []
    for rule in learned_rules(store, settings).values():
        if set(rule.taught_by) & ids:
            line = f"learned rule {rule.describe()}"
            replaced = [h for h in rule.history if any(h.endswith(f"#{i}") for i in ids)]
            out.append(line + (f"; replaces {replaced[-1].rsplit(' replaced by', 1)[0]}" if replaced else ""))
    return out


# ------------------------------------------------------------------ matching and spoofing

_RESULT = re.compile(r"\b(dmarc|dkim|spf)\s*=\s*([a-z]+)([^;]*)", re.I)
_PROP = re.compile(r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom|smtp\.helo)\s*=\s*([^\s;]+)", re.I)
_FAILED = {"fail", "softfail"}


def auth_failure(email: Email) -> str | None:
    """Why the message's own authentication results disown its From domain, or None.

    Only the topmost Authentication-Results (added by the receiving server) and ARC results are
    read. A result counts when it names the From domain (header.from, header.d, smtp.mailfrom,
    or their parent domain) or names no domain at all."""
    domain = address_of(email.sender).rpartition("@")[2]
    if not domain:
        return None
    for header in ("authentication-results", "arc-authentication-results"):
        failed: dict[str, str] = {}
        for method, result, props in _RESULT.findall(email.headers.get(header, "")):
            if result.lower() not in _FAILED or method.lower() in failed:
                continue
            named = [v.strip("<>").rpartition("@")[2].lower() for _, v in _PROP.findall(props)]
            if not named or any(d == domain or domain.endswith("." + d) or d.endswith("." + domain) for d in named):
                failed[method.lower()] = result.lower()
        if failed:
            where = "ARC-Authentication-Results" if header.startswith("arc") else "Authentication-Results"
            said = ", ".join(f"{m}={failed[m]}" for m in ("dmarc", "dkim", "spf") if m in failed)
            return f"{where} say {said} for {domain}"
    return None


class RuleBook:
    """Config rules, then learned ones; for each, the most specific key first."""

    def __init__(self, config: list[Rule], learned: list[Rule]) -> None:
        self._config = {(r.kind, r.key): r for r in config}
        self._learned = {(r.kind, r.key): r for r in learned}

    def __len__(self) -> int:
        return len(self._config) + len(self._learned)

    @classmethod
    def load(cls, store: Store | None, settings: Settings) -> "RuleBook":
        learned = list(learned_rules(store, settings).values()) if store is not None and settings.learn else []
        return cls(config_rules(settings), learned)

    def match(self, email: Email) -> Rule | None:
        keys = keys_for(email.sender, email_list_id(email))
        for table in (self._config, self._learned):
            for key in keys:
                if key in table:
                    return table[key]
        return None

    @property
    def rules(self) -> list[Rule]:
        return [*self._config.values(), *self._learned.values()]
