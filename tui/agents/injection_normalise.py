"""What a mail really says before anything judges it: folded text and the payloads hidden inside it.

Why it exists: an attacker does not need the detector's words to be absent, only unrecognisable:
full-width or Cyrillic look-alike letters, zero-width characters inside words, invisible Unicode
tag characters, or the whole instruction in base64, hex, URL or quoted-printable encoding or rot13.
`fold` undoes the character tricks (NFKC, zero-width and tag removal, homoglyph folding);
`decoded_payloads` finds encoded blobs and returns their text, so it can be scanned again and
shown to the operator. Plain ASCII mail, nearly all of it, takes the cheap path through both.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
import unicodedata
import urllib.parse

# Zero-width and other invisible format characters (soft hyphen, word joiner, BOM, bidi marks).
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f" \
             "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068" \
             "\u2069\u3164\ufeff\uffa0"
_INVISIBLE_TABLE = dict.fromkeys(map(ord, _INVISIBLE))
_INSIDE_WORD = re.compile(f"\\w[{_INVISIBLE}]+\\w")
_TAGS = re.compile("[\U000e0000-\U000e007f]+")
# Cyrillic and Greek letters that look like Latin ones, folded only inside words that mix scripts
# (so Russian and Greek text stays as it is).
_CONFUSABLE = str.maketrans(
    "асеіјорхуԁһѕԛԝАВСЕНІЈКМОРЅТХУаοерτνυικχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ",
    "aceijopxydhsqwABCEHIJKMOPSTXYaoeptvuikxABEHIKMNOPTYXZ",
)
_STYLED = re.compile("[\uff01-\uff5e\U0001d400-\U0001d7ff]")  # full-width, mathematical letters
_ANY_INVISIBLE = re.compile(f"[{_INVISIBLE}]")
_OTHER_SCRIPT = re.compile(r"[\u0370-\u04ff]")
_MIXED = re.compile(r"\b(?=\w*[a-zA-Z])(?=\w*[\u0370-\u03ff\u0400-\u04ff])\w+\b")


def tag_text(text: str) -> str:
    """Text spelled in invisible Unicode tag characters (U+E0020..E007E), as ASCII."""
    return " ".join("".join(chr(ord(c) - 0xE0000) for c in run if 0xE0020 <= ord(c) <= 0xE007E)
                    for run in _TAGS.findall(text))


# Any character one of the tricks below is made of (tag, invisible, styled, Greek or Cyrillic):
# most text that is not ASCII has none (accents, typography), and one scan says so.
_SUSPECT = re.compile(f"[\U000e0000-\U000e007f{_INVISIBLE}\uff01-\uff5e\U0001d400-\U0001d7ff\u0370-\u04ff]")


def fold(text: str) -> tuple[str, list[str]]:
    """(text a model would read, names of the tricks undone). ASCII text is returned as is."""
    if text.isascii():
        return text, []
    tricks: list[str] = []
    suspect = _SUSPECT.search(text) is not None
    if suspect and _TAGS.search(text):
        tricks.append("invisible tag characters")
        text = _TAGS.sub(lambda m: " " + tag_text(m.group()) + " ", text)
    if suspect and _ANY_INVISIBLE.search(text):
        if _INSIDE_WORD.search(text):
            tricks.append("zero-width inside words")
        text = text.translate(_INVISIBLE_TABLE)
    if not unicodedata.is_normalized("NFKC", text):
        folded = unicodedata.normalize("NFKC", text)
        if suspect and _STYLED.search(text):
            tricks.append("full-width letters")
        text = folded
        suspect = True  # NFKC may have written Greek letters (the micro sign is one)
    if suspect and _OTHER_SCRIPT.search(text) and _MIXED.search(text):
        tricks.append("look-alike letters")
        text = _MIXED.sub(lambda m: m.group().translate(_CONFUSABLE), text)
    return text, tricks


# ----------------------------------------------------------------------------- encoded blobs

_B64 = re.compile(r"[A-Za-z0-9+/]{20,}={0,2}|[A-Za-z0-9_-]{24,}={0,2}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[ :]?){12,}\b")
_URLENC = re.compile(r"(?:%[0-9a-fA-F]{2}[^\s%<>\"']*){4,}")
_QP = re.compile(r"=[0-9A-F]{2}|=\r?\n")
MAX_BLOBS = 8
MAX_DECODED = 4000


def _readable(data: bytes) -> str:
    """The bytes as text if they are mostly readable words, else ''."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    if len(text) < 8:
        return ""
    head = text[:2000]
    letters = sum(map(str.isalpha, head)) + head.count(" ")
    if letters < 0.7 * len(head) or " " not in head.strip():
        return ""
    return text


def _b64(blob: str) -> str:
    blob = blob.rstrip("=")
    if len(blob) < 20:
        return ""
    pad = "=" * (-len(blob) % 4)
    try:
        raw = (base64.urlsafe_b64decode(blob + pad) if ("-" in blob or "_" in blob)
               else base64.b64decode(blob + pad, validate=True))
    except (binascii.Error, ValueError):
        return ""
    return _readable(raw)


def _hex(blob: str) -> str:
    digits = re.sub(r"[ :]", "", blob)
    if len(digits) % 2:
        digits = digits[:-1]
    try:
        return _readable(bytes.fromhex(digits))
    except ValueError:
        return ""


def _blob_lines(text: str, low: str, long_tokens: list[str]) -> list[str]:
    """The lines of `text` holding the given long words: the only places a blob can be."""
    if len(low) != len(text):
        low = text.lower()
        if len(low) != len(text):
            return [text[:MAX_DECODED]]
    out: list[str] = []
    for tok in long_tokens[:MAX_BLOBS]:
        pos = low.find(tok)
        if pos < 0:
            continue
        begin = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        line = text[begin: end if end >= 0 else len(text)]
        if line not in out:
            out.append(line)
    return out


def decoded_payloads(text: str, low: str, long_tokens: list[str], hints: set[str] | frozenset[str] = frozenset(),
                     ) -> list[tuple[str, str]]:
    """(kind, decoded text) for each encoded blob in `text` that decodes to readable words.
    `low` is the lower-cased text, `long_tokens` its words of 20 or more characters and `hints`
    which of "hex", "hexadecimal", "rot13", "rot" it has as words: cheap gates that keep ordinary
    mail off the regexes (a blob is one long word, or hex pairs next to the word hex)."""
    found: list[tuple[str, str]] = []
    lines = _blob_lines(text, low, long_tokens) if long_tokens else []
    if not lines and ("hex" in hints or "hexadecimal" in hints):
        lines = [text[:MAX_DECODED]]
    for line in lines:
        for m in _B64.finditer(line):
            out = _b64(m.group())
            if out and len(found) < MAX_BLOBS:
                found.append(("base64", out[:MAX_DECODED]))
        for m in _HEX.finditer(line):
            out = _hex(m.group())
            if out and len(found) < MAX_BLOBS:
                found.append(("hex", out[:MAX_DECODED]))
    # a one-character search first: far faster than a longer one (whose last character, a digit
    # or a newline, is common), and most mail has no "%" or "=" at all
    if text.find("%", 0, MAX_DECODED) >= 0 and text.find("%20", 0, MAX_DECODED) >= 0 \
            and text.count("%", 0, MAX_DECODED) >= 4:
        head = text[:MAX_DECODED]
        for m in _URLENC.finditer(head):
            if len(found) >= MAX_BLOBS:
                break
            begin = max(head.rfind(" ", 0, m.start()), head.rfind("\n", 0, m.start())) + 1
            out = urllib.parse.unquote(head[begin:m.end()])
            if " " in out and out != head[begin:m.end()]:
                found.append(("URL-encoded", out[:MAX_DECODED]))
    if text.find("=", 0, MAX_DECODED) >= 0 and (
            text.find("=20", 0, MAX_DECODED) >= 0 or text.find("=3D", 0, MAX_DECODED) >= 0
            or text.find("=\n", 0, MAX_DECODED) >= 0) and len(_QP.findall(text, 0, MAX_DECODED)) >= 4:
        out = quopri.decodestring(text[:MAX_DECODED].encode("utf-8", "replace")).decode("utf-8", "replace")
        if out != text[:MAX_DECODED]:
            found.append(("quoted-printable", out))
    if "rot13" in hints or "rot" in hints and low.find("rot", 0, MAX_DECODED) >= 0:
        found.append(("rot13", codecs.encode(text[:MAX_DECODED], "rot13")))
    return found
