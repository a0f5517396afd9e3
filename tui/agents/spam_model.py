"""A learned spam score: logistic weights over the words and a few header facts of a message.

Why it exists: the hand-written spam rules catch about three spam in four on real mail; a model
learned from labelled mail (`bench/train_spam.py`, the SpamAssassin groups `spam-1` and
`easy-ham-2`, and the development halves of the three bulk-mail sets written here, since that
ham has no commercial mail people did ask for) catches far more. It is cheap because it reads
what the classifier has already computed: the distinct body words (`rules_text.Words.tset`, one
dict probe each) and the subject words, plus a handful of header facts.

The model is a small text file shipped inside the package (`spam_weights.tsv`), read once; no
network, no dependency. `features` is shared by training and scoring so they cannot drift.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import repeat
from pathlib import Path

from tui.agents.domains import domain_of, registrable
from tui.agents.rules_text import Words
from tui.model import Email

MODEL_FILE = "spam_weights.tsv"
FORMAT = "fanmail-spam-model 1"
SUBJECT = "s:"  # subject words are features of their own: a headline is not a body
HEADER = "h:"
UNIT = 10_000  # weights are written with 4 decimals


def scale(n_features: int) -> float:
    """Each feature's value in a message with n of them: 1/sqrt(n), so a long newsletter's many
    faintly commercial words do not add up to a verdict that a short pitch has to earn."""
    return 1.0 / math.sqrt(n_features) if n_features else 0.0


@lru_cache(maxsize=4096)
def _sender_facts(sender: str) -> tuple[tuple[str, ...], str]:
    """(features of the From address, its registrable domain): senders repeat, so cached."""
    domain = domain_of(sender)
    if not domain:
        return (HEADER + "from=noaddress",), ""
    out = [HEADER + "tld=" + domain.rpartition(".")[2][:8]]
    local = sender[:sender.rfind("@")].rpartition("<")[2]
    if len(_DIGITS.findall(local)) >= 3:
        out.append(HEADER + "from=digits")
    if "<" not in sender:
        out.append(HEADER + "from=bare")
    return tuple(out), registrable(domain)


_DIGITS = re.compile(r"\d")
_FLAG_HEADERS = tuple((name, HEADER + name) for name in (
    "list-unsubscribe", "reply-to", "authentication-results", "x-priority", "importance"))
_MSGID_SENDER = HEADER + "msgid=sender"  # the sender's own mail system made the message
_NAMES_SENDER = HEADER + "body-names-sender"  # its links or signature name the sender
_TO_NONE = HEADER + "to=none"
_TO_MANY = HEADER + "to=many"


def header_features(email: Email, words: dict[str, Words]) -> list[str]:
    """Facts of the sender and envelope that words miss. The message's format (HTML or not,
    charset, hidden text) is left out on purpose: in the 2002 training mail HTML meant spam,
    in today's mail it means nothing."""
    h = email.headers
    out = [feat for name, feat in _FLAG_HEADERS if name in h]
    facts, reg = _sender_facts(email.sender)
    out += facts
    if reg:
        if reg == registrable(email.message_id.rpartition("@")[2].lower()):
            out.append(_MSGID_SENDER)
        label = reg.partition(".")[0]
        if len(label) >= 3 and label in words["body"].tset:
            out.append(_NAMES_SENDER)
    if not email.to:
        out.append(_TO_NONE)
    elif len(email.to) > 1:
        out.append(_TO_MANY)
    return out


def features(email: Email, words: dict[str, Words]) -> set[str]:
    """Every feature of a message: distinct body words, subject words, header facts."""
    found = set(words["body"].tset)
    found.update(SUBJECT + t for t in words["subject"].tset)
    found.update(header_features(email, words))
    return found


@dataclass(frozen=True, slots=True)
class SpamModel:
    """Logistic weights over binary features, each worth `scale(n)` in a message with n of them.
    Weights are held as integers (units of 1/UNIT), so a sum is exact in any order: a set's
    iteration order changes with the string hash seed, and the verdict must not.
    `rules_weight` is how much spam evidence the rules classifier takes per unit of log-odds."""

    bias: float
    rules_weight: float
    body: dict[str, int]  # keyed by the word itself
    subject: dict[str, int]  # keyed by the word, without the SUBJECT prefix
    header: dict[str, int]

    def log_odds(self, email: Email, words: dict[str, Words]) -> float:
        """Log-odds that the message is spam; only words the model knows cost a lookup."""
        body = words["body"].tset
        subject = words["subject"].tset
        header = header_features(email, words)
        # one dict probe per distinct word, in C (map with a default), no intersection first
        total = sum(map(self.body.get, body, repeat(0)))
        total += sum(map(self.subject.get, subject, repeat(0)))
        total += sum(map(self.header.get, header, repeat(0)))
        return self.bias + scale(len(body) + len(subject) + len(header)) * total / UNIT


def dumps(bias: float, rules_weight: float, weights: dict[str, float]) -> str:
    """The model as text: a fixed header, then one `feature<TAB>weight` per line, sorted, with
    weights rounded, so the same training data always gives byte-identical files."""
    lines = [FORMAT, f"bias\t{bias:.4f}", f"rules_weight\t{rules_weight:.4f}"]
    lines += [f"{feat}\t{weights[feat]:.4f}" for feat in sorted(weights)
              if round(weights[feat], 4) != 0]
    return "\n".join(lines) + "\n"


def loads(text: str) -> SpamModel:
    """Parse `dumps` output; a damaged file is a clear error, never a silently empty model."""
    lines = text.splitlines()
    if not lines or lines[0] != FORMAT:
        raise ValueError(f"not a {FORMAT!r} file")
    head: dict[str, float] = {}
    body: dict[str, int] = {}
    subject: dict[str, int] = {}
    header: dict[str, int] = {}
    for n, line in enumerate(lines[1:], 2):
        feat, sep, value = line.partition("\t")
        if not sep:
            raise ValueError(f"line {n}: expected feature<TAB>weight")
        if n <= 3:
            head[feat] = float(value)
        elif feat.startswith(SUBJECT):
            subject[feat[len(SUBJECT):]] = round(float(value) * UNIT)
        elif feat.startswith(HEADER):
            header[feat] = round(float(value) * UNIT)
        else:
            body[feat] = round(float(value) * UNIT)
    if set(head) != {"bias", "rules_weight"}:
        raise ValueError("bias and rules_weight lines missing")
    return SpamModel(head["bias"], head["rules_weight"], body, subject, header)


@lru_cache(maxsize=4)
def from_file(path: str) -> SpamModel:
    """A model trained here (say, with the operator's corrections); a bad file is one line."""
    try:
        text = Path(path).expanduser().read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"spam model {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return loads(text)
    except ValueError as exc:
        raise ValueError(f"spam model {path}: {exc}") from None


def model_for(path: str | None) -> SpamModel:
    """The configured model (`Settings.spam_model`), or the shipped one."""
    return shipped() if path is None else from_file(path)


@lru_cache(maxsize=1)
def shipped() -> SpamModel:
    """The model in the package, read on first use."""
    return loads(resources.files("tui.agents").joinpath(MODEL_FILE).read_text("utf-8"))
