"""Any bytes in, an `Email` out, never an exception.

Real inboxes hold broken mail (bad charsets, truncated MIME, binary junk) and hostile mail
(hidden HTML aimed at the model). One bad message must become a note or a failed row, never a
crash of the whole run, so every step here degrades instead of raising.

This module reads the headers and builds the `Email`; the body (size caps, MIME walk, charsets,
HTML) is read by `tui.mail.mime_parts`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from tui.mail.digest import content_digest
from tui.mail.display_text import clean_line, decode_words, recover_8bit
from tui.mail.mime_parts import MAX_PARSE_BYTES, PARSER, MessageBody, shrink
from tui.model import Attachment, Email

MAX_TEXT = 100_000
MAX_HIDDEN = 20_000
MAX_HEADER = 2_000

SIGNAL_HEADERS = (
    "list-unsubscribe", "list-id", "precedence", "auto-submitted", "x-priority", "importance",
    "reply-to", "return-path", "authentication-results", "received-spf", "x-mailer",
    "content-type", "arc-authentication-results",
)

_MSGID = re.compile(r"<([^<>]*)>")


def parse_bytes(data: bytes, *, email_id: str, source_ref: str = "") -> Email:
    """Parse one RFC 5322 message. Never raises: problems end up in `notes` or `parse_error`."""
    try:
        return _parse(data, email_id, source_ref)
    except Exception as exc:  # the boundary: whatever slipped through becomes a failed row
        return _failed(email_id, source_ref, f"unreadable message ({type(exc).__name__})")


def _failed(email_id: str, source_ref: str, reason: str) -> Email:
    return Email(id=email_id, source_ref=source_ref, parse_error=reason)


def _parse(data: bytes, email_id: str, source_ref: str) -> Email:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    data = bytes(data or b"")
    if not data[:65536].strip() and not data.strip():  # strip() of a 20 MB message is a 20 MB copy
        return _failed(email_id, source_ref, "empty message")
    notes: list[str] = []
    elided: dict[str, tuple[int, int]] = {}
    digest = content_digest(data)  # of the bytes as delivered: before any cleaning or cutting
    delivered = data
    data = _drop_stray_controls(data, notes)
    cleaned = data is not delivered
    if len(data) > MAX_PARSE_BYTES:
        data = shrink(data, notes, elided)
    try:
        msg: Message = PARSER.parsebytes(data)
        body_ok = True
    except Exception as exc:  # e.g. RecursionError on absurd nesting: keep the headers at least
        msg = PARSER.parsebytes(data, headersonly=True)
        body_ok = False
        notes.append(f"body could not be parsed ({type(exc).__name__}); headers only")

    has_headers = bool(msg.keys())
    body = MessageBody(notes, elided)
    if body_ok:
        body.collect(msg)

    if not has_headers:
        if not body.text.strip() and not body.attachments:
            return _failed(email_id, source_ref, "no headers and no body")
        if _looks_binary(delivered):
            return _failed(email_id, source_ref, "not an email: no headers and binary content")
        notes.append("no headers")
    elif cleaned and not any(name in _KNOWN for name in map(str.lower, msg.keys())):
        # dropping control bytes turned binary junk into "headers": it was never an email
        return _failed(email_id, source_ref, "not an email: binary content")

    return assemble(email_id, source_ref, _raw_headers(msg), text=body.text, hidden=body.hidden,
                    attached=body.attached, attachments=body.attachments, notes=notes, digest=digest)


def assemble(email_id: str, source_ref: str, raw: dict[str, str], *, text: str, hidden: str,
             attached: list[str], attachments: list[Attachment], notes: list[str], digest: str) -> Email:
    """The `Email` from a message's raw headers (`_raw_headers`: first of each, lower-case names,
    unfolded) and its body as the MIME walk read it. The sample generator, which knows the MIME
    it wrote, hands its pieces here too, so both paths decode headers and cap text alike."""
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
        notes.append(f"text truncated to {MAX_TEXT} characters")
    return Email(
        id=email_id,
        message_id=_message_id(raw.get("message-id")),
        sender=_sender(raw.get("from")),
        to=_address_list(raw.get("to")),
        subject=_text_header(raw.get("subject")),
        date=_date(raw.get("date"), notes),
        text=text,
        hidden_text=hidden[:MAX_HIDDEN],
        attachment_text="\n\n".join(attached),
        headers=_signal_headers(raw),
        attachments=attachments,
        source_ref=source_ref,
        notes=_dedupe(notes),
        digest=digest,
    )


# ---------------------------------------------------------------- headers


def _raw_headers(msg: Message) -> dict[str, str]:
    return first_headers(msg.raw_items())


def first_headers(items: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """First occurrence of each header (the topmost one: added by our own server), unfolded."""
    out: dict[str, str] = {}
    for key, value in items:
        key = str(key).strip().lower()
        if key not in out:
            value = value if isinstance(value, str) else str(value)
            out[key] = " ".join(value.split()) if ("\n" in value or "\r" in value) else value
    return out


def _text_header(raw: str | None) -> str:
    """A header as display text; 8-bit raw bytes are recovered rather than shown as U+FFFD."""
    if raw is None:
        return ""
    return clean_line(decode_words(recover_8bit(raw)))[:MAX_HEADER]


def _message_id(raw: str | None) -> str:
    if raw is None:
        return ""
    raw = clean_line(recover_8bit(raw))
    found = _MSGID.search(raw)
    value = found.group(1) if found else raw.strip("<> ")
    return value.strip()[:MAX_HEADER]


def _address_list(raw: str | None) -> list[str]:
    """`Name <addr>` strings; display names decoded after splitting, so commas in them are safe."""
    if raw is None:
        return []
    return list(_known_addresses(raw) if len(raw) <= MAX_MEMO_HEADER else _addresses(raw))


def _addresses(raw: str) -> tuple[str, ...]:
    raw = recover_8bit(raw)
    out: list[str] = []
    try:
        pairs = getaddresses([raw])
    except Exception:
        pairs = []
    for display, addr in pairs:
        display = clean_line(decode_words(display))
        addr = clean_line(addr)
        if display and addr:
            out.append(f"{display} <{addr}>")
        elif addr or display:
            out.append(addr or display)
    if not out and raw.strip():
        out = [_text_header(raw)]
    return tuple(out[:500])


# A mailbox names the same few senders and recipients again and again, and the stdlib's address
# parser is the costliest step of reading the headers (~15 us a header): short ones are memoised
# (at most 4096 x 1,000 characters kept).
MAX_MEMO_HEADER = 1_000
_known_addresses = functools.lru_cache(maxsize=4096)(_addresses)


def _sender(raw: str | None) -> str:
    found = _address_list(raw)
    return ", ".join(found)[:MAX_HEADER] if found else _text_header(raw)


def _date(raw: str | None, notes: list[str]) -> datetime | None:
    if raw is None:
        return None
    text = clean_line(recover_8bit(raw))
    try:
        value: datetime | None = parsedate_to_datetime(text)
    except Exception:
        value = None
    if value is None:
        notes.append(f"bad date: {text[:80]!r}")
        return None
    if value.tzinfo is None:  # "-0000" means "zone unknown"; UTC is the honest guess
        value = value.replace(tzinfo=timezone.utc)
    return value


def _signal_headers(raw: dict[str, str]) -> dict[str, str]:
    return {name: _text_header(raw[name]) for name in SIGNAL_HEADERS if name in raw}


_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
# A control byte a header may not hold; ESC stays when it starts an ISO-2022 escape sequence
# (raw ISO-2022-JP headers are full of them), and tab, CR and LF are line structure.
_STRAY = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]|\x1b(?![\x20-\x2f])")
_HEADER_END = re.compile(rb"\n[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*\r?\n")
_KNOWN = frozenset({"from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
                    "mime-version", "content-type", "delivered-to", "reply-to", "sender"})


def _drop_stray_controls(data: bytes, notes: list[str]) -> bytes:
    """Servers deliver the odd NUL before the first header or inside one; the stdlib parser then
    ends the headers there (or finds none), so drop those bytes from the header block, with a note."""
    found = _HEADER_END.search(data)
    end = found.end() if found else len(data)
    head, count = _STRAY.subn(b"", data[:end])
    if not count:
        return data
    notes.append(f"dropped {count} stray control byte{'s' if count > 1 else ''} from the headers")
    return head + data[end:]


def _looks_binary(data: bytes) -> bool:
    """Headerless input that is mostly control bytes is some other file, not a message."""
    sample = data[:4096]
    if not sample:
        return False
    return b"\x00" in sample or len(_BINARY.findall(sample)) / len(sample) > 0.05


def _dedupe(notes: list[str]) -> list[str]:
    out: list[str] = []
    for n in notes:
        if n not in out:
            out.append(n)
        if len(out) >= 50:
            break
    return out
