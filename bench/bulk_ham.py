"""How the rules and the spam model treat legitimate bulk mail: the bulk-mail sets' held-out halves.

Why it exists: the judged `hard-ham-1` group (newsletters and shop mail people asked for) must not
be tuned on, so three sets of such mail, and spam dressed like it, were written here by three
hands who did not read each other's text: `bench/make_bulk_ham.py` (shops, releases, digests,
events, orders, account mail), `bench/make_bulk_ham2.py` (banks, brokers, insurance, utilities,
travel, charities, newspapers, alumni, SaaS billing, loyalty, job boards) and
`bench/make_bulk_ham3.py` (computing newsletters, software vendors, mailing-list digests,
investment newsletters, catalogues and coupons, fare alerts, hosting and ISP notices, calls for
papers, download sites, magazine renewals). Each is split by a hash of the
file name; changes are made looking at the `dev` halves (which `bench/train_spam.py` also trains
on); this reports the `heldout` half of each set unless told otherwise: ham flagged as spam or
phishing, spam caught, each by kind and by era (2002 or today), with the rules and model together
and the rules alone.

A held-out half comes from the same generator as the half trained on, so it flatters the model.
Two harder questions: `--leave-one-kind-out`, what the model does with a kind of mail it never
saw (one model per pair of a ham kind and a spam kind of one set, trained like
`bench/train_spam.py` but without those two kinds, judged on every message of them), and
`--cross-writer`, what it does with a writer it never read (trained on the corpus groups and
another set's dev half, or both other sets' dev halves, judged on every message of a set).

Usage: python bench/bulk_ham.py [--split dev|heldout|all] [--corpus DIR] [--show K]
       python bench/bulk_ham.py --leave-one-kind-out [--corpus DIR]
       python bench/bulk_ham.py --cross-writer
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_bulk_ham import OUT as OUT1  # noqa: E402
from bench.make_bulk_ham2 import OUT as OUT2  # noqa: E402
from bench.make_bulk_ham3 import OUT as OUT3  # noqa: E402
from bench.make_injection_corpus import split_of  # noqa: E402
from tui.agents.rules import classify, is_junk, rule_scores  # noqa: E402
from tui.mail.parse import parse_bytes  # noqa: E402
from tui.model import Category, Email  # noqa: E402

JUNK = {Category.SPAM, Category.PHISHING}
SETS = (OUT1, OUT2, OUT3)


def load(corpus: Path, kind: str, split: str) -> list[Email]:
    """The messages of `kind` ('ham' or 'spam') in `split`, named by file."""
    return [parse_bytes(p.read_bytes(), email_id=p.name, source_ref=str(p))
            for p in sorted((corpus / kind).glob("*.eml"))
            if split == "all" or split_of(p.name) == split]


def _kinds(corpus: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ham kinds, spam kinds) of a set, as its generator names them in the file names."""
    names = [(kind, p.name.split("-")[0]) for kind in ("ham", "spam")
             for p in sorted((corpus / kind).glob("*.eml"))]
    return tuple(dict.fromkeys(k for f, k in names if f == "ham")), tuple(
        dict.fromkeys(k for f, k in names if f == "spam"))


def _judge(docs: list, judged: list[tuple[Email, bool]], weight: float) -> tuple[int, int, int, int]:
    """(ham flagged, ham, spam caught, spam) of `judged` by the rules and a model fit on `docs`."""
    from tui.agents.rules import learned_spam_evidence
    from tui.agents.rules_text import message_parts
    from tui.agents.spam_model import dumps, loads
    from tui.agents.spam_train import fit

    bias, weights = fit(docs)
    model = loads(dumps(bias, weight, weights))
    junk = [is_junk(rule_scores(e), learned_spam_evidence(model.log_odds(e, message_parts(e)[3]),
                                                          weight)) for e, _ in judged]
    n_spam = sum(spam for _, spam in judged)
    return (sum(j for j, (_, spam) in zip(junk, judged) if not spam), len(judged) - n_spam,
            sum(j for j, (_, spam) in zip(junk, judged) if spam), n_spam)


def _training(sets: tuple[Path, ...]):
    """The corpus groups' documents, and each set's messages with their features."""
    from bench.train_spam import corpus_mail
    from tui.agents.rules_text import message_parts
    from tui.agents.spam_model import features

    def feats(e: Email) -> list[str]:
        return sorted(features(e, message_parts(e)[3]))
    base = [(feats(e), spam, 1.0) for e, spam in corpus_mail()]
    bulk = {c: [(e, feats(e), kind == "spam") for kind in ("ham", "spam") for e in load(c, kind, "all")]
            for c in sets}
    return base, bulk


def leave_one_kind_out(corpus: Path) -> None:
    from itertools import zip_longest

    from tui.agents.spam_model import shipped

    weight = shipped().rules_weight
    base, bulk = _training(SETS if corpus in SETS else SETS + (corpus,))
    others = [(f, spam, 1.0) for c, rows in bulk.items() if c != corpus
              for e, f, spam in rows if split_of(e.id) == "dev"]
    print(f"{corpus.name}, leave one kind out (rules weight {weight}; trained also on the other "
          f"sets' dev halves): ham kind / spam kind left out")
    totals = [0, 0, 0, 0]
    for ham_kind, spam_kind in zip_longest(*_kinds(corpus)):
        out = (ham_kind, spam_kind)
        docs = base + others + [(f, spam, 1.0) for e, f, spam in bulk[corpus]
                                if split_of(e.id) == "dev" and e.id.split("-")[0] != out[spam]]
        judged = [(e, spam) for e, _, spam in bulk[corpus] if e.id.split("-")[0] == out[spam]]
        got = _judge(docs, judged, weight)
        totals = [a + b for a, b in zip(totals, got)]
        print(f"  {ham_kind or '-':>9} / {spam_kind or '-':<11}  ham flagged {pct(*got[:2]):>16}"
              f"  spam caught {pct(*got[2:]):>16}")
    print(f"  all kinds              ham flagged {pct(*totals[:2]):>16}  spam caught "
          f"{pct(*totals[2:]):>16}")


def cross_writer() -> None:
    from tui.agents.spam_model import shipped

    weight = shipped().rules_weight
    base, bulk = _training(SETS)
    print(f"Bulk-mail sets, other writers' dev halves trained on, a writer's every message judged "
          f"(rules weight {weight})")
    for judge in SETS:
        others = [c for c in SETS if c != judge]
        for train in [*([c] for c in others), others]:
            docs = base + [(f, spam, 1.0) for c in train for e, f, spam in bulk[c]
                           if split_of(e.id) == "dev"]
            got = _judge(docs, [(e, spam) for e, _, spam in bulk[judge]], weight)
            name = " + ".join(c.name for c in train)
            print(f"  trained on {name:<21} judged on {judge.name:<9}  ham flagged "
                  f"{pct(*got[:2]):>16}  spam caught {pct(*got[2:]):>16}")


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="heldout")
    ap.add_argument("--corpus", type=Path, help="one set (default: all three)")
    ap.add_argument("--show", type=int, default=0, metavar="K", help="list K ham flagged (dev only)")
    ap.add_argument("--leave-one-kind-out", action="store_true")
    ap.add_argument("--cross-writer", action="store_true")
    args = ap.parse_args()
    if args.cross_writer:
        cross_writer()
        return
    for corpus in (args.corpus,) if args.corpus else SETS:
        if args.leave_one_kind_out:
            leave_one_kind_out(corpus)
        else:
            report(corpus, args.split, args.show)


def report(corpus: Path, split: str, show: int) -> None:
    """One set's half: ham flagged and spam caught, overall, by kind and by era."""
    print(f"Bulk-mail set {corpus.name}, {split} half")
    for kind in ("ham", "spam"):
        emails = load(corpus, kind, split)
        junk = [classify(e).category in JUNK for e in emails]
        alone = [is_junk(rule_scores(e)) for e in emails]
        what = "flagged as spam or phishing" if kind == "ham" else "caught"
        print(f"  {kind}: {what} {pct(sum(junk), len(emails))}, "
              f"rules without the learned model {pct(sum(alone), len(emails))}")
        by: dict[str, list[bool]] = defaultdict(list)
        for e, j in zip(emails, junk):
            family, era = e.id.split("-")[:2]
            by[family].append(j)
            by[era].append(j)
        print("    " + ", ".join(f"{k} {pct(sum(v), len(v))}" for k, v in by.items()))
        if kind == "ham" and show and split == "dev":
            for e, j in zip(emails, junk):
                if j:
                    v = classify(e)
                    print(f"     {e.id:<34} {v.category.value:<8} {e.subject[:60]!r}")


if __name__ == "__main__":
    main()
