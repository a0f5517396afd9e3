"""How well the injection guard holds on the public corpus in bench/data/injection and on real ham.

Why it exists: the guard's figure must come from attacks it was not tuned on. The corpus
(written by bench/make_injection_corpus.py) is split by a hash of each file name; the threshold
and signals were tuned on `dev` only, and this reports `heldout` unless told otherwise. Real ham
comes from the SpamAssassin corpus (fetched like bench/rules_corpus.py does): easy-ham-2 is the
development set, easy-ham-1 and hard-ham-1 are judged.

Usage: python bench/injection.py [--split dev|heldout|all] [--show K] [--no-ham] [--cache DIR]
                                [--corpus DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_injection_corpus import OUT, split_of  # noqa: E402
from bench.rules_corpus import DEFAULT_CACHE, fetch, load_group  # noqa: E402
from tui.agents.rules import classify  # noqa: E402
from tui.mail.parse import parse_bytes  # noqa: E402

DEV_HAM = ("easy-ham-2",)
JUDGED_HAM = ("easy-ham-1", "hard-ham-1")


def load(corpus: Path, kind: str, split: str) -> list[tuple[str, bool, str]]:
    """(file name, flagged, reason) for each corpus message of `kind` in `split`."""
    out = []
    for path in sorted((corpus / kind).glob("*.eml")):
        if split != "all" and split_of(path.name) != split:
            continue
        verdict = classify(parse_bytes(path.read_bytes(), email_id=path.name))
        out.append((path.name, verdict.injection, verdict.injection_reason))
    return out


def table(title: str, rows: list[tuple[str, bool, str]], field: int, flagged_is_good: bool) -> None:
    groups: dict[str, list[bool]] = defaultdict(list)
    for name, flagged, _ in rows:
        groups[name.split("-")[field]].append(flagged)
    print(f"  {title}")
    for key in sorted(groups):
        hits = groups[key]
        rate = sum(hits) / len(hits)
        print(f"    {key:<14} {rate:6.1%} ({sum(hits)}/{len(hits)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="heldout")
    ap.add_argument("--show", type=int, default=0, metavar="K", help="print K misses and K false alarms")
    ap.add_argument("--no-ham", action="store_true", help="skip the SpamAssassin ham")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--corpus", type=Path, default=OUT,
                    help="another draw of the generator (make_injection_corpus.py --seed N --out DIR)")
    args = ap.parse_args()
    if not (args.corpus / "attack").is_dir():
        ap.error(f"no corpus at {args.corpus} (write one with bench/make_injection_corpus.py --out)")
    attacks, benign = load(args.corpus, "attack", args.split), load(args.corpus, "benign", args.split)
    caught = sum(f for _, f, _ in attacks)
    false = sum(f for _, f, _ in benign)
    print(f"Injection corpus, {args.split} half ({len(attacks)} attacks, {len(benign)} hard benign)")
    print(f"  recall:                 {caught / len(attacks):6.1%} ({caught}/{len(attacks)})")
    print(f"  hard-benign false pos.: {false / len(benign):6.1%} ({false}/{len(benign)})")
    table("recall by family", attacks, 0, True)
    table("recall by language", attacks, 1, True)
    table("recall by form", attacks, 2, True)
    table("false positives by kind", benign, 0, False)
    table("false positives by language", benign, 1, False)
    if args.show:
        print("  -- missed attacks")
        for name, f, _ in [r for r in attacks if not r[1]][: args.show]:
            print(f"     {name}")
        print("  -- false alarms")
        for name, _, reason in [r for r in benign if r[1]][: args.show]:
            print(f"     {name}: {reason}")
    if args.no_ham:
        return
    data = fetch(args.cache)
    groups = DEV_HAM if args.split == "dev" else JUDGED_HAM if args.split == "heldout" else DEV_HAM + JUDGED_HAM
    print(f"SpamAssassin ham ({', '.join(groups)})")
    total = flagged = 0
    shown = 0
    t0 = time.perf_counter()
    for group in groups:
        emails = [e for e in load_group(data, group) if not e.parse_error]
        verdicts = [classify(e) for e in emails]
        hits = [(e, v) for e, v in zip(emails, verdicts) if v.injection]
        print(f"  {group:<11} flagged as injection {len(hits) / len(emails):6.2%} ({len(hits)}/{len(emails)})")
        total += len(emails)
        flagged += len(hits)
        for e, v in hits:
            if shown < args.show:
                print(f"     {e.id[:30]}: {v.injection_reason}")
                shown += 1
    print(f"  all         flagged as injection {flagged / max(1, total):6.2%} ({flagged}/{total})"
          f"  [{time.perf_counter() - t0:.1f} s with parsing]")


if __name__ == "__main__":
    main()
