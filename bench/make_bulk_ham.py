"""Writes the bulk-mail development set: legitimate commercial mail people asked for, and spam
dressed the same way.

Why it exists: the spam model is trained on `spam-1` and `easy-ham-2`, and that ham is
mailing-list traffic with no commercial mail at all, so nothing in it says what a newsletter
someone signed up for looks like; the judged `hard-ham-1` is exactly such mail and must not be
read. This set is written here instead: shop newsletters with offers and prices, software
release announcements, tech and finance digests, event invitations, order and shipping notices,
each in the style of 2002 (plain text or early HTML, list-server headers) or of today (text and
HTML alternatives, an ESP's Received chain, DKIM, one-click List-Unsubscribe). Every slot (sender,
subject, lines, footer, headers, format) is drawn independently. The spam (knock-offs, pills,
loans, stock tips, prizes, fake delivery notices) uses the same vocabulary of offers and, a third
of the time, the same ESP headers, so a filter that learns "List-Unsubscribe means ham" or
"prices mean spam" is caught out. Deterministic: the same seed writes byte-identical files.

Layout: bench/data/bulk_ham/{ham,spam}/<kind>-<era>-<form>-<n>.eml. The split into development
and held-out halves is `split_of(name)` (a hash of the file name, the injection corpus's rule).
`bench/train_spam.py` trains on the development half; `bench/bulk_ham.py` reports the held-out one.

Usage: python bench/make_bulk_ham.py [--out DIR] [--per-kind N] [--seed S]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sys
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bulk_ham_text as T  # noqa: E402
from bench.make_injection_corpus import split_of  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "bulk_ham"
HAM_KINDS = ("shop", "release", "technews", "finance", "event", "order", "account")
ERAS = ("2002", "today")
RECIPIENT_DOMAINS = ("homenet-mail.com", "brightline.net", "northcoast.org", "cablemail.net",
                     "pobox-isp.net", "riverdsl.co.uk")
SURNAMES = ("whitfield", "okafor", "brandt", "nakamura", "silva", "kowalski", "moreau", "hughes")
ESP_2002 = ("relaycast.com", "listserve-hosting.com", "netletter.net", "postmastery.net")
ESP_TODAY = ("mailstream-esp.com", "postcrest.net", "relayhub.io", "sendwell-mta.com")
MAILERS_2002 = ("ListManager Web Interface", "Mailman 2.0.13", "MailKing 4.2",
                "Microsoft CDO for Windows 2000", "GroupMail 4", "")
MAILERS_SPAM = ("Microsoft Outlook Express 6.00.2600.0000", "The Bat! (v1.61)", "MailKing 4.2",
                "Advanced Mass Sender v 3.21b", "")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


class Ctx(dict):
    """The slot values of one message; a missing slot is a bug in the text banks, so it raises."""

    def fill(self, text: str) -> str:
        return text.format_map(self)


def _token(rng: random.Random, n: int = 16) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def _ip(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(1, 255)) for _ in range(4))


def _when(rng: random.Random, era: str) -> datetime:
    start = datetime(2002, 1, 1, tzinfo=timezone.utc) if era == "2002" else \
        datetime(2025, 6, 1, tzinfo=timezone.utc)
    return start + timedelta(minutes=rng.randrange(60 * 24 * 330))


def _context(rng: random.Random, era: str, brand: str, domain: str) -> Ctx:
    first = rng.choice(T.FIRST_NAMES)
    addr = f"{first.lower()}.{rng.choice(SURNAMES)}@{rng.choice(RECIPIENT_DOMAINS)}"
    old = rng.choice((49, 79, 120, 199, 249, 399, 35, 18))
    price = max(5, round(old * rng.choice((0.5, 0.6, 0.7, 0.75, 0.8)), 0))
    scheme = "http://www." if era == "2002" else "https://www."
    season = rng.choice(T.SEASONS)
    return Ctx(
        brand=brand, domain=domain, first=first, addr=addr, old=f"{old}",
        price=f"{price:.0f}" if rng.random() < 0.5 else f"{price - 0.01:.2f}",
        pct=rng.choice((10, 15, 20, 25, 30, 40, 50)), n=rng.randrange(25, 150),
        day=rng.choice(T.DAYS), month=rng.choice(MONTHS), season=season,
        season_lower=season.lower(), city=rng.choice(T.CITIES), street=rng.choice(T.STREETS),
        link=f"{scheme}{domain}", site=f"www.{domain}", token=_token(rng, 12),
        list=domain.split(".")[0] + rng.choice(("-news", "-announce", "-offers", "")),
        code=(brand.split()[0][:5] + str(rng.randrange(10, 99))).upper().replace("&", ""),
        order=f"#{rng.randrange(100000, 999999)}", carrier=rng.choice(T.CARRIERS),
        track=f"1Z{rng.randrange(10**9, 10**10)}{rng.randrange(100, 999)}",
        date=f"{rng.choice(MONTHS)} {rng.randrange(1, 29)}", sym=rng.choice(T.SPAM_SYMBOLS),
    )


# ----------------------------------------------------------------------------- ham bodies


def _shop(rng: random.Random, era: str) -> tuple[Ctx, str, list[str], list[str]]:
    brand, domain, what = rng.choice(T.SHOPS)
    c = _context(rng, era, brand, domain)
    items = rng.sample(T.PRODUCTS[what], k=min(len(T.PRODUCTS[what]), rng.randrange(3, 6)))
    c["item"] = items[0]
    lines = []
    for item in items:
        line = rng.choice(T.SHOP_ITEM_LINES)
        sub = Ctx(c, item=item, pct=rng.choice((10, 15, 20, 30)))
        sub["old"] = str(rng.randrange(12, 180))
        sub["price"] = f"{int(sub['old']) * 0.8:.2f}"
        lines.append(sub.fill(line))
    paras = [c.fill(rng.choice(T.SHOP_INTROS)), "\n".join(lines),
             c.fill(f"Shop the {rng.choice(('sale', 'new arrivals', 'full range'))}: "
                    f"{{link}}/{rng.choice(('sale', 'new', 'shop'))}"),
             c.fill(rng.choice(T.SHOP_CLOSINGS))]
    return c, c.fill(rng.choice(T.SHOP_SUBJECTS)), paras, items


def _release(rng: random.Random, era: str) -> tuple[Ctx, str, list[str], list[str]]:
    brand, domain, product = rng.choice(T.SOFTWARE)
    c = _context(rng, era, brand, domain)
    major = rng.randrange(2, 9)
    c["version"] = f"{major}.{rng.randrange(0, 10)}" + (f".{rng.randrange(1, 9)}" if rng.random() < 0.4 else "")
    c["prev"] = f"{major - 1}.x"
    c["product"] = product
    changes = rng.sample(T.RELEASE_CHANGES, k=rng.randrange(3, 7))
    paras = [c.fill(rng.choice(T.RELEASE_INTROS)),
             "What's new:\n" + "\n".join(f"  - {x}" for x in changes),
             c.fill(rng.choice(T.RELEASE_PRICING)), c.fill(rng.choice(T.RELEASE_DOWNLOAD)),
             c.fill("Thanks for using {product}.\n-- the {brand} team")]
    return c, c.fill(rng.choice(T.RELEASE_SUBJECTS)), paras, changes


def _digest(rng: random.Random, era: str, finance: bool) -> tuple[Ctx, str, list[str], list[str]]:
    brand, domain = rng.choice(T.FINANCE_NEWS if finance else T.TECH_NEWS)
    c = _context(rng, era, brand, domain)
    c["topic"] = rng.choice(("money", "personal finance", "investing")) if finance else \
        rng.choice(("tech", "technology", "IT"))
    stories = rng.sample(T.FINANCE_HEADLINES if finance else T.TECH_HEADLINES, k=rng.randrange(3, 6))
    c["headline"] = stories[0][0]
    blocks = []
    for n, (head, blurb) in enumerate(stories, 1):
        slug = "-".join(head.lower().replace("?", "").replace(":", "").replace("'", "").split()[:5])
        more = c.fill(f"{{link}}/{c['month'].lower()}/{slug}.html" if era == "2002"
                      else f"{{link}}/articles/{slug}")
        title = head.upper() if era == "2002" and rng.random() < 0.5 else head
        blocks.append(f"{n}. {title}\n{blurb}\nRead more: {more}")
    paras = [c.fill(rng.choice(T.DIGEST_INTROS)), *blocks]
    sponsor = c.fill(rng.choice(T.DIGEST_SPONSORS))
    if sponsor:
        paras.insert(rng.randrange(2, len(paras) + 1), sponsor)
    return c, c.fill(rng.choice(T.DIGEST_SUBJECTS)), paras, [h for h, _ in stories]


def _event(rng: random.Random, era: str) -> tuple[Ctx, str, list[str], list[str]]:
    brand, domain, kind = rng.choice(T.EVENT_HOSTS)
    c = _context(rng, era, brand, domain)
    c["event"] = rng.choice(T.EVENTS[kind])
    subject = c.fill(rng.choice(T.EVENT_SUBJECTS))
    paras = [c.fill(x) for x in rng.sample(T.EVENT_BODIES, k=rng.randrange(2, 5))]
    paras.append(c.fill("Details and registration: {link}/events/" + _token(rng, 6)))
    paras.append(c.fill(rng.choice(("See you there,\n{brand}", "Best wishes,\n{first}, for {brand}",
                                    "The {brand} team"))))
    return c, subject[:1].upper() + subject[1:], paras, [c["event"]]


def _order(rng: random.Random, era: str) -> tuple[Ctx, str, list[str], list[str]]:
    brand, domain, what = rng.choice(T.ORDER_SHOPS)
    c = _context(rng, era, brand, domain)
    items = rng.sample(T.PRODUCTS[what], k=rng.randrange(1, 3))
    c["item"] = rng.choice(T.PRODUCTS[what])
    c["n"] = str(rng.randrange(1000, 9999))
    total = 0.0
    rows = []
    for item in items:
        price = rng.randrange(8, 300) + 0.99
        total += price
        rows.append(f"  1 x {item}  ${price:.2f}")
    ship = rng.choice((0.0, 4.95, 7.50))
    rows.append(f"  Shipping  ${ship:.2f}\n  Total  ${total + ship:.2f}")
    greet = c.fill(rng.choice(("Hello {first},", "Dear {first},", "Hi {first},", "Dear customer,")))
    lines = [c.fill(x) for x in rng.sample(T.ORDER_LINES, k=rng.randrange(2, 5))]
    paras = [greet, " ".join(lines), f"Order {c['order']}\n" + "\n".join(rows),
             c.fill("View your order: {link}/account/orders"),
             c.fill(rng.choice(T.ORDER_UPSELLS)), c.fill("Thank you for shopping with {brand}.")]
    return c, c.fill(rng.choice(T.ORDER_SUBJECTS)), [p for p in paras if p], items


def _account(rng: random.Random, era: str) -> tuple[Ctx, str, list[str], list[str]]:
    brand, domain = rng.choice(T.SERVICES)
    c = _context(rng, era, brand, domain)
    c["n"] = str(rng.randrange(1000, 9999))
    at = rng.randrange(len(T.ACCOUNT_SUBJECTS))
    body = T.ACCOUNT_BODIES[min(at, len(T.ACCOUNT_BODIES) - 1)] if rng.random() < 0.7 else \
        rng.choice(T.ACCOUNT_BODIES)
    paras = [c.fill(rng.choice(("Hello {first},", "Dear {first},", "Hi {first},", "Dear member,"))),
             c.fill(body), c.fill(rng.choice(("{link}/account", "{link}/confirm?t={token}",
                                              "Sign in: {link}/login"))),
             c.fill(rng.choice(T.ACCOUNT_NOTES)), c.fill("{brand}")]
    return c, c.fill(T.ACCOUNT_SUBJECTS[at]), [p for p in paras if p], []


def ham(kind: str, rng: random.Random, era: str) -> tuple[Ctx, str, list[str]]:
    if kind in ("technews", "finance"):
        c, subject, paras, _ = _digest(rng, era, kind == "finance")
    else:
        c, subject, paras, _ = {"shop": _shop, "release": _release, "event": _event,
                                "order": _order, "account": _account}[kind](rng, era)
    account = kind in ("order", "account")
    loud = not account and rng.random() < 0.5  # honest mail that shouts like a pitch
    if loud:
        c.setdefault("product", c.get("item", c["brand"]))
        if rng.random() < 0.5:
            subject = c.fill(rng.choice(T.PROMO_SUBJECTS))
        for line in rng.sample(T.PROMO_LINES, k=rng.randrange(1, 4)):
            paras.insert(rng.randrange(1, len(paras) + 1), c.fill(line))
        if kind in ("technews", "finance") or rng.random() < 0.2:
            paras.insert(rng.randrange(1, len(paras) + 1), c.fill(rng.choice(T.SPONSOR_ADS)))
        if rng.random() < 0.4:
            paras.insert(rng.randrange(1, len(paras) + 1), c.fill(rng.choice(T.LOUD_EXTRAS)))
        if era == "2002" and rng.random() < 0.5:
            at = rng.randrange(1, len(paras))
            paras[at] = f"{rng.choice(T.CAPS_HEADINGS)}\n{paras[at]}"
            if rng.random() < 0.3:
                paras[at] = paras[at].upper()  # a sponsor block in capitals
    if not account and rng.random() < 0.4:  # links through the ESP's click tracker
        esp = rng.choice(ESP_2002 if era == "2002" else ESP_TODAY)
        tracker = (f"http://clickthru.{esp}/Click?q={_token(rng, 10)}&r=" if era == "2002"
                   else f"https://click.{esp}/ls/{_token(rng, 14)}")
        paras = [p.replace(c["link"], tracker) for p in paras]
    if not account and rng.random() < 0.4:
        paras.insert(0, c.fill(rng.choice(("Hi {first},", "Dear {first},", "Hello,"))))
    footers = T.FOOTERS_2002 if era == "2002" else T.FOOTERS_TODAY
    if account:
        footers = footers[3:]  # account mail: the not-monitored and account-notice footers
    elif loud and rng.random() < 0.5:
        footers = T.FOOTERS_COMMERCIAL
    paras.append(c.fill(rng.choice(footers)))
    return c, subject, paras


# ----------------------------------------------------------------------------- spam bodies


def _spam_domain(rng: random.Random) -> str:
    words = rng.sample(T.SPAM_WORDS, 2)
    digits = str(rng.randrange(10, 999)) if rng.random() < 0.4 else ""
    return f"{words[0]}{rng.choice(('', '-'))}{words[1]}{digits}.{rng.choice(T.SPAM_TLDS)}"


def spam(kind: str, rng: random.Random, era: str) -> tuple[Ctx, str, list[str], str]:
    """(slots, subject, paragraphs, From) of one spam in `kind`."""
    domain = _spam_domain(rng)
    brand = rng.choice(T.SPAM_BRANDS)
    if kind == "phish":  # a brand's name glued to other words, on a domain of its own
        name = rng.choice(T.PHISH_BRANDS)
        domain = f"{name}-{rng.choice(('secure', 'account', 'verify', 'support'))}" \
                 f"{rng.choice(('', '-center', '-online'))}.{rng.choice(T.SPAM_TLDS)}"
        brand = f"{name.title()} {rng.choice(('Security', 'Account Services', 'Support'))}"
    c = _context(rng, era, brand, domain)
    if rng.random() < 0.2:
        c["link"] = f"http://{_ip(rng)}/{_token(rng, 5)}"
    elif rng.random() < 0.4:
        c["link"] = f"http://{_spam_domain(rng)}/{_token(rng, 6)}"
    c["optout"] = f"{_token(rng, 8)}@{rng.choice(T.FREEMAIL_SPAM)}"
    subject = c.fill(rng.choice(T.SPAM_SUBJECTS[kind]))
    if era == "2002" and rng.random() < 0.3:
        subject = subject.upper() if rng.random() < 0.5 else f"{subject}{' ' * rng.randrange(4, 12)}{_token(rng, 5)}"
    bodies = rng.sample(T.SPAM_BODIES[kind], k=min(2, len(T.SPAM_BODIES[kind])))
    paras = [c.fill(b) for b in bodies[:rng.randrange(1, 3)]]
    greet = rng.choice(("Dear Friend,", "Dear {first},", "Hello,", "", "Attention: {addr}"))
    if greet:
        paras.insert(0, c.fill(greet))
    paras.append(c.fill(rng.choice(T.SPAM_CALLS if kind != "phish" else
                                   ("Verify now: {link}/login", "Sign in here: {link}/secure"))))
    foot = c.fill(rng.choice(T.SPAM_FOOTERS))
    if foot:
        paras.append(foot)
    if rng.random() < 0.3 and kind != "phish":
        local = f"{rng.choice(T.FIRST_NAMES).lower()}{rng.randrange(100, 99999)}"
        sender = f"{local}@{rng.choice(T.FREEMAIL_SPAM)}"
    else:
        sender = f'"{brand}" <{rng.choice(("info", "sales", "offers", "support", "news"))}@{domain}>'
    return c, subject, paras, sender


# ----------------------------------------------------------------------------- rendering


def _html(paras: list[str], era: str, preheader: str, pixel: str) -> str:
    def block(p: str) -> str:
        words = []
        for word in p.replace("&", "&amp;").replace("<", "&lt;").split(" "):
            if word.startswith(("http://", "https://")):
                tail = word.rstrip(".,)")
                word = f'<a href="{tail}">{tail}</a>{word[len(tail):]}'
            words.append(word)
        return " ".join(words).replace("\n", "<br>\n")
    if era == "2002":
        rows = "".join(f"<tr><td><font face=\"Arial\" size=\"2\">{block(p)}</font></td></tr>\n" for p in paras)
        return (f"<html><head><title>{paras[0][:40]}</title></head>\n<body bgcolor=\"#ffffff\">\n"
                f"<table width=\"600\" cellpadding=\"8\" border=\"0\">\n{rows}</table>\n</body></html>\n")
    pre = (f'<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">{preheader}</div>\n'
           if preheader else "")
    rows = "".join(f'<tr><td style="padding:12px 24px;font-family:Helvetica,Arial,sans-serif;'
                   f'font-size:15px;line-height:22px;color:#333333">{block(p)}</td></tr>\n'
                   for p in paras[:-1])
    foot = (f'<tr><td style="padding:24px;font-size:11px;color:#888888">{block(paras[-1])}</td></tr>\n')
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width"></head>\n<body style="margin:0;background:#f4f4f4">\n{pre}'
            f'<table role="presentation" width="100%" cellspacing="0" cellpadding="0">\n{rows}{foot}'
            f'</table>\n<img src="{pixel}" width="1" height="1" alt="">\n'
            f'</body></html>\n')


def _ham_headers(rng: random.Random, c: Ctx, era: str, kind: str, when: datetime) -> list[tuple[str, str]]:
    domain, addr = c["domain"], c["addr"]
    rcpt = addr.split("@")[1]
    stamp = format_datetime(when)
    h: list[tuple[str, str]] = []
    if era == "2002":
        esp = rng.choice((*ESP_2002, domain, domain))
        host = f"lists.{domain}" if esp == domain else f"mail{rng.randrange(1, 40)}.{esp}"
        h.append(("Return-Path", f"<bounce-{c['list']}-{rng.randrange(10**6)}@{host}>"
                  if rng.random() < 0.6 else f"<news@{domain}>"))
        h.append(("Received", f"from {host} ({host} [{_ip(rng)}]) by mx.{rcpt} (8.11.6/8.11.6) "
                  f"with ESMTP id g{_token(rng, 10)} for <{addr}>; {stamp}"))
        if rng.random() < 0.5:
            h.append(("Received", f"from app{rng.randrange(1, 9)}.{domain} ([10.0.{rng.randrange(256)}."
                      f"{rng.randrange(256)}]) by {host} with SMTP; {stamp}"))
        mid_host = host if rng.random() < 0.5 else domain
        h.append(("Message-ID", f"<LYR{rng.randrange(10**5, 10**7)}-{_token(rng, 6)}@{mid_host}>"))
        mailer = rng.choice(MAILERS_2002)
        if mailer:
            h.append(("X-Mailer", mailer))
        if rng.random() < 0.6 and kind not in ("order", "account"):
            h.append(("Precedence", "bulk"))
        if rng.random() < 0.5 and kind not in ("order", "account"):
            h.append(("List-Unsubscribe", f"<mailto:leave-{c['list']}-{rng.randrange(10**6)}@{host}>"))
        if kind in ("technews", "finance") and rng.random() < 0.4:
            h.append(("List-Id", f"{c['brand']} <{c['list']}.{domain}>"))
        return h
    esp = rng.choice(ESP_TODAY)
    bounce = f"bounces+{rng.randrange(10**6, 10**7)}@em.{domain}" if rng.random() < 0.6 else \
        f"{_token(rng, 20)}@bounce.{esp}"
    mta = f"o{rng.randrange(1, 99)}.ptr{rng.randrange(1000, 9999)}.{esp}"
    h.append(("Return-Path", f"<{bounce}>"))
    h.append(("Received", f"from {mta} ({mta} [{_ip(rng)}]) by mx.{rcpt} with ESMTPS id "
              f"{_token(rng, 12)} for <{addr}> (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384); {stamp}"))
    h.append(("Received", f"by filter{rng.randrange(1, 500)}.{esp} with SMTP id {_token(rng, 18)}; {stamp}"))
    h.append(("Authentication-Results", f"mx.{rcpt}; spf=pass smtp.mailfrom={bounce.split('@')[1]}; "
              f"dkim=pass header.d={domain}; dmarc=pass header.from={domain}"))
    h.append(("DKIM-Signature", f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=s{rng.randrange(1, 3)}; "
              f"h=from:subject:date:to:mime-version; bh={_token(rng, 43)}=; b={_token(rng, 60)}"))
    h.append(("Message-ID", f"<{_token(rng, 22)}@{rng.choice((domain, 'em.' + domain, esp))}>"))
    if kind not in ("order", "account") or rng.random() < 0.3:
        h.append(("List-Unsubscribe", f"<https://em.{domain}/unsub/{c['token']}>, "
                  f"<mailto:unsub-{c['token']}@em.{domain}>"))
        h.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    if rng.random() < 0.3 and kind not in ("order", "account"):
        h.append(("Precedence", "bulk"))
    h.append(("Feedback-ID", f"{rng.randrange(10**5)}:{kind}:{esp.split('.')[0]}"))
    return h


def _spam_headers(rng: random.Random, c: Ctx, era: str, sender: str, when: datetime,
                  dressed: bool) -> list[tuple[str, str]]:
    """Spam's headers; `dressed` spam comes through an ESP with the same headers as ham."""
    if dressed:
        fake = Ctx(c, domain=sender.rpartition("@")[2].rstrip(">"))
        return _ham_headers(rng, fake, era, "shop", when)
    addr, stamp = c["addr"], format_datetime(when)
    rcpt = addr.split("@")[1]
    ip = _ip(rng)
    h = [("Return-Path", f"<{sender.rpartition('<')[2].rstrip('>')}>"),
         ("Received", f"from {rng.choice(('unknown', 'mail.' + c['domain'], 'localhost'))} "
          f"([{ip}]) by mx.{rcpt} with SMTP id {_token(rng, 10)}; {stamp}")]
    if rng.random() < 0.5:
        h.append(("Received", f"from {_ip(rng)} by {ip} with ESMTP; {stamp}"))
    if rng.random() < 0.7:
        h.append(("Message-ID", f"<{_token(rng, 14)}@{rng.choice((_spam_domain(rng), 'localhost', c['domain']))}>"))
    mailer = rng.choice(MAILERS_SPAM)
    if mailer and era == "2002":
        h.append(("X-Mailer", mailer))
    if rng.random() < 0.3:
        h.append(("Reply-To", f"{_token(rng, 7)}@{rng.choice(T.FREEMAIL_SPAM)}"))
    if era == "today" and rng.random() < 0.5:
        h.append(("Authentication-Results", f"mx.{rcpt}; spf={rng.choice(('softfail', 'none', 'neutral', 'pass'))} "
                  f"smtp.mailfrom={c['domain']}"))
    if rng.random() < 0.25:
        h.append(("List-Unsubscribe", f"<{c['link']}/unsub>"))
    if rng.random() < 0.2:
        h.append(("X-Priority", "1"))
    return h


def render(sender: str, c: Ctx, subject: str, paras: list[str], headers: list[tuple[str, str]],
           era: str, form: str, when: datetime, n: int, rng: random.Random) -> bytes:
    msg = EmailMessage()
    for name, value in headers:
        if name in ("Return-Path", "Received"):
            msg[name] = value
    msg["From"] = sender
    to = c["addr"]
    if rng.random() < 0.1:
        to = "undisclosed-recipients:;" if "@" not in sender or rng.random() < 0.5 else to
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    for name, value in headers:
        if name not in ("Return-Path", "Received"):
            msg[name] = value
    text = "\n\n".join(paras) + "\n"
    preheader = paras[1][:90] if len(paras) > 1 and rng.random() < 0.6 else ""
    pixel = f"https://t.{c['domain']}/open/{c['token']}.gif"
    if form == "plain":
        msg.set_content(text, cte="quoted-printable" if rng.random() < 0.3 else None)
    elif form == "html":
        msg.set_content(_html(paras, era, preheader, pixel), subtype="html",
                        cte="quoted-printable" if rng.random() < 0.5 else None)
    else:
        msg.set_content(text)
        msg.add_alternative(_html(paras, era, preheader, pixel), subtype="html",
                            cte="quoted-printable" if era == "today" else None)
    for i, part in enumerate(msg.walk()):  # the library would pick random boundaries
        if part.is_multipart():
            part.set_boundary(f"----=_bulk_{n}_{i}_{hashlib.sha1(subject.encode()).hexdigest()[:8]}")
    return msg.as_bytes(policy=SMTP)


def _form(rng: random.Random, era: str) -> str:
    roll = rng.random()
    if era == "2002":
        return "plain" if roll < 0.6 else "html" if roll < 0.85 else "multipart"
    return "multipart" if roll < 0.8 else "html"


def _sender_for(rng: random.Random, c: Ctx, era: str) -> str:
    domain, brand = c["domain"], c["brand"]
    local = rng.choice(("news", "newsletter", "offers", "hello", "info", "announce", "editor"))
    host = domain if era == "2002" or rng.random() < 0.5 else f"{rng.choice(('e', 'em', 'mail'))}.{domain}"
    return f'"{brand}" <{local}@{host}>'


def write(out: Path, per_kind: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "ham").mkdir(parents=True)
    (out / "spam").mkdir(parents=True)
    n = 0
    for kind in HAM_KINDS:
        for i in range(per_kind):
            era = ERAS[i % 2]
            c, subject, paras = ham(kind, rng, era)
            when = _when(rng, era)
            sender = _sender_for(rng, c, era)
            if kind in ("order", "account"):
                sender = f'"{c["brand"]}" <{rng.choice(("orders", "no-reply", "service", "store", "alerts"))}@{c["domain"]}>'
            form = _form(rng, era)
            raw = render(sender, c, subject, paras, _ham_headers(rng, c, era, kind, when), era,
                         form, when, n, rng)
            (out / "ham" / f"{kind}-{era}-{form}-{i:03d}.eml").write_bytes(raw)
            n += 1
    for kind in T.SPAM_KINDS:
        for i in range(per_kind):
            era = ERAS[i % 2]
            c, subject, paras, sender = spam(kind, rng, era)
            when = _when(rng, era)
            dressed = rng.random() < 0.33
            form = _form(rng, era) if era == "today" or rng.random() < 0.5 else "html"
            raw = render(sender, c, subject, paras, _spam_headers(rng, c, era, sender, when, dressed),
                         era, form, when, n, rng)
            (out / "spam" / f"{kind}-{era}-{form}-{i:03d}.eml").write_bytes(raw)
            n += 1
    return per_kind * len(HAM_KINDS), per_kind * len(T.SPAM_KINDS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--per-kind", type=int, default=60)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    hams, spams = write(args.out, args.per_kind, args.seed)
    print(f"wrote {hams} ham and {spams} spam messages to {args.out}")


if __name__ == "__main__":
    main()
