"""Writes the third bulk-mail development set: list and commercial mail the other two sets lack,
and spam in the same dress.

Why it exists: a model trained on one of the first two sets flags 10-13% of the other's ham, so
each writer covers only part of legitimate bulk mail. This set was written by a third hand that
read neither of the others' text (only how their files are named, split and dressed): computing
newsletters, software vendors' announcements, mailing-list digests (Yahoo! Groups, Topica and
Lyris footers in 2002; groups.io, Google Groups and Mailman today), investment newsletters
people pay for, retail catalogues and coupons, airline fare alerts, hosting and ISP notices,
calls for papers, download-site newsletters and magazine renewals, each in the style of 2002 or
of today. The spam (stock pumps, cheap OEM software, fake renewals, search-engine submission,
gift-card surveys, travel prizes, predatory journals, bulk-mail lists) borrows the same shapes,
and a third of it comes through an email service, or with a list footer, like the ham.
Deterministic: the same seed writes byte-identical files.

Layout: bench/data/bulk_ham3/{ham,spam}/<kind>-<era>-<form>-<n>.eml, split into development and
held-out halves by `split_of(name)` (the rule of the other sets and the injection corpus).

Usage: python bench/make_bulk_ham3.py [--out DIR] [--per-kind N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import textwrap
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bulk_ham3_text as T  # noqa: E402
from bench.make_bulk_ham2 import Slots, _ip, _tok, _when  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "bulk_ham3"
HAM_KINDS = tuple(T.HAM)
SPAM_KINDS = tuple(T.SPAM)
ERAS = ("2002", "today")
RCPT = ("aol.com", "attbi.com", "prodigy.net", "juno.com", "gmail.com", "icloud.com", "proton.me",
        "verizon.net", "sbcglobal.net")
ESPS = ("sendgrid.net", "mcsv.net", "amazonses.com", "mailgun.org", "constantcontact.com",
        "klaviyomail.com", "sailthru.com")
LIST_SOFTWARE = ("Lyris ListManager 4.0", "Majordomo 1.94.5", "ListProc 8.2", "SparkList 2.1",
                 "Mailman 2.0.13", "Microsoft Exchange V6.0")
SPAM_MAILERS = ("Microsoft Outlook Express 6.00.2600.0000", "The Bat! (v1.60q)", "Atomic Mail Sender",
                "Send-Safe", "Advanced Direct Remailer")
SEASONS = ("Spring", "Summer", "Fall", "Holiday", "Winter")
POSTERS = ("yahoo.com", "hotmail.com", "earthlink.net", "gmail.com", "aol.com", "mac.com")
PLATFORMS = ("Windows 98, Me, 2000 and XP", "Mac OS X 10.2", "Windows 11 and macOS", "Linux")


def _slots(rng: random.Random, era: str, when: datetime) -> Slots:
    """Every slot any text may name, drawn independently."""
    first, last = rng.choice(T.FIRST), rng.choice(T.LAST)
    later = when + timedelta(days=rng.randint(5, 45))
    days = [later + timedelta(days=d) for d in sorted(rng.sample(range(10, 160), 4))]
    fmt = "%B %d, %Y" if era == "2002" else "%b %d"
    money = lambda lo, hi: f"{rng.uniform(lo, hi):,.2f}"  # noqa: E731
    cities = rng.sample(T.CITIES, 3)
    field = rng.choice(T.CONF_FIELDS)
    sw = rng.sample(T.DOWNLOADS, 3)
    person = lambda: f"{rng.choice(T.FIRST)} {rng.choice(T.LAST)}"  # noqa: E731
    return Slots(
        first=first, last=last, editor=person(),
        to=f"{first.lower()}{rng.choice(('.', '_', ''))}{last.lower().replace(chr(39), '')}"
        f"@{rng.choice(RCPT)}", month=later.strftime("%B"), date=later.strftime(fmt),
        date2=days[1].strftime(fmt), date3=days[2].strftime(fmt), date4=days[3].strftime(fmt),
        year=str(when.year), year2=str(when.year + rng.randint(1, 3)),
        cyear=str(when.year + 1), cday=str(rng.randint(2, 12)), cday2=str(rng.randint(14, 27)),
        tech=rng.choice(T.TECH_2002 if era == "2002" else T.TECH_TODAY),
        issue=str(rng.randint(40, 600)), product=rng.choice(T.PRODUCTS),
        version=f"{rng.randint(2, 9)}.{rng.randint(0, 5)}", small=str(rng.randint(3, 40)),
        small2=str(rng.randint(40, 400)), price=money(19, 99), price2=money(100, 250),
        price3=money(20, 60), sponsor=rng.choice(T.PRODUCTS) + " Pro", software=rng.choice(T.SOFTWARE),
        pct_off=str(rng.choice((15, 20, 25, 30, 40))), code=_tok(rng, 6).upper(),
        platform=rng.choice(PLATFORMS), ram=str(rng.choice((64, 128, 256, 4096))),
        company=rng.choice(("Granite Rail", "Meridian Foods", "Tessellate Labs", "Oakmont Utilities",
                            "Brightwater Pharma", "Halden Steel")),
        ticker=rng.choice(("GRNR", "MRDF", "TSLB", "OKUT", "BWPH", "HLDS")),
        updown=rng.choice(("higher", "lower", "mixed", "flat")), pct=f"{rng.uniform(0.2, 6):.1f}",
        pct2=f"{rng.uniform(0.5, 9):.1f}", bigpct=str(rng.randint(40, 400)),
        years=str(rng.randint(5, 30)), pe=str(rng.randint(9, 25)), season=rng.choice(SEASONS),
        dollars=str(rng.choice((10, 15, 20, 25, 50, 100))), threshold=str(rng.choice((50, 75, 100, 150))),
        item=rng.choice(T.STORE_ITEMS), item2=rng.choice(T.STORE_ITEMS),
        foundyear=str(rng.randint(1898, 1985)), address=rng.choice(T.ADDRESSES),
        phone=f"1-800-{rng.randint(200, 999)}-{rng.randrange(10000):04d}",
        phone2=f"({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randrange(10000):04d}",
        city=cities[0], city2=cities[1], city3=cities[2], fare=str(rng.randint(39, 199)),
        fare2=str(rng.randint(49, 229)), fare3=str(rng.randint(59, 259)),
        ap1=rng.choice(T.AIRPORTS), ap2=rng.choice(T.AIRPORTS), points=f"{rng.randint(5, 50) * 100:,}",
        invoice=str(rng.randint(100000, 999999)), plan=rng.choice(("Starter", "Business", "Pro", "Basic")),
        sitename=f"{last.lower().replace(chr(39), '')}{rng.choice(('family', 'design', 'photo', 'shop'))}."
        f"{rng.choice(('com', 'net', 'org'))}", mbps=str(rng.choice((3, 6, 50, 300))),
        last4=f"{rng.randrange(10000):04d}", disk=str(rng.choice((100, 250, 500, 20000))),
        account=f"{rng.randint(100, 999)}-{rng.randint(10000, 99999)}", field=field[0],
        topic1=field[1], topic2=field[2], topic3=field[3], pages=str(rng.choice((6, 10, 12, 14))),
        person=person(), person2=person(), univ=rng.choice(T.UNIVS), univ2=rng.choice(T.UNIVS),
        sw1=sw[0][0], swd1=sw[0][1], sw2=sw[1][0], swd2=sw[1][1], sw3=sw[2][0], swd3=sw[2][1],
        bonus=rng.choice(T.BONUSES), penny=f"0.{rng.randint(5, 95):02d}", target=f"{rng.uniform(1, 6):.2f}",
        store=rng.choice(T.STORES), uid=_tok(rng, 10), uid2=_tok(rng, 8), num=str(rng.randint(200, 9000)),
        sponsor_ad=rng.choice(T.SPONSOR_ADS))


def _fill(texts: list[str], c: Slots) -> list[str]:
    return [t.format_map(c) for t in texts if t]


def _paras(rng: random.Random, spec: dict, c: Slots, greeting: str, footer: str,
           loud: bool = False) -> list[str]:
    """Greeting, the kind's lead, 1-3 loud lines if `loud`, 3-5 of its lines in order, its tail,
    a sign-off, the footer."""
    lines, shout = spec["lines"], spec.get("loud", ())
    picked = sorted(rng.sample(range(len(lines)), rng.randint(3, min(5, len(lines)))))
    shouted = rng.sample(shout, rng.randint(1, min(3, len(shout)))) if loud and shout else []
    return _fill([greeting, spec.get("lead", ""), *shouted, *(lines[i] for i in picked),
                  spec.get("tail", ""), rng.choice(T.SIGNOFF), footer], c)


def _digest(rng: random.Random, c: Slots, era: str, when: datetime) -> tuple[str, str, list[str]]:
    """(From, subject, paragraphs) of a list digest: its table of contents, the posts, the
    list service's footer."""
    service = rng.choice(tuple(T.DIGEST_2002 if era == "2002" else T.DIGEST_TODAY))
    group = c["group"] = rng.choice(T.LISTS)
    c["service"] = service
    host = {"yahoo": "yahoogroups.com", "topica": "topica.com", "groupsio": "groups.io",
            "google": "googlegroups.com"}.get(service, f"lists.{c['domain']}")
    c["list_host"] = host
    threads = [t.format_map(c) for t in rng.sample(T.THREADS, rng.randint(2, 4))]
    paras = [f"There are {len(threads)} messages in this issue.\n\nTopics in this digest:\n\n" +
             "\n".join(f"    {n}. {t}" for n, t in enumerate(threads, 1))]
    for n, t in enumerate(threads, 1):
        who = f"{rng.choice(T.FIRST)} {rng.choice(T.LAST)}"
        paras.append(f"Message: {n}\n   Date: {when:%a %d %b %Y}\n   From: \"{who}\" <{_tok(rng, 7)}@"
                     f"{rng.choice(POSTERS)}>\nSubject: {t}\n\n{rng.choice(T.POSTS)}")
    paras.append((T.DIGEST_2002 | T.DIGEST_TODAY)[service].format_map(c))
    subject = rng.choice((f"[{group}] Digest Number {c['num']}", f"{group} Digest, Vol {c['small']}, "
                          f"Issue {c['num']}", f"[{group}] Digest for {c['to']} - "
                          f"{len(threads)} updates"))
    return f"{group}@{host}", subject, paras


def ham(kind: str, rng: random.Random, era: str) -> tuple[str, Slots, str, list[str], datetime]:
    """(From, slots, subject, paragraphs, date) of one legitimate message of `kind`."""
    when = _when(rng, era)
    c = _slots(rng, era, when)
    spec = T.HAM[kind]
    if kind == "digest":
        c["brand"], c["domain"] = "list", rng.choice(("lug.org", "hobbyclub.net", "freelists.org"))
        c["site"] = f"http://www.{c['domain']}"
        sender, subject, paras = _digest(rng, c, era, when)
        c["leave"] = f"{c['group']}-unsubscribe@{c['list_host']}"
        return sender, c, subject, paras, when
    c["brand"], c["domain"] = rng.choice(spec["senders"])
    c["site"] = f"{'http' if era == '2002' else 'https'}://www.{c['domain']}"
    c["leave"] = f"{rng.choice(('leave-', 'unsubscribe-', 'remove-'))}{kind}@{c['domain']}"
    c["conf"] = c["brand"].split()[0]
    footer = rng.choice(T.FOOTER_2002 if era == "2002" else T.FOOTER_TODAY)
    loud = rng.random() < 0.5
    paras = _paras(rng, spec, c, rng.choice(T.GREETING), footer, loud)
    subjects = spec["subjects"] + (T.LOUD_SUBJECTS if loud and kind != "cfp" else ())
    subject = rng.choice(subjects).format_map(c)
    if loud and era == "2002" and rng.random() < 0.3:
        subject = subject.upper()
    local = rng.choice(("newsletter", "news", "info", "alerts", "editor", "noreply", "customerservice"))
    sender = f'"{c["brand"]}" <{local}@{c["domain"]}>' if rng.random() < 0.85 else f"{local}@{c['domain']}"
    return sender, c, subject, paras, when


def spam(kind: str, rng: random.Random, era: str) -> tuple[str, Slots, str, list[str], datetime]:
    """(From, slots, subject, paragraphs, date) of one spam of `kind`."""
    when = _when(rng, era)
    c = _slots(rng, era, when)
    spec = T.SPAM[kind]
    c["brand"] = rng.choice(spec["brands"])
    c["domain"] = (f"{c['brand'].split()[0].lower()}{rng.choice(T.SPAM_WORDS)}"
                   f"{rng.choice(('', str(rng.randint(2, 99))))}.{rng.choice(T.SPAM_TLDS)}")
    c["site"] = f"http://www.{c['domain']}"
    c["leave"] = f"remove{rng.randint(1, 9)}@{c['domain']}"
    c["bad"] = rng.choice((f"http://{c['domain']}/{_tok(rng, 6)}", f"http://{_ip(rng)}/{_tok(rng, 4)}/",
                           f"http://{_tok(rng, 7)}.{rng.choice(T.SPAM_TLDS)}/r?id={_tok(rng, 8)}"))
    footer = rng.choice(T.SPAM_FOOTER_2002 if era == "2002" else T.SPAM_FOOTER_TODAY)
    paras = _paras(rng, spec, c, rng.choice(("Dear Friend,", "Hello,", "Dear {first},", "")), footer)
    subject = rng.choice(spec["subjects"]).format_map(c)
    if rng.random() < 0.2:
        subject = subject.upper()
    local = rng.choice(("offers", "info", "sales", _tok(rng, 6), "admin", "newsletter"))
    sender = f'"{c["brand"]}" <{local}@{c["domain"]}>' if rng.random() < 0.75 else f"{local}@{c['domain']}"
    return sender, c, subject, paras, when


def _list_headers(rng: random.Random, c: Slots, when: datetime) -> list[tuple[str, str]]:
    """A 2002 list digest's transport headers, as its service wrote them."""
    group, host, rcpt = c["group"], c["list_host"], c["to"].split("@")[1]
    if c["service"] == "yahoo":
        h = [("Return-Path", f"<sentto-{rng.randint(10 ** 6, 10 ** 7)}-{c['num']}-{rng.randint(10 ** 9, 2 ** 31)}"
                             f"-{c['to'].replace('@', '=')}@returns.groups.yahoo.com>"),
             ("X-eGroups-Return", f"sentto-{rng.randint(10 ** 6, 10 ** 7)}-{c['num']}@returns.groups.yahoo.com"),
             ("Mailing-List", f"list {group}@yahoogroups.com; contact {group}-owner@yahoogroups.com"),
             ("Delivered-To", f"mailing list {group}@yahoogroups.com")]
    elif c["service"] == "topica":
        h = [("Return-Path", f"<{group}-return-{c['num']}-{_tok(rng, 8)}@topica.com>"),
             ("X-Topica-Id", f"<{_tok(rng, 16)}.topica.com>")]
    else:
        h = [("Return-Path", f"<bounce-{group}-{c['num']}@{host}>"), ("X-Mailer", rng.choice(LIST_SOFTWARE)),
             ("List-Id", f"<{group}.{host}>")]
    h.append(("Received", f"from {host} ([{_ip(rng)}]) by mail{rng.randint(1, 9)}.{rcpt} with SMTP; "
              f"{format_datetime(when)}"))
    h += [("Message-ID", f"<{_tok(rng, 12)}.{when:%Y%m%d}@{host}>"), ("Precedence", "bulk"),
          ("List-Unsubscribe", f"<mailto:{c['leave']}>")]
    return h


def _ham_headers(rng: random.Random, c: Slots, era: str, when: datetime) -> list[tuple[str, str]]:
    rcpt = c["to"].split("@")[1]
    if era == "2002" and "service" in c:
        return _list_headers(rng, c, when)
    if era == "2002":
        host = rng.choice(("list.", "mail.", "send.", "")) + c["domain"]
        h = [("Return-Path", f"<{rng.choice(('owner-', 'bounces-', 'mailer-'))}{_tok(rng, 5)}@{host}>"),
             ("Received", f"from {host} ({host} [{_ip(rng)}])\n\tby mx{rng.randint(1, 5)}.{rcpt} "
                          f"(8.11.6/8.11.6) with ESMTP id {_tok(rng, 12)};\n\t{format_datetime(when)}"),
             ("Message-ID", f"<{_tok(rng, 10)}@{host}>"), ("X-Mailer", rng.choice(LIST_SOFTWARE))]
        if rng.random() < 0.5:
            h.append(("Precedence", rng.choice(("bulk", "list"))))
        if rng.random() < 0.5:
            h.append(("List-Unsubscribe", f"<mailto:{c['leave']}>"))
        if rng.random() < 0.3:
            h.append(("Errors-To", f"errors@{host}"))
        return h
    if "service" in c:  # today's list services: their own servers, a List-Id, DKIM for the service
        host = c["list_host"]
        return [("Return-Path", f"<{c['group']}+bounces-{c['num']}@{host}>"),
                ("Received", f"from {host} ([{_ip(rng)}])\n\tby mx.{rcpt} with ESMTPS id {_tok(rng, 14)};"
                             f"\n\t{format_datetime(when)}"),
                ("Authentication-Results", f"mx.{rcpt};\n\tdkim=pass header.d={host};\n\tspf=pass "
                                           f"smtp.mailfrom={host}"),
                ("Message-ID", f"<{_tok(rng, 18)}@{host}>"), ("List-Id", f"<{c['group']}.{host}>"),
                ("List-Unsubscribe", f"<mailto:{c['leave']}>"), ("Precedence", "list")]
    own = rng.random() < 0.3  # some senders still run their own mail servers
    via = f"mail.{c['domain']}" if own else rng.choice(ESPS)
    h = [("Return-Path", f"<{'bounce' if own else 'bnc'}-{_tok(rng, 14)}@{via}>"),
         ("Received", f"from {rng.choice(('out', 'mta', 'smtp'))}{rng.randint(1, 40)}.{via} "
                      f"([{_ip(rng)}])\n\tby mx.{rcpt} with ESMTPS id {_tok(rng, 14)}\n\tfor <{c['to']}>; "
                      f"{format_datetime(when)}"),
         ("Authentication-Results", f"mx.{rcpt};\n\tdkim=pass header.d={c['domain']};\n\tspf=pass "
                                    f"smtp.mailfrom={via};\n\tdmarc=pass header.from={c['domain']}"),
         ("DKIM-Signature", f"v=1; a=rsa-sha256; d={c['domain']}; s={rng.choice(('k1', 'mail', 'sel1'))};\n\t"
                            f"h=from:subject:date:to; bh={_tok(rng, 43)}=;\n\tb={_tok(rng, 64)}"),
         ("Message-ID", f"<{_tok(rng, 22)}@{via}>"),
         ("List-Unsubscribe", f"<{c['site']}/u/{c['uid']}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    if rng.random() < 0.4:
        h.append(("X-Campaign-ID", _tok(rng, 10)))
    return h


def _spam_headers(rng: random.Random, c: Slots, era: str, when: datetime,
                  dressed: bool) -> list[tuple[str, str]]:
    rcpt, dom = c["to"].split("@")[1], c["domain"]
    if dressed:  # through an email service, or a list server's clothes
        via = rng.choice(ESPS)
        h = [("Return-Path", f"<bnc-{_tok(rng, 14)}@{via}>"),
             ("Received", f"from out{rng.randint(1, 40)}.{via} ([{_ip(rng)}])\n\tby mx.{rcpt} with "
                          f"ESMTPS id {_tok(rng, 14)};\n\t{format_datetime(when)}"),
             ("Authentication-Results", f"mx.{rcpt};\n\tdkim=pass header.d={via};\n\tspf=pass "
                                        f"smtp.mailfrom={via};\n\tdmarc=none header.from={dom}"),
             ("Message-ID", f"<{_tok(rng, 22)}@{via}>"), ("List-Unsubscribe", f"<{c['bad']}>")]
        if era == "2002":
            h.append(("Precedence", "bulk"))
        return h
    h = [("Return-Path", f"<{_tok(rng, 8)}@{rng.choice((dom, 'yahoo.com', 'hotmail.com'))}>"),
         ("Received", f"from {rng.choice(('unknown', 'dsl-' + _tok(rng, 5), 'localhost'))} ([{_ip(rng)}])"
                      f"\n\tby mx{rng.randint(1, 5)}.{rcpt} with SMTP id {_tok(rng, 10)};\n\t"
                      f"{format_datetime(when)}"),
         ("Message-ID", f"<{_tok(rng, 12)}@{rng.choice((dom, _ip(rng), 'mail.com'))}>")]
    if era == "2002":
        h.append(("X-Mailer", rng.choice(SPAM_MAILERS)))
    if rng.random() < 0.3:
        h.append(("X-Priority", "1 (Highest)"))
    if rng.random() < 0.35:
        h.append(("Reply-To", f"{_tok(rng, 6)}@{rng.choice(('hotmail.com', 'yahoo.com', 'mail.ru'))}"))
    return h


def _text(paras: list[str], era: str) -> str:
    width = 70 if era == "2002" else 78
    return "\n\n".join("\n".join(line if len(line) <= width or line.startswith(("--", "==", "__"))
                                 else textwrap.fill(line, width, break_on_hyphens=False) for line in p.split("\n"))
                       for p in paras) + "\n"


def _html(rng: random.Random, paras: list[str], era: str, c: Slots) -> str:
    esc = [p.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>") for p in paras]
    pixel = f"{c['site']}/t/{c['uid']}.gif"
    if era == "2002":
        body = "\n".join(f"<tr><td><font face=\"Verdana\" size=\"2\">{p}</font></td></tr>" for p in esc)
        return (f"<html><body bgcolor=\"#ffffff\" text=\"#000000\">\n<center><table width=\"580\" "
                f"border=\"0\" cellspacing=\"0\" cellpadding=\"6\">\n<tr><td bgcolor=\"#003366\"><font "
                f"color=\"#ffffff\" size=\"4\"><b>{c['brand']}</b></font></td></tr>\n{body}\n</table>"
                f"</center>\n<img src=\"{pixel}\" width=\"1\" height=\"1\">\n</body></html>\n")
    pre = rng.choice(T.PREHEADER)
    hidden = f"<span style=\"display:none;font-size:0;\">{pre}</span>\n" if pre else ""
    body = "\n".join(f"<p style=\"margin:0 0 14px;font:15px/1.5 Georgia,serif;color:#222;\">{p}</p>"
                     for p in esc[:-1])
    return ("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title></title></head>\n<body "
            f"style=\"margin:0;background:#f4f4f4;\">\n{hidden}<div style=\"max-width:600px;margin:0 auto;"
            f"background:#fff;padding:24px;\">\n{body}\n<p style=\"text-align:center;\"><a href=\"{c['site']}"
            f"/go/{c['uid']}\" style=\"display:inline-block;padding:10px 18px;background:#1a73e8;"
            f"color:#fff;\">{rng.choice(('Read online', 'Shop now', 'Open my account', 'See the fares'))}"
            f"</a></p>\n<p style=\"font-size:11px;color:#777;\">{esc[-1]}</p>\n</div>\n<img src=\"{pixel}\" "
            "width=\"1\" height=\"1\" alt=\"\">\n</body></html>\n")


def render(sender: str, c: Slots, subject: str, paras: list[str], headers: list[tuple[str, str]],
           era: str, form: str, when: datetime, rng: random.Random) -> bytes:
    """One message: transport headers, From/To/Subject/Date, then plain, HTML or both."""
    lines = [f"{k}: {v}" for k, v in headers]
    lines += [f"From: {sender}", f"To: {c['to']}", f"Subject: {subject}", f"Date: {format_datetime(when)}",
              "MIME-Version: 1.0"]
    parts = {"plain": ("text/plain", _text(paras, era)), "html": ("text/html", _html(rng, paras, era, c))}
    if form in parts:
        ctype, body = parts[form]
        lines += [f"Content-Type: {ctype}; charset=us-ascii", "Content-Transfer-Encoding: 7bit", "", body]
    else:
        b = f"=_alt_{_tok(rng, 16)}"
        lines += [f'Content-Type: multipart/alternative; boundary="{b}"', ""]
        for ctype, body in parts.values():
            lines += [f"--{b}", f"Content-Type: {ctype}; charset=us-ascii",
                      "Content-Transfer-Encoding: 7bit", "", body]
        lines += [f"--{b}--", ""]
    return "\r\n".join("\r\n".join(lines).split("\n")).replace("\r\r\n", "\r\n").encode("ascii")


def _form(rng: random.Random, era: str, kind: str) -> str:
    if kind == "digest":  # list digests are text
        return "plain"
    weights = (6, 3, 1) if era == "2002" else (1, 3, 6)
    return rng.choices(("plain", "html", "alt"), weights)[0]


def write(out: Path, per_kind: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    for folder, kinds, make in (("ham", HAM_KINDS, ham), ("spam", SPAM_KINDS, spam)):
        (out / folder).mkdir(parents=True)
        for kind in kinds:
            for i in range(per_kind):
                era = ERAS[i % 2]
                sender, c, subject, paras, when = make(kind, rng, era)
                headers = (_ham_headers(rng, c, era, when) if folder == "ham" else
                           _spam_headers(rng, c, era, when, dressed=rng.random() < 0.33))
                form = _form(rng, era, kind if folder == "ham" else "")
                raw = render(sender, c, subject, paras, headers, era, form, when, rng)
                (out / folder / f"{kind}-{era}-{form}-{i:03d}.eml").write_bytes(raw)
    return per_kind * len(HAM_KINDS), per_kind * len(SPAM_KINDS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--per-kind", type=int, default=30)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    hams, spams = write(args.out, args.per_kind, args.seed)
    print(f"wrote {hams} ham and {spams} spam messages to {args.out}")


if __name__ == "__main__":
    main()
