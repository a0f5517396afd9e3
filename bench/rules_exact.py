"""Exactness check for speed work on the rules: dump every verdict and score, change the code, compare.

Why it exists: a speed step on the rules classifier or its injection guard must not change a
single verdict, and the corpus figures cannot show that (two changes can cancel out). `dump`
records, for 10,206 mails (the SpamAssassin corpus, bench/data/injection, two more injection
corpora written with seeds 15 and 16, generate_sample(2000, seed=7)), the verdict, the guard's
score, weights and revealed text, the rules' own category scores, the spam model's log-odds and
a digest of its features; `cmp` runs the same on the code as it is now and names what differs.

Usage: python bench/rules_exact.py dump FILE   (before the change)
       python bench/rules_exact.py cmp FILE    (after it; exit 1 if anything differs)
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_injection_corpus import write as write_injection  # noqa: E402
from bench.rules_corpus import DEFAULT_CACHE, HAM, SPAM, fetch, load_group  # noqa: E402
from tui.agents.injection_rules import assess  # noqa: E402
from tui.agents.rules import classify, rule_scores  # noqa: E402
from tui.agents.rules_text import message_parts  # noqa: E402
from tui.agents.spam_model import features, shipped  # noqa: E402
from tui.mail.parse import parse_bytes  # noqa: E402
from tui.mail.sample import generate_sample  # noqa: E402
from tui.model import Email  # noqa: E402

INJECTION = Path(__file__).resolve().parent / "data" / "injection"


def _emails(tmp: Path) -> list[Email]:
    data = fetch(DEFAULT_CACHE)
    out = [e for g in HAM + SPAM for e in load_group(data, g) if not e.parse_error]
    dirs = [("injection", INJECTION)]
    for seed in (15, 16):
        write_injection(tmp / f"seed{seed}", 36, 360, seed)
        dirs.append((f"injection-seed{seed}", tmp / f"seed{seed}"))
    for name, d in dirs:
        out += [parse_bytes(p.read_bytes(), email_id=f"{name}/{p.parent.name}/{p.name}")
                for p in sorted(d.glob("*/*.eml"))]
    out += [parse_bytes(m.raw, email_id=f"sample/{m.email_id}") for m in generate_sample(count=2000, seed=7)]
    return out


def _record(email: Email) -> tuple[object, ...]:
    """Everything the rules decide about one mail, down to the scores behind the verdict."""
    parts = message_parts(email)
    finding = assess(email, *parts)
    feats = "\n".join(sorted(features(email, parts[3]))).encode("utf-8", "surrogatepass")
    return (classify(email).model_dump(), [(w, t) for w, t in finding.revealed if t], rule_scores(email),
            shipped().log_odds(email, parts[3]), finding.score, dict(finding.weights),
            hashlib.sha256(feats).hexdigest())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("dump", "cmp"))
    ap.add_argument("file", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        now = {e.id: _record(e) for e in _emails(Path(tmp))}
    if args.action == "dump":
        args.file.write_bytes(pickle.dumps(now))
        print(f"dumped {len(now)} mails to {args.file}")
        return
    ref = pickle.loads(args.file.read_bytes())
    differ = [k for k in ref.keys() | now.keys() if ref.get(k) != now.get(k)]
    print(f"{len(ref)} compared, {len(differ)} differ")
    for key in sorted(differ)[:10]:
        print(f"  {key}\n    before {ref.get(key)}\n    after  {now.get(key)}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
