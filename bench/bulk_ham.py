"""How the rules and the spam model treat legitimate bulk mail: the bulk-mail set's held-out half.

Why it exists: the judged `hard-ham-1` group (newsletters and shop mail people asked for) must not
be tuned on, so `bench/make_bulk_ham.py` writes a set of such mail, and spam dressed like it,
split by a hash of the file name. Changes are made looking at the `dev` half (which
`bench/train_spam.py` also trains on); this reports the `heldout` half unless told otherwise: ham
flagged as spam or phishing, spam caught, each by kind and by era (2002 or today), with the rules
and model together and the rules alone.

The held-out half comes from the same generator as the half trained on, so it flatters the model.
`--leave-one-kind-out` asks the harder question, what the model does with a kind of mail it never
saw: six models, each trained like `bench/train_spam.py` (the corpus groups and the dev half) but
without one ham kind and one spam kind, judged (at the shipped rules weight) on every message of
the two kinds left out.

Usage: python bench/bulk_ham.py [--split dev|heldout|all] [--corpus DIR] [--show K]
       python bench/bulk_ham.py --leave-one-kind-out
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_bulk_ham import OUT  # noqa: E402
from bench.make_injection_corpus import split_of  # noqa: E402
from tui.agents.rules import classify, is_junk, rule_scores  # noqa: E402
from tui.mail.parse import parse_bytes  # noqa: E402
from tui.model import Category, Email  # noqa: E402

JUNK = {Category.SPAM, Category.PHISHING}


def load(corpus: Path, kind: str, split: str) -> list[Email]:
    """The messages of `kind` ('ham' or 'spam') in `split`, named by file."""
    return [parse_bytes(p.read_bytes(), email_id=p.name, source_ref=str(p))
            for p in sorted((corpus / kind).glob("*.eml"))
            if split == "all" or split_of(p.name) == split]


def leave_one_kind_out(corpus: Path) -> None:
    from bench.bulk_ham_text import SPAM_KINDS
    from bench.make_bulk_ham import HAM_KINDS
    from bench.train_spam import corpus_mail
    from tui.agents.rules import learned_spam_evidence
    from tui.agents.rules_text import message_parts
    from tui.agents.spam_model import dumps, features, loads, shipped
    from tui.agents.spam_train import fit

    weight = shipped().rules_weight
    bulk = [(e, kind == "spam") for kind in ("ham", "spam") for e in load(corpus, kind, "all")]
    feats = {e.id: sorted(features(e, message_parts(e)[3])) for e, _ in bulk}
    base = [(sorted(features(e, message_parts(e)[3])), spam, 1.0) for e, spam in corpus_mail()]
    print(f"Bulk-mail set, leave one kind out (rules weight {weight}): ham kind / spam kind left out")
    totals = [0, 0, 0, 0]
    for ham_kind, spam_kind in zip(HAM_KINDS, SPAM_KINDS):
        out = (ham_kind, spam_kind)
        docs = base + [(feats[e.id], spam, 1.0) for e, spam in bulk if split_of(e.id) == "dev"
                       and e.id.split("-")[0] != out[spam]]
        bias, weights = fit(docs)
        model = loads(dumps(bias, weight, weights))
        judged = [(e, spam) for e, spam in bulk if e.id.split("-")[0] == out[spam]]
        junk = [is_junk(rule_scores(e), learned_spam_evidence(model.log_odds(e, message_parts(e)[3]),
                                                              weight)) for e, _ in judged]
        fp = sum(j for j, (_, spam) in zip(junk, judged) if not spam)
        tp = sum(j for j, (_, spam) in zip(junk, judged) if spam)
        n_spam = sum(spam for _, spam in judged)
        totals = [totals[0] + fp, totals[1] + len(judged) - n_spam, totals[2] + tp, totals[3] + n_spam]
        print(f"  {ham_kind:>9} / {spam_kind:<9}  ham flagged {pct(fp, len(judged) - n_spam):>16}"
              f"  spam caught {pct(tp, n_spam):>16}")
    print(f"  all kinds            ham flagged {pct(totals[0], totals[1]):>16}  spam caught "
          f"{pct(totals[2], totals[3]):>16}")


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="heldout")
    ap.add_argument("--corpus", type=Path, default=OUT)
    ap.add_argument("--show", type=int, default=0, metavar="K", help="list K ham flagged (dev only)")
    ap.add_argument("--leave-one-kind-out", action="store_true")
    args = ap.parse_args()
    if args.leave_one_kind_out:
        leave_one_kind_out(args.corpus)
        return
    print(f"Bulk-mail set ({args.corpus}), {args.split} half")
    for kind in ("ham", "spam"):
        emails = load(args.corpus, kind, args.split)
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
        if kind == "ham" and args.show and args.split == "dev":
            for e, j in zip(emails, junk):
                if j:
                    v = classify(e)
                    print(f"     {e.id:<34} {v.category.value:<8} {e.subject[:60]!r}")


if __name__ == "__main__":
    main()
