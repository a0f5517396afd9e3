"""Corrections: validated before anything is written, folded into rows, undone by session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.model import ResultRow
from tui.review.apply import apply_corrections
from tui.review.log import CorrectionLog, corrected_rows, list_corrections
from tui.review.records import CorrectionError, parse_changes
from tui.settings import Settings
from tui.store import Store


def _row(email_id: str, **kw: object) -> ResultRow:
    base = dict(status="ok", route="support", category="complaint", urgent=True, priority=80, injection=False,
                confidence=0.9, sender="ann@acme.example", subject="Broken again")
    return ResultRow(email_id=email_id, **{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.db")
    s.create_run("run1", source="sample", settings={}, total=3)
    s.add_emails("run1", [(e, f"<{e}>", "Broken again", "ann@acme.example") for e in ("e1", "e2", "e3")])
    s.put_verdict("run1", _row("e1"))
    s.put_verdict("run1", _row("e2", route="review", review=True, injection=True, injection_reason="ignore previous",
                               flags=["injection", "proposed:sales"]))
    s.put_verdict("run1", _row("e3", route="review", review=True, confidence=0.3,
                               flags=["low-confidence", "proposed:billing"]))
    s.flush()
    yield s
    s.close()


def test_add_keeps_the_models_value_and_folds_into_the_row(store: Store) -> None:
    log = CorrectionLog(store, Settings(), user="olga")
    records = log.add("run1", ["e1"], {"route": "sales", "urgent": "false", "priority": "40"}, note="a lead")
    assert [(r.field, r.model_value, r.value) for r in records] == [
        ("route", "support", "sales"), ("urgent", True, False), ("priority", 80, 40)]
    assert {r.group for r in records} == {records[0].group} and all(r.id for r in records)
    row = corrected_rows(store, "run1")["e1"]
    assert (row.route, row.urgent, row.priority) == ("sales", False, 40)
    review = row.model_dump(mode="json")["review"]
    assert review["reviewed"] and review["decided_by"] == "operator" and review["by"] == "olga"
    assert review["corrected"] == {"route": "support", "urgent": True, "priority": 80}
    assert review["note"] == "a lead"


@pytest.mark.parametrize("changes, message", [
    ({"route": "nowhere"}, "route=nowhere: unknown route"),
    ({"priority": 150}, "priority=150: out of range 0-100"),
    ({"priority": "high"}, "priority=high: expected a whole number"),
    ({"urgent": "maybe"}, "urgent=maybe: expected true or false"),
    ({"category": "gossip"}, "category=gossip: unknown category"),
    ({"colour": "red"}, "unknown field 'colour'"),
])
def test_bad_input_is_one_line_and_writes_nothing(store: Store, changes: dict[str, object], message: str) -> None:
    log = CorrectionLog(store, Settings())
    with pytest.raises(CorrectionError, match=message) as err:
        log.add("run1", ["e1", "e2"], changes)
    assert "\n" not in str(err.value)
    assert list_corrections(store) == []


def test_unknown_run_or_email_writes_nothing(store: Store) -> None:
    log = CorrectionLog(store, Settings())
    with pytest.raises(CorrectionError, match="no run 'nope'"):
        log.add("nope", ["e1"], {"route": "sales"})
    with pytest.raises(CorrectionError, match="no email 'e9' in run run1"):
        log.add("run1", ["e1", "e9"], {"route": "sales"})  # one bad email: the good one is not written either
    assert list_corrections(store) == []


def test_parse_changes_from_the_command_line() -> None:
    names = Settings().route_names
    assert parse_changes(["route=sales", "urgent=no", "priority=40"], names) == {
        "route": "sales", "urgent": False, "priority": 40}
    assert parse_changes(["accept"], names) == {"accept": None}
    with pytest.raises(CorrectionError, match="given twice"):
        parse_changes(["route=sales", "route=billing"], names)


def test_injection_mail_is_filed_only_once_the_flag_is_cleared(store: Store) -> None:
    log = CorrectionLog(store, Settings())
    log.add("run1", ["e2"], {"route": "billing"})
    row = corrected_rows(store, "run1")["e2"]
    assert row.route == "billing" and row.review and row.injection  # still held: the flag stands
    log.add("run1", ["e2"], {"injection": False})
    row = corrected_rows(store, "run1")["e2"]
    assert not row.review and not row.injection and row.route == "billing"


def test_clearing_injection_restores_the_proposed_route(store: Store) -> None:
    CorrectionLog(store, Settings()).add("run1", ["e2"], {"injection": False})
    row = corrected_rows(store, "run1")["e2"]
    assert (row.route, row.review, row.decision.corrected) == ("sales", False, {"injection": True})


def test_accept_marks_reviewed_without_changing_anything(store: Store) -> None:
    CorrectionLog(store, Settings()).add("run1", ["e3"], {"accept": None})
    before = store.verdicts("run1")["e3"]
    row = corrected_rows(store, "run1")["e3"]
    assert row.decision.reviewed and row.decision.corrected == {} and row.decision.decided_by == "model"
    assert (row.route, row.review) == (before.route, before.review)


def test_undo_takes_back_the_last_actions_of_this_session_only(store: Store) -> None:
    mine, theirs = CorrectionLog(store, Settings()), CorrectionLog(store, Settings())
    mine.add("run1", ["e1", "e3"], {"route": "sales"})  # one bulk action
    theirs.add("run1", ["e1"], {"priority": 10})
    mine.add("run1", ["e1"], {"route": "billing"})
    assert {r.value for r in mine.undo()} == {"billing"}
    assert corrected_rows(store, "run1")["e1"].route == "sales"
    assert {(r.email_id, r.value) for r in mine.undo()} == {("e1", "sales"), ("e3", "sales")}
    assert mine.undo() == []
    row = corrected_rows(store, "run1")["e1"]
    assert (row.route, row.priority) == ("support", 10)  # the other session's correction stays
    assert len(list_corrections(store, include_undone=True)) == 4  # undone, never deleted


def test_export_import_round_trip_skips_what_is_there(store: Store, tmp_path: Path) -> None:
    log = CorrectionLog(store, Settings())
    log.add("run1", ["e1"], {"route": "sales", "priority": 40})
    path = tmp_path / "c.jsonl"
    assert log.export(path) == 2
    other = Store(tmp_path / "other.db")
    try:
        assert CorrectionLog(other, Settings()).import_(path) == (2, 0)
        assert CorrectionLog(other, Settings()).import_(path) == (0, 2)
        assert [(c.field, c.value, c.sender) for c in list_corrections(other)] == [
            ("route", "sales", "ann@acme.example"), ("priority", 40, "ann@acme.example")]
    finally:
        other.close()


def test_import_with_a_bad_line_writes_nothing(store: Store, tmp_path: Path) -> None:
    log = CorrectionLog(store, Settings())
    log.add("run1", ["e1"], {"route": "sales"})
    path = tmp_path / "c.jsonl"
    log.export(path)
    path.write_text(path.read_text() + path.read_text().replace('"sales"', '"atlantis"'))
    other = Store(tmp_path / "other.db")
    try:
        with pytest.raises(CorrectionError, match=r"c.jsonl:2: route=atlantis: unknown route"):
            CorrectionLog(other, Settings()).import_(path)
        assert list_corrections(other) == []
    finally:
        other.close()


def test_stored_row_round_trips_with_its_review_object() -> None:
    row = apply_corrections(_row("e1"), [])
    assert row.decision is None and row.model_dump(mode="json")["review"] is None
    from tui.review.records import Correction

    fixed = apply_corrections(_row("e1"), [Correction(id=1, run_id="r", email_id="e1", field="route",
                                                      model_value="support", value="sales", at=1.0, user="u")])
    assert ResultRow.model_validate(fixed.full_dict()) == fixed
    assert ResultRow.model_validate(fixed.model_dump(mode="json")).decision == fixed.decision


def test_a_correction_replans_the_emails_imap_actions(store: Store) -> None:
    from tui.mail.actions import plan_actions
    from tui.model import Email

    settings = Settings()
    email = Email(id="e2", source_ref="imap://u@h:143/INBOX;UIDVALIDITY=9/;UID=4", subject="Broken again")
    log = CorrectionLog(store, settings)

    def plan() -> list[tuple[str, str]]:
        return [(a.kind, a.detail) for a in plan_actions(corrected_rows(store, "run1")["e2"], email, settings)]

    assert plan() == [("review", "suspected prompt injection: ignore previous")]
    log.add("run1", ["e2"], {"route": "billing"})
    assert [k for k, _ in plan()] == ["review"]  # a route alone never files injection mail
    log.add("run1", ["e2"], {"injection": False})
    assert plan() == [("flag", "\\Flagged"), ("keyword", "$fanmail_billing"), ("move", "Billing")]  # follows it
    log.undo()
    assert [k for k, _ in plan()] == ["review"]
