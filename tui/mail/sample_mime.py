"""The sample's messages written as RFC 5322/MIME, and the `Email` each one parses to.

A small writer rather than `EmailMessage.as_bytes()`: that path costs ~3 ms a message (30 s for
10k) in header re-parsing, this one ~0.03 ms. The writer knows the few MIME shapes it writes (a
text part, text plus HTML alternatives, PDF attachments), so `Written.email` builds the `Email`
straight from them through the parser's own header decoding (`tui.mail.parse.assemble`) instead
of parsing the bytes again: a tenth of the cost, and tests/test_sample.py checks it equals
`parse_bytes` of the bytes for every message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, formataddr

from tui.mail.digest import is_transport
from tui.mail.display_text import clean_body, clean_line, decode_words
from tui.mail.html_text import html_to_text
from tui.mail.parse import assemble, first_headers, parse_bytes
from tui.model import Attachment, Email

# Fixed boundaries are valid MIME (they only must not occur in the content) and let the stdlib
# parser reuse its compiled boundary regex: ~20% faster parsing of a big sample.
ALT_BOUNDARY, MIX_BOUNDARY = "==fanmail_alt_b7", "==fanmail_mix_b7"


@dataclass
class Draft:
    """One message before serialisation."""

    sender: tuple[str, str]
    to: list[str]
    subject: str
    text: str
    html: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # (name, content type, bytes)
    urgent: bool = False
    external: bool = True
    spf: str = "pass"
    # What `html_to_text(html)` reads as hidden, when the builder knows it (it wrote the HTML): saves
    # parsing HTML the generator itself made. None: parse it. tests/test_sample.py checks the two agree.
    hidden: str | None = None


@dataclass
class Written:
    """A draft as bytes, with the header lines of its top level (folded as written)."""

    draft: Draft
    raw: bytes
    head: list[str]

    def email(self, email_id: str, source_ref: str) -> Email:
        """What `parse_bytes(self.raw, ...)` gives, without parsing the bytes: the headers the
        parser would read, the body text as it would decode it, the HTML read by the same
        `html_to_text`. A file the MIME walk would read as text goes through the parser."""
        draft = self.draft
        if any(ctype.lower().startswith("text/") for _, ctype, _ in draft.files):
            return parse_bytes(self.raw, email_id=email_id, source_ref=source_ref)
        raw = first_headers(_header(h) for h in self.head)
        plain = draft.text.rstrip("\n")
        hidden, visible = "", ""
        if draft.html is not None:
            if draft.hidden is not None and plain.strip():  # the visible HTML text is not read
                hidden = draft.hidden
            else:
                visible, hidden = html_to_text(draft.html.rstrip("\n"))
        text = plain if plain.strip() else visible
        attachments = [Attachment(filename=clean_line(decode_words(name))[:255] or None,
                                  content_type=ctype.lower(), size=len(data)) for name, ctype, data in draft.files]
        return assemble(email_id, source_ref, raw, text=clean_body(text).strip(), hidden=clean_body(hidden).strip(),
                        attached=[], attachments=attachments, notes=[], digest=self._digest())

    def _digest(self) -> str:
        """`content_digest(self.raw)` from the header lines as written (the bytes minus the
        transport fields), without scanning the message for them."""
        block = len("\n".join(self.head)) + 1  # the raw bytes start with the header lines (ASCII)
        kept = [h for h in self.head if not is_transport(h.partition(":")[0])]
        digest = hashlib.blake2b(digest_size=16)
        if kept:
            digest.update(("\n".join(kept) + "\n").encode("ascii"))
        digest.update(memoryview(self.raw)[block:])
        return digest.hexdigest()


def _header(written: str) -> tuple[str, str]:
    """(name, value) as the parser reads a header we wrote (compat32's header_source_parse: the
    value from its first non-blank character, continuation lines and their line breaks kept)."""
    name, _, value = written.partition(":")
    return name, value.lstrip(" \t")


def _fold(name: str, value: str) -> str:
    """Fold at spaces so no header line passes 78 characters where avoidable."""
    line = f"{name}: {value}"
    if len(line) <= 78:
        return line
    out, cur = [], f"{name}:"
    for word in value.split(" "):
        if len(cur) + 1 + len(word) > 78 and cur.strip() and not cur.endswith(":"):
            out.append(cur)
            cur = " " + word
        else:
            cur = f"{cur} {word}"
    out.append(cur)
    return "\n".join(out)


def _encode_words(text: str) -> str:
    """RFC 2047 base64 words for non-ASCII text, split so each word stays under 75 characters."""
    if text.isascii():
        return text
    chunks, cur = [], ""
    for ch in text:
        if len((cur + ch).encode()) > 42:
            chunks.append(cur)
            cur = ""
        cur += ch
    chunks.append(cur)
    return " ".join(f"=?utf-8?b?{base64.b64encode(c.encode()).decode()}?=" for c in chunks)


def _addr(pair: tuple[str, str]) -> str:
    return formataddr(pair, charset="utf-8")


def _text_part(subtype: str, text: str) -> list[str]:
    data = text.encode()
    if data.isascii() and "\x1b" not in text and max(map(len, text.split("\n"))) < 900:
        return [f'Content-Type: text/{subtype}; charset="us-ascii"', "Content-Transfer-Encoding: 7bit",
                "", text.rstrip("\n")]
    qp = binascii.b2a_qp(data).decode("ascii")
    return [f'Content-Type: text/{subtype}; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable", "", qp.rstrip("\n")]


def _file_part(name: str, ctype: str, data: bytes) -> list[str]:
    return [f'Content-Type: {ctype}; name="{name}"', f'Content-Disposition: attachment; filename="{name}"',
            "Content-Transfer-Encoding: base64", "", base64.encodebytes(data).decode("ascii").rstrip("\n")]


def _multipart(subtype: str, boundary: str, parts: list[list[str]]) -> list[str]:
    lines = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"', "",
             "This is a multi-part message in MIME format."]
    for part in parts:
        lines += [f"--{boundary}", *part]
    lines.append(f"--{boundary}--")
    return lines


def write(draft: Draft, date: datetime, message_id: str) -> Written:
    """The message's bytes (`message_id` without its domain: the sender's is added)."""
    domain = draft.sender[1].rpartition("@")[2] or "mailbox.example"
    head = [f"Return-Path: <{draft.sender[1]}>"]
    if draft.external:
        head.append(f"Received-SPF: {draft.spf} (mx.acmecloud.example: domain of {draft.sender[1]})")
        head.append(f"Authentication-Results: mx.acmecloud.example; spf={draft.spf} "
                    f"smtp.mailfrom={domain}; dkim={'pass' if draft.spf == 'pass' else 'none'}")
    head += [
        _fold("From", _addr(draft.sender)),
        _fold("To", ", ".join(draft.to)),
        _fold("Subject", _encode_words(draft.subject)),
        f"Date: {format_datetime(date)}",
        f"Message-ID: <{message_id}@{domain}>",
        "MIME-Version: 1.0",
        *(_fold(k, v) for k, v in draft.headers),
    ]
    body = _text_part("plain", draft.text)
    if draft.html is not None:
        body = _multipart("alternative", ALT_BOUNDARY, [body, _text_part("html", draft.html)])
    if draft.files:
        body = _multipart("mixed", MIX_BOUNDARY, [body, *(_file_part(*f) for f in draft.files)])
    top = body[:body.index("")]  # the top part's own header lines belong to the message's header
    return Written(draft, ("\n".join(head + body) + "\n").encode("ascii"), head + top)
