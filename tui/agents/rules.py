"""Offline, deterministic triage: weighted keywords plus header and sender signals.

Why it exists: the demo, the simulator and the tests need a verdict that costs nothing, never
changes between runs and needs no key. It is also the fallback when no model is configured, so it
must hold up on real mail (measured on the SpamAssassin corpus by `bench/rules_corpus.py`) and be
fast (the simulator calls it per request; benchmarks run 10,000 emails).

How: subject and visible body are normalised and split into words once (str.translate, far
cheaper than a tokenising regex). Each distinct lexicon term found (a word, or a phrase found by
substring search on the normalised text) adds its weight to a category; headers and a few shape
signals add more. The best category wins and its margin over the runner-up sets the confidence.
Spam and phishing need more evidence than the rest, because junking real mail costs more than
letting junk through. Injection is judged separately, on subject, body and hidden HTML text, and
then caps priority and confidence, so a message can never promote itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from tui.model import Category, Email, Verdict
from tui.settings import Settings

MAX_SCAN = 20_000  # body characters scanned: bounds the worst case
MAX_HIDDEN_SCAN = 5_000
MAX_SUBJECT_SCAN = 1_000
SUMMARY_MAX = 120
URGENT_MIN_PRIORITY = 70
INJECTION_PRIORITY_CAP = 40
INJECTION_CONFIDENCE_CAP = 0.45  # below the default review_below: a human looks first
MIN_EVIDENCE = 1.6  # below this best score the mail is "other"
JUNK_MIN_EVIDENCE = 4.0  # spam/phishing must clear this, or the runner-up wins
SUBJECT_FACTOR = 1.6  # the sender's own headline says most

C = Category

# ----------------------------------------------------------------------------- lexicon
# term -> weight, per category. A term counts once per message however often it repeats:
# repetition is cheap for a spammer and says little. Plurals of single words are added
# automatically. Keep terms general (what any such mail says), never strings of one sender.

_LEXICON: dict[Category, dict[str, float]] = {
    C.OUTAGE: {
        "outage": 3, "downtime": 2.5, "is down": 3, "are down": 3, "went down": 3,
        "site down": 3, "service down": 3, "server down": 3, "down for": 1.5, "incident": 1.5,
        "service unavailable": 2.5, "unavailable": 1, "unreachable": 1.5, "degraded": 2,
        "degradation": 2, "502": 1.5, "503": 1.5, "504": 1.5, "500 errors": 3, "5xx": 2.5,
        "http 500": 2.5, "error rate": 2, "timeouts": 1.5, "timing out": 2, "latency": 1.2,
        "not responding": 1.5, "not loading": 1.5, "production": 0.8, "sev1": 3, "sev 1": 3,
        "sev2": 2, "p0": 2, "pagerduty": 2, "on call": 1, "failover": 1.5, "crashed": 1,
        "all customers": 1, "all our customers": 1.5, "none of our users": 2, "rollback": 1.2,
        "postmortem": 1.5, "root cause": 1.2, "mitigated": 1.2, "disk full": 2,
        "disk usage": 1.2, "replication lag": 2, "status page": 1.5, "monitoring": 0.8,
        "alert": 1.2, "firing": 2, "threshold": 1, "runbook": 2, "health check": 1.5,
        "health checks": 1.5, "critical": 0.8, "cannot log in": 1.2, "cant log in": 1.2,
        "requests fail": 2, "failing for": 1.5,
    },
    C.COMPLAINT: {
        "complaint": 3, "complain": 2, "complaining": 2, "disappointed": 2.5, "disappointing": 2,
        "unacceptable": 2.5, "not acceptable": 2.5, "frustrated": 2, "frustrating": 2,
        "angry": 1.5, "upset": 1.5, "terrible": 1.5, "awful": 1.5, "horrible": 1.5,
        "poor service": 2.5, "customer service": 1, "bad experience": 2, "refund": 2,
        "money back": 1.5, "cancel my": 2, "cancel our": 1.5, "still not": 1.2,
        "still waiting": 2, "no response": 1.5, "never received": 2,
        "never arrived": 2, "hasnt arrived": 2.5, "has not arrived": 2.5, "damaged": 1.5,
        "defective": 2, "not working": 1.2, "doesnt work": 1.2, "does not work": 1.2,
        "charged twice": 2.5, "overcharged": 2.5, "double charged": 2.5, "duplicate charge": 2.5,
        "escalate": 1, "third time": 1.5, "ridiculous": 1.5, "chargeback": 1.5,
        "dispute the charge": 2, "my order": 1, "fix this": 1.2, "sort this out": 1.5,
        "not happy": 2, "unhappy": 2, "dissatisfied": 2.5, "loyal customer": 2,
        "your support": 1.2, "support agent": 1.5, "closed my ticket": 2, "keeps crashing": 2,
        "crashes every": 2, "lost our data": 2.5, "billing error": 2, "we pay for": 1.5,
        "waiting for a reply": 2, "been waiting": 1.5,
    },
    C.INVOICE: {
        "invoice": 3, "receipt": 1.5, "billing": 1, "amount due": 2.5, "balance due": 2.5,
        "payment due": 2.5, "due date": 2, "due in": 1, "past due": 2, "overdue": 2,
        "outstanding balance": 2.5, "remittance": 2.5, "purchase order": 2, "po number": 2,
        "net 30": 2.5, "payment terms": 2, "total amount": 1.5, "subtotal": 1.5, "vat": 1,
        "tax invoice": 2, "payment": 1, "payment received": 1.5, "receipt for": 1.5,
        "credit note": 2, "pro forma": 2, "proforma": 2, "billing period": 2,
        "accounts payable": 2.5, "accounts receivable": 2.5, "please find attached": 1,
        "attached invoice": 3, "bank transfer": 1, "final notice": 1.5, "iban": 1.5,
        "payment details": 1.5, "payment reminder": 2.5, "arrange payment": 2.5,
        "thank you for your business": 1.5,
    },
    C.SALES_LEAD: {
        "interested in": 1.5, "pricing": 2, "volume pricing": 2.5, "price list": 1.5,
        "a quote": 1.5, "quotation": 1.5, "demo": 2, "a trial": 1.5, "enterprise": 1,
        "licenses": 1.5, "seats": 2, "our team": 0.8, "team of": 1, "evaluate": 1,
        "evaluating": 2, "procurement": 1.5, "rfp": 2, "partnership": 2, "partner with": 1.5,
        "reseller": 1.5, "volume discount": 1.5, "schedule a call": 1.5, "book a call": 1.5,
        "set up a call": 1.5, "budget": 1, "roll out": 1, "rollout": 1, "how much": 1,
        "your platform": 1.5, "your solution": 1.2, "annual plan": 1.5, "annual contract": 1.5,
        "we are looking at": 2, "looking at": 0.6, "would like": 0.6,
        "for about": 0.8, "head of": 1, "cto": 1, "vp": 0.8, "enquiry": 1.2, "inquiry": 1.2,
    },
    C.NEWSLETTER: {
        "newsletter": 3, "digest": 2, "weekly": 1.2, "monthly": 1.2, "edition": 1.5,
        "issue": 0.8, "this week": 1, "top stories": 2, "read more": 1.2, "read online": 2,
        "view in browser": 2.5, "view this email": 2, "unsubscribe": 2, "manage preferences": 2,
        "email preferences": 2, "you are receiving this": 2, "you received this": 1.5,
        "subscribed": 1.2, "subscriber": 1.2, "webinar": 1.5, "blog": 1, "articles": 1,
        "podcast": 1.2, "announcing": 1, "new features": 1, "product update": 1.5,
        "highlights": 1, "roundup": 2, "whats new": 1.2, "in this issue": 2.5, "headlines": 1.2,
        "upcoming events": 1.2, "forward to a friend": 1.5, "tips": 0.6, "news": 0.6,
    },
    C.NOTIFICATION: {
        "notification": 2, "automated": 1.5, "do not reply": 2.5, "do not respond": 2,
        "automatically generated": 2.5, "automatic reminder": 2.5, "your order": 1,
        "has shipped": 2.5, "shipped": 1, "shipment": 1.2, "tracking number": 2,
        "on its way": 1.5, "delivered": 1, "reminder": 1.2, "scheduled": 0.8, "build": 1.5,
        "pipeline": 1.5, "checks passed": 2, "passed": 0.6, "succeeded": 1.2,
        "pull request": 2, "requested your review": 2.5, "pr": 0.8, "merged": 1.2, "commit": 1,
        "assigned to you": 2, "mentioned you": 2, "new comment": 1.5, "commented": 1.2,
        "password was changed": 2.5, "password changed": 2, "no action is needed": 2,
        "if this was you": 2, "new sign in": 1.5, "verification code": 1.5, "renewed": 1,
        "backup completed": 2, "cron": 1.5, "calendar": 1.5, "invitation": 0.8,
        "report is ready": 2, "has been updated": 1, "confirmation": 1, "successfully": 1,
        "new device": 1, "event on your": 2,
    },
    C.PERSONAL: {
        "hey": 1, "mom": 2, "dad": 2, "love": 1, "dinner": 1.5, "weekend": 1.2, "birthday": 1.5,
        "party": 1, "wedding": 1.5, "family": 0.8, "kids": 1.2, "vacation": 0.8, "trip": 0.8,
        "photos": 1, "pictures": 0.8, "miss you": 2, "catch up": 1.2, "see you": 1.2,
        "drinks": 1.2, "bbq": 1.5, "tonight": 0.8, "hope youre well": 1, "how are you": 1,
        "hugs": 2, "love you": 2, "grandma": 2, "sister": 1, "brother": 1, "housewarming": 2,
        "celebrate": 1.2, "call me": 1.5, "pick up the": 1, "saturday": 0.6,
        "sunday": 0.6, "thanks again": 0.8, "running": 1, "flights": 1,
        "want to join": 1.5, "hike": 1,
    },
    C.PHISHING: {
        "verify your account": 3.5, "verify your identity": 3.5, "confirm your identity": 3.5,
        "confirm your account": 3, "account suspended": 3, "account has been suspended": 3.5,
        "account will be suspended": 3.5, "account will be closed": 3.5, "account locked": 2.5,
        "account has been locked": 3, "account has been limited": 3.5,
        "temporarily suspended": 3, "unusual activity": 2.5, "suspicious activity": 2.5,
        "unusual sign in": 2.5, "sign in activity": 1.5, "security alert": 1.5,
        "update your payment": 3, "update your billing": 3, "update your account": 2.5,
        "confirm your password": 3.5, "password expires": 2.5, "password will expire": 2.5,
        "mailbox is full": 2.5, "mailbox is almost full": 3, "mailbox quota": 2.5,
        "within 24 hours": 2, "within 48 hours": 1.5, "failure to verify": 3,
        "permanent closure": 3, "avoid suspension": 2, "click the link below": 1.5,
        "social security number": 2, "credit card number": 2, "card details": 1.5,
        "bank details": 1.5, "reactivate": 2, "restore access": 2.5, "restore your account": 3,
        "action required": 1.2, "immediate action": 1.5, "dear user": 2,
        "dear account holder": 2.5, "dear valued customer": 2, "billing details": 1.5,
        "security team": 1, "problem with your": 1.5, "login": 0.6, "verify": 0.8,
    },
    C.SPAM: {
        "100 free": 3, "winner": 2, "you have won": 3, "youve won": 3, "won a": 1.5,
        "you have been selected": 2.5, "youve been selected": 2.5, "prize": 1.5,
        "claim your": 2, "cash prize": 2.5, "lottery": 2.5, "casino": 2.5, "viagra": 3.5,
        "cialis": 3.5, "pharmacy": 2, "pills": 1.5, "meds": 2, "no prescription": 3,
        "weight loss": 2.5, "lose weight": 2.5, "hgh": 2.5, "anti aging": 2,
        "enlargement": 3, "penis": 3, "breasts": 1.5, "sexy": 2, "xxx": 2.5, "porn": 3,
        "hardcore": 2.5, "horny": 3, "babes": 2.5, "singles": 1.2, "make money": 2.5,
        "earn money": 2.5, "extra income": 2.5, "extra cash": 2, "work from home": 2.5,
        "home based business": 3, "be your own boss": 3, "financial freedom": 3, "mlm": 2.5,
        "multi level marketing": 3, "network marketing": 2, "business opportunity": 2,
        "no investment": 2.5, "risk free": 2, "no risk": 1.5, "money back guarantee": 2,
        "satisfaction guaranteed": 2, "guaranteed": 1, "no obligation": 2.5, "act now": 2.5,
        "order now": 2, "buy now": 1.5, "call now": 1.5, "join now": 1.5, "limited time": 1.5,
        "limited offer": 2, "special offer": 1.5, "exclusive offer": 1.5, "offer expires": 2,
        "this is not spam": 3.5, "not spam": 1, "be removed from": 3,
        "remove in the subject": 3, "removal": 1.2, "unsubscribe from this": 0.8, "opt out": 1,
        "mortgage": 1.5, "refinance": 2,
        "lowest rate": 2, "interest rates": 1, "debt": 1, "consolidate": 1.5, "bad credit": 2.5,
        "loans": 1, "free quote": 2, "dear friend": 2.5, "million dollars": 2,
        "us dollars": 1.5, "next of kin": 3, "beneficiary": 1.5, "barrister": 2.5,
        "business proposal": 2, "undervalued": 2, "huge profits": 2.5, "toner": 2,
        "ink cartridges": 2, "long distance": 1.5, "bulk email": 3, "email marketing": 2,
        "million email": 3, "email addresses": 1.5, "cheap": 1.5, "cheapest": 1.5,
        "save up to": 1.5, "lowest price": 1.5, "best prices": 2, "wholesale": 1.2,
        "replica": 2, "rolex": 2, "diploma": 2, "green card": 1.5, "click here": 1,
        "click the link": 1, "visit our website": 1, "order today": 1.5, "only today": 1.5,
        "amazing": 0.8, "incredible": 0.8, "miracle": 1.5, "one simple trick": 3,
        "doctors hate": 3, "per week": 1, "commissions": 1.2, "no experience": 2,
        "naked": 2.5, "nude": 2.5, "erection": 3, "sexual": 1.2, "herbal": 1.5,
        "free gift": 2, "pre approved": 2, "preapproved": 2, "order form": 2,
        "toll free": 1.5, "millionaire": 2, "unsolicited": 1, "advertisement": 1.2,
        "discreet": 2, "shipping worldwide": 2, "crypto": 1.5, "guaranteed results": 2.5,
        "seo": 1.5, "rank 1": 2, "stop receiving": 1.5, "reply stop": 2, "free": 0.6,
        "offer": 0.6, "money": 0.6, "cash": 0.8, "income": 0.8, "opportunity": 0.6,
        "insurance": 0.8, "credit card": 0.6, "discount": 0.6, "bonus": 0.6, "gift card": 1,
        "sex": 1.5, "girls": 1, "dating": 1, "adult": 1, "marketing": 0.5, "profits": 1,
        "investment": 0.6, "fortune": 1, "secret": 0.5, "deal": 0.4, "dear sir": 1,
        "congratulations": 0.8, "wealth": 1.2, "earn": 1, "reps": 1,
    },
    C.OTHER: {
        "hi all": 2, "hi everyone": 2, "hi team": 2, "anyone": 1, "everyone": 0.8,
        "office": 1, "offsite": 2, "meeting notes": 2, "planning meeting": 2,
        "all hands": 2, "team lunch": 1.5, "lunch order": 1.5, "coffee machine": 2,
        "lunch": 0.8, "coffee": 0.8, "article": 0.8, "fwd": 0.6, "fyi": 1,
    },
}

# Urgency is scored apart from the category: an outage can be resolved, an invoice overdue.
# Terms are about time pressure and impact, not about tone.
_URGENT_TERMS: dict[str, float] = {
    "urgent": 2, "urgently": 2, "asap": 2, "immediately": 1.5, "right away": 1.2,
    "as soon as possible": 1.5, "emergency": 2, "outage": 2, "is down": 2, "are down": 2,
    "went down": 2, "site down": 2, "500 errors": 2, "5xx": 1.5, "sev1": 2.5, "sev 1": 2.5,
    "p0": 2, "p1": 1.5, "overdue": 2, "past due": 2, "final notice": 2, "escalate": 1.5,
    "escalating": 1.5, "deadline": 0.8, "by eod": 1.2, "all customers": 1,
    "all our customers": 1.5, "none of our users": 2, "costing us": 2, "every minute": 1,
    "legal action": 2, "lawyers": 1.5, "lawyer": 1.5, "data loss": 1.5, "blocking": 1.2,
    "cannot log in": 1, "firing": 2, "critical": 1.5, "unless i hear back": 2,
    "service suspension": 1.5, "suspension of service": 1.5, "dispute the charge": 1,
    "cancel our contract": 1.5, "today": 0.4,
}
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

_CATS: tuple[Category, ...] = tuple(Category)
_IX = {c: i for i, c in enumerate(_CATS)}

# ----------------------------------------------------------------------------- words

# ASCII punctuation becomes a space and apostrophes vanish ("don't" -> "dont"); bytes >= 0x80
# are left alone, so UTF-8 letters of any script survive. bytes.translate is a table lookup per
# byte, many times faster than str.translate on non-ASCII text.
_NORM_BYTES = bytes(b if b >= 0x80 or chr(b).isalnum() else 0x20 for b in range(256))
_TYPOGRAPHIC = {"\u2019": "", "\u2018": "", "\u201c": " ", "\u201d": " ", "\u2013": " ",
                "\u2014": " ", "\u2026": " ", "\u00ab": " ", "\u00bb": " ", "\u2022": " "}


def _normalise(low: str) -> str:
    if not low.isascii():
        for ch, repl in _TYPOGRAPHIC.items():
            if ch in low:
                low = low.replace(ch, repl)
    data = low.encode("utf-8", "surrogatepass").translate(_NORM_BYTES, b"'")
    return data.decode("utf-8", "surrogatepass")


@dataclass(slots=True)
class _Words:
    """A text reduced to lower-case words: a set for cheap lookups, a joined string for phrases."""

    low: str
    tokens: list[str]
    tset: set[str]
    joined: str

    @classmethod
    def of(cls, text: str) -> _Words:
        low = text.lower()
        tokens = _normalise(low).split()
        return cls(low, tokens, set(tokens), " " + " ".join(tokens) + " ")


Entry = tuple[str, tuple[tuple[int, float], ...]]  # (canonical term, ((slot, weight), ...))


@dataclass(slots=True)
class _Index:
    singles: dict[str, Entry]
    # a phrase is filed under its longest word (likely its rarest), with all its words, so the
    # substring search only runs when every word is present
    phrases: dict[str, list[tuple[frozenset[str], str, Entry]]]
    single_keys: frozenset[str]
    phrase_keys: frozenset[str]

    @classmethod
    def build(cls, entries: Iterable[tuple[str, int, float]]) -> _Index:
        merged: dict[str, dict[int, float]] = {}
        for term, slot, weight in entries:
            key = " ".join(_Words.of(term).tokens)
            if key:
                merged.setdefault(key, {})[slot] = weight
        singles: dict[str, Entry] = {}
        phrases: dict[str, list[tuple[frozenset[str], str, Entry]]] = {}
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
                    phrases.setdefault(anchor, []).append((frozenset(words), f" {form} ", entry))
        return cls(singles, phrases, frozenset(singles), frozenset(phrases))

    def find(self, words: _Words) -> dict[str, tuple[tuple[int, float], ...]]:
        """Canonical term -> its (slot, weight)s, for each term present in the words."""
        found: dict[str, tuple[tuple[int, float], ...]] = {}
        tset = words.tset
        for tok in tset & self.single_keys:
            key, slots = self.singles[tok]
            found[key] = slots
        for anchor in tset & self.phrase_keys:
            for need, needle, (key, slots) in self.phrases[anchor]:
                if need <= tset and needle in words.joined:
                    found[key] = slots
        return found


_INDEX = _Index.build(
    (term, _IX[cat], w) for cat, terms in _LEXICON.items() for term, w in terms.items()
)
_JUNK_SLOTS = frozenset(_IX[c] for c in _JUNK)
_URGENT_INDEX = _Index.build((t, 0, w) for t, w in _URGENT_TERMS.items())

# ----------------------------------------------------------------------------- sender and shape

_ADDR = re.compile(r"[\w.+'=-]+@([\w-]+(?:\.[\w-]+)+)")
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
_FREEMAIL = frozenset({
    "hotmail.com", "yahoo.com", "aol.com", "msn.com", "gmail.com", "excite.com", "netscape.net",
    "lycos.com", "mail.com", "juno.com", "email.com", "usa.net", "earthlink.net", "netzero.net",
    "eudoramail.com", "compuserve.com", "outlook.com", "live.com", "yahoo.co.uk", "hotmail.co.uk",
    "mail.ru", "yandex.ru", "gmx.net", "gmx.com", "web.de", "163.com", "126.com", "sina.com",
    "qq.com", "rediffmail.com", "btinternet.com", "yahoo.ca", "hotmail.fr", "aim.com"})
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu"}


@lru_cache(maxsize=4096)
def _domain(addr: str) -> str:
    found = _ADDR.search(addr)
    return found.group(1).lower().rstrip(".") if found else ""


def _registrable(domain: str) -> str:
    """mail.example.com -> example.com, a.example.co.uk -> example.co.uk (good enough here)."""
    parts = domain.split(".")
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in _SECOND_LEVEL:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def _fold(word: str) -> str:
    return word.translate(_LEET).replace("rn", "m").replace("vv", "w")


@lru_cache(maxsize=4096)
def _lookalike(domain: str, own: tuple[str, ...] = ()) -> str:
    """The name a domain imitates, or ''. A known brand (or the recipient's own organisation)
    spelled with digits for letters, or glued to other words with a hyphen, is a classic phishing
    tell; the real name alone is not."""
    if not domain:
        return ""
    label = _registrable(domain).split(".")[0]
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


def _own_names(email: Email) -> tuple[str, ...]:
    """Organisation names of the recipients: mail imitating them is as suspect as a bank's."""
    names = []
    for addr in email.to[:5]:
        dom = _domain(addr)
        if dom:
            label = _registrable(dom).split(".")[0]
            if len(label) >= 5 and label not in names:
                names.append(label)
    return tuple(names)


def _spf_result(headers: dict[str, str]) -> str:
    """pass/fail/softfail/... as the receiving server recorded it, or ''."""
    found = _SPF.search(headers.get("authentication-results", ""))
    if found:
        return found.group(1).lower()
    return headers.get("received-spf", "").strip().split(" ", 1)[0].lower()


def _header_signals(email: Email, scores: list[float], own: tuple[str, ...]) -> float:
    """Category evidence from headers and sender; returns urgency evidence."""
    h = email.headers
    sender = email.sender
    s_dom = _domain(sender)
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
    if _NOREPLY.search(sender):
        scores[_IX[C.NOTIFICATION]] += 2.5
    if _lookalike(s_dom, own):
        scores[_IX[C.PHISHING]] += 4
    reply_dom = _domain(h.get("reply-to", ""))
    if reply_dom and s_dom and not is_list and _registrable(reply_dom) != _registrable(s_dom):
        scores[_IX[C.PHISHING]] += 1
        scores[_IX[C.SPAM]] += 0.6
    spf = _spf_result(h)
    if spf in ("fail", "softfail"):
        scores[_IX[C.PHISHING]] += 1.5
        scores[_IX[C.SPAM]] += 1
    elif spf in ("none", "neutral", "permerror"):
        scores[_IX[C.SPAM]] += 0.3
        scores[_IX[C.PHISHING]] += 0.3
    local = _LOCAL.search(sender)
    if local and not is_list and _THROWAWAY.match(local.group(1)):
        scores[_IX[C.SPAM]] += 1.2  # name-plus-digits mailboxes are throwaways
    s_reg = _registrable(s_dom)
    if s_reg in _FREEMAIL and not is_list:
        scores[_IX[C.SPAM]] += 1.5  # bulk offers from a consumer mailbox are rarely legitimate
    mid_dom = email.message_id.rpartition("@")[2].lower().rstrip(">")
    if s_reg and mid_dom and _registrable(mid_dom) == s_reg:
        scores[_IX[C.SPAM]] -= 0.8  # the sender's own mail system made the message
    if not email.to and not is_list:
        scores[_IX[C.SPAM]] += 0.8
    automated = bool(auto and auto != "no") or bool(_NOREPLY.search(sender))
    colleagues = {_registrable(_domain(a)) for a in email.to[:5]}
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
    letters = sum(ch.isalpha() for ch in subject)
    if letters >= 10 and sum(ch.isupper() for ch in subject) / letters > 0.7:
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
                _registrable(host) == sender_reg for host in hosts):
            scores[spam] -= 1.5  # a bulk sender linking to its own site stands behind its mail
        if len(low) < 600 and ("click" in low or "visit" in low):
            scores[spam] += 1  # a short pitch whose point is a link


# ----------------------------------------------------------------------------- injection

_IGNORE = {"ignore", "disregard", "forget", "override", "bypass"}
_DIRECTIVE = {"instruction", "instructions", "prompt", "prompts", "directive", "directives",
              "guidelines", "guardrails", "programming", "rules"}
_AI_NOUNS = {"ai", "assistant", "llm", "chatbot", "bot", "model", "agent", "triage",
             "classifier", "automated"}
_READING = {"reading", "sorting", "processing", "triaging", "summarising", "summarizing",
            "handling", "scanning"}
_NINETIES = {str(n) for n in range(90, 101)}

# (reason, gate, pattern). The gate is a set or substring test on what `_Words` already holds,
# so ordinary mail never pays for the regexes.
_Gate = Callable[["_Words"], bool]


def _words_gate(*groups: Iterable[str]) -> _Gate:
    """At least one word of every group is present."""
    sets = [frozenset(g) for g in groups]
    return lambda w: all(not w.tset.isdisjoint(g) for g in sets)


def _text_gate(*needles: str) -> _Gate:
    """One of these lower-case substrings is present in the raw text."""
    return lambda w: any(n in w.low for n in needles)


def _phrase_gate(*phrases: str) -> _Gate:
    """One of these word sequences is present (punctuation and case ignored)."""
    padded = tuple(f" {p} " for p in phrases)
    return lambda w: any(p in w.joined for p in padded)


def _both(first: _Gate, then: _Gate) -> _Gate:
    """Cheap word test first, the substring scan only when it passes."""
    return lambda w: first(w) and then(w)


def _priority_gate(w: _Words) -> bool:
    """"priority" with a verb that sets it or a number that high."""
    t = w.tset
    if "priority" not in t:
        return False
    return not (t.isdisjoint({"set", "assign", "give"}) and t.isdisjoint(_NINETIES))


_ADDRESSED = [f"{n}{p}" for n in ("ai", "assistant", "llm", "bot", "agent", "model") for p in ",:;"]
_INJECTION_RULES: list[tuple[str, _Gate, re.Pattern[str]]] = [
    (
        "tells the model to ignore its instructions",
        _words_gate(_IGNORE, _DIRECTIVE),
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass)\b\W+(?:(?:all|any|the|your|my|of|these|"
            r"those|every|previous|prior|above|earlier|preceding|original|existing|system|safety)\W+)"
            r"{0,4}(?:instructions?|prompts?|directives?|guidelines|guardrails|programming)\b"
            r"|\b(?:ignore|disregard|forget|override)\s+(?:all\s+)?(?:your|previous|prior|the\s+above)"
            r"\s+rules\b",
            re.I,
        ),
    ),
    (
        "tells the model to ignore what came before",
        _words_gate(_IGNORE, {"above", "preceding"}),
        re.compile(
            r"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|everything\s+)?"
            r"(?:above|preceding)\b(?!\s+(?:e-?mail|message|mail|note|link|post|address|number))",
            re.I,
        ),
    ),
    (
        "tells the model how to summarise or triage this mail",
        _both(_words_gate({"summarizing", "summarising", "summarize", "summarise", "classifying",
                           "triaging", "processing"}),
              _phrase_gate("when summarizing", "when summarising", "when you summarize",
                           "when you summarise", "if you summarize", "if you summarise",
                           "when classifying", "when triaging", "when processing",
                           "while processing", "while summarizing", "while summarising")),
        re.compile(
            r"\b(?:when|if|while)\s+(?:you\s+)?(?:are\s+)?(?:summari[sz](?:e|ing)|classify(?:ing)?|"
            r"triag(?:e|ing)|processing)\s+(?:this|these|the)\s+(?:e-?mails?|messages?|inbox|thread)",
            re.I,
        ),
    ),
    (
        "fake chat-template tokens",
        _both(_words_gate({"im", "inst", "sys", "endoftext"}),
              _text_gate("<|", "[inst]", "[/inst]", "<<sys>>")),
        re.compile(r"<\|(?:im_start|im_end|system|assistant|user|endoftext)\|>|\[/?INST\]|<</?SYS>>",
                   re.I),
    ),
    (
        "fake system/role block",
        _both(_words_gate({"system", "developer", "instruction", "instructions"}),
              _text_gate("system:", "system]", "# system", "system prompt", "system message",
                         "developer:", "# instruction", "# new instruction")),
        re.compile(
            r"^[ \t>]*#{1,6}[ \t]*(?:system|instructions?|new[ \t]+instructions)[ \t]*:?[ \t]*$"
            r"|^[ \t>]*\[?(?:system|developer)(?:[ \t]+(?:prompt|message|override|note))?\]?[ \t]*:"
            r"\s*(?:you\b|ignore|disregard|new\b|from\s+now|the\s+(?:following|assistant|ai|model)|"
            r"classify|forward|mark|set|assign|always|do\s+not|override|treat|route)"
            r"|^[ \t>]*(?:end|begin)\s+(?:of\s+)?system\s+(?:prompt|message)",
            re.I | re.M,
        ),
    ),
    (
        "upper-case SYSTEM: block",
        _both(_words_gate({"system"}),
              _text_gate("system:", "system]", "system prompt", "system message",
                         "system override", "system note")),
        re.compile(r"^[ \t>\[]*SYSTEM(?:[ \t]+(?:PROMPT|MESSAGE|OVERRIDE|NOTE))?\]?[ \t]*:", re.M),
    ),
    (
        "orders the assistant to act on mail",
        _both(_words_gate({"ai", "assistant", "llm", "bot", "agent", "model"}),
              _text_gate(*_ADDRESSED)),
        re.compile(
            r"\b(?:ai|llm|chatbot|bot|language\s+model|(?:ai\s+|email\s+|virtual\s+)?assistant|"
            r"(?:ai|email|triage)\s+agent|triage\s+(?:bot|system|model))[,:;]+\s*(?:please\s+)?"
            r"(?:forward|send|reply|email|move|delete|export|share|transfer|bcc|cc|mark|classify|"
            r"label|set|assign|route|archive|ignore|disregard|approve)\b",
            re.I,
        ),
    ),
    (
        "addresses the AI reading the mail",
        _words_gate({"note", "message", "instructions", "instruction", "memo", "attention"},
                    _AI_NOUNS | {"language"}),
        re.compile(
            r"\b(?:note|message|instructions?|memo)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?"
            r"(?:ai|assistant|llm|language\s+model|model|bot|email\s+(?:assistant|agent)|"
            r"triage|automated)\b"
            r"|\battention\s*[,:]?\s*(?:the\s+)?(?:ai|assistant|llm|automated|triage)\b",
            re.I,
        ),
    ),
    (
        "addresses the AI reading the mail",
        _words_gate({"ai", "llm", "automated", "assistant", "model", "bot", "agent"},
                    _READING | {"triage", "classifier"}),
        re.compile(
            r"\b(?:ai|automated|llm)\s+(?:triage|classifier|sorting|assistant|agent)"
            r"(?:\s+(?:system|bot|model|agent))?\s*[:,]"
            r"|\b(?:ai|assistant|llm|model|bot|agent)s?\s+(?:that\s+is\s+|who\s+is\s+)?"
            r"(?:reading|sorting|processing|triaging|summari[sz]ing|handling|scanning)\s+"
            r"(?:this|these|the|my|your)\b",
            re.I,
        ),
    ),
    (
        "tries to re-program the model",
        _both(_words_gate({"now", "instructions", "reveal", "ai", "assistant", "llm", "bot",
                           "language"}),
              _phrase_gate("if you are an ai", "if you are an assistant", "if you are an llm",
                           "if you are a language model", "if you are a bot", "from now on you",
                           "you are now", "new instructions", "reveal your", "reveal the system")),
        re.compile(
            r"\bif\s+you\s+are\s+an?\s+(?:ai|assistant|language\s+model|llm|bot)\b"
            r"|\bfrom\s+now\s+on\s+you\s+(?:are|will|must)\b|\byou\s+are\s+now\s+(?:a|an|in)\b"
            r"|\bnew\s+instructions\s*:|\breveal\s+(?:your\s+|the\s+)?(?:system\s+)?prompt\b",
            re.I,
        ),
    ),
    (
        "tries to set its own category",
        _both(_words_gate({"classify", "categorize", "categorise", "label", "tag"}),
              _phrase_gate("classify this", "classify the", "categorize this", "categorise this",
                           "categorize the", "categorise the", "label this", "tag this")),
        re.compile(
            r"\b(?:classify|categori[sz]e|label|tag)\s+(?:this|the)\s+(?:(?:e-?mail|message|mail|"
            r"thread|ticket)\s+)?as\b",
            re.I,
        ),
    ),
    (
        "tries to set its own priority",
        _priority_gate,
        re.compile(
            r"\b(?:set|assign|give)\s+(?:it\s+|this\s+(?:e-?mail\s+|message\s+)?)?(?:a\s+)?"
            r"priority\s*(?:of|to|=|:)?\s*\d{2,3}\b"
            r"|\bpriority\s*[:=]?\s*(?:100|9\d)\b[^.\n]{0,20}\b(?:urgent|critical)\b"
            r"|\burgent\b[^.\n]{0,12}\bpriority\s*[:=]?\s*(?:100|9\d)\b",
            re.I,
        ),
    ),
    (
        "tries to whitelist itself",
        _both(_words_gate({"mark", "injection", "confidence"}),
              _phrase_gate("mark this as", "mark it as", "mark this email as",
                           "mark this message as", "injection false", "injection true",
                           "confidence 1")),
        re.compile(
            r"\bmark\s+(?:this|it)\s+(?:e-?mail\s+|message\s+)?as\s+(?:safe|legitimate|not\s+spam|"
            r"not\s+phishing|verified|trusted|not\s+urgent)\b"
            r"|\binjection\s*[=:]\s*(?:false|true)\b|\bconfidence\s*[=:]\s*1(?:\.0+)?\b",
            re.I,
        ),
    ),
]
# Hidden text (a human cannot see it, a model can) that speaks to a model, or orders one about.
_HIDDEN_VERBS = {"ignore", "disregard", "classify", "categorize", "categorise", "forward", "send",
                 "mark", "set", "route", "treat", "approve", "summarise", "summarize", "respond",
                 "reply", "label", "flag", "delete", "move"}
_HIDDEN_NOUNS = {"instructions", "instruction", "priority", "urgent", "injection", "confidence",
                 "rules", "policy", "verified", "prompt", "system"}
_HIDDEN_ADDRESSEE = {"ai", "assistant", "llm", "chatbot", "bot", "triage", "classifier", "gpt"}


def _hidden_instruction(hidden: str, words: _Words) -> str:
    """A line of hidden text that names a model and tells it to do something. Checked line by
    line: real newsletters hide whole documents in comments, where the words lie far apart."""
    t = words.tset
    if t.isdisjoint(_HIDDEN_ADDRESSEE) and " language model " not in words.joined:
        return ""
    for line in hidden.splitlines():
        if len(line) < 8:
            continue
        lw = _Words.of(line)
        ai = lw.tset & _HIDDEN_ADDRESSEE or (
            {"language model"} if " language model " in lw.joined else set())
        if ai and not (lw.tset.isdisjoint(_HIDDEN_VERBS) and lw.tset.isdisjoint(_HIDDEN_NOUNS)):
            return sorted(ai)[0]
    return ""


def _injection(subject: str, body: str, hidden: str, words: dict[str, _Words]) -> tuple[bool, str]:
    """First rule that fires, in subject, body, then hidden text; the reason says which and where."""
    for where, text in (("subject", subject), ("body", body), ("hidden HTML text", hidden)):
        if not text:
            continue
        w = words[where]
        for label, gate, pattern in _INJECTION_RULES:
            if gate(w) and pattern.search(text):
                return True, f"{label} (in {where})"
    if hidden:
        cue = _hidden_instruction(hidden, words["hidden HTML text"])
        if cue:
            return True, f"hidden HTML text speaks to a model ({cue!r})"
    return False, ""


def _parts(email: Email) -> tuple[str, str, str, dict[str, _Words]]:
    """The capped texts and their words, computed once and shared by scoring and injection."""
    subject = email.subject[:MAX_SUBJECT_SCAN]
    body = email.text[:MAX_SCAN]
    hidden = email.hidden_text[:MAX_HIDDEN_SCAN]
    words = {"subject": _Words.of(subject), "body": _Words.of(body),
             "hidden HTML text": _Words.of(hidden)}
    return subject, body, hidden, words


def detect_injection(email: Email) -> tuple[bool, str]:
    """Whether the mail tries to instruct the model reading it, and one line saying how."""
    subject, body, hidden, words = _parts(email)
    return _injection(subject, body, hidden, words)


# ----------------------------------------------------------------------------- scoring


def _score(
    email: Email, subject: str, body: str, words: dict[str, _Words],
) -> tuple[list[float], float]:
    """Evidence per category (indexed like _CATS), and urgency evidence."""
    scores = [0.0] * len(_CATS)
    weak = [0.0] * len(_CATS)  # junk evidence from common words, capped: long mail has many
    s_found = _INDEX.find(words["subject"])
    # sorted: float sums in a fixed order, whatever the process's string hash seed
    found = [(slots, SUBJECT_FACTOR) for _, slots in sorted(s_found.items())]
    found += [(slots, 1.0) for key, slots in sorted(_INDEX.find(words["body"]).items())
              if key not in s_found]
    for slots, factor in found:
        for slot, weight in slots:
            if weight < WEAK_TERM and slot in _JUNK_SLOTS:
                weak[slot] += weight * factor
            else:
                scores[slot] += weight * factor
    for slot in _JUNK_SLOTS:
        scores[slot] += min(weak[slot], WEAK_CAP)
    _conversation_signals(body, scores)
    _greeting_signals(email, body, scores)
    own = _own_names(email)
    urgency = _header_signals(email, scores, own)
    _shape_signals(subject, body, words["body"].low, scores, own,
                   _registrable(_domain(email.sender)))
    if "resolved" in words["subject"].tset:
        urgency -= 3  # the alert is over
    su = _URGENT_INDEX.find(words["subject"])
    urgency += sum(w for _, slots in sorted(su.items()) for _, w in slots) * 1.3
    urgency += sum(w for k, slots in sorted(_URGENT_INDEX.find(words["body"]).items())
                   if k not in su for _, w in slots)
    return scores, urgency


_ATTRIBUTION = re.compile(r"^.{0,80}\b(?:wrote|writes):[ \t]*$", re.M)


def _conversation_signals(body: str, scores: list[float]) -> None:
    """Replies quote the message they answer; junk almost never does."""
    if body.startswith(">") + body.count("\n>", 0, 8000) >= 2:
        scores[_IX[C.SPAM]] -= 3
        scores[_IX[C.PHISHING]] -= 2
        if _ATTRIBUTION.search(body, 0, 8000):
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


def _pick(scores: list[float]) -> tuple[Category, float, float]:
    """(category, its score, runner-up score). Junk needs more evidence than the rest."""
    order = sorted(range(len(_CATS)), key=lambda i: (-scores[i], i))
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
    subject, body, hidden, words = _parts(email)
    scores, urgency = _score(email, subject, body, words)
    category, best, second = _pick(scores)
    confidence = _confidence(best, second)
    injection, reason = _injection(subject, body, hidden, words)

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
        route=settings.route_for(category),
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
        self.settings = settings

    async def check(self) -> None:
        """Nothing to reach: always ready."""

    async def classify(self, email: Email) -> Verdict:
        return classify(email, self.settings)

    async def aclose(self) -> None:
        """No connections to release."""
