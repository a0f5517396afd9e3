"""Any bytes in, an `Email` out, never an exception.

Real inboxes hold broken mail (bad charsets, truncated MIME, binary junk) and hostile mail
(hidden HTML aimed at the model). One bad message must become a note or a failed row, never a
crash of the whole run, so every step here degrades instead of raising.
"""

from __future__ import annotations

import codecs
import re
from datetime import datetime, timezone
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from tui.model import Attachment, Email

MAX_TEXT = 100_000
MAX_HIDDEN = 20_000
MAX_HEADER = 2_000
MAX_DEPTH = 100  # MIME nesting we walk; deeper parts are skipped with a note
MAX_PARTS = 1_000
MAX_HTML = 1_000_000  # characters of one HTML part we look at
MAX_OPEN_TAGS = 256  # past this, unclosed tags are compacted, keeping end-tag search short
# Bigger messages are shrunk before the stdlib parser sees them (it peaks near 8x its input):
# each MIME body keeps its first MAX_BODY_BYTES, the whole message at most MAX_KEPT_BYTES of body.
MAX_PARSE_BYTES = 4_000_000
MAX_BODY_BYTES = 1_500_000
MAX_KEPT_BYTES = 6_000_000
MAX_LINE_BYTES = 200_000  # one header line

SIGNAL_HEADERS = (
    "list-unsubscribe", "list-id", "precedence", "auto-submitted", "x-priority", "importance",
    "reply-to", "return-path", "authentication-results", "received-spf", "x-mailer",
    "content-type",
)

# compat32, not policy.default: the header registry made parsing ~20x slower (about 5 ms a
# message, 50 s for 10k), and we decode the few headers we need ourselves, tolerantly.
_PARSER = BytesParser(policy=policy.compat32)
# C0 controls except tab (and newline in bodies), DEL and C1 controls: a terminal may act on them,
# so they are replaced by their visible Unicode pictures and nothing of the text is lost.
_CTRL_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CTRL_BODY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MSGID = re.compile(r"<([^<>]*)>")


def parse_bytes(data: bytes, *, email_id: str, source_ref: str = "") -> Email:
    """Parse one RFC 5322 message. Never raises: problems end up in `notes` or `parse_error`."""
    try:
        return _parse(data, email_id, source_ref)
    except Exception as exc:  # the boundary: whatever slipped through becomes a failed row
        return _failed(email_id, source_ref, f"unreadable message ({type(exc).__name__})")


def _elided_key(first_line: str) -> str:
    return first_line[:100]


def _shrink(data: bytes, notes: list[str], elided: dict[str, tuple[int, int]]) -> bytes:
    """Cut oversized MIME bodies before parsing, keeping every header and boundary line.

    A line-level pass, no MIME parsing: a line starting with `--` may be a boundary, so it is
    kept and starts a part's headers (kept up to the blank line); body lines are kept until the
    body has MAX_BODY_BYTES, or the message MAX_KEPT_BYTES. What a cut body really held is
    recorded in `elided` (first line -> (characters without line ends, bytes)), so an attachment
    still reports its real size. Text past the cut was never going to be shown: MAX_TEXT and
    MAX_HTML are far smaller.
    """
    out: list[bytes] = []
    view = memoryview(data)
    pos, end = 0, len(data)
    in_headers = True
    body_bytes = body_chars = kept_body = dropped = 0
    first = ""
    cut = False
    while pos < end:
        nl = data.find(b"\n", pos)
        stop = end if nl < 0 else nl + 1
        line = view[pos:stop]
        pos = stop
        if in_headers:
            if len(line) > MAX_LINE_BYTES:
                dropped += len(line) - MAX_LINE_BYTES
                line = line[:MAX_LINE_BYTES]
                if line[-1:] != b"\n":
                    line = memoryview(bytes(line) + b"\n")
            out.append(line)
            if not bytes(line[:2]).strip():  # the blank line that ends the headers
                in_headers = False
                body_bytes = body_chars = 0
                first, cut = "", False
            continue
        if line[:2] == b"--":
            if cut:
                elided[_elided_key(first)] = (body_chars, body_bytes)
            out.append(line)
            in_headers, cut = True, False
            continue
        if cut:  # skip to the next line that may be a boundary, counting what is skipped
            nxt = data.find(b"\n--", pos - 1)
            stop = end if nxt < 0 else nxt + 1
            chunk = view[pos - len(line):stop]
            body_bytes += len(chunk)
            body_chars += len(chunk) - data.count(b"\n", pos - len(line), stop)
            dropped += len(chunk)
            pos = stop
            continue
        text_len = len(line) - (2 if line[-2:] == b"\r\n" else 1 if line[-1:] == b"\n" else 0)
        if body_bytes == 0:
            first = bytes(line[:200]).decode("ascii", "surrogateescape").rstrip("\r\n")
        room = min(MAX_BODY_BYTES - body_bytes, MAX_KEPT_BYTES - kept_body)
        body_bytes += len(line)
        body_chars += text_len
        if len(line) > room:  # keep the start of the line that crosses the limit, then cut
            cut = True
            if room > 0:
                out.append(memoryview(bytes(line[:room]) + b"\n"))
                kept_body += room
            dropped += len(line) - max(room, 0)
            continue
        kept_body += len(line)
        out.append(line)
    if cut:
        elided[_elided_key(first)] = (body_chars, body_bytes)
    if dropped:
        notes.append(f"{dropped} bytes of oversized parts skipped")
    return b"".join(out)


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
    if len(data) > MAX_PARSE_BYTES:
        data = _shrink(data, notes, elided)
    try:
        msg: Message = _PARSER.parsebytes(data)
        body_ok = True
    except Exception as exc:  # e.g. RecursionError on absurd nesting: keep the headers at least
        msg = _PARSER.parsebytes(data, headersonly=True)
        body_ok = False
        notes.append(f"body could not be parsed ({type(exc).__name__}); headers only")

    has_headers = bool(msg.keys())
    body = _Body(notes, elided)
    if body_ok:
        body.collect(msg)

    if not has_headers:
        if not body.text.strip() and not body.attachments:
            return _failed(email_id, source_ref, "no headers and no body")
        if _looks_binary(data):
            return _failed(email_id, source_ref, "not an email: no headers and binary content")
        notes.append("no headers")

    text = body.text
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
        notes.append(f"text truncated to {MAX_TEXT} characters")
    hidden = body.hidden[:MAX_HIDDEN]

    raw = _raw_headers(msg)
    return Email(
        id=email_id,
        message_id=_message_id(raw.get("message-id")),
        sender=_sender(raw.get("from")),
        to=_address_list(raw.get("to")),
        subject=_text_header(raw.get("subject")),
        date=_date(raw.get("date"), notes),
        text=text,
        hidden_text=hidden,
        headers=_signal_headers(raw),
        attachments=body.attachments,
        source_ref=source_ref,
        notes=_dedupe(notes),
    )


# ---------------------------------------------------------------- headers


def _visible(match: re.Match[str]) -> str:
    """A control character as its visible picture (ESC -> U+241B): shown, never acted on."""
    code = ord(match.group())
    if code in (0x0A, 0x0D):
        return " "
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def _clean_line(value: str) -> str:
    """One display line: line breaks become spaces, other controls their visible pictures."""
    value = _SURROGATE.sub("\ufffd", value)
    return _CTRL_LINE.sub(_visible, value).strip()


def _recover(raw: str) -> str:
    """Undo surrogateescape from 8-bit header bytes: UTF-8 if it decodes, else cp1252."""
    if not _SURROGATE.search(raw):
        return raw
    b = raw.encode("utf-8", "surrogateescape")
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("cp1252", "replace")


def _raw_headers(msg: Message) -> dict[str, str]:
    """First occurrence of each header (the topmost one: added by our own server), unfolded."""
    out: dict[str, str] = {}
    for key, value in msg.raw_items():
        key = str(key).strip().lower()
        if key not in out:
            value = value if isinstance(value, str) else str(value)
            out[key] = " ".join(value.split()) if ("\n" in value or "\r" in value) else value
    return out


def _decode_words(raw: str) -> str:
    """RFC 2047 decoding that tolerates unknown charsets and broken encoded words."""
    if "=?" not in raw:
        return raw
    try:
        return str(make_header(decode_header(raw)))
    except Exception:
        out = []
        try:
            for chunk, charset in decode_header(raw):
                if isinstance(chunk, bytes):
                    chunk = chunk.decode(charset if _known(charset) else "utf-8", "replace")
                out.append(chunk)
            return "".join(out)
        except Exception:
            return raw


def _text_header(raw: str | None) -> str:
    """A header as display text; 8-bit raw bytes are recovered rather than shown as U+FFFD."""
    if raw is None:
        return ""
    return _clean_line(_decode_words(_recover(raw)))[:MAX_HEADER]


def _message_id(raw: str | None) -> str:
    if raw is None:
        return ""
    raw = _clean_line(_recover(raw))
    found = _MSGID.search(raw)
    value = found.group(1) if found else raw.strip("<> ")
    return value.strip()[:MAX_HEADER]


def _address_list(raw: str | None) -> list[str]:
    """`Name <addr>` strings; display names decoded after splitting, so commas in them are safe."""
    if raw is None:
        return []
    raw = _recover(raw)
    out: list[str] = []
    try:
        pairs = getaddresses([raw])
    except Exception:
        pairs = []
    for display, addr in pairs:
        display = _clean_line(_decode_words(display))
        addr = _clean_line(addr)
        if display and addr:
            out.append(f"{display} <{addr}>")
        elif addr or display:
            out.append(addr or display)
    if not out and raw.strip():
        out = [_text_header(raw)]
    return out[:500]


def _sender(raw: str | None) -> str:
    found = _address_list(raw)
    return ", ".join(found)[:MAX_HEADER] if found else _text_header(raw)


def _date(raw: str | None, notes: list[str]) -> datetime | None:
    if raw is None:
        return None
    text = _clean_line(_recover(raw))
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


# ---------------------------------------------------------------- body


def _known(charset: str | None) -> bool:
    if not charset:
        return False
    try:
        codecs.lookup(charset)
        return True
    except (LookupError, TypeError, ValueError):
        return False


_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


def _looks_binary(data: bytes) -> bool:
    """Headerless input that is mostly control bytes is some other file, not a message."""
    sample = data[:4096]
    if not sample:
        return False
    return b"\x00" in sample or len(_BINARY.findall(sample)) / len(sample) > 0.05


def _part_bytes(part: Message, notes: list[str]) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception as exc:
        notes.append(f"undecodable {part.get_content_type()} part ({type(exc).__name__})")
        return b""
    if payload is None:
        return b""
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return bytes(payload)


def _part_text(part: Message, notes: list[str]) -> str:
    data = _part_bytes(part, notes)
    try:
        charset = part.get_content_charset() or "us-ascii"
    except Exception:
        charset = "us-ascii"
    if charset in ("us-ascii", "ascii", "unknown-8bit") or not _known(charset):
        if not _known(charset) and charset != "unknown-8bit":
            notes.append(f"unknown charset {charset[:40]!r}, decoded as UTF-8")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    try:
        return data.decode(charset)
    except UnicodeDecodeError:
        notes.append(f"bytes not valid in charset {charset[:40]!r}, some replaced")
        return data.decode(charset, "replace")
    except Exception:
        return data.decode("utf-8", "replace")


def _body_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    return _CTRL_BODY.sub(_visible, text)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    if not name:
        return None
    name = _recover(name) if isinstance(name, str) else str(name)
    return _clean_line(_decode_words(name))[:255] or None


class _Body:
    """Walks the MIME tree iteratively (no recursion, capped) and sorts parts into text/attachments."""

    def __init__(self, notes: list[str], elided: dict[str, tuple[int, int]] | None = None) -> None:
        self.elided = elided or {}
        self.notes = notes
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.text = ""
        self.hidden = ""

    def collect(self, msg: Message) -> None:
        stack: list[tuple[Message, int]] = [(msg, 0)]
        seen = 0
        while stack:
            part, depth = stack.pop()
            seen += 1
            if seen > MAX_PARTS:
                self.notes.append(f"more than {MAX_PARTS} MIME parts; the rest skipped")
                break
            try:
                ctype = part.get_content_type()
            except Exception:
                ctype = "text/plain"
            if ctype.startswith("multipart/"):
                if depth >= MAX_DEPTH:
                    self.notes.append(f"MIME nesting deeper than {MAX_DEPTH} levels skipped")
                    continue
                children = part.get_payload()
                if isinstance(children, list):
                    stack.extend((c, depth + 1) for c in reversed(children) if isinstance(c, Message))
                elif isinstance(children, str) and children.strip():
                    self.plain.append(_body_text(children))  # multipart with no usable boundary
            else:
                self._leaf(part, ctype)
            for defect in getattr(part, "defects", ()):  # read after decoding: base64 adds its own
                self.notes.append(f"MIME defect: {type(defect).__name__}")
        self._finish()

    def _leaf(self, part: Message, ctype: str) -> None:
        try:
            disposition = part.get_content_disposition()
        except Exception:
            disposition = None
        name = _filename(part)
        is_body = ctype in ("text/plain", "text/html") and disposition != "attachment" and not name
        if is_body:
            text = _part_text(part, self.notes)
            (self.plain if ctype == "text/plain" else self.html).append(text)
            return
        if ctype == "message/rfc822":
            size = len(part.as_bytes()) if _safe(part) else 0
        else:
            size = self._elided_size(part)
            if size is None:
                size = len(_part_bytes(part, self.notes))
        self.attachments.append(Attachment(filename=name, content_type=ctype, size=size))

    def _elided_size(self, part: Message) -> int | None:
        """The real size of an attachment whose body `_shrink` cut short, from its encoded length."""
        if not self.elided:
            return None
        try:
            payload = part.get_payload()
            if not isinstance(payload, str):
                return None
            key = _elided_key(payload.lstrip("\r\n").split("\n", 1)[0].rstrip("\r"))
            found = self.elided.get(key)
            if found is None:
                return None
            chars, raw = found
            cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        except Exception:
            return None
        return chars * 3 // 4 if cte == "base64" else raw

    def _finish(self) -> None:
        hidden: list[str] = []
        html_visible: list[str] = []
        for doc in self.html:
            if len(doc) > MAX_HTML:
                doc = doc[:MAX_HTML]
                self.notes.append(f"HTML part truncated to {MAX_HTML} characters")
            visible, secret = html_to_text(doc)
            html_visible.append(visible)
            if secret:
                hidden.append(secret)
        if any(p.strip() for p in self.plain):
            text = "\n\n".join(p for p in self.plain if p.strip())
        else:
            text = "\n\n".join(html_visible)
        self.text = _body_text(text).strip()
        self.hidden = _body_text("\n".join(hidden)).strip()


def _safe(part: Message) -> bool:
    try:
        part.as_bytes()
        return True
    except Exception:
        return False


def _dedupe(notes: list[str]) -> list[str]:
    out: list[str] = []
    for n in notes:
        if n not in out:
            out.append(n)
        if len(out) >= 50:
            break
    return out


# ---------------------------------------------------------------- HTML


_SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source",
         "track", "wbr", "param"}
_BLOCK = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
          "section", "article", "header", "footer", "ul", "ol", "hr", "pre", "center", "dd", "dt",
          "form", "address", "body", "html", "main", "nav", "aside", "figure"}
_WHITE = {"white", "#fff", "#ffffff", "rgb(255,255,255)", "rgba(255,255,255,1)", "#fefefe",
          "hsl(0,0%,100%)"}
_ZERO = re.compile(r"^0+(\.0*)?(px|pt|em|rem|%)?$")


def _style(value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for decl in value.split(";"):
        key, sep, val = decl.partition(":")
        if sep:
            out[key.strip().lower()] = val.replace("!important", "").strip().lower().replace(" ", "")
    return out


class _HtmlText(HTMLParser):
    """Visible text vs text hidden from a human (display:none, zero size, white on default, comments)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (tag, hidden, skip, has_background)
        self.stack: list[tuple[str, bool, bool, bool]] = []
        self.open: dict[str, int] = {}  # tag name -> how many are on the stack: skips hopeless searches
        self.visible: list[str] = []
        self.hidden: list[str] = []

    def _state(self) -> tuple[bool, bool, bool]:
        if self.stack:
            _, hidden, skip, bg = self.stack[-1]
            return hidden, skip, bg
        return False, False, False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hidden, skip, bg = self._state()
        if tag in _BLOCK and not skip:
            (self.hidden if hidden else self.visible).append("\n")
        if tag in _VOID:
            return
        if len(self.stack) >= MAX_OPEN_TAGS:
            self._compact()
        if not attrs:  # the common case, kept cheap
            self._push((tag, hidden, skip or tag in _SKIP, bg))
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        style = _style(a.get("style", ""))
        back = style.get("background-color") or style.get("background") or a.get("bgcolor", "")
        if back and back.replace(" ", "") not in _WHITE:
            bg = True
        color = style.get("color") or (a.get("color", "").lower().replace(" ", "") if tag == "font" else "")
        if (
            "hidden" in a
            or style.get("display") == "none"
            or style.get("visibility") == "hidden"
            or style.get("opacity") in ("0", "0.0", "0%")
            or _ZERO.match(style.get("font-size", "x")) is not None
            or _ZERO.match(style.get("max-height", "x")) is not None and style.get("overflow") == "hidden"
            or (color in _WHITE and not bg)
        ):
            hidden = True
        self._push((tag, hidden, skip or tag in _SKIP, bg))

    def _compact(self) -> None:
        """Drop old open tags that add no state. State only ever turns on down the stack (hidden,
        skip, background), so keeping each first change plus the newest tags loses nothing
        that decides visibility, even against thousands of unclosed tags."""
        keep, last = [], None
        for entry in self.stack[: -MAX_OPEN_TAGS // 2]:
            if entry[1:] != last:
                keep.append(entry)
                last = entry[1:]
        self.stack = keep + self.stack[-MAX_OPEN_TAGS // 2:]
        self.open = {}
        for entry in self.stack:
            self.open[entry[0]] = self.open.get(entry[0], 0) + 1

    def _push(self, entry: tuple[str, bool, bool, bool]) -> None:
        self.stack.append(entry)
        self.open[entry[0]] = self.open.get(entry[0], 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if self.open.get(tag):  # stray end tags (common in mail) close nothing
            i = len(self.stack) - 1
            while self.stack[i][0] != tag:
                i -= 1
            closed_hidden = self.stack[i][1]
            for entry in self.stack[i:]:
                self.open[entry[0]] -= 1
            del self.stack[i:]
            if closed_hidden and not self._state()[0]:
                self.hidden.append("\n")  # one hidden run ends: keep runs apart
        if tag in _BLOCK:
            hidden, skip, _ = self._state()
            if not skip:
                (self.hidden if hidden else self.visible).append("\n")

    def handle_data(self, data: str) -> None:
        hidden, skip, _ = self._state()
        if skip:
            return
        (self.hidden if hidden else self.visible).append(data)

    def handle_comment(self, data: str) -> None:
        text = data.strip()
        if text and not text.startswith("[if") and not text.startswith("<![endif") and text != "[endif]":
            self.hidden.append("\n" + text + "\n")


def _tidy(chunks: list[str]) -> str:
    lines = (" ".join(line.split()) for line in "".join(chunks).split("\n"))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(html: str) -> tuple[str, str]:
    """(visible text, hidden text) of an HTML document. Never raises."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        pass  # keep whatever was read before the failure
    return _tidy(parser.visible), _tidy(parser.hidden)


# ---------------------------------------------------------------- attachment bytes (tui/extract)


def attachment_payloads(data: bytes, *, max_bytes: int) -> list[tuple[Attachment, bytes | None]]:
    """Every attachment in MIME order with its decoded bytes, for the extraction agents.

    The bytes are None when the attachment is larger than `max_bytes` (its real size is still
    reported, from the shrunk body's encoded length), when a message far over `max_bytes` had to
    be shrunk before parsing, or for a forwarded message. The same capped, iterative walk as
    `parse_bytes`; never raises: an unreadable message gives [].
    """
    try:
        data = bytes(data or b"")
        notes: list[str] = []
        elided: dict[str, tuple[int, int]] = {}
        if len(data) > max(MAX_PARSE_BYTES, max_bytes * 4 // 3 + 1_000_000):  # base64 is 4/3 of the bytes
            data = _shrink(data, notes, elided)
        body = _PayloadBody(notes, elided, max_bytes)
        body.collect(_PARSER.parsebytes(data))
        return body.payloads
    except Exception:
        return []


class _PayloadBody(_Body):
    def __init__(self, notes: list[str], elided: dict[str, tuple[int, int]], max_bytes: int) -> None:
        super().__init__(notes, elided)
        self.max_bytes = max_bytes
        self.payloads: list[tuple[Attachment, bytes | None]] = []

    def _leaf(self, part: Message, ctype: str) -> None:
        before = len(self.attachments)
        super()._leaf(part, ctype)
        if len(self.attachments) == before:
            return  # a body part
        found = self.attachments[-1]
        whole = ctype != "message/rfc822" and self._elided_size(part) is None and found.size <= self.max_bytes
        self.payloads.append((found, _part_bytes(part, self.notes) if whole else None))
