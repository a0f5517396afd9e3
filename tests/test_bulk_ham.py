"""The bulk-mail development sets in the repo are what their generators write, and their halves
are the ones training and the report use (a model trained on the held-out half would flatter
itself)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import make_bulk_ham, make_bulk_ham2, make_bulk_ham3
from bench.make_injection_corpus import split_of
from bench.train_spam import BULK, bulk_mail


@pytest.mark.parametrize(("generator", "per_kind", "seed", "n_ham", "n_spam"), [
    (make_bulk_ham, 60, 14, 420, 420),
    (make_bulk_ham2, 30, 2, 330, 210),
    (make_bulk_ham3, 30, 3, 300, 240),
])
def test_each_set_in_the_repo_is_what_its_generator_writes(
        tmp_path: Path, generator, per_kind: int, seed: int, n_ham: int, n_spam: int) -> None:
    generator.write(tmp_path, per_kind, seed)
    for kind, n in (("ham", n_ham), ("spam", n_spam)):
        ours = sorted(p.name for p in (generator.OUT / kind).glob("*.eml"))
        fresh = sorted(p.name for p in (tmp_path / kind).glob("*.eml"))
        assert ours == fresh and len(ours) == n
        assert all((generator.OUT / kind / n).read_bytes() == (tmp_path / kind / n).read_bytes()
                   for n in ours)


def test_training_reads_only_the_development_halves_of_every_set() -> None:
    assert BULK == (make_bulk_ham.OUT, make_bulk_ham2.OUT, make_bulk_ham3.OUT)
    trained = bulk_mail()
    assert trained and all(split_of(e.id) == "dev" for e, _ in trained)
    sources = {Path(e.source_ref).parent.parent for e, _ in trained}
    assert sources == set(BULK)
    for corpus in BULK:
        files = list(corpus.glob("*/*.eml"))
        held_out = [p for p in files if split_of(p.name) == "heldout"]
        assert 0.35 < len(held_out) / len(files) < 0.65


@pytest.mark.parametrize("generator", [make_bulk_ham2, make_bulk_ham3])
def test_a_sets_mail_is_parsed_cleanly_and_every_kind_is_in_both_halves(generator) -> None:
    from bench.bulk_ham import load

    for kind in ("ham", "spam"):
        emails = load(generator.OUT, kind, "all")
        assert emails and not any(e.parse_error for e in emails)
        assert all(e.text.strip() and e.sender and e.message_id for e in emails)
        for family in {e.id.split("-")[0] for e in emails}:
            halves = {split_of(e.id) for e in emails if e.id.startswith(family + "-")}
            assert halves == {"dev", "heldout"}


def test_the_third_sets_digests_carry_their_list_services_footers_and_headers() -> None:
    """The digests are what make the third set unlike the others: a list service's removal
    header and its footer telling the reader how to leave."""
    from bench.bulk_ham import load

    digests = [e for e in load(make_bulk_ham3.OUT, "ham", "all") if e.id.startswith("digest-")]
    assert len(digests) == 30
    for e in digests:
        assert "list-unsubscribe" in e.headers and e.sender.split("@")[0] in e.subject
        assert "Topics in this digest" in e.text and "unsubscribe" in e.text.lower()
    services = {s for e in digests for s in ("yahoogroups.com", "topica.com", "groups.io",
                                             "googlegroups.com", "mailman") if s in e.text}
    assert {"yahoogroups.com", "topica.com"} & services and {"groups.io", "googlegroups.com"} & services
