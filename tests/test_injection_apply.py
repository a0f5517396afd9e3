"""An injection email is never actioned with --apply: real Dovecot, real aiosmtpd, corpus attacks.

The attacks come from bench/data/injection (one per family, several languages); many hide behind an
invoice, so without the guard the rules would file them to Finance and forward them to
accounts payable. With --apply they must stay in INBOX, unflagged, unforwarded, listed for review.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dovecot import PASSWORD, DovecotServer, SmtpSink, dovecot, seed, smtp_sink, snapshot  # noqa: F401
from test_imap import _rows, _triage_args
from tui.mail.sample import generate_sample

CORPUS = Path(__file__).resolve().parent.parent / "bench" / "data" / "injection"
# one attack per family, all from the development half (the held-out half is only measured)
ATTACKS = ("authority-en-encoded-004", "encoded-de-multipart-008", "enumerate-de-html-009", "exfil-de-html-000",
           "forged-de-html-025", "hidden-de-plain-033", "language-de-encoded-030", "reveal-de-encoded-008",
           "split-en-encoded-013", "tool-de-encoded-001")
BENIGN = ("colleague-en-plain-219", "itstaff-en-plain-119", "b64attach-en-plain-016", "marketing-en-html-024")


def _pick(kind: str, stems: tuple[str, ...]) -> list[bytes]:
    found = {p.stem: p for p in (CORPUS / kind).glob("*.eml")}
    missing = [s for s in stems if s not in found]
    assert not missing, f"corpus files renamed? {missing}"
    return [found[s].read_bytes() for s in stems]


@pytest.mark.parametrize("provider", ["rules", "sim"])
async def test_injection_mail_is_left_alone_by_apply(provider: str, dovecot: DovecotServer,  # noqa: F811
                                                      smtp_sink: SmtpSink, tmp_path: Path) -> None:  # noqa: F811
    from test_cli import fanmail

    attacks, benign = _pick("attack", ATTACKS), _pick("benign", BENIGN)
    benign += [m.raw for m in generate_sample(20, seed=7) if not m.truth.injection][:10]  # routable mail
    seed(dovecot, attacks + benign)
    out, acts = tmp_path / "r.jsonl", tmp_path / "a.jsonl"
    args = _triage_args(dovecot, smtp_sink, tmp_path, "--apply", "-o", str(out), "--actions", str(acts))
    if provider == "rules":
        args[args.index("sim")] = "rules"
    code, _, err = await fanmail(*args, env={"FANMAIL_IMAP_PASSWORD": PASSWORD})
    assert code == 0, err
    rows = _rows(out)
    assert len(rows) == len(attacks) + len(benign)
    flagged = [r for r in rows if r["injection"]]
    assert len(flagged) == len(attacks), [(r["email_id"], r["summary"]) for r in rows if not r["injection"]]
    assert all(r["route"] == "review" and not r["urgent"] for r in flagged)
    outcomes = _rows(acts)
    assert any(o["status"] == "applied" for o in outcomes)  # --apply did act, on the sample mail
    for row in flagged:
        mine = [o for o in outcomes if o["email_id"] == row["email_id"]]
        assert mine and all(o["status"] == "review" for o in mine), mine
        assert any(ln.startswith("fanmail: review: ") and row["email_id"] in ln for ln in err.splitlines())
    state = snapshot(dovecot)
    inbox = dict(state["INBOX"])
    for row in flagged:  # still in the inbox, no flag, no keyword, not seen
        flags = inbox[f"<{row['message_id']}>"]
        assert not any(f.startswith("$fanmail") or f in ("\\Flagged", "\\Seen", "\\Deleted") for f in flags)
    forwarded = {data.split(b"Message-ID: ", 1)[-1][:80] for _, _, data in smtp_sink.messages}
    assert not any(row["message_id"].encode() in f for row in flagged for f in forwarded)
    assert sum(len(v) for v in state.values()) == len(rows)  # nothing lost, nothing copied
