"""How the offline rules read a message: capped subject, body and hidden text, as words.

Why it exists: the classifier (`tui/agents/rules.py`) and the injection detector
(`tui/agents/injection_rules.py`) look at the same texts, and splitting them into words is the
costly part. Both read them through here, so a message is normalised once and neither module
needs the other.
"""

from __future__ import annotations

from tui.agents.injection_normalise import fold
from tui.model import Email

MAX_SCAN = 20_000  # body characters scanned: bounds the worst case
MAX_HIDDEN_SCAN = 5_000
MAX_SUBJECT_SCAN = 1_000

# ASCII punctuation becomes a space and apostrophes vanish ("don't" -> "dont"); bytes >= 0x80
# are left alone, so UTF-8 letters of any script survive. bytes.translate is a table lookup per
# byte, many times faster than str.translate on non-ASCII text.
_NORM_BYTES = bytes(b if b >= 0x80 or chr(b).isalnum() else 0x20 for b in range(256))
_TYPOGRAPHIC = {"\u2019": "", "\u2018": "", "\u201c": " ", "\u201d": " ", "\u2013": " ",
                "\u2014": " ", "\u2026": " ", "\u00ab": " ", "\u00bb": " ", "\u2022": " "}


def _normalise(low: str) -> str:
    if not low.isascii():
        for ch, repl in _TYPOGRAPHIC.items():
            if ch in low:
                low = low.replace(ch, repl)
    data = low.encode("utf-8", "surrogatepass").translate(_NORM_BYTES, b"'")
    return data.decode("utf-8", "surrogatepass")


class Words:
    """A text reduced to lower-case words: a set for cheap lookups, a joined string for phrases.
    Text that is not ASCII is folded first (NFKC, zero-width and look-alike letters), so a word
    spelled with tricks is still the word; `tricks` names what was undone. The joined string is
    only built when a phrase is looked for: most texts never need it."""

    __slots__ = ("low", "tset", "tokens", "tricks", "_joined")

    def __init__(self, low: str, norm: str, tricks: list[str]) -> None:
        self.low = low
        self.tokens = norm.split()  # kept: the phrase string needs them, splitting twice costs
        self.tset = set(self.tokens)
        self.tricks = tricks
        self._joined: str | None = None

    @property
    def joined(self) -> str:
        """" w1 w2 ... ": every word between single spaces, for phrase search."""
        if self._joined is None:
            self._joined = " " + " ".join(self.tokens) + " "
        return self._joined

    @classmethod
    def of(cls, text: str) -> Words:
        text, tricks = fold(text)
        low = text.lower()
        return cls(low, _normalise(low), tricks)


def message_parts(email: Email) -> tuple[str, str, str, dict[str, Words]]:
    """The capped texts and their words, computed once and shared by scoring and injection."""
    subject = email.subject[:MAX_SUBJECT_SCAN]
    body = email.text[:MAX_SCAN]
    hidden = email.hidden_text[:MAX_HIDDEN_SCAN]
    words = {"subject": Words.of(subject), "body": Words.of(body),
             "hidden HTML text": Words.of(hidden)}
    return subject, body, hidden, words
