"""Train the shipped spam model (`tui/agents/spam_weights.tsv`) on SpamAssassin mail.

Only the groups `spam-1` and `easy-ham-2` are read: `spam-2`, `easy-ham-1` and `hard-ham-1` are
held out for `bench/rules_corpus.py` to judge. The development halves of the three bulk-mail sets
written here (`bench/data/bulk_ham` by `bench/make_bulk_ham.py`: newsletters, shop offers, release
notes and order notices; `bench/data/bulk_ham2` by `bench/make_bulk_ham2.py`, another writer's:
bank, broker, insurance, utility, travel, charity, newspaper, alumni, SaaS, loyalty and job-board
mail; `bench/data/bulk_ham3` by `bench/make_bulk_ham3.py`, a third writer's: computing and
investment newsletters, vendor announcements, list digests, catalogues, fare alerts, hosting
notices, calls for papers, download sites, magazine renewals; each with spam dressed like it)
are training mail too: `easy-ham-2` is mailing-list traffic
with no commercial mail in it, so nothing else teaches the model what a legitimate offer looks
like. They are no judged group; their held-out halves are reported by `bench/bulk_ham.py`.
The output is deterministic (same mail, same bytes), so a retrained file that differs means the
data or the code changed.

With `--store DB --out FILE` the operator's corrections to and from spam (the review desk, as each
run kept the email) are added to that training mail; point `spam_model` in fanmail.toml at FILE
to classify with it. The shipped file is only written without `--store`.

Usage: python bench/train_spam.py [--cache DIR] [--bulk DIR ...] [--out FILE] [--store DB --out FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bulk_ham import load as load_bulk  # noqa: E402
from bench.make_bulk_ham import OUT as BULK1  # noqa: E402
from bench.make_bulk_ham2 import OUT as BULK2  # noqa: E402
from bench.make_bulk_ham3 import OUT as BULK3  # noqa: E402
from bench.rules_corpus import DEFAULT_CACHE, fetch, load_group  # noqa: E402
from tui.agents.spam_model import MODEL_FILE  # noqa: E402
from tui.agents.spam_train import train  # noqa: E402
from tui.model import Email  # noqa: E402

TRAIN_SPAM = ("spam-1",)
TRAIN_HAM = ("easy-ham-2",)
OUT = Path(__file__).resolve().parent.parent / "tui" / "agents" / MODEL_FILE
BULK = (BULK1, BULK2, BULK3)  # the three bulk-mail sets, written by three hands
BULK_SPLIT = "dev"  # the bulk-mail sets' half trained on; `bench/bulk_ham.py` reports the other


def corpus_mail(cache: Path = DEFAULT_CACHE) -> list[tuple[Email, bool]]:
    """(email, is spam) of the two training groups, in a fixed order."""
    data = fetch(cache)
    return [(e, group in TRAIN_SPAM) for group in TRAIN_SPAM + TRAIN_HAM
            for e in load_group(data, group) if not e.parse_error]


def bulk_mail(bulk: tuple[Path, ...] = BULK) -> list[tuple[Email, bool]]:
    """(email, is spam) of each bulk-mail set's development half: a set's ham, then its spam."""
    return [(e, kind == "spam") for corpus in bulk for kind in ("ham", "spam")
            for e in load_bulk(corpus, kind, BULK_SPLIT) if not e.parse_error]


def operator_examples(path: Path) -> tuple[list[tuple[Email, bool]], int]:
    from tui.review.spam_examples import corrected_spam
    from tui.store import Store

    store = Store(path)
    try:
        return corrected_spam(store)
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--bulk", type=Path, nargs="+", default=list(BULK),
                    help="the bulk-mail sets (their dev halves)")
    ap.add_argument("--out", type=Path, default=None, help=f"default: {OUT}")
    ap.add_argument("--store", type=Path, help="also learn from the corrections in this store")
    args = ap.parse_args()
    if args.store is not None and args.out is None:
        ap.error("--store needs --out FILE (the shipped model is trained on the corpus alone)")
    if args.store is not None and not args.store.is_file():
        ap.error(f"--store {args.store}: no such file")
    out = args.out or OUT
    labelled, written = corpus_mail(args.cache), bulk_mail(tuple(args.bulk))
    corrected: list[tuple[Email, bool]] = []
    if args.store is not None:
        corrected, missing = operator_examples(args.store)
        print(f"operator corrections: {sum(s for _, s in corrected)} emails to spam, "
              f"{sum(not s for _, s in corrected)} from spam"
              + (f" ({missing} more without a stored text, skipped)" if missing else ""))
    t0 = time.perf_counter()
    result = train(labelled, corrections=corrected, written=written)
    out.write_text(result.text, encoding="utf-8")
    n_spam, w_spam = sum(s for _, s in labelled), sum(s for _, s in written)
    print(f"trained on {n_spam} spam ({', '.join(TRAIN_SPAM)}) and {len(labelled) - n_spam} ham "
          f"({', '.join(TRAIN_HAM)}), plus the bulk-mail sets' {BULK_SPLIT} halves: "
          f"{len(written) - w_spam} ham, {w_spam} spam, in {time.perf_counter() - t0:.1f} s")
    print(f"  features kept: {len(result.text.splitlines()) - 3}, file {len(result.text):,} bytes"
          f" -> {out}")
    print(f"  rules weight {result.rules_weight}: out of fold on the training mail, spam recall "
          f"{result.oof_spam_recall:.1%} (corpus spam), ham false positives "
          f"{result.oof_ham_false_positives:.2%} (all ham)")


if __name__ == "__main__":
    main()
