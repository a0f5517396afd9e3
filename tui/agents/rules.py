"""Offline, deterministic triage: weighted keywords plus header and sender signals.

Why it exists: the demo, the simulator and the tests need a verdict that costs nothing, never
changes between runs and needs no key. It is also the fallback when no model is configured, so it
must hold up on real mail (measured on the SpamAssassin corpus by `bench/rules_corpus.py`) and be
fast (the simulator calls it per request; benchmarks run 10,000 emails).

How: subject and visible body are normalised and split into words once (`rules_text.py`; far
cheaper than a tokenising regex). Each distinct lexicon term found (`rules_terms.py`: a word, or a
phrase found by substring search on the normalised text) adds its weight to a category; headers
and a few shape signals add more. The best category wins and its margin over the runner-up sets
the confidence. Spam and phishing need more evidence than the rest, because junking real mail
costs more than letting junk through, and sales language counts once per concept and is capped
(`rules_terms.JUNK_CONCEPTS`), because honest shops and newsletters use it too. A learned spam model (`spam_model.py`, trained by
`bench/train_spam.py`) adds its evidence to the spam score in one place (`_learned_spam`): it
pushes pitches the lexicon missed over the bar, and can hold back mail the lexicon misread.
Injection is judged separately (`injection_rules.py`), on subject, body and hidden HTML text, and
then caps priority and confidence, so a message can never promote itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from tui.agents.domains import FREEMAIL as _FREEMAIL, domain_of, registrable
from tui.agents.injection_rules import INJECTION_CONFIDENCE_CAP, INJECTION_PRIORITY_CAP, find_injection
from tui.agents.rules_terms import JUNK_CONCEPTS, LEXICON, URGENT_TERMS
from tui.agents.rules_text import Words, message_parts
from tui.agents.spam_model import SpamModel, model_for
from tui.model import Category, Email, Verdict
from tui.settings import ConfigError, Settings

SUMMARY_MAX = 120
URGENT_MIN_PRIORITY = 70
MIN_EVIDENCE = 1.6  # below this best score the mail is "other"
JUNK_MIN_EVIDENCE = 4.0  # spam/phishing must clear this, or the runner-up wins
SUBJECT_FACTOR = 1.6  # the sender's own headline says most

C = Category

# Only these can be urgent: marketing, junk and machine chatter never are.
_CAN_BE_URGENT = {C.OUTAGE, C.COMPLAINT, C.INVOICE, C.PERSONAL}
_URGENT_THRESHOLD = 2.0

_BASE_PRIORITY: dict[Category, int] = {
    C.OUTAGE: 60, C.COMPLAINT: 55, C.INVOICE: 45, C.SALES_LEAD: 50, C.PERSONAL: 40,
    C.OTHER: 30, C.NOTIFICATION: 20, C.PHISHING: 12, C.NEWSLETTER: 8, C.SPAM: 3,
}
_JUNK = (C.SPAM, C.PHISHING)
WEAK_TERM = 1.0  # junk terms lighter than this are common words ("free", "offer", "money")
WEAK_CAP = 2.0
SALES_CAP = 3.0  # sales language (rules_terms.JUNK_CONCEPTS) adds at most this: shops talk so too

_CATS: tuple[Category, ...] = tuple(Category)
_IX = {c: i for i, c in enumerate(_CATS)}

# ----------------------------------------------------------------------------- term index

Entry = tuple[str, tuple[tuple[int, float], ...]]  # (canonical term, ((slot, weight), ...))
Phrase = tuple[frozenset[str], str, Entry]  # (its words, " w1 w2", entry)
Found = dict[str, tuple[tuple[int, float], ...]]  # canonical term -> its (slot, weight)s


def _terms(entries: Iterable[tuple[str, int, float]]) -> dict[str, tuple[Entry | None, list[Phrase]]]:
    """One vocabulary by word: the term the word is, and the phrases filed under it. A phrase
    is filed under its longest word (likely its rarest), with all its words, so the substring
    search only runs when every word is present."""
    merged: dict[str, dict[int, float]] = {}
    for term, slot, weight in entries:
        key = " ".join(Words.of(term).tokens)
        if key:
            merged.setdefault(key, {})[slot] = weight
    singles: dict[str, Entry] = {}
    phrases: dict[str, list[Phrase]] = {}
    for key, slots in merged.items():
        entry: Entry = (key, tuple(sorted(slots.items())))
        forms = [key] if key[-1].isdigit() or key.endswith("s") else [key, key + "s"]
        for form in forms:
            if form != key and form in merged:
                continue  # the plural is a term of its own
            words = form.split()
            if len(words) == 1:
                singles[form] = entry
            else:
                anchor = max(reversed(words), key=len)
                phrases.setdefault(anchor, []).append((frozenset(words), f" {form}", entry))
    return {w: (singles.get(w), phrases.get(w, [])) for w in singles.keys() | phrases.keys()}


def _has_phrase(joined: str, head: str) -> bool:
    """Whether `head` (" w1 w2") followed by a space is in `joined` (" w1 w2 ... "). Searched
    without its closing space: a search is fastest when the needle ends in a rare character,
    and a space is the commonest one."""
    at = joined.find(head)
    while at >= 0:
        if joined[at + len(head)] == " ":  # in range: `joined` ends with a space
            return True
        at = joined.find(head, at + 1)
    return False


@dataclass(slots=True)
class _Index:
    """Several vocabularies in one table by word, so one set intersection per text finds the
    terms of all of them (the words of a body are the costly thing to walk)."""

    by_word: dict[str, list[tuple[int, Entry | None, list[Phrase]]]]
    keys: frozenset[str]
    size: int

    @classmethod
    def build(cls, *vocabularies: Iterable[tuple[str, int, float]]) -> _Index:
        by_word: dict[str, list[tuple[int, Entry | None, list[Phrase]]]] = {}
        for n, entries in enumerate(vocabularies):
            for word, (single, phrases) in _terms(entries).items():
                by_word.setdefault(word, []).append((n, single, phrases))
        return cls(by_word, frozenset(by_word), len(vocabularies))

    def find(self, words: Words) -> list[Found]:
        """Per vocabulary, each of its terms present in the words."""
        found: list[Found] = [{} for _ in range(self.size)]
        tset = words.tset
        by_word = self.by_word
        for tok in tset & self.keys:
            for n, single, phrases in by_word[tok]:
                if single is not None:
                    found[n][single[0]] = single[1]
                for need, needle, (key, slots) in phrases:
                    if need <= tset and _has_phrase(words.joined, needle):
                        found[n][key] = slots
        return found


# the lexicon (a slot per category) and the urgency terms (slot 0)
_INDEX = _Index.build(
    ((term, _IX[cat], w) for cat, terms in LEXICON.items() for term, w in terms.items()),
    ((t, 0, w) for t, w in URGENT_TERMS.items()),
)
_JUNK_SLOTS = frozenset(_IX[c] for c in _JUNK)
# canonical junk term -> its concept: only the strongest term of a concept counts
_CONCEPT_OF = {" ".join(Words.of(t).tokens): concept
               for concept, terms in JUNK_CONCEPTS.items() for t in terms}

# ----------------------------------------------------------------------------- sender and shape

_LOCAL = re.compile(r"([\w.+'=-]+)@")
_NOREPLY = re.compile(
    r"(?:^|[<\s\"])(?:no-?reply|do-?not-?reply|donotreply|notifications?|notify|alerts?|"
    r"mailer-daemon|postmaster|automated|bounces?|monitoring|calendar|ci|builds?|jenkins)"
    r"[\w.+-]*@", re.I,
)
_ADV = re.compile(r"\s*(?:re:\s*)?[\[(]?adv\b", re.I)
_THROWAWAY = re.compile(r"[a-z_]{2,}\d{3,}[a-z\d]*$", re.I)
_URL_HOST = re.compile(r"https?://([^/\s\"'<>:?#]+)")  # on lower-cased text
_IP_URL = re.compile(r"https?://\d{1,3}(?:\.\d{1,3}){3}\b")
_MONEY = re.compile(r"[$€£]\s?\d")
_BIG_MONEY = re.compile(r"\$\s?\d{1,3}(?:,\d{3})+|\$\d{4,}")
_UPPER = bytes(range(65, 91))
_LOWER = bytes(range(97, 123))
_SUBJECT_TAG = re.compile(r"\s{4,}[\w\[\]#-]{1,12}\s*$|[a-z]\d{4,6}$|\s\d{4,6}$")
_SPF = re.compile(r"\bspf=(\w+)", re.I)
_BRANDS = ("paypal", "apple", "microsoft", "amazon", "google", "netflix", "wellsfargo",
           "citibank", "bankofamerica", "docusign", "office365", "outlook", "dropbox",
           "linkedin", "facebook", "instagram", "ebay", "icloud", "hsbc", "barclays",
           "coinbase", "adobe", "chase", "fedex", "dhl")
_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t"})


def _fold(word: str) -> str:
    return word.translate(_LEET).replace("rn", "m").replace("vv", "w")


@lru_cache(maxsize=4096)
def _lookalike(domain: str, own: tuple[str, ...] = ()) -> str:
    """The name a domain imitates, or ''. A known brand (or the recipient's own organisation)
    spelled with digits for letters, or glued to other words with a hyphen, is a classic phishing
    tell; the real name alone is not."""
    if not domain:
        return ""
    label = registrable(domain).split(".")[0]
    names = own + _BRANDS
    if label in names:
        return ""
    parts = label.split("-")
    for part in parts:
        if len(parts) > 1 and part in names:
            return part  # paypal-billing.example
        folded = _fold(part)
        if folded != part:
            for name in names:
                if folded.startswith(name):
                    return name  # paypa1, rnicrosoft, acmec1oud
    return ""


@lru_cache(maxsize=4096)
def _recipients(to: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """(organisation names of the recipients, their registrable domains). Mail imitating the
    recipients' own organisation is as suspect as a bank's; a sender inside it is a colleague.
    The same few recipient lists come back on nearly every mail, so each is worked out once."""
    names = []
    for addr in to:
        dom = domain_of(addr)
        if dom:
            label = registrable(dom).split(".")[0]
            if len(label) >= 5 and label not in names:
                names.append(label)
    return tuple(names), frozenset(registrable(domain_of(a)) for a in to)


@lru_cache(maxsize=4096)
def _sender_facts(sender: str) -> tuple[str, bool, bool, str]:
    """(domain, a no-reply mailbox, a name-plus-digits mailbox, registrable domain) of a From
    address: senders repeat, and these regexes are most of the header signals' time."""
    s_dom = domain_of(sender)
    local = _LOCAL.search(sender)
    throwaway = bool(local and _THROWAWAY.match(local.group(1)))
    return s_dom, _NOREPLY.search(sender) is not None, throwaway, registrable(s_dom)


def _spf_result(headers: dict[str, str]) -> str:
    """pass/fail/softfail/... as the receiving server recorded it, or ''."""
    found = _SPF.search(headers.get("authentication-results", ""))
    if found:
        return found.group(1).lower()
    return headers.get("received-spf", "").strip().split(" ", 1)[0].lower()


def _header_signals(email: Email, scores: list[float], own: tuple[str, ...],
                    colleagues: frozenset[str]) -> float:
    """Category evidence from headers and sender; returns urgency evidence."""
    h = email.headers
    s_dom, noreply, throwaway, s_reg = _sender_facts(email.sender)
    is_list = "list-id" in h or "list-unsubscribe" in h
    prec = h.get("precedence", "").lower().strip()
    auto = h.get("auto-submitted", "").lower().strip()
    if is_list:
        scores[_IX[C.NEWSLETTER]] += 2.5
    if prec in ("bulk", "list"):
        scores[_IX[C.NEWSLETTER]] += 1.5
    if auto and auto != "no":
        scores[_IX[C.NOTIFICATION]] += 3
    elif prec == "auto_reply":
        scores[_IX[C.NOTIFICATION]] += 1.5
    if noreply:
        scores[_IX[C.NOTIFICATION]] += 2.5
    if _lookalike(s_dom, own):
        scores[_IX[C.PHISHING]] += 4
    reply_dom = domain_of(h.get("reply-to", ""))
    if reply_dom and s_dom and not is_list and registrable(reply_dom) != registrable(s_dom):
        scores[_IX[C.PHISHING]] += 1
        scores[_IX[C.SPAM]] += 0.6
    spf = _spf_result(h)
    if spf in ("fail", "softfail"):
        scores[_IX[C.PHISHING]] += 1.5
        scores[_IX[C.SPAM]] += 1
    elif spf in ("none", "neutral", "permerror"):
        scores[_IX[C.SPAM]] += 0.3
        scores[_IX[C.PHISHING]] += 0.3
    if throwaway and not is_list:
        scores[_IX[C.SPAM]] += 1.2  # name-plus-digits mailboxes are throwaways
    if s_reg in _FREEMAIL and not is_list:
        scores[_IX[C.SPAM]] += 1.5  # bulk offers from a consumer mailbox are rarely legitimate
    mid_dom = email.message_id.rpartition("@")[2].lower().rstrip(">")
    if s_reg and mid_dom and registrable(mid_dom) == s_reg:
        scores[_IX[C.SPAM]] -= 0.8  # the sender's own mail system made the message
    if not email.to and not is_list:
        scores[_IX[C.SPAM]] += 0.8
    automated = bool(auto and auto != "no") or noreply
    if not automated and not is_list and s_reg and s_reg in colleagues:
        scores[_IX[C.OTHER]] += 1  # a colleague writing from inside the organisation
    x_priority = h.get("x-priority", "").strip()[:1]
    if x_priority == "1" or h.get("importance", "").lower() == "high":
        return 2.0  # the sender flagged it: enough on its own where urgency is possible at all
    return 1.0 if x_priority == "2" else 0.0


def _shape_signals(subject: str, body: str, low: str, scores: list[float],
                   own: tuple[str, ...], sender_reg: str) -> None:
    """Shape of the message: shouting, money, random subject tags, links to bare IPs or
    lookalike hosts."""
    spam = _IX[C.SPAM]
    letters = sum(map(str.isalpha, subject))
    if letters >= 10 and sum(map(str.isupper, subject)) / letters > 0.7:
        scores[spam] += 1.5
    if "!!" in subject or subject.count("!") >= 2:
        scores[spam] += 1
    if _SUBJECT_TAG.search(subject.rstrip()):
        scores[spam] += 1.2
    if _ADV.match(subject):
        scores[spam] += 3  # the label some laws require on unsolicited advertising
    if _MONEY.search(subject):
        scores[spam] += 1
    head = body[:4000]
    if "!!" in head:
        scores[spam] += min(2.0, 0.5 * head.count("!!"))
    if len(head) > 200:
        raw = head.encode("ascii", "ignore")
        upper = len(raw) - len(raw.translate(None, _UPPER))
        lower = len(raw) - len(raw.translate(None, _LOWER))
        if upper > 80 and upper > 0.5 * lower:
            scores[spam] += 1.5
    if "$" in head or "€" in head or "£" in head:
        money = len(_MONEY.findall(head))
        if money:
            scores[_IX[C.INVOICE]] += min(1.5, 0.6 * money)
            scores[spam] += 0.6 if money >= 3 else 0
        if _BIG_MONEY.search(head):
            scores[spam] += 1
    if "://" in low:
        if _IP_URL.search(low):
            scores[_IX[C.PHISHING]] += 2.5
        hosts = set(_URL_HOST.findall(low, 0, 8000))
        if any(_lookalike(host, own) for host in hosts):
            scores[_IX[C.PHISHING]] += 3.5
        elif sender_reg and sender_reg not in _FREEMAIL and any(
                registrable(host) == sender_reg for host in hosts):
            scores[spam] -= 1.5  # a bulk sender linking to its own site stands behind its mail
        if len(low) < 600 and ("click" in low or "visit" in low):
            scores[spam] += 1  # a short pitch whose point is a link


# ----------------------------------------------------------------------------- scoring


def _score(
    email: Email, subject: str, body: str, words: dict[str, Words],
) -> tuple[list[float], float]:
    """Evidence per category (indexed like _CATS), and urgency evidence."""
    scores = [0.0] * len(_CATS)
    weak = [0.0] * len(_CATS)  # junk evidence from common words, capped: long mail has many
    s_found, su = _INDEX.find(words["subject"])
    b_found, bu = _INDEX.find(words["body"])
    # sorted: float sums in a fixed order, whatever the process's string hash seed
    found = [(key, slots, SUBJECT_FACTOR) for key, slots in sorted(s_found.items())]
    found += [(key, slots, 1.0) for key, slots in sorted(b_found.items()) if key not in s_found]
    strongest: dict[tuple[int, str], float] = {}  # (junk slot, concept) -> its strongest term
    for key, slots, factor in found:
        concept = _CONCEPT_OF.get(key)
        for slot, weight in slots:
            if weight < WEAK_TERM and slot in _JUNK_SLOTS:
                weak[slot] += weight * factor
            elif concept is not None and slot in _JUNK_SLOTS:
                at = (slot, concept)
                strongest[at] = max(strongest.get(at, 0.0), weight * factor)
            else:
                scores[slot] += weight * factor
    sales = [0.0] * len(_CATS)
    for (slot, _), weight in sorted(strongest.items()):
        sales[slot] += weight
    for slot in _JUNK_SLOTS:
        scores[slot] += min(sales[slot], SALES_CAP)
    for slot in _JUNK_SLOTS:
        scores[slot] += min(weak[slot], WEAK_CAP)
    _conversation_signals(body, scores)
    _greeting_signals(email, body, scores)
    own, colleagues = _recipients(tuple(email.to[:5]))
    urgency = _header_signals(email, scores, own, colleagues)
    _shape_signals(subject, body, words["body"].low, scores, own, _sender_facts(email.sender)[3])
    if "resolved" in words["subject"].tset:
        urgency -= 3  # the alert is over
    urgency += sum(w for _, slots in sorted(su.items()) for _, w in slots) * 1.3
    urgency += sum(w for k, slots in sorted(bu.items()) if k not in su for _, w in slots)
    return scores, urgency


_ATTRIBUTION = re.compile(r"^.{0,80}\b(?:wrote|writes):[ \t]*$", re.M)


def _conversation_signals(body: str, scores: list[float]) -> None:
    """Replies quote the message they answer; junk almost never does."""
    if body.startswith(">") + body.count("\n>", 0, 8000) >= 2:
        scores[_IX[C.SPAM]] -= 3
        scores[_IX[C.PHISHING]] -= 2
        if (body.find("wrote:", 0, 8000) >= 0 or body.find("writes:", 0, 8000) >= 0) \
                and _ATTRIBUTION.search(body, 0, 8000):  # the cheap test first
            scores[_IX[C.SPAM]] -= 1


_GREETING = re.compile(r"\s*(?:hi|hey|hello|dear|morning|evening)\s+([a-z]+)\b", re.I)
_GROUP = {"all", "everyone", "team", "folks", "everybody", "guys", "there", "friends", "sir",
          "madam", "customer", "user", "member", "colleagues"}


def _greeting_signals(email: Email, body: str, scores: list[float]) -> None:
    """"Hi Sam," to the mailbox sam@ is one person writing to another; "Hi all" is a group
    message. Neither says much alone, so the weights are small."""
    found = _GREETING.match(body[:200])
    if not found:
        return
    name = found.group(1).lower()
    if name in _GROUP:
        if name in ("all", "everyone", "team", "folks", "everybody"):
            scores[_IX[C.OTHER]] += 1
        return
    for addr in email.to[:5]:
        local = _LOCAL.search(addr)
        if local and re.split(r"[._+-]", local.group(1).lower())[0] == name:
            scores[_IX[C.PERSONAL]] += 1.8
            return


LEARNED_SPAM_RANGE = (-4.0, 8.0)  # the model can veto weak rule evidence or add a verdict's worth


def learned_spam_evidence(log_odds: float, weight: float) -> float:
    """Spam score points for the model's log-odds: scaled, and bounded so neither side decides
    everything on its own."""
    low, high = LEARNED_SPAM_RANGE
    return max(low, min(high, weight * log_odds))


def _learned_spam(email: Email, words: dict[str, Words], scores: list[float],
                  model: SpamModel) -> None:
    scores[_IX[C.SPAM]] += learned_spam_evidence(model.log_odds(email, words), model.rules_weight)


def is_junk(scores: list[float], learned: float = 0.0) -> bool:
    """Whether the rules' category scores plus `learned` spam evidence make spam or phishing win
    (training uses it to choose how much weight the model gets)."""
    scores = list(scores)
    scores[_IX[C.SPAM]] += learned
    return _pick(scores)[0] in _JUNK


def rule_scores(email: Email) -> list[float]:
    """The category scores of the rules alone, without the learned model."""
    subject, body, _, words = message_parts(email)
    return _score(email, subject, body, words)[0]


def _pick(scores: list[float]) -> tuple[Category, float, float]:
    """(category, its score, runner-up score). Junk needs more evidence than the rest."""
    order = sorted(range(len(_CATS)), key=scores.__getitem__, reverse=True)  # stable: ties by index
    ranked = [(_CATS[i], scores[i]) for i in order]
    passed_over = 0.0
    while ranked[0][0] in _JUNK and ranked[0][1] < JUNK_MIN_EVIDENCE:
        passed_over = max(passed_over, ranked.pop(0)[1])  # still doubt: it counts as a rival
    (cat, best), second = ranked[0], max(ranked[1][1], passed_over)
    if best < MIN_EVIDENCE:
        return C.OTHER, best, second
    return cat, best, second


def _confidence(best: float, second: float) -> float:
    """Strong evidence and a clear winner give high confidence; either missing gives low."""
    if best < MIN_EVIDENCE:
        return round(0.15 + 0.1 * max(0.0, best), 2)
    strength = 1.0 - math.exp(-best / 5.0)
    margin = max(0.0, best - second) / best
    return round(max(0.05, min(0.97, 0.1 + 0.9 * strength * (0.35 + 0.65 * margin))), 2)


# ----------------------------------------------------------------------------- summary

_SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n\s*\n")


def _clean(text: str) -> str:
    """One line, no control/format/separator characters (they can drive a terminal)."""
    text = " ".join(text.split())
    if not text.isprintable():
        text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text


def _summary(email: Email, injection: bool) -> str:
    """Subject plus the first sentence, so a row says what the mail wants in one line."""
    subject = _clean(email.subject[:400])
    first = ""
    if not injection:  # never echo a suspected instruction back to the operator as a summary
        lead = email.text[:600].strip()
        cut = _SENTENCE_END.search(lead)
        first = _clean(lead[: cut.start()] if cut else lead)
    if subject and first and first.lower() != subject.lower():
        text = f"{subject}: {first}"
    else:
        text = subject or first or "(no subject)"
    if len(text) > SUMMARY_MAX:
        text = text[: SUMMARY_MAX - 1].rstrip() + "…"
    return text


# ----------------------------------------------------------------------------- verdict

_DEFAULT_SETTINGS = Settings()


def classify(email: Email, settings: Settings | None = None) -> Verdict:
    """The rules verdict for one email. Pure and deterministic: same mail, same verdict."""
    settings = settings or _DEFAULT_SETTINGS
    subject, body, hidden, words = message_parts(email)
    scores, urgency = _score(email, subject, body, words)
    _learned_spam(email, words, scores, model_for(settings.spam_model))
    category, best, second = _pick(scores)
    confidence = _confidence(best, second)
    injection, reason = find_injection(email, subject, body, hidden, words)

    urgent = urgency >= _URGENT_THRESHOLD and category in _CAN_BE_URGENT
    priority = _BASE_PRIORITY[category]
    if urgent:
        priority = max(priority, URGENT_MIN_PRIORITY) + min(25, int(urgency * 3))
    else:
        priority = min(URGENT_MIN_PRIORITY - 5, priority + int(min(urgency, 1.9) * 4))
    if injection:  # the mail asked for attention; it does not get to decide that
        urgent = False
        priority = min(priority, INJECTION_PRIORITY_CAP)
        confidence = min(confidence * 0.6, INJECTION_CONFIDENCE_CAP)
    return Verdict(
        urgent=urgent,
        priority=max(0, min(100, priority)),
        route="review" if injection else settings.route_for(category),
        category=category,
        confidence=round(confidence, 2),
        injection=injection,
        injection_reason=reason,
        summary=_summary(email, injection),
    )


class RulesProvider:
    """The rules as a Provider: instant, offline, never fails, so the engine treats it like any
    model backend (and the simulator answers with it)."""

    name = "rules"
    model = "rules-v1"
    expected_latency_s = 0.0

    def __init__(self, settings: Settings) -> None:
        try:
            model_for(settings.spam_model)  # a bad model file stops the run before it starts
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        self.settings = settings

    async def check(self) -> None:
        """Nothing to reach: always ready."""

    async def classify(self, email: Email) -> Verdict:
        return classify(email, self.settings)

    async def aclose(self) -> None:
        """No connections to release."""
