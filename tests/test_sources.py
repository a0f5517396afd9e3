"""load_source: every supported source round-trips the sample; bad sources are one-line errors."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from tui.mail.sample import generate_sample
from tui.mail.sources import SourceError, load_source


def fields(emails):  # what must survive any storage format
    return [(e.message_id, e.subject, e.sender, e.date, e.text, len(e.attachments)) for e in emails]


@pytest.fixture(scope="module")
def sample():
    return generate_sample(40, seed=5)


@pytest.fixture(scope="module")
def expected(sample):
    return fields(load_source("sample:40", seed=5))


def test_sample_specs() -> None:
    assert len(load_source("sample")) == 200
    emails = load_source("sample:25", seed=3)
    assert [e.id for e in emails] == [f"s{i:05d}" for i in range(1, 26)]
    assert fields(load_source("sample:25", seed=3)) == fields(emails)
    assert fields(load_source("sample:25", seed=4)) != fields(emails)


@pytest.mark.parametrize("spec", ["sample:0", "sample:-3", "sample:abc", "sample:", "sample:2.5", "sample:+4"])
def test_bad_sample_count(spec: str) -> None:
    with pytest.raises(SourceError, match="bad sample count"):
        load_source(spec)


def test_maildir_round_trip(tmp_path: Path, sample, expected) -> None:
    box = mailbox.Maildir(tmp_path / "md", create=True)
    keys = []
    for i, m in enumerate(sample):
        msg = mailbox.MaildirMessage(m.raw)
        if i % 2:
            msg.set_subdir("cur")
            msg.add_flag("S")
        keys.append(box.add(msg))
    box.close()
    emails = load_source(str(tmp_path / "md"))
    assert sorted(e.id for e in emails) == sorted(keys)
    assert sorted(fields(emails), key=repr) == sorted(expected, key=repr)
    assert all(Path(e.source_ref).is_file() for e in emails)
    assert [e.id for e in load_source(str(tmp_path / "md"))] == [e.id for e in emails]  # stable order


def test_mbox_round_trip(tmp_path: Path, sample, expected) -> None:
    path = tmp_path / "inbox.mbox"
    box = mailbox.mbox(path, create=True)
    for m in sample:
        box.add(mailbox.mboxMessage(m.raw))
    box.close()
    emails = load_source(str(path))
    assert [e.id for e in emails] == [f"m{i:05d}" for i in range(1, 41)]
    assert fields(emails) == expected


def test_eml_folder_round_trip(tmp_path: Path, sample, expected) -> None:
    root = tmp_path / "emls"
    for i, m in enumerate(sample):
        sub = root / ("a" if i < 20 else "b/c")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:03d}.eml").write_bytes(m.raw)
    (root / "README.txt").write_text("not mail")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.eml").write_bytes(sample[0].raw)
    emails = load_source(str(root))
    assert [e.id for e in emails] == sorted(e.id for e in emails)
    assert emails[0].id == "a/000.eml" and emails[-1].id == "b/c/039.eml"
    assert fields(emails) == expected


def test_single_eml(tmp_path: Path, sample) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(sample[0].raw)
    [email] = load_source(str(path))
    assert email.id == "one.eml" and email.parse_error is None
    assert email.source_ref == str(path)


def test_bad_files_become_failed_emails(tmp_path: Path, sample) -> None:
    root = tmp_path / "mixed"
    root.mkdir()
    (root / "1.eml").write_bytes(sample[0].raw)
    (root / "2.eml").write_bytes(b"")
    (root / "3.eml").symlink_to(tmp_path / "missing-target")
    emails = load_source(str(root))
    assert [e.id for e in emails] == ["1.eml", "2.eml", "3.eml"]
    assert emails[0].parse_error is None
    assert emails[1].parse_error == "empty message"
    assert emails[2].parse_error and emails[2].parse_error.startswith("cannot read file")


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(SourceError) as err:
        load_source(str(missing))
    assert str(err.value) == f"no such file or folder: {missing}"


def test_empty_folder_and_folder_without_mail(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        load_source(str(tmp_path))
    assert str(err.value) == f"no email found in {tmp_path}"
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(SourceError, match="no email found"):
        load_source(str(tmp_path))
    md = tmp_path / "md"
    mailbox.Maildir(md, create=True).close()
    with pytest.raises(SourceError, match="no email found"):
        load_source(str(md))


def test_empty_mbox(tmp_path: Path) -> None:
    path = tmp_path / "empty.mbox"
    path.write_bytes(b"From MAILER-DAEMON Mon Nov  2 09:00:00 2026\n")
    emails = load_source(str(path))  # one header-less, body-less entry: a failed row, not a crash
    assert all(e.parse_error for e in emails)


def test_imap_and_blank_specs() -> None:
    with pytest.raises(SourceError, match="IMAP sources stream"):  # the headless run streams them
        load_source("imap://sam@mail.example:993/INBOX")
    with pytest.raises(SourceError):
        load_source("  ")


def test_errors_are_one_line(tmp_path: Path) -> None:
    for spec in [str(tmp_path / "x\ny"), "sample:zero", str(tmp_path)]:
        with pytest.raises(SourceError) as err:
            load_source(spec)
        assert str(err.value).count("\n") <= spec.count("\n")
