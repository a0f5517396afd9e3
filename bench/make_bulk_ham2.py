"""Writes the second bulk-mail development set: legitimate mail of kinds the first set lacks, and
spam in the same dress.

Why it exists: the first set (`bench/make_bulk_ham.py`) is one writer's idea of commercial mail,
and a model trained on it still flags finance digests and account mail it never saw. This set was
written by another hand without reading the first one's text: bank statements, broker statements
and market commentary, insurance and utility notices, airline and travel deals, charity appeals,
newspaper digests, university and alumni mail, SaaS billing and account notices, loyalty
programmes and job-board alerts, each in the style of 2002 (plain text or table HTML, a list
server, a mailto removal address) or of today (text and HTML alternatives sent through an email
service, DKIM and SPF results, one-click List-Unsubscribe, click trackers, a hidden preheader).
The spam (bank phishing, stock pumps dressed as market commentary, warranty and insurance
scares, travel prizes, fake charity appeals, money-mule job offers, fake invoices) borrows the
same words, and a third of it comes through an email service with the same headers, sometimes
with a List-Unsubscribe on its own look-alike domain, so "has an unsubscribe header" is no proof.
Deterministic: the same seed writes byte-identical files.

Layout: bench/data/bulk_ham2/{ham,spam}/<kind>-<era>-<form>-<n>.eml, split into development and
held-out halves by `split_of(name)` (the rule of the first set and the injection corpus).

Usage: python bench/make_bulk_ham2.py [--out DIR] [--per-kind N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bulk_ham2_text as T  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "bulk_ham2"
HAM_KINDS = tuple(T.HAM)
SPAM_KINDS = tuple(T.SPAM)
ERAS = ("2002", "today")
RCPT_DOMAINS = ("earthlink.net", "mindspring.com", "gmail.com", "outlook.com", "comcast.net",
                "btinternet.com", "yahoo.co.uk", "fastmail.com")
ESPS = ("sendgrid.net", "mcsv.net", "amazonses.com", "sparkpostmail.com", "mailgun.org",
        "exacttarget.com")
LIST_MAILERS = ("Lyris ListManager 6.0", "L-Soft LISTSERV 1.8e", "MailEngine 3.2",
                "Microsoft CDO for Windows 2000", "SmartMailer Pro 4.1")
SPAM_MAILERS = ("Microsoft Outlook Express 6.00.2600.0000", "Dynamic Mailer 2.3", "eGroupMail",
                "Avalanche 3.5", "Group Mail Pro")


class Slots(dict):
    """A message's slot values; a slot the text names but nobody filled is a bug, so it raises."""

    def __missing__(self, key: str) -> str:
        raise KeyError(f"slot {key!r} not filled")


def _tok(rng: random.Random, n: int = 12) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def _ip(rng: random.Random) -> str:
    return ".".join(str(rng.randint(11, 223)) for _ in range(4))


def _when(rng: random.Random, era: str) -> datetime:
    start = datetime(2002, 3, 1, tzinfo=timezone.utc) if era == "2002" else datetime(
        2025, 1, 6, tzinfo=timezone.utc)
    return start + timedelta(days=rng.randrange(300), seconds=rng.randrange(86400))


def _slots(rng: random.Random, era: str, when: datetime) -> Slots:
    first, last = rng.choice(T.FIRST), rng.choice(T.LAST)
    later = when + timedelta(days=rng.randint(3, 40))
    money = lambda lo, hi: f"{rng.uniform(lo, hi):,.2f}"  # noqa: E731
    return Slots(
        first=first, last=last, to=f"{first.lower()}.{last.lower().replace(chr(39), '')}@"
        f"{rng.choice(RCPT_DOMAINS)}", month=later.strftime("%B"),
        date=later.strftime("%B %d, %Y" if era == "2002" else "%a %d %b"),
        year=str(when.year - rng.choice((0, 0, 1, 12, 25))), quarter=f"Q{(later.month - 1) // 3 + 1}",
        updown=rng.choice(("higher", "lower", "mixed", "slightly higher")),
        pct=f"{rng.uniform(0.2, 4.5):.1f}", pct2=f"{rng.uniform(1.5, 5.5):.2f}",
        amount=money(800, 48000), amount2=money(40, 2400), amount3=money(40, 2400),
        small=str(rng.randint(5, 99)), small2=str(rng.randint(100, 400)),
        last4=f"{rng.randrange(10000):04d}", phone=f"1-800-{rng.randint(200, 999)}-{rng.randrange(10000):04d}",
        policy=f"{rng.choice('ABCHKPR')}{rng.randint(100000, 999999)}", years=str(rng.randint(2, 12)),
        account=f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}", kwh=str(rng.randint(45, 900)),
        city=rng.choice(T.CITIES), city2=rng.choice(T.CITIES), headline=rng.choice(T.HEADLINES),
        points=f"{rng.randint(300, 24000):,}", count=str(rng.randint(3, 48)),
        role=rng.choice(T.ROLES), company=rng.choice(T.COMPANIES),
        salary=f"{rng.randint(35, 90)},000", salary2=f"{rng.randint(95, 160)},000",
        signer=rng.choice(T.SIGNERS), address=rng.choice(T.ADDRESSES),
        ticker=rng.choice(("ZNTX", "BLVG", "QRMC", "HPTO", "MXLN")))


def _body(rng: random.Random, c: Slots, lines: list[str], greeting: str, footer: str) -> list[str]:
    """The message's paragraphs: greeting, 3-5 lines in their written order, sign-off, footer."""
    picked = sorted(rng.sample(range(len(lines)), rng.randint(3, min(5, len(lines)))))
    paras = [greeting] if greeting else []
    paras += [lines[i] for i in picked]
    signoff = rng.choice(T.SIGNOFF)
    if signoff:
        paras.append(signoff)
    paras.append(footer)
    return [p.format_map(c) for p in paras]


def _plain(paras: list[str], era: str) -> str:
    width = 68 if era == "2002" else 76
    out = []
    for p in paras:
        out.append("\n".join(line if len(line) <= width or "---" in line or "===" in line
                             else textwrap.fill(line, width) for line in p.split("\n")))
    return "\n\n".join(out) + "\n"


def _html(rng: random.Random, paras: list[str], era: str, c: Slots, track: str, pixel: str) -> str:
    def para(p: str) -> str:
        text = p.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>\n")
        return text
    if era == "2002":
        cells = "\n".join(f"<p><font face=\"Arial, Helvetica\" size=\"2\">{para(p)}</font></p>"
                          for p in paras)
        return (f"<html><head><title>{c['brand']}</title></head>\n"
                f"<body bgcolor=\"#FFFFFF\">\n<table width=\"600\" border=\"0\" cellpadding=\"8\">"
                f"<tr><td>\n<a href=\"{c['site']}\"><img src=\"{c['site']}/images/logo.gif\" "
                f"border=\"0\" alt=\"{c['brand']}\"></a>\n{cells}\n</td></tr></table>\n"
                f"<img src=\"{pixel}\" width=\"1\" height=\"1\">\n</body></html>\n")
    pre = rng.choice(T.PREHEADER)
    hidden = (f"<div style=\"display:none;max-height:0;overflow:hidden;\">{pre}</div>\n"
              if pre else "")
    cells = "\n".join(f"<tr><td style=\"padding:8px 24px;font-family:Helvetica,Arial,sans-serif;"
                      f"font-size:15px;line-height:22px;color:#333333;\">{para(p)}</td></tr>"
                      for p in paras[:-1])
    button = (f"<tr><td align=\"center\"><a href=\"{track}\" style=\"background:#0b5fff;color:#fff;"
              f"padding:12px 20px;border-radius:4px;text-decoration:none;\">"
              f"{rng.choice(('View details', 'Sign in', 'Read more', 'See offers', 'Manage account'))}"
              f"</a></td></tr>")
    foot = (f"<tr><td style=\"font-size:11px;color:#888888;padding:16px 24px;\">{para(paras[-1])}"
            f"</td></tr>")
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width\"></head>\n<body>\n" + hidden +
            "<table role=\"presentation\" width=\"100%\" cellspacing=\"0\" cellpadding=\"0\">\n"
            f"{cells}\n{button}\n{foot}\n</table>\n<img src=\"{pixel}\" width=\"1\" height=\"1\" "
            "alt=\"\">\n</body></html>\n")


def _ham_headers(rng: random.Random, c: Slots, era: str, when: datetime) -> list[tuple[str, str]]:
    dom, rcpt = c["domain"], c["to"].split("@")[1]
    h: list[tuple[str, str]] = []
    if era == "2002":
        host = rng.choice(("lists.", "mail.", "news.", "")) + dom
        h.append(("Return-Path", f"<{rng.choice(('bounce-', 'owner-', 'errors-'))}"
                  f"{_tok(rng, 6)}@{host}>"))
        h.append(("Received", f"from {host} ({host} [{_ip(rng)}])\n\tby mx{rng.randint(1, 4)}."
                  f"{rcpt} with SMTP id {_tok(rng, 10)};\n\t{format_datetime(when)}"))
        h.append(("Message-ID", f"<{when:%Y%m%d%H%M%S}.{_tok(rng, 8)}@{host}>"))
        h.append(("X-Mailer", rng.choice(LIST_MAILERS)))
        if rng.random() < 0.5:
            h.append(("Precedence", "bulk"))
        if rng.random() < 0.6:
            h.append(("List-Unsubscribe", f"<mailto:{c['leave']}>"))
        return h
    esp = rng.choice(ESPS)
    own_bounce = rng.random() < 0.6
    bounce = f"bounces.{dom}" if own_bounce else esp
    h.append(("Return-Path", f"<bounce+{_tok(rng, 16)}@{bounce}>"))
    h.append(("Received", f"from o{rng.randint(1, 99)}.{esp} (o{rng.randint(1, 99)}.{esp} "
              f"[{_ip(rng)}])\n\tby mx.{rcpt} with ESMTPS id {_tok(rng, 14)}\n\tfor <{c['to']}>; "
              f"{format_datetime(when)}"))
    h.append(("Received", f"by filter{rng.randint(1, 9)}.{esp} with SMTP id {_tok(rng, 18)};\n\t"
              f"{format_datetime(when - timedelta(seconds=rng.randint(1, 30)))}"))
    h.append(("Authentication-Results", f"mx.{rcpt};\n\tdkim=pass header.d={dom};\n\tspf=pass "
              f"smtp.mailfrom={bounce};\n\tdmarc=pass header.from={dom}"))
    h.append(("DKIM-Signature", f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={dom};\n\ts=s1; "
              f"h=from:to:subject:date:message-id; bh={_tok(rng, 43)}=;\n\tb={_tok(rng, 60)}"))
    h.append(("Message-ID", f"<{_tok(rng, 20)}@{rng.choice((dom, 'mail.' + dom, esp))}>"))
    h.append(("List-Unsubscribe", f"<https://{rng.choice(('email.', 'click.', 'www.'))}{dom}/"
              f"unsubscribe/{_tok(rng, 24)}>, <mailto:unsubscribe-{_tok(rng, 10)}@{bounce}>"))
    h.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    if rng.random() < 0.5:
        h.append(("Feedback-ID", f"{rng.randint(1000, 99999)}:{_tok(rng, 6)}:{esp.split('.')[0]}"))
    if rng.random() < 0.3:
        h.append(("X-Campaign", f"{c['brand'].split()[0].lower()}-{_tok(rng, 8)}"))
    return h


def _spam_headers(rng: random.Random, c: Slots, era: str, when: datetime,
                  dressed: bool) -> list[tuple[str, str]]:
    dom, rcpt = c["domain"], c["to"].split("@")[1]
    relay = f"{_tok(rng, 6)}.{rng.choice(T.SPAM_TLDS)}"
    h: list[tuple[str, str]] = []
    if dressed:
        esp = rng.choice(ESPS)
        h.append(("Return-Path", f"<bounce+{_tok(rng, 16)}@{rng.choice((esp, dom))}>"))
        h.append(("Received", f"from o{rng.randint(1, 99)}.{esp} (o{rng.randint(1, 99)}.{esp} "
                  f"[{_ip(rng)}])\n\tby mx.{rcpt} with ESMTPS id {_tok(rng, 14)};\n\t"
                  f"{format_datetime(when)}"))
        h.append(("Authentication-Results", f"mx.{rcpt};\n\tdkim=pass header.d={esp};\n\t"
                  f"spf=pass smtp.mailfrom={esp};\n\tdmarc=none header.from={dom}"))
        h.append(("Message-ID", f"<{_tok(rng, 20)}@{rng.choice((esp, dom))}>"))
        unsub = dom if rng.random() < 0.4 else relay
        h.append(("List-Unsubscribe", f"<https://{unsub}/u/{_tok(rng, 20)}>"))
        if era == "today":
            h.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        return h
    h.append(("Return-Path", f"<{_tok(rng, 7)}@{relay}>"))
    h.append(("Received", f"from {rng.choice(('unknown', 'user', 'pc' + str(rng.randint(1, 99))))}"
              f" ([{_ip(rng)}])\n\tby mx{rng.randint(1, 3)}.{rcpt} with SMTP id {_tok(rng, 10)};\n\t"
              f"{format_datetime(when)}"))
    h.append(("Message-ID", f"<{_tok(rng, 14)}@{rng.choice((relay, 'localhost', dom))}>"))
    if era == "2002":
        h.append(("X-Mailer", rng.choice(SPAM_MAILERS)))
        if rng.random() < 0.4:
            h.append(("X-Priority", "1"))
    if rng.random() < 0.4:
        h.append(("Reply-To", f"<{_tok(rng, 6)}@{rng.choice(('yahoo.com', 'hotmail.com', relay))}>"))
    return h


def render(sender: str, c: Slots, subject: str, paras: list[str], headers: list[tuple[str, str]],
           era: str, form: str, when: datetime, rng: random.Random) -> bytes:
    """One message's bytes: the transport headers, From/To/Subject/Date, then the body as
    `form` says (plain, html, or a multipart/alternative of both)."""
    track = f"https://click.{c['domain']}/c/{_tok(rng, 20)}" if era == "today" else c["site"]
    pixel = f"https://open.{c['domain']}/o/{_tok(rng, 16)}.gif"
    lines = [f"{k}: {v}" for k, v in headers]
    lines += [f"From: {sender}", f"To: {c['to']}", f"Subject: {subject}",
              f"Date: {format_datetime(when)}", "MIME-Version: 1.0"]
    text, html = _plain(paras, era), _html(rng, paras, era, c, track, pixel)
    if form == "plain":
        lines += ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 7bit",
                  "", text]
    elif form == "html":
        lines += ["Content-Type: text/html; charset=us-ascii", "Content-Transfer-Encoding: 7bit",
                  "", html]
    else:
        b = f"----=_Part_{rng.randint(1000, 9999)}_{_tok(rng, 10)}"
        lines += [f'Content-Type: multipart/alternative; boundary="{b}"', "",
                  "This is a multi-part message in MIME format.", "", f"--{b}",
                  "Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 7bit",
                  "", text, f"--{b}", "Content-Type: text/html; charset=us-ascii",
                  "Content-Transfer-Encoding: 7bit", "", html, f"--{b}--", ""]
    return "\r\n".join("\r\n".join(lines).split("\n")).replace("\r\r\n", "\r\n").encode("ascii")


def _form(rng: random.Random, era: str) -> str:
    if era == "2002":
        return rng.choices(("plain", "html", "alt"), (5, 3, 2))[0]
    return rng.choices(("plain", "html", "alt"), (1, 2, 7))[0]


def ham(kind: str, rng: random.Random, era: str) -> tuple[str, Slots, str, list[str], datetime]:
    """(From, slots, subject, paragraphs, date) of one legitimate message of `kind`."""
    spec = T.HAM[kind]
    when = _when(rng, era)
    c = _slots(rng, era, when)
    c["brand"], c["domain"] = rng.choice(spec["senders"])
    c["site"] = f"{'http' if era == '2002' else 'https'}://www.{c['domain']}"
    c["leave"] = f"leave-{kind}-{_tok(rng, 6)}@lists.{c['domain']}"
    greeting = rng.choice(T.GREETING_2002 if era == "2002" else T.GREETING_TODAY)
    footer = rng.choice(T.FOOTER_2002 if era == "2002" else T.FOOTER_TODAY)
    subject = rng.choice(spec["subjects"]).format_map(c)
    if era == "2002" and rng.random() < 0.15:
        subject = subject.upper()
    paras = _body(rng, c, spec["lines"], greeting, footer)
    local = rng.choice(("news", "statements", "alerts", "noreply", "info", "updates", "hello"))
    sender = f'"{c["brand"]}" <{local}@{rng.choice(("", "", "e.", "mail."))}{c["domain"]}>'
    return sender, c, subject, paras, when


def spam(kind: str, rng: random.Random, era: str) -> tuple[str, Slots, str, list[str], datetime]:
    """(From, slots, subject, paragraphs, date) of one spam of `kind`, in a look-alike dress."""
    spec = T.SPAM[kind]
    when = _when(rng, era)
    c = _slots(rng, era, when)
    c["brand"] = rng.choice(spec["brands"])
    stem = c["brand"].split()[0].lower().strip("'")
    c["domain"] = (f"{stem}-{rng.choice(T.SPAM_WORDS)}{rng.choice(('', str(rng.randint(1, 99))))}"
                   f".{rng.choice(T.SPAM_TLDS)}")
    c["site"] = f"http://{c['domain']}"
    c["leave"] = f"remove@{c['domain']}"
    c["bad"] = rng.choice((f"http://{c['domain']}/{_tok(rng, 8)}", f"http://{_ip(rng)}/login/",
                           f"http://{_tok(rng, 5)}.{rng.choice(T.SPAM_TLDS)}/?id={_tok(rng, 6)}"))
    greeting = rng.choice(("Dear Customer,", "Dear Friend,", "Hello {first},", "Attention:", ""))
    footer = rng.choice(T.FOOTER_2002 if era == "2002" else T.FOOTER_TODAY)
    subject = rng.choice(spec["subjects"]).format_map(c)
    if rng.random() < 0.25:
        subject = subject.upper() + rng.choice(("", "!!", " !!!"))
    paras = _body(rng, c, spec["lines"], greeting, footer)
    local = rng.choice(("service", "alerts", "support", "info", _tok(rng, 6), "noreply"))
    sender = (f'"{c["brand"]}" <{local}@{c["domain"]}>' if rng.random() < 0.8
              else f"{local}@{c['domain']}")
    return sender, c, subject, paras, when


def write(out: Path, per_kind: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "ham").mkdir(parents=True)
    (out / "spam").mkdir(parents=True)
    for folder, kinds, make in (("ham", HAM_KINDS, ham), ("spam", SPAM_KINDS, spam)):
        for kind in kinds:
            for i in range(per_kind):
                era = ERAS[i % 2]
                sender, c, subject, paras, when = make(kind, rng, era)
                if folder == "ham":
                    headers = _ham_headers(rng, c, era, when)
                else:
                    headers = _spam_headers(rng, c, era, when, dressed=rng.random() < 0.33)
                form = _form(rng, era)
                raw = render(sender, c, subject, paras, headers, era, form, when, rng)
                (out / folder / f"{kind}-{era}-{form}-{i:03d}.eml").write_bytes(raw)
    return per_kind * len(HAM_KINDS), per_kind * len(SPAM_KINDS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--per-kind", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2)
    args = ap.parse_args()
    hams, spams = write(args.out, args.per_kind, args.seed)
    print(f"wrote {hams} ham and {spams} spam messages to {args.out}")


if __name__ == "__main__":
    main()
