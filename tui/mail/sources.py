"""Turn a SOURCE argument into a list of `Email`s, in a stable order.

A bad source is a usage problem the user fixes (one-line `SourceError`); a bad message inside a
good source is just a failed row (an `Email` with `parse_error`), so one unreadable file never
stops the other 9,999.
"""

from __future__ import annotations

import mailbox
import os
from pathlib import Path

from tui.mail.parse import parse_bytes
from tui.mail.sample import sample_emails
from tui.model import Email

MAX_SAMPLE = 1_000_000


class SourceError(Exception):
    """The source itself is unusable; the message is one line meant for the user."""


def load_source(spec: str, *, seed: int = 7, raws: dict[str, bytes] | None = None) -> list[Email]:
    """`sample[:COUNT]`, a Maildir, an mbox file, a folder of .eml files, or one .eml file.
    With `raws`, each message's bytes are kept there by email id (extraction needs them)."""
    spec = (spec or "").strip()
    if not spec:
        raise SourceError("no source given: use a Maildir, an mbox file, a folder of .eml files or sample[:COUNT]")
    if spec.lower().startswith(("imap://", "imaps://")):
        # IMAP streams instead of loading a list: tui.mail.imap_source.open_imap_source / ImapSource,
        # used by `fanmail triage imap://... --headless` (tui/headless.py).
        raise SourceError("IMAP sources stream while the fan-out runs: use `fanmail triage imap://USER@HOST:PORT/FOLDER "
                          "--headless` (the dashboard does not read IMAP yet)")
    if spec == "sample" or spec.startswith("sample:"):
        return sample_emails(_sample_count(spec), seed)
    path = Path(spec).expanduser()
    try:
        if not path.exists():
            raise SourceError(f"no such file or folder: {spec}")
        if path.is_dir():
            emails = _read_maildir(path, raws) if is_maildir(path) else _read_eml_folder(path, raws)
        else:
            emails = _read_file(path, raws)
    except PermissionError:
        raise SourceError(f"cannot read {spec}: permission denied") from None
    except OSError as exc:
        raise SourceError(f"cannot read {spec}: {exc.strerror or type(exc).__name__}") from None
    if not emails:
        raise SourceError(f"no email found in {spec}")
    return emails


def _sample_count(spec: str) -> int:
    if spec == "sample":
        return 200
    text = spec.partition(":")[2].strip()
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count <= 0 or not text.isdigit():
        raise SourceError(f"bad sample count {text!r}: use a positive whole number, e.g. sample:500")
    if count > MAX_SAMPLE:
        raise SourceError(f"sample count {count} is too large (at most {MAX_SAMPLE})")
    return count


def _unreadable(email_id: str, ref: str, exc: BaseException) -> Email:
    reason = getattr(exc, "strerror", None) or type(exc).__name__
    return Email(id=email_id, source_ref=ref, parse_error=f"cannot read file: {reason}")


def _parsed(data: bytes, email_id: str, ref: str, raws: dict[str, bytes] | None) -> Email:
    if raws is not None:
        raws[email_id] = data
    return parse_bytes(data, email_id=email_id, source_ref=ref)


def _read(path: Path, email_id: str, raws: dict[str, bytes] | None) -> Email:
    ref = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _unreadable(email_id, ref, exc)
    return _parsed(data, email_id, ref, raws)


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _read_maildir(path: Path, raws: dict[str, bytes] | None) -> list[Email]:
    """new/ then cur/, each sorted; ids are Maildir keys (the file name before the ':2,' info)."""
    out: list[Email] = []
    for sub in ("new", "cur"):
        for name in sorted(os.listdir(path / sub)):
            if name.startswith("."):
                continue
            out.append(_read(path / sub / name, name.split(":", 1)[0], raws))
    return out


def _read_eml_folder(path: Path, raws: dict[str, bytes] | None) -> list[Email]:
    """Every *.eml below `path` (hidden entries skipped), sorted; ids are relative paths."""
    found: list[str] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.lower().endswith(".eml") and not name.startswith("."):
                found.append(Path(root, name).relative_to(path).as_posix())
    return [_read(path / rel, rel, raws) for rel in sorted(found)]


def _read_file(path: Path, raws: dict[str, bytes] | None) -> list[Email]:
    """An mbox if it starts with a 'From ' line, else a single message."""
    try:
        with path.open("rb") as fh:
            head = fh.read(5)
    except OSError as exc:
        return [_unreadable(path.name, str(path), exc)]
    if head == b"From ":
        return _read_mbox(path, raws)
    return [_read(path, path.name, raws)]


def _read_mbox(path: Path, raws: dict[str, bytes] | None) -> list[Email]:
    box = mailbox.mbox(path, create=False)
    out: list[Email] = []
    try:
        for n, key in enumerate(box.iterkeys(), start=1):
            email_id, ref = f"m{n:05d}", f"{path}#{n}"
            try:
                data = box.get_bytes(key)
            except Exception as exc:  # a damaged entry is one failed row, not a failed run
                out.append(Email(id=email_id, source_ref=ref, parse_error=f"unreadable mbox entry ({type(exc).__name__})"))
                continue
            out.append(_parsed(data, email_id, ref, raws))
    finally:
        box.close()
    return out
