"""The bulk-mail development set in the repo is what its generator writes, and its halves are the
ones training and the report use (a model trained on the held-out half would flatter itself)."""

from __future__ import annotations

from pathlib import Path

from bench.make_bulk_ham import OUT, write
from bench.make_injection_corpus import split_of
from bench.train_spam import bulk_mail


def test_the_set_in_the_repo_is_what_the_generator_writes(tmp_path: Path) -> None:
    write(tmp_path, 60, 14)
    for kind in ("ham", "spam"):
        ours = sorted(p.name for p in (OUT / kind).glob("*.eml"))
        fresh = sorted(p.name for p in (tmp_path / kind).glob("*.eml"))
        assert ours == fresh and len(ours) == 420
        assert all((OUT / kind / n).read_bytes() == (tmp_path / kind / n).read_bytes() for n in ours)


def test_training_reads_only_the_development_half() -> None:
    trained = bulk_mail()
    assert trained and all(split_of(e.id) == "dev" for e, _ in trained)
    held_out = [p for p in OUT.glob("*/*.eml") if split_of(p.name) == "heldout"]
    assert 0.35 < len(held_out) / 840 < 0.65
