"""The rules classifier's vocabulary: weighted terms per category, and the terms of urgency.

Why it exists: these tables are data, tuned against real mail, and they dwarf the code that reads
them. Kept apart, the classifier (`tui/agents/rules.py`) stays readable and a change of wording is
a change of one file. Only tables live here; how they are matched and weighed is the classifier's.
"""

from __future__ import annotations

from tui.model import Category

C = Category

# ----------------------------------------------------------------------------- lexicon
# term -> weight, per category. A term counts once per message however often it repeats:
# repetition is cheap for a spammer and says little. Plurals of single words are added
# automatically. Keep terms general (what any such mail says), never strings of one sender.

LEXICON: dict[Category, dict[str, float]] = {
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

# Sales language: junk terms that honest bulk mail uses as much as spam does (offers, hurry,
# guarantees, "click here", prices, loans in a finance digest, sweepstakes, removal footers). Terms that say
# one thing in different words form a concept, and only the strongest term of each concept counts
# (times the subject factor if it is in the subject): a removal footer ("to be removed from our
# list, reply with REMOVE in the subject") is one fact whether it uses one of these phrases or
# three. All concepts together add at most `rules.SALES_CAP`: counted term by term, the footers
# and sales lines of shop newsletters people signed up for added up to a spam verdict on their
# own (a fifth of the bulk-mail development set, `bench/make_bulk_ham.py`). What marks a pitch
# as junk beyond that is left to the other terms, the shape and header signals and the model.
JUNK_CONCEPTS: dict[str, tuple[str, ...]] = {
    "removal": ("be removed from", "remove in the subject", "removal", "unsubscribe from this",
                "opt out", "stop receiving", "reply stop"),
    "guarantee": ("money back guarantee", "satisfaction guaranteed", "guaranteed",
                  "guaranteed results", "risk free", "no risk", "no obligation"),
    "hurry": ("act now", "order now", "buy now", "call now", "join now", "order today",
              "only today", "limited time", "limited offer", "offer expires"),
    "offer": ("special offer", "exclusive offer", "free gift", "gift card", "claim your"),
    "link": ("click here", "click the link", "visit our website"),
    "loan": ("mortgage", "refinance", "lowest rate", "interest rates", "consolidate", "loans",
             "free quote", "pre approved", "preapproved"),
    "price": ("cheap", "cheapest", "save up to", "lowest price", "best prices", "wholesale"),
    "phone": ("toll free", "long distance"),
    "advert": ("advertisement", "unsolicited"),
    "contest": ("winner", "prize", "won a", "cash prize"),
}

# Urgency is scored apart from the category: an outage can be resolved, an invoice overdue.
# Terms are about time pressure and impact, not about tone.
URGENT_TERMS: dict[str, float] = {
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
