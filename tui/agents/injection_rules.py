"""The rules' prompt-injection guard: one score from named signals, over everything a model may read.

Why it exists: mail is untrusted input to every model backend. This guard is free, offline and
deterministic, so the rules classifier (`tui/agents/rules.py`) uses it for its own verdicts and
the LLM providers run it as a second opinion before their model answers (the verdicts are merged
by `combine_injection` in `tui/agents/prompt.py`). The caps say how far a flagged mail's priority
and confidence may go, so a message can never promote itself.

How: every place text hides in a mail is read (subject, body, text hidden in HTML, sender name,
attachment names and small text attachments, and whatever base64, hex, URL, quoted-printable or
rot13 blobs decode to), each folded first (`injection_normalise.py`). Each signal
(`injection_signals.py`) found anywhere adds its weight once, hidden text counting 1.5 times;
character tricks add their own. The mail is flagged when the sum reaches INJECTION_THRESHOLD,
chosen on the development half of bench/data/injection (never on the held-out half), and
`injection_reason` names every signal that fired and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.agents.injection_normalise import decoded_payloads, tag_text
from tui.agents.injection_signals import HIDDEN_SUBS, HIDDEN_WORDS, SIGNALS, Signal
from tui.agents.rules_text import Words, message_parts
from tui.model import Email

INJECTION_PRIORITY_CAP = 40
INJECTION_CONFIDENCE_CAP = 0.45  # below the default review_below: a human looks first
INJECTION_THRESHOLD = 2.5
HIDDEN_FACTOR = 1.5  # the same words weigh more where a human cannot see them
DECODED_BONUS = 1.0  # a payload that had to be decoded before it said anything
MAX_EXTRA_SCAN = 4000
_WINDOW = 120  # characters either side of an anchor word that a pattern may see
_PER_ANCHOR = 4
_MAX_ANCHORS = 4
OPENING = 300  # body characters read together with the subject
SCAN_CHARS = 6000  # what a model is shown of the body by default (Settings.max_body_chars)
_CODE_WORDS = frozenset({"hex", "hexadecimal", "rot13", "rot"})
_BLIND_DECODE = 1000  # texts up to this long are searched for blobs even when no part names an encoding

_TRICKS = {
    "invisible tag characters": 3.0,
    "zero-width inside words": 1.0,
    "look-alike letters": 1.0,
    "full-width letters": 0.5,
}


@dataclass(slots=True)
class Finding:
    """The guard's judgement of one mail: the score, every reason, and what it had to uncover."""

    score: float = 0.0
    reasons: dict[str, str] = field(default_factory=dict)  # reason -> where it was found
    weights: dict[str, float] = field(default_factory=dict)
    revealed: list[tuple[str, str]] = field(default_factory=list)  # (what, text) for the operator

    @property
    def flagged(self) -> bool:
        return self.score >= INJECTION_THRESHOLD

    def add(self, reason: str, where: str, weight: float) -> None:
        if weight > self.weights.get(reason, 0.0):
            self.score += weight - self.weights.get(reason, 0.0)
            self.weights[reason] = weight
            self.reasons.setdefault(reason, where)

    def reason(self) -> str:
        if not self.flagged:
            return ""
        parts = [f"{r} ({w})" for r, w in self.reasons.items()]
        return "; ".join(parts) + f"; score {self.score:.1f}/{INJECTION_THRESHOLD:g}"


def _lines(low: str, needle: str, seen: set[int], out: list[str]) -> None:
    """The lines (at most _PER_ANCHOR, each cut to a window) where `needle` stands as a word."""
    start, found, tries = 0, 0, 0
    n = len(needle)
    while found < _PER_ANCHOR and tries < 24:
        pos = low.find(needle, start, SCAN_CHARS)
        if pos < 0:
            return
        tries += 1
        start = pos + n
        if needle.isascii() and ((pos and low[pos - 1].isalnum()) or low[pos + n: pos + n + 1].isalnum()):
            continue  # "ai" inside "mail"
        begin = max(low.rfind("\n", 0, pos) + 1, pos - _WINDOW)
        if begin in seen:
            continue
        seen.add(begin)
        end = low.find("\n", pos)
        end = min(end if end >= 0 else len(low), pos + _WINDOW)
        out.append(low[begin:end])
        found += 1


# word -> the signals it can open: one set intersection per text finds every candidate
_BY_WORD: dict[str, list[int]] = {}
for _i, _sig in enumerate(SIGNALS):
    for _word in _sig.words:
        _BY_WORD.setdefault(_word, []).append(_i)
_ALL_WORDS = frozenset(_BY_WORD)
# "l'agente" is the word "lagente" once apostrophes go: find it in the text as written
_ELIDED = {p + rest: (p + "'" + rest, p + "\u2019" + rest)
           for rest in ("agente", "agent", "assistente", "assistant", "ia", "intelligence", "utente",
                        "utilisateur")
           for p in ("l", "all", "dell", "un")}
# Every gate substring but "ai" has a Cyrillic or CJK letter: text with none of those (most mail
# that is not ASCII: accents, typography) cannot hold them, and one scan for such a letter says so.
_FOREIGN = re.compile("[\u0400-\u04ff\u3000-\U0010ffff]")


def _split_subs(subs: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(substrings without a Cyrillic or CJK letter, those with one)."""
    return (tuple(x for x in subs if not _FOREIGN.search(x)), tuple(x for x in subs if _FOREIGN.search(x)))


_SUBS = [_split_subs(sig.subs) for sig in SIGNALS]
_WITH_SUBS = [(i, *_SUBS[i]) for i, sig in enumerate(SIGNALS) if sig.subs]
_HIDDEN_SUBS = _split_subs(HIDDEN_SUBS)
_LINK = next(sig for sig in SIGNALS if sig.reason == "link with a blank to fill")
# "={", "=[", "=<", "=%7b", "/{", "=$", "insert_", "_here", "](http", "/[", "/<", "?{": one scan
_LINK_CUES = re.compile(r"=[{\[<$]|=%7b|/[{\[<]|\?\{|insert_|_here|\]\(http")


def _subs_in(low: str, subs: tuple[tuple[str, ...], tuple[str, ...]], foreign: bool) -> list[str]:
    """The gate substrings found in a text that is not ASCII (`foreign`: it has Cyrillic or CJK)."""
    plain, other = subs
    found = [x for x in plain if x in low]
    if foreign:
        found += [x for x in other if x in low]
    return found


Gated = list[tuple[Signal, list[str]]]  # a signal worth a regex, and the anchors to look around


def _gated(w: Words) -> Gated:
    """The signals whose words are present (and their other word groups and cues): the only
    ones worth a regex, each with the words (or, in text that is not ASCII, substrings) whose
    lines it is tried on. Ordinary mail opens few or none."""
    tset, low = w.tset, w.low
    found = tset & _ALL_WORDS
    plain = low.isascii()
    if not found and plain:
        return []
    cand: set[int] = set()
    for word in found:
        cand.update(_BY_WORD[word])
    by_sub: dict[int, list[str]] = {}
    if not plain:
        foreign = _FOREIGN.search(low) is not None
        for i, *subs in _WITH_SUBS:
            hits = _subs_in(low, subs, foreign)
            if hits:
                by_sub[i] = hits
        cand.update(by_sub)
    out: Gated = []
    for i in sorted(cand):
        sig = SIGNALS[i]
        if sig.needs and i not in by_sub and any(tset.isdisjoint(g) for g in sig.needs):
            continue
        if sig is _LINK and not _LINK_CUES.search(low):
            continue  # most links have no blank: one cheap look at the text, not one per link
        anchors = found & sig.words
        anchors.update(by_sub.get(i, ()))
        out.append((sig, sorted(anchors)[:_MAX_ANCHORS]))
    return out


def _fires(w: Words, sig: Signal, anchors: list[str]) -> bool:
    """Whether the signal's pattern matches a line holding one of its anchors. Only those
    lines are searched: a regex over a whole long mail costs far more than the words test."""
    low = w.low
    seen: set[int] = set()
    lines: list[str] = []
    for anchor in anchors:
        for needle in _ELIDED.get(anchor, (anchor,)):
            _lines(low, needle, seen, lines)
    cues = sig.cues
    return any((not cues or any(c in line for c in cues)) and sig.pattern.search(line) for line in lines)


def _signals(w: Words, gated: Gated) -> list[tuple[str, float]]:
    """Every gated signal that fires in the words' text."""
    return [(sig.reason, sig.weight) for sig, anchors in gated if _fires(w, sig, anchors)]


def _judge(finding: Finding, w: Words, where: str, factor: float = 1.0,
           gated: Gated | None = None) -> int:
    """Adds what one text says to the finding; returns how many signals fired."""
    hits = _signals(w, _gated(w) if gated is None else gated)
    for reason, weight in hits:
        finding.add(reason, where, weight * factor)
    for trick in w.tricks:
        finding.add(trick, where, _TRICKS.get(trick, 0.5))
    return len(hits)


_DECODE_HINTS = frozenset(
    "base64 b64 base decode decoded decoder decoding encoded encoding hex hexadecimal rot13 rot "
    "decipher convert url decodifica decodifique décode dekodiere decodeer zdekoduj".split())


def _long_tokens(w: Words, asked: bool) -> list[str]:
    """Words of 20 characters or more: where a base64 or hex blob would be (usually none).
    A long text is only searched when some part of the mail mentions an encoding (`asked`): a
    blob nobody is asked to decode is noise to a reader, and scanning every long newsletter for
    one costs more than the rest of the guard."""
    if not w.tset or (not asked and len(w.low) > _BLIND_DECODE):
        return []
    if max(map(len, w.tset)) < 20:
        return []
    return sorted(t for t in w.tset if len(t) >= 20)[:8]


def _decode_and_judge(finding: Finding, text: str, w: Words, where: str, asked: bool = True,
                      codes: set[str] | frozenset[str] = frozenset()) -> None:
    """Encoded blobs in a text, decoded, shown to the operator and judged again. `codes` are
    encodings named elsewhere in the mail (the hint in the body, the blob in an attachment)."""
    for kind, decoded in decoded_payloads(text, w.low, _long_tokens(w, asked), (w.tset & _CODE_WORDS) | codes):
        dw = Words.of(decoded)
        label = f"{kind} in {where}"
        before = finding.score
        if _judge(finding, dw, label):
            finding.add(f"orders in {kind}", where, DECODED_BONUS)
            finding.revealed.append((label, decoded))
        elif kind not in ("URL-encoded", "quoted-printable") and finding.score == before:
            finding.revealed.append((label, decoded))


def _meta(email: Email) -> str:
    """Sender display name and attachment names: short, but attackers write sentences there."""
    name = email.sender.partition("<")[0].strip(' "') if "<" in email.sender else ""
    if name.count(" ") < 3:
        name = ""  # "Marta Ruiz" gives no orders; a sentence needs a few words
    files = [a.filename for a in email.attachments[:20] if a.filename and " " in a.filename]
    return "\n".join(([name] if name else []) + files)


def _weigh(finding: Finding, parts: list[tuple[Words, str, float, Gated]]) -> None:
    """Adds the signals that fire in the parts, strongest first, and stops as soon as the rest
    could not lift the score to the threshold: most mail needs one regex or none. A mail that
    reaches the threshold is weighed in full, so its reason names every signal."""
    best: dict[str, float] = {}
    cands: list[tuple[float, str, Words, str, Signal, list[str]]] = []
    for w, where, factor, gated in parts:
        for trick in w.tricks:
            finding.add(trick, where, _TRICKS.get(trick, 0.5))
        for sig, anchors in gated:
            weight = sig.weight * factor
            cands.append((weight, sig.reason, w, where, sig, anchors))
            if weight > best.get(sig.reason, 0.0):
                best[sig.reason] = weight
    if not cands:
        return
    left = sum(best.values())
    cands.sort(key=lambda c: -c[0])
    for reason in sorted(best, key=best.__getitem__, reverse=True):
        if finding.score + left < INJECTION_THRESHOLD:
            return
        left -= best[reason]
        for weight, r, w, where, sig, anchors in cands:
            if r == reason and weight > finding.weights.get(reason, 0.0) and _fires(w, sig, anchors):
                finding.add(reason, where, weight)
                break


def assess(email: Email, subject: str, body: str, hidden: str, words: dict[str, Words]) -> Finding:
    """The guard's finding for one mail, from the texts `message_parts` prepared."""
    finding = Finding()
    sw, bw = words["subject"], words["body"]
    parts = [(sw, "subject", 1.0, _gated(sw)), (bw, "body", 1.0, _gated(bw))]
    meta = _meta(email)
    mw = Words.of(meta) if meta else None
    head = " ".join(x for x in (subject, meta) if x)
    if parts[0][3] or (mw is not None and _gated(mw)):  # a sentence can run from a header into the body
        ow = Words.of(head + " " + body[:OPENING])
        parts.append((ow, "headers+body", 1.0, _gated(ow)))
    texts = [(body, bw, "body")]
    if hidden:
        hw = words["hidden HTML text"]
        parts.append((hw, "hidden text", HIDDEN_FACTOR, _gated(hw)))
        texts.append((hidden, hw, "hidden text"))
        if not hw.tset.isdisjoint(HIDDEN_WORDS) or (
                not hw.low.isascii() and _subs_in(hw.low, _HIDDEN_SUBS, _FOREIGN.search(hw.low) is not None)):
            finding.add("hidden from the reader", "hidden text", 1.0)
    if mw is not None:
        parts.append((mw, "names", 1.0, _gated(mw)))
    if email.attachment_text:
        text = email.attachment_text[:MAX_EXTRA_SCAN]
        aw = Words.of(text)
        parts.append((aw, "attachment", 1.0, _gated(aw)))
        texts.append((text, aw, "attachment"))
    asked = any(not w.tset.isdisjoint(_DECODE_HINTS) for w, _, _, _ in parts)
    codes = set().union(*(w.tset & _CODE_WORDS for w, _, _, _ in parts)) if asked else set()
    for text, w, where in texts:
        _decode_and_judge(finding, text, w, where, asked, codes)
    _weigh(finding, parts)
    if "invisible tag characters" in bw.tricks:
        finding.revealed.append(("text in invisible Unicode tag characters", tag_text(body)[:MAX_EXTRA_SCAN]))
    return finding


def find_injection(email: Email, subject: str, body: str, hidden: str,
                   words: dict[str, Words]) -> tuple[bool, str]:
    """(flagged, the reason naming every signal that fired) from prepared texts."""
    finding = assess(email, subject, body, hidden, words)
    return finding.flagged, finding.reason()


def detect_injection(email: Email) -> tuple[bool, str]:
    """Whether the mail tries to instruct the model reading it, and every reason why."""
    subject, body, hidden, words = message_parts(email)
    return find_injection(email, subject, body, hidden, words)


def revealed_text(email: Email) -> list[tuple[str, str]]:
    """What the guard had to uncover to read the mail (decoded payloads, invisible text), for the
    operator's detail screen: a human should see what the model would have read."""
    subject, body, hidden, words = message_parts(email)
    return [(what, text) for what, text in assess(email, subject, body, hidden, words).revealed if text]
