"""Untrusted strings made safe to show: what a header or body says, never what a terminal would do.

Header and body text reach the screen and the model; a control character must be seen, not acted on,
and 8-bit or RFC 2047-encoded header bytes must come out readable instead of as U+FFFD. Both the
header reader (`tui.mail.parse`) and the MIME walk (`tui.mail.mime_parts`) clean their text here.
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header, make_header

# C0 controls except tab (and newline in bodies), DEL and C1 controls: a terminal may act on them,
# so they are replaced by their visible Unicode pictures and nothing of the text is lost.
_CTRL_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CTRL_BODY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    """A control character as its visible picture (ESC -> U+241B): shown, never acted on."""
    code = ord(match.group())
    if code in (0x0A, 0x0D):
        return " "
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def clean_line(value: str) -> str:
    """One display line: line breaks become spaces, other controls their visible pictures."""
    value = _SURROGATE.sub("\ufffd", value)
    return _CTRL_LINE.sub(_visible, value).strip()


def recover_8bit(raw: str) -> str:
    """Undo surrogateescape from 8-bit header bytes: UTF-8 if it decodes, else cp1252."""
    if not _SURROGATE.search(raw):
        return raw
    b = raw.encode("utf-8", "surrogateescape")
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("cp1252", "replace")


def decode_words(raw: str) -> str:
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
                    chunk = chunk.decode(charset if known_charset(charset) else "utf-8", "replace")
                out.append(chunk)
            return "".join(out)
        except Exception:
            return raw


def known_charset(charset: str | None) -> bool:
    """Whether Python has a codec of this name (mail names charsets that do not exist)."""
    if not charset:
        return False
    try:
        codecs.lookup(charset)
        return True
    except (LookupError, TypeError, ValueError):
        return False


def clean_body(text: str) -> str:
    """Body text: every line end becomes a newline, other controls their visible pictures."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    return _CTRL_BODY.sub(_visible, text)
