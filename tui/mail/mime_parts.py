"""The body of a message within bounds: shrink oversized input, walk the MIME tree, decode parts.

Messages can be huge or absurdly nested, and the stdlib parser peaks near 8x its input, so oversized
bodies are cut before parsing and the MIME walk is iterative and capped. Each leaf part becomes body
text (charset-decoded, HTML read by `tui.mail.html_text`) or an `Attachment`; `attachment_payloads`
gives the extraction agents the attachments' decoded bytes by the same walk.
"""

from __future__ import annotations

from email import policy
from email.message import Message
from email.parser import BytesParser

from tui.mail.display_text import clean_body, clean_line, decode_words, known_charset, recover_8bit
from tui.mail.html_text import html_to_text
from tui.model import Attachment

MAX_DEPTH = 100  # MIME nesting we walk; deeper parts are skipped with a note
MAX_PARTS = 1_000
MAX_HTML = 1_000_000  # characters of one HTML part we look at
# Bigger messages are shrunk before the stdlib parser sees them (it peaks near 8x its input):
# each MIME body keeps its first MAX_BODY_BYTES, the whole message at most MAX_KEPT_BYTES of body.
MAX_PARSE_BYTES = 4_000_000
MAX_BODY_BYTES = 1_500_000
MAX_KEPT_BYTES = 6_000_000
MAX_LINE_BYTES = 200_000  # one header line

# compat32, not policy.default: the header registry made parsing ~20x slower (about 5 ms a
# message, 50 s for 10k), and we decode the few headers we need ourselves, tolerantly.
PARSER = BytesParser(policy=policy.compat32)


def _elided_key(first_line: str) -> str:
    return first_line[:100]


def shrink(data: bytes, notes: list[str], elided: dict[str, tuple[int, int]]) -> bytes:
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
    if charset in ("us-ascii", "ascii", "unknown-8bit") or not known_charset(charset):
        if not known_charset(charset) and charset != "unknown-8bit":
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


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    if not name:
        return None
    name = recover_8bit(name) if isinstance(name, str) else str(name)
    return clean_line(decode_words(name))[:255] or None


# Text attachments are read (capped) so the injection guard sees what an extraction agent will.
_READ_ATTACHED = {"text/plain", "text/markdown", "text/html"}
MAX_ATTACHED_TEXT = 4000
MAX_ATTACHED_PARTS = 5


class MessageBody:
    """Walks the MIME tree iteratively (no recursion, capped) and sorts parts into text/attachments."""

    def __init__(self, notes: list[str], elided: dict[str, tuple[int, int]] | None = None) -> None:
        self.elided = elided or {}
        self.notes = notes
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.text = ""
        self.hidden = ""
        self.attached: list[str] = []  # small text attachments: models and agents may read them

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
                    self.plain.append(clean_body(children))  # multipart with no usable boundary
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
        if ctype in _READ_ATTACHED and len(self.attached) < MAX_ATTACHED_PARTS:
            self.attached.append(clean_body(_part_text(part, self.notes)[:MAX_ATTACHED_TEXT]))
        if ctype == "message/rfc822":
            size = len(part.as_bytes()) if _safe(part) else 0
        else:
            size = self._elided_size(part)
            if size is None:
                size = len(_part_bytes(part, self.notes))
        self.attachments.append(Attachment(filename=name, content_type=ctype, size=size))

    def _elided_size(self, part: Message) -> int | None:
        """The real size of an attachment whose body `shrink` cut short, from its encoded length."""
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
        self.text = clean_body(text).strip()
        self.hidden = clean_body("\n".join(hidden)).strip()


def _safe(part: Message) -> bool:
    try:
        part.as_bytes()
        return True
    except Exception:
        return False


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
            data = shrink(data, notes, elided)
        body = _PayloadBody(notes, elided, max_bytes)
        body.collect(PARSER.parsebytes(data))
        return body.payloads
    except Exception:
        return []


class _PayloadBody(MessageBody):
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
