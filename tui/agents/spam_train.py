"""Training the spam model: L2-regularised logistic regression over binary features, in plain
Python, deterministic.

Why it is its own module: scoring (`spam_model.py`) must stay tiny and fast, while training runs
only in `bench/train_spam.py` (and, later, on operator corrections). Determinism matters because
the model is a file in the repository: retraining on the same mail must give the same bytes, so
features are numbered in sorted order, documents are visited in an order fixed by a seeded
generator, and nothing iterates a set of strings (whose order changes with the hash seed).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from tui.agents.spam_model import dumps, features, scale
from tui.model import Email

Doc = tuple[Iterable[str], bool, float]  # (features of one message, is it spam, how much it counts)
# An operator's correction is about this mailbox, the corpus about someone else's in 2002: it
# counts as this many corpus messages (a judgement, not measured).
CORRECTION_WEIGHT = 5.0


def _index(docs: Sequence[Doc], min_docs: int,
           ) -> tuple[list[str], list[tuple[list[int], float, bool, float]]]:
    df: Counter[str] = Counter()
    for feats, _, _ in docs:
        df.update(set(feats))
    vocab = sorted(f for f, n in df.items() if n >= min_docs)
    ix = {f: i for i, f in enumerate(vocab)}
    rows = []
    for feats, spam, weight in docs:
        distinct = set(feats)
        rows.append((sorted(ix[f] for f in distinct if f in ix), scale(len(distinct)), spam, weight))
    return vocab, rows


def fit(docs: Sequence[Doc], *, epochs: int = 12, rate: float = 0.3, l2: float = 1e-3,
        min_docs: int = 3, max_features: int = 12_000, seed: int = 14,
        ) -> tuple[float, dict[str, float]]:
    """(bias, feature -> weight). AdaGrad steps per message; the lightest weights are dropped so
    the shipped file stays small (at most `max_features`)."""
    vocab, rows = _index(docs, min_docs)
    w = [0.0] * len(vocab)
    g2 = [1e-8] * len(vocab)
    bias, bias_g2 = 0.0, 1e-8
    order = list(range(len(rows)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for r in order:
            feats, x, spam, weight = rows[r]
            z = bias + x * sum(w[i] for i in feats)
            p = 1.0 / (1.0 + math.exp(-max(-35.0, min(35.0, z))))
            err = weight * (p - (1.0 if spam else 0.0))
            bias_g2 += err * err
            bias -= rate * err / math.sqrt(bias_g2)
            for i in feats:
                g = err * x + l2 * w[i]
                g2[i] += g * g
                w[i] -= rate * g / math.sqrt(g2[i])
    ranked = sorted(range(len(vocab)), key=lambda i: (-abs(w[i]), vocab[i]))[:max_features]
    return bias, {vocab[i]: w[i] for i in ranked}


def log_odds(bias: float, weights: dict[str, float], feats: Iterable[str]) -> float:
    distinct = sorted(set(feats))
    return bias + scale(len(distinct)) * sum(weights.get(f, 0.0) for f in distinct)


def out_of_fold(docs: Sequence[Doc], folds: int = 5, **kw: float) -> list[float]:
    """Each message's log-odds from a model that never saw it (fold = position mod `folds`)."""
    scores = [0.0] * len(docs)
    for k in range(folds):
        bias, weights = fit([d for n, d in enumerate(docs) if n % folds != k], **kw)
        for n in range(k, len(docs), folds):
            scores[n] = log_odds(bias, weights, docs[n][0])
    return scores


class Trained(NamedTuple):
    text: str  # the model file
    rules_weight: float
    oof_spam_recall: float  # with the rules, out of fold, on the training mail
    oof_ham_false_positives: float


def train(labelled: Sequence[tuple[Email, bool]], *,
          corrections: Sequence[tuple[Email, bool]] = (),
          written: Sequence[tuple[Email, bool]] = (), goal_recall: float = 0.9,
          max_ham_rate: float = 0.005, **kw: float) -> Trained:
    """The model file for these (email, is spam) pairs, plus the operator's `corrections` (each
    counting CORRECTION_WEIGHT times as much) and mail `written` for the purpose (the bulk-mail
    set). How much weight the rules give the model is chosen here too, on the training mail
    only: the lightest weight whose out-of-fold verdicts (the rules plus a model that never saw
    the message) reach `goal_recall` on the spam while flagging at most `max_ham_rate` of the
    ham; the heaviest tried if none does. The lightest, because the training ham cannot show
    every kind of ham the model will meet. Written spam is left out of the recall: it is there
    for balance, and far easier than real spam (it would let a lighter weight pass)."""
    from tui.agents.rules import is_junk, learned_spam_evidence, rule_scores
    from tui.agents.rules_text import message_parts

    docs: list[Doc] = []
    weights = [1.0] * len(labelled) + [CORRECTION_WEIGHT] * len(corrections) + [1.0] * len(written)
    counts = [True] * (len(labelled) + len(corrections)) + [not spam for _, spam in written]
    labelled = [*labelled, *corrections, *written]
    for (email, spam), weight in zip(labelled, weights):
        docs.append((features(email, words=message_parts(email)[3]), spam, weight))
    bias, feature_weights = fit(docs, **kw)
    oof = out_of_fold(docs, **kw)
    base = [rule_scores(email) for email, _ in labelled]
    n_spam = sum(spam and c for (_, spam), c in zip(labelled, counts)) or 1
    n_ham = sum(not spam for _, spam in labelled) or 1
    chosen = None
    for weight in RULES_WEIGHTS:
        hits = fps = 0
        for scores, z, (_, spam), count in zip(base, oof, labelled, counts):
            junk = is_junk(scores, learned_spam_evidence(z, weight))
            hits += junk and spam and count
            fps += junk and not spam
        chosen = (weight, hits / n_spam, fps / n_ham)
        if chosen[1] >= goal_recall and chosen[2] <= max_ham_rate:
            break
    assert chosen is not None
    return Trained(dumps(bias, chosen[0], feature_weights), *chosen)


RULES_WEIGHTS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0)

