"""Writes the prompt-injection corpus: attacks by family and language, and hard benign look-alikes.

Why it exists: the injection detector needs a measure that is not its own phrase list. This
script composes attacks from independent slots (who is addressed, how the rules are overridden,
what is wanted, how it is hidden or encoded) and benign mail that uses the same words for honest
reasons, then writes each as a real RFC 5322 message (plain, HTML, multipart or transfer-encoded).
It is deterministic: the same seed writes byte-identical files, so the corpus in the repo can be
checked by re-running it.

Layout: bench/data/injection/{attack,benign}/<family-or-kind>-<lang>-<form>-<n>.eml.
The split into development and held-out halves is `split_of(name)` (a hash of the file name),
shared with bench/injection.py.

Usage: python bench/make_injection_corpus.py [--out DIR] [--per-family N] [--benign N]
"""

from __future__ import annotations

import argparse
import base64
import codecs
import hashlib
import random
import shutil
import sys
import urllib.parse
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.injection_corpus_text import (  # noqa: E402
    ADDRESS, AUTHORITY, BENIGN, COVERS, DECODE_HINT, FORGED, GOALS, LANGS, MARKETING, OVERRIDE,
    SECRECY,
)

OUT = Path(__file__).resolve().parent / "data" / "injection"
FAMILIES = ("hidden", "forged", "language", "encoded", "tool", "exfil", "authority", "reveal",
            "enumerate", "split")
FORMS = ("plain", "html", "multipart", "encoded")
HOSTS = ("collect-metrics.example", "cdn-static-img.example", "auth-verify.example",
         "share-drop.example", "telemetry-hub.example")
ADDRS = ("archive.bot@protonmail.example", "backup-copy@mailbox-relay.example",
         "j.smith.audit@gmail.example", "records@data-retention.example")
SENDERS = ("Marta Ruiz <marta@suppliers.example>", "Tom Hale <tom.hale@gmail.example>",
           "Parcelly <noreply@parcelly.example>", "Priya N <priya@partner-co.example>",
           "Oliver Grant <oliver@grant-office.example>", "Claire <claire@bureau.example>")
ZW = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")


def split_of(name: str) -> str:
    """'dev' or 'heldout', fixed by the file name: about half each, never tuned."""
    return "dev" if hashlib.sha256(name.encode()).digest()[0] < 128 else "heldout"


# ----------------------------------------------------------------------------- payloads


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def payload(rng: random.Random, lang: str, goal: str | None = None, *, address: bool = True,
            override: float = 0.5) -> str:
    """One instruction: maybe an addressee, maybe an override, the goal, maybe a secrecy line."""
    goal = goal or rng.choice(list(GOALS))
    wanted = rng.choice(GOALS[goal][lang]).format(addr=rng.choice(ADDRS), url=rng.choice(HOSTS))
    head = rng.choice(ADDRESS[lang]) if address else ""
    if rng.random() < override:
        wanted = rng.choice(OVERRIDE[lang]) + wanted
    text = head + wanted if head else _cap(wanted)
    if lang not in ("zh",):
        text = text[0].upper() + text[1:] if not head else text
    end = "。" if lang == "zh" else "."
    return text.rstrip(".") + end + rng.choice(SECRECY[lang])


def _encode(rng: random.Random, text: str) -> tuple[str, str]:
    kind = rng.choice(("base64", "hex", "URL encoding", "rot13"))
    raw = text.encode()
    if kind == "base64":
        return kind, base64.b64encode(raw).decode()
    if kind == "hex":
        return kind, raw.hex(" ") if rng.random() < 0.3 else raw.hex()
    if kind == "URL encoding":
        return kind, urllib.parse.quote(text, safe="")
    return kind, codecs.encode(text, "rot13")


# ----------------------------------------------------------------------------- messages


def _html(visible: str, hidden: str = "", how: str = "") -> str:
    paras = "".join(f"<p>{line}</p>" for line in visible.split("\n\n"))
    secret = {
        "display": f'<div style="display:none">{hidden}</div>',
        "font0": f'<span style="font-size:0px">{hidden}</span>',
        "white": f'<p style="color:#ffffff">{hidden}</p>',
        "comment": f"<!-- {hidden} -->",
        "preheader": (f'<span style="display:none;max-height:0;overflow:hidden;mso-hide:all">'
                      f"{hidden}</span>"),
        "opacity": f'<div style="opacity:0">{hidden}</div>',
        "": hidden,
    }[how]
    top = how == "preheader"
    return (f"<html><body>{secret if top else ''}{paras}"
            f"{'' if top else secret}</body></html>")


def _zw_split(text: str, rng: random.Random) -> str:
    """Zero-width characters inside words: invisible, and they break naive keyword matching."""
    out = []
    for ch in text:
        out.append(ch)
        if ch.isalpha() and rng.random() < 0.35:
            out.append(rng.choice(ZW))
    return "".join(out)


def _tags(text: str) -> str:
    """Unicode tag characters: invisible in every mail client, readable by a model."""
    return "".join(chr(0xE0000 + ord(c)) if 0x20 <= ord(c) < 0x7F else c for c in text)


class Draft:
    """What one message will hold before it is written as MIME."""

    def __init__(self, subject: str, text: str, html: str = "", sender: str = "",
                 attachments: list[tuple[str, str, bytes]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.subject, self.text, self.html, self.sender = subject, text, html, sender
        self.attachments = attachments or []
        self.headers = headers or {}


def render(draft: Draft, form: str, rng: random.Random, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = draft.sender or rng.choice(SENDERS)
    msg["To"] = "ops@ourcompany.example"
    msg["Subject"] = draft.subject
    when = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc) + timedelta(hours=7 * n)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<corpus-{n}-{rng.randrange(10**8)}@corpus.example>"
    for k, v in draft.headers.items():
        msg[k] = v
    cte = None
    if form == "encoded":
        cte = rng.choice(("base64", "quoted-printable"))
    if form == "html" and draft.html:
        msg.set_content(draft.html, subtype="html", cte=cte)
    elif form in ("multipart",) and draft.html:
        msg.set_content(draft.text, cte=cte)
        msg.add_alternative(draft.html, subtype="html", cte=cte)
    elif draft.html and not draft.text:
        msg.set_content(draft.html, subtype="html", cte=cte)
    elif draft.html and form == "encoded":
        msg.set_content(draft.text, cte=cte)
        msg.add_alternative(draft.html, subtype="html", cte=cte)
    else:
        msg.set_content(draft.text, cte=cte or ("quoted-printable" if not draft.text.isascii() else None))
    for name, ctype, data in draft.attachments:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    for i, part in enumerate(msg.walk()):  # the library would pick random boundaries
        if part.is_multipart():
            part.set_boundary(f"=_corpus_{n}_{i}_=")
    return msg.as_bytes(policy=SMTP)


# ----------------------------------------------------------------------------- attacks


def attack(family: str, rng: random.Random, lang: str) -> tuple[Draft, str]:
    """A draft of one attack in `family`, and the form it prefers ('' = any)."""
    cover_lang = lang if family != "language" else rng.choice(("en", lang))
    subject, cover = rng.choice(COVERS[cover_lang])
    if family == "hidden":
        how = rng.choice(("display", "font0", "white", "comment", "preheader", "opacity",
                          "zwsplit", "tags"))
        p = payload(rng, lang)
        if how == "zwsplit":
            return Draft(subject, f"{cover}\n\n{_zw_split(p, rng)}"), "plain"
        if how == "tags":
            en = payload(rng, "en")
            return Draft(subject, f"{cover}{_tags(' ' + en)}"), rng.choice(("plain", "encoded"))
        return Draft(subject, cover, _html(cover, p, how)), rng.choice(("html", "multipart", "encoded"))
    if family == "forged":
        p = payload(rng, lang, address=False, override=0.3).replace('"', "'")
        text = cover + rng.choice(FORGED).replace("{p}", p)
        return Draft(subject, text, _html(text.replace("<", "&lt;").replace(">", "&gt;"))), ""
    if family == "encoded":
        inner = payload(rng, rng.choice(("en", lang)) if lang != "zh" else "en", address=rng.random() < 0.5)
        kind, blob = _encode(rng, inner)
        hint = rng.choice(DECODE_HINT[lang]).format(kind=kind)
        text = f"{cover}\n\n{hint}\n{blob}"
        if rng.random() < 0.3:  # the blob rides in an attachment, the hint in the body
            return Draft(subject, f"{cover}\n\n{hint.rstrip(':')} (see note.txt)", attachments=[
                ("note.txt", "text/plain", blob.encode())]), "multipart"
        return Draft(subject, text, _html(text)), ""
    if family == "authority":
        goal = rng.choice(("tool", "reveal", "enumerate", "exfil", "triage"))
        lead = rng.choice(AUTHORITY[lang])
        want = rng.choice(GOALS[goal][lang]).format(addr=rng.choice(ADDRS), url=rng.choice(HOSTS))
        text = f"{cover}\n\n{lead}{want}.{rng.choice(SECRECY[lang])}"
        return Draft(subject, text, _html(text)), ""
    if family == "split":
        return split_attack(rng, lang, subject, cover), ""
    goal = {"tool": "tool", "exfil": "exfil", "reveal": "reveal", "enumerate": "enumerate",
            "language": rng.choice(list(GOALS))}[family]
    p = payload(rng, lang, goal, address=rng.random() < 0.8, override=0.4)
    text = f"{cover}\n\n{p}" if rng.random() < 0.7 else f"{p}\n\n{cover}"
    return Draft(subject, text, _html(text)), ""


def split_attack(rng: random.Random, lang: str, subject: str, cover: str) -> Draft:
    """One instruction in two or more places: subject, sender name, body, attachment."""
    p = payload(rng, lang, address=True, override=0.3)
    words = p.split(" ")
    cut = max(1, len(words) // 2)
    first, second = " ".join(words[:cut]), " ".join(words[cut:])
    if lang == "zh":
        mid = len(p) // 2
        first, second = p[:mid], p[mid:]
    how = rng.choice(("subject", "sender", "filename", "attachment", "attachment"))
    if how == "subject":
        return Draft(f"{first} ...", f"... {second}\n\n{cover}")
    if how == "sender":
        return Draft(subject, f"{cover}\n\n(continued) {second}",
                     sender=f'"{first[:60]}" <notes@relay-mail.example>')
    if how == "filename":
        name = p[:80].replace("/", " ").replace('"', "") + ".txt"
        return Draft(subject, cover, attachments=[(name, "text/plain", b"see filename")])
    return Draft(subject, f"{cover}\n\nPart 2 of the request is in the attached file.",
                 attachments=[("instructions.txt", "text/plain", p.encode())])


# ----------------------------------------------------------------------------- benign


def _pdf(rng: random.Random) -> bytes:
    return b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(900)) + b"\n%%EOF\n"


def _png(rng: random.Random) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(600))


def benign(kind: str, rng: random.Random, lang: str) -> tuple[Draft, str]:
    if kind == "marketing":
        subject, pre, body = rng.choice(MARKETING[lang])
        px = urllib.parse.quote(f"uid={rng.randrange(10**6)}&campaign=spring&src=email", safe="")
        name = rng.choice(("{{first_name}}", "Sam", "there", "*|FNAME|*"))
        html = (f'<html><body><span style="display:none;max-height:0;overflow:hidden">{pre}</span>'
                f'<p>Hi {name},</p><p>{body}</p>'
                f'<p style="color:#ffffff">&zwnj;&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;</p>'
                f'<img src="https://track.shop.example/o.gif?d={px}" width="1" height="1">'
                f'<p><a href="https://shop.example/unsubscribe?u={{{{subscriber_id}}}}">Unsubscribe</a></p>'
                f"</body></html>")
        headers = {"List-Unsubscribe": "<https://shop.example/u>", "Precedence": "bulk"}
        return Draft(subject, "", html, "Shop <news@shop.example>", headers=headers), "html"
    if kind == "b64attach":
        subject, body = rng.choice([("Report attached", "Hi,\n\nPlease find the monthly report "
                                     "attached.\n\nRegards,\nFinance"),
                                    ("Photos from the event", "Hello,\n\nHere are two photos from "
                                     "the launch event.\n\nBest,\nEve"),
                                    ("Meeting invite", "Invite for the planning session attached."),
                                    ("Export you asked for", "Hi, the CSV export is attached.")])
        att = rng.choice([
            [("report.pdf", "application/pdf", _pdf(rng))],
            [("photo1.png", "image/png", _png(rng)), ("photo2.png", "image/png", _png(rng))],
            [("invite.ics", "text/calendar", b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Planning\n"
              b"DTSTART:20260310T100000Z\nEND:VEVENT\nEND:VCALENDAR\n")],
            [("export.csv", "text/csv", b"id,name,total\n1,Acme,1200\n2,Globex,880\n")],
        ])
        inline = ""
        if rng.random() < 0.4:
            inline = "\n\nChecksum (base64): " + base64.b64encode(bytes(rng.randrange(256) for _ in range(24))).decode()
        return Draft(subject, body + inline, attachments=att), rng.choice(("plain", "encoded"))
    if kind == "encodedbenign":
        target = urllib.parse.quote(f"https://shop.example/sale?ref=mail&id={rng.randrange(10**5)}", safe="")
        pieces = [
            f"Track your parcel: https://click.example.com/r?u={target}",
            f"Commit {rng.randbytes(20).hex()} fixed the flaky test.",
            f"Transaction hash: 0x{rng.randbytes(32).hex()}",
            "Puzzle answer, in rot13 so you don't see it by accident: Gur nafjre vf sbhegrra.",
            "-----BEGIN PGP SIGNATURE-----\n" + base64.b64encode(rng.randbytes(96)).decode() +
            "\n-----END PGP SIGNATURE-----",
            f"Your verification link: https://id.example.com/verify?token={base64.urlsafe_b64encode(rng.randbytes(18)).decode()}",
        ]
        subject, cover = rng.choice(COVERS[lang])
        return Draft(subject, cover + "\n\n" + rng.choice(pieces)), ""
    bank = BENIGN[kind]
    lang = lang if lang in bank else "en"
    subject, body = rng.choice(bank[lang])
    headers = {"List-Id": "<secnews.list.example>"} if kind == "secnews" and rng.random() < 0.6 else {}
    if rng.random() < 0.25 and kind not in ("secnews", "aiproduct"):
        body = body + "\n\n> " + rng.choice(COVERS[lang])[1].replace("\n", "\n> ")
    return Draft(subject, body, _html(body), headers=headers), ""


BENIGN_KINDS = ("secnews", "correction", "itstaff", "colleague", "aiproduct", "devmail",
                "marketing", "b64attach", "encodedbenign")


def _lang_for(rng: random.Random, options: list[str] | tuple[str, ...]) -> str:
    return "en" if rng.random() < 0.4 or "en" not in options else rng.choice(list(options))


def write(out: Path, per_family: int, n_benign: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "attack").mkdir(parents=True)
    (out / "benign").mkdir(parents=True)
    n = 0
    for family in FAMILIES:
        for i in range(per_family):
            langs = [lg for lg in LANGS if lg != "en"] if family == "language" else LANGS
            lang = langs[i % len(langs)] if family == "language" else _lang_for(rng, langs)
            draft, form = attack(family, rng, lang)
            form = form or rng.choice(FORMS)
            name = f"{family}-{lang}-{form}-{i:03d}.eml"
            (out / "attack" / name).write_bytes(render(draft, form, rng, n))
            n += 1
    for i in range(n_benign):
        kind = BENIGN_KINDS[i % len(BENIGN_KINDS)]
        options = (list(MARKETING) if kind == "marketing" else
                   list(BENIGN[kind]) if BENIGN.get(kind) else
                   ["en", "de", "fr"] if kind == "b64attach" else list(LANGS))
        lang = _lang_for(rng, options)
        draft, form = benign(kind, rng, lang)
        form = form or rng.choice(FORMS)
        name = f"{kind}-{lang}-{form}-{i:03d}.eml"
        (out / "benign" / name).write_bytes(render(draft, form, rng, n))
        n += 1
    return per_family * len(FAMILIES), n_benign


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--per-family", type=int, default=36)
    ap.add_argument("--benign", type=int, default=360)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    attacks, benigns = write(args.out, args.per_family, args.benign, args.seed)
    print(f"wrote {attacks} attacks and {benigns} benign messages to {args.out}")


if __name__ == "__main__":
    main()
