"""IMAP triage, folder actions and SMTP forwarding against a real Dovecot and a real aiosmtpd.

The `fanmail` command runs in a subprocess as a user would run it; the mailbox is inspected
afterwards with the standard library's imaplib (tests/dovecot.py).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from dovecot import (  # noqa: F401 - fixtures
    PASSWORD, DovecotServer, SmtpSink, ThrottledProxy, dovecot, free_port, seed, smtp_sink, snapshot,
)
from tui.mail.actions import Action, apply_actions, plan_actions, route_keyword
from tui.mail.imap_client import ImapSession, quote_mailbox, uid_set, uid_sets
from tui.mail.imap_source import ImapSource
from tui.mail.imap_target import ImapError, ImapOptions, parse_imap_url, parse_source_ref
from tui.mail.sample import generate_sample
from tui.mail.smtp import forward_message, parse_smtp_url
from tui.model import Email, ResultRow
from tui.settings import Settings
from tui.store import Store

FAST_SIM = ["--provider", "sim", "--sim-latency", "0.01", "--sim-jitter", "0", "--sim-fail-rate", "0",
            "--sim-hang-rate", "0", "--sim-garbage-rate", "0"]
ROUTES_TOML = """
[[routes]]
name = "incidents"
folder = "Incidents"
categories = ["outage"]
forward_to = "oncall@example.com"
[[routes]]
name = "support"
folder = "Support"
categories = ["complaint"]
[[routes]]
name = "billing"
folder = "Finance/Invoices"
categories = ["invoice"]
forward_to = "ap@example.com"
[[routes]]
name = "sales"
folder = "Sales"
categories = ["sales_lead"]
[[routes]]
name = "newsletters"
folder = "Newsletters"
categories = ["newsletter"]
[[routes]]
name = "notifications"
folder = "Notifications"
categories = ["notification"]
[[routes]]
name = "personal"
folder = "INBOX"
categories = ["personal", "other"]
[[routes]]
name = "quarantine"
folder = "Quarantine"
categories = ["phishing", "spam"]
"""
FOLDERS = {"incidents": "Incidents", "support": "Support", "billing": "Finance.Invoices", "sales": "Sales",
           "newsletters": "Newsletters", "notifications": "Notifications", "personal": "INBOX",
           "quarantine": "Quarantine", "review": "INBOX"}
FORWARDS = {"incidents": "oncall@example.com", "billing": "ap@example.com"}


# ---------------------------------------------------------------- units (no server)


def test_imap_urls_and_refs() -> None:
    t = parse_imap_url("imap://sam@mail.example:1143/Lists/Rust")
    assert (t.scheme, t.user, t.host, t.port, t.folder) == ("imap", "sam", "mail.example", 1143, "Lists/Rust")
    t = parse_imap_url("imaps://sam@corp.example@mail.example")
    assert (t.user, t.host, t.port, t.folder) == ("sam@corp.example", "mail.example", 993, "INBOX")
    assert parse_imap_url("imap://a%40b.example@h/INBOX").user == "a@b.example"
    for bad in ("imap://mail.example/INBOX", "imap://sam:pw@h/INBOX", "imap://sam@h:99999/", "pop://sam@h/"):
        with pytest.raises(ValueError):
            parse_imap_url(bad)
    ref = parse_source_ref("imap://sam@h:143/INBOX;UIDVALIDITY=42/;UID=7")
    assert ref is not None and (ref.folder, ref.uidvalidity, ref.uid) == ("INBOX", 42, 7)
    assert parse_source_ref("sample:s00001") is None
    assert uid_set([5, 1, 2, 3, 8, 10, 11]) == "1:3,5,8,10:11"
    assert ",".join(uid_sets(range(1, 5000, 2), limit=100)).split(",") == [str(u) for u in range(1, 5000, 2)]
    assert quote_mailbox('Caf\u00e9 "x"') == '"Caf&AOk- \\"x\\""'
    assert quote_mailbox("A&B") == '"A&-B"'


def _row(email_id: str, **kw: object) -> ResultRow:
    base = dict(email_id=email_id, status="ok", urgent=False, priority=50, route="billing", category="invoice",
                confidence=0.9, injection=False, summary="an invoice")
    base.update(kw)
    return ResultRow(**base)  # type: ignore[arg-type]


def _mail(uid: int, folder: str = "INBOX") -> Email:
    return Email(id=f"imap:9:{uid}", subject=f"subject {uid}",
                 source_ref=f"imap://u@h:143/{folder};UIDVALIDITY=9/;UID={uid}")


def test_plan_actions_rules() -> None:
    settings = Settings.model_validate({"routes": [
        {"name": "billing", "folder": "Finance/Invoices", "categories": ["invoice"], "forward_to": "ap@x.example"},
        {"name": "personal", "folder": "INBOX", "categories": ["personal"]},
    ]})
    kinds = lambda actions: [(a.kind, a.detail) for a in actions]  # noqa: E731
    assert kinds(plan_actions(_row("imap:9:1", urgent=True), _mail(1), settings)) == [
        ("forward", "ap@x.example"), ("flag", "\\Flagged"), ("keyword", "$fanmail_billing"),
        ("move", "Finance/Invoices")]
    # a duplicate delivery is filed like its original but never forwarded a second time
    assert kinds(plan_actions(_row("imap:9:2", status="duplicate"), _mail(2), settings)) == [
        ("keyword", "$fanmail_billing"), ("move", "Finance/Invoices")]
    # a route whose folder is the source folder: tagged, not moved
    assert [a.kind for a in plan_actions(_row("imap:9:3", route="personal"), _mail(3), settings)] == ["keyword"]
    # injection or low confidence: one `review` action, nothing moved, flagged or forwarded
    for row in (_row("imap:9:4", route="review", review=True, injection=True, injection_reason="ignore previous"),
                _row("imap:9:5", route="review", review=True, confidence=0.2, flags=["low-confidence"]),
                _row("imap:9:6", injection=True)):  # even if a route slipped through, injection wins
        actions = plan_actions(row, _mail(int(row.email_id[-1])), settings)
        assert [a.kind for a in actions] == ["review"] and not actions[0].appliable
    assert plan_actions(_row("imap:9:7", status="failed"), _mail(7), settings) == []
    assert plan_actions(_row("s00001"), Email(id="s00001", source_ref="sample:s00001"), settings) == []
    key = plan_actions(_row("imap:9:1"), _mail(1), settings)[-1].key
    assert key == "imap://u@h/INBOX;UIDVALIDITY=9/;UID=1:move:Finance/Invoices"  # same key on 143 and 993
    assert parse_source_ref("imap://a@b.example@[::1]:993/X;UIDVALIDITY=1/;UID=2").account_mailbox == \
        "imap://a@b.example@[::1]/X"
    assert route_keyword("a b/c") == "$fanmail_a_b_c"


def test_forward_keeps_the_original_byte_for_byte() -> None:
    raw = generate_sample(3, seed=5)[0].raw
    data = forward_message(raw, sender="fanmail@x.example", to="ap@x.example", subject="Invoice\r\nBcc: evil",
                           note="forwarded")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["To"] == "ap@x.example" and "\n" not in msg["Subject"] and msg["Bcc"] is None
    parts = list(msg.iter_parts())
    assert parts[1].get_content_type() == "message/rfc822"
    body = data.split(b'filename="original.eml"\r\n\r\n', 1)[1]
    assert body.startswith(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert parse_smtp_url("smtps://me@smtp.example").port == 465
    with pytest.raises(ValueError):
        parse_smtp_url("smtp://me:secret@smtp.example")


# ---------------------------------------------------------------- against Dovecot


def _options(server: DovecotServer, **kw: object) -> ImapOptions:
    base: dict[str, object] = dict(password=PASSWORD, cafile=str(server.cafile))
    base.update(kw)
    return ImapOptions(**base)  # type: ignore[arg-type]


async def test_source_streams_over_starttls_imaps_and_plain(dovecot: DovecotServer) -> None:
    raws = [m.raw for m in generate_sample(120, seed=3)]
    seed(dovecot, raws)
    for url, kw in ((dovecot.url(), {}), (dovecot.url(ssl=True), {}), (dovecot.url(), {"insecure": True})):
        source = ImapSource(parse_imap_url(url), _options(dovecot, connections=3, **kw))
        assert await source.open() == 120
        got = [e async for e in source]
        assert sorted(e.id for e in got) == sorted(source.email_ids()) and len(got) == 120
        assert source.stats.connections == 3 and all(not e.parse_error for e in got)
        ref = parse_source_ref(got[0].source_ref)
        assert ref is not None and got[0].id == f"imap:{ref.uidvalidity}:{ref.uid}"
    state = snapshot(dovecot)
    assert len(state["INBOX"]) == 120 and not any("\\Seen" in flags for _, flags in state["INBOX"])


async def test_tls_is_verified_and_errors_are_one_line(dovecot: DovecotServer, tmp_path: Path) -> None:
    target = parse_imap_url(dovecot.url())
    with pytest.raises(ImapError, match="not trusted"):  # a self-signed cert without --imap-cafile
        await ImapSession.open(target, ImapOptions(password=PASSWORD))
    with pytest.raises(ImapError, match="refused"):
        await ImapSession.open(target, _options(dovecot, password="wrong"))
    with pytest.raises(ImapError, match="cannot open folder"):
        await ImapSource(parse_imap_url(dovecot.url("Nope")), _options(dovecot)).open()
    from test_cli import fanmail

    env = {"FANMAIL_IMAP_PASSWORD": PASSWORD}
    cases = {
        "no password": (("triage", dovecot.url(), "--headless", "--imap-cafile", str(dovecot.cafile)), {}),
        "untrusted": (("triage", dovecot.url(), "--headless"), env),
        "closed port": (("triage", f"imap://fan@127.0.0.1:{free_port()}/INBOX", "--headless", "--imap-insecure"),
                        env),
        "wrong password": (("triage", dovecot.url(), "--headless", "--imap-cafile", str(dovecot.cafile)),
                           {"FANMAIL_IMAP_PASSWORD": "wrong"}),
        "bad smtp": (("triage", dovecot.url(), "--headless", "--smtp", "smtp://u:p@h", "--imap-cafile",
                      str(dovecot.cafile)), env),
        "apply on a file source": (("triage", "sample:5", "--apply"), env),
        "dashboard without a password": (("triage", dovecot.url(), "--apply"), {}),  # checked before it opens
    }
    for name, (args, extra) in cases.items():
        code, out, err = await fanmail(*args, *FAST_SIM, "--store", str(tmp_path / "s.db"), env=extra)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert code == 2 and len(lines) == 1 and lines[0].startswith("fanmail: error:"), (name, err)
        assert PASSWORD not in err and out == ""


def _triage_args(server: DovecotServer, sink: SmtpSink, tmp: Path, *extra: str, url: str | None = None) -> list[str]:
    config = tmp / "fanmail.toml"
    config.write_text(ROUTES_TOML)
    return ["--config", str(config), "triage", url or server.url(), "--headless", *FAST_SIM,
            "--imap-cafile", str(server.cafile), "--store", str(tmp / "store.db"),
            "--smtp", sink.url, "--smtp-insecure", "--smtp-from", "fanmail@test.example",
            "--concurrency", "10", "--batch-size", "5", *extra]


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _expected_folder(row: dict) -> str:
    if row["status"] not in ("ok", "duplicate") or row["injection"]:
        return "INBOX"
    return FOLDERS[row["route"]]


def _check_filed(server: DovecotServer, rows: list[dict], sink: SmtpSink, *,
                 lost_keywords: bool = False) -> dict[str, list]:
    """Every message in exactly one folder, the right one; urgent flagged; none seen; forwards once."""
    state = snapshot(server)
    where: dict[str, Counter] = {}
    for folder, items in state.items():
        for msgid, flags in items:
            where.setdefault(msgid, Counter())[folder] += 1
            assert "\\Seen" not in flags, (folder, msgid)
            assert "\\Deleted" not in flags, (folder, msgid)
    assert sum(len(v) for v in state.values()) == len(rows)  # nothing lost, nothing copied twice
    by_msgid: dict[str, list[dict]] = {}
    for row in rows:
        by_msgid.setdefault(f"<{row['message_id']}>", []).append(row)
    for msgid, group in by_msgid.items():
        expected = Counter(_expected_folder(r) for r in group)
        assert where.get(msgid) == expected, (msgid, where.get(msgid), expected, group[0]["route"])
    flags = {(folder, msgid): fl for folder, items in state.items() for msgid, fl in items}
    for row in rows:
        folder = _expected_folder(row)
        fl = flags[(folder, f"<{row['message_id']}>")]
        if folder != "INBOX" or (row["route"] == "personal" and not row["injection"] and row["status"] == "ok"):
            assert ("\\Flagged" in fl) == bool(row["urgent"]), row
            # A Dovecot killed mid-run may not have written its mailbox's keyword names yet: the keyword
            # was set (the flag next to it was) and comes back nameless, as `unknown-N`.
            lost = lost_keywords and any(f.startswith("unknown-") for f in fl)
            assert route_keyword(row["route"]) in fl or lost, row
    # forwards: one message per original (not per duplicate), original attached
    sent = sink.messages
    wanted = Counter()
    for row in rows:
        if row["status"] == "ok" and not row["injection"] and row["route"] in FORWARDS:
            wanted[(FORWARDS[row["route"]], f"<{row['message_id']}>")] += 1
    got = Counter()
    for _, rcpts, data in sent:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        inner = [p for p in msg.walk() if p.get_content_type() == "message/rfc822"]
        assert len(inner) == 1
        original = inner[0].get_payload()[0]
        got[(rcpts[0], original["Message-ID"])] += 1
    assert got == wanted and wanted
    return state


async def test_apply_files_every_email_once_and_second_run_does_nothing(
    dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    from test_cli import fanmail

    sample = generate_sample(200, seed=7)
    seed(dovecot, [m.raw for m in sample])
    env = {"FANMAIL_IMAP_PASSWORD": PASSWORD}

    # dry run: a plan, nothing touched
    code, _, err = await fanmail(*_triage_args(dovecot, smtp_sink, tmp_path, "-o", str(tmp_path / "dry.jsonl"),
                                               "--actions", str(tmp_path / "plan.jsonl")), env=env)
    assert code == 0, err
    assert "dry run" in err and len(_rows(tmp_path / "dry.jsonl")) == 200
    plan = _rows(tmp_path / "plan.jsonl")
    assert {p["status"] for p in plan} == {"planned", "review"}
    assert len(snapshot(dovecot)["INBOX"]) == 200 and smtp_sink.messages == []

    # --apply
    out, acts = tmp_path / "r1.jsonl", tmp_path / "a1.jsonl"
    code, _, err = await fanmail(*_triage_args(dovecot, smtp_sink, tmp_path, "--apply", "-o", str(out),
                                               "--actions", str(acts)), env=env)
    assert code == 0, err
    assert "Traceback" not in err and "fanmail: error" not in err
    rows = _rows(out)
    assert len(rows) == 200 and len({r["email_id"] for r in rows}) == 200
    assert all(r["email_id"].startswith("imap:") for r in rows)
    state = _check_filed(dovecot, rows, smtp_sink)
    assert "Finance.Invoices" in state and "Quarantine" in state
    outcomes = _rows(acts)
    assert {o["status"] for o in outcomes} == {"applied", "review"}
    # injection-flagged mail: in the inbox, untouched, and listed for review on stderr
    injected = [r for r in rows if r["injection"]]
    assert injected, "the sample has prompt-injection attempts"
    review_lines = [ln for ln in err.splitlines() if ln.startswith("fanmail: review: ")]
    for row in injected:
        assert any(row["email_id"] in ln for ln in review_lines), row["email_id"]
        assert not any(o["email_id"] == row["email_id"] and o["status"] == "applied" for o in outcomes)
    inbox_flags = dict(state["INBOX"])
    assert all(not any(f.startswith("$fanmail") or f == "\\Flagged" for f in inbox_flags[f"<{r['message_id']}>"])
               for r in injected)
    with Store(tmp_path / "store.db") as store:
        applied = [a for a in store.actions() if a["status"] == "applied"]
    assert len(applied) == sum(1 for o in outcomes if o["status"] == "applied")

    # the same command again: what is left in INBOX is read again, nothing moves or is forwarded
    sent_before = len(smtp_sink.messages)
    out2, acts2 = tmp_path / "r2.jsonl", tmp_path / "a2.jsonl"
    code, _, err2 = await fanmail(*_triage_args(dovecot, smtp_sink, tmp_path, "--apply", "-o", str(out2),
                                                "--actions", str(acts2)), env=env)
    assert code == 0, err2
    assert len(smtp_sink.messages) == sent_before
    assert snapshot(dovecot) == state
    second = _rows(acts2)
    assert second and not any(o["status"] == "applied" for o in second)
    assert "actions applied: none" in err2
    assert len(_rows(out2)) == len(state["INBOX"])


async def test_dovecot_stopped_during_actions_then_a_later_run_finishes(
    dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    from test_cli import fanmail

    seed(dovecot, [m.raw for m in generate_sample(200, seed=7)])
    env = {"FANMAIL_IMAP_PASSWORD": PASSWORD}
    out, acts = tmp_path / "r1.jsonl", tmp_path / "a1.jsonl"
    args = _triage_args(dovecot, smtp_sink, tmp_path, "--apply", "-o", str(out), "--actions", str(acts),
                        "--sim-latency", "0.05", "--concurrency", "4", "--batch-size", "5")
    run = asyncio.create_task(fanmail(*args, env=env))
    async with asyncio.timeout(60):
        while True:  # stop the server once some emails have been filed and many are still to come
            if acts.exists() and sum('"applied"' in ln for ln in acts.read_text().splitlines()) >= 20:
                break
            assert not run.done(), run.result()
            await asyncio.sleep(0.02)
    dovecot.stop()
    code, _, err = await run
    errors = [ln for ln in err.splitlines() if ln.startswith("fanmail: error") or "Error" in ln]
    assert code == 3 and "Traceback" not in err, err
    assert len(errors) == 1 and errors[0].startswith("fanmail: error: "), err
    assert "run the same command again" in errors[0]
    assert len(_rows(out)) == 200  # every email still has its row

    dovecot.start()
    state = snapshot(dovecot)
    # nothing lost; a MOVE the kill cut in half may have left one message in both folders (the
    # server's doing, which no client can prevent): the next run must notice it and not move it twice
    assert len({m for items in state.values() for m, _ in items}) == len({r["message_id"] for r in _rows(out)})
    assert 200 <= sum(len(v) for v in state.values()) <= 200 + 5
    assert len(state["INBOX"]) > 20, "the stop must have left work for the next run"

    out2 = tmp_path / "r2.jsonl"
    code, _, err2 = await fanmail(*_triage_args(dovecot, smtp_sink, tmp_path, "--apply", "-o", str(out2)), env=env)
    assert code == 0, err2
    _check_filed(dovecot, _rows(out), smtp_sink, lost_keywords=True)  # where one uninterrupted run would put them


async def test_dovecot_stopped_while_mail_is_read(dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    """Through a slow link the fetch takes a while; the server dies mid-FETCH. The first run only
    plans (dying mid-action is test_dovecot_stopped_during_actions...)."""
    from test_cli import fanmail

    seed(dovecot, [m.raw for m in generate_sample(400, seed=7)])
    proxy = await ThrottledProxy(dovecot.port, rate=100_000).start()  # 440 KB over 4 connections: ~1 s
    try:
        env = {"FANMAIL_IMAP_PASSWORD": PASSWORD}
        out = tmp_path / "r1.jsonl"
        url = f"imap://fan@127.0.0.1:{proxy.port}/INBOX"
        args = _triage_args(dovecot, smtp_sink, tmp_path, "-o", str(out), "--imap-insecure", url=url)
        run = asyncio.create_task(fanmail(*args, env=env))
        async with asyncio.timeout(60):
            while not (out.exists() and len(out.read_text().splitlines()) >= 5):
                assert not run.done(), run.result()
                await asyncio.sleep(0.02)
        dovecot.stop()
        proxy.cut()
        code, _, err = await run
    finally:
        await proxy.close()
    errors = [ln for ln in err.splitlines() if ln.startswith("fanmail: error") or "Error" in ln]
    assert code == 3 and "Traceback" not in err, err
    assert len(errors) == 1 and "stopped after" in errors[0] and "run the same command again" in errors[0], err
    rows = _rows(out)
    assert len(rows) == 400 and len({r["email_id"] for r in rows}) == 400  # unread ones too, as failed
    unread = [r for r in rows if (r["error"] or "").startswith("not read:")]
    assert unread and all(r["status"] == "failed" for r in unread)

    dovecot.start()
    state = snapshot(dovecot)
    assert sum(len(v) for v in state.values()) == 400
    code, _, err2 = await fanmail(*_triage_args(dovecot, smtp_sink, tmp_path, "--apply", "-o",
                                                str(tmp_path / "r2.jsonl")), env=env)
    assert code == 0, err2
    # every email in its folder now, forwarded once: the second run read what the first left in INBOX
    second = _rows(tmp_path / "r2.jsonl")
    assert all(r["status"] in ("ok", "duplicate") for r in second)
    merged = {r["email_id"]: r for r in rows if r["status"] != "failed"}
    merged.update({r["email_id"]: r for r in second})
    assert len(merged) == 400
    _check_filed(dovecot, list(merged.values()), smtp_sink)


def _message_id(raw: bytes) -> str:
    return email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]


def _move_started(store: Store, action: Action, start: int) -> None:
    """The intent a move commits before its command: the destination's UIDNEXT at that moment."""
    store.record_action(action.key, run_id="r0", email_id=action.email_id, action="move", detail=action.detail,
                        status=f"moving:{start}")


@pytest.mark.parametrize("with_move", [True, False], ids=["MOVE", "COPY+EXPUNGE"])
async def test_a_move_cut_in_half_is_finished_without_a_second_copy(
    dovecot: DovecotServer, tmp_path: Path, with_move: bool
) -> None:
    """Message 1 was copied to the folder by a move the kill cut short; message 2's move was recorded
    as started but never reached the server; message 3 is new. An identical copy filed before the
    interrupted move started (message 4's twin) is not mistaken for its copy."""
    raws = [m.raw for m in generate_sample(6, seed=2)]
    seed(dovecot, raws + [raws[3]])  # uid 7 is a byte-identical twin of uid 4
    target = parse_imap_url(dovecot.url())
    session = await ImapSession.open(target, _options(dovecot))
    try:
        info = await session.select("INBOX")
        if not with_move:
            session.protocol.capabilities.discard("MOVE")
        refs = {u: parse_source_ref(f"{target.mailbox_url()};UIDVALIDITY={info.uidvalidity}/;UID={u}")
                for u in (1, 2, 3, 4, 7)}
        actions = {u: Action("move", f"imap:{info.uidvalidity}:{u}", "Archive/2026", "archive", r)
                   for u, r in refs.items()}
        with Store(tmp_path / "s.db") as store:
            await session.ensure_folder("Archive.2026")
            await session.copy([7], "Archive.2026")  # filed earlier: before the interrupted move began
            start = await session.uidnext("Archive.2026")
            for u in (1, 2, 4):
                _move_started(store, actions[u], start)
            await session.copy([1], "Archive.2026")
            todo = [actions[u] for u in (1, 2, 3, 4)]
            outcomes = await apply_actions(todo, imap=session, forwarder=None, store=store, run_id="r1")
            assert [o.status for o in outcomes] == ["applied"] * 4
            assert all(store.action_applied(a.key) for a in todo)
            again = await apply_actions(todo, imap=session, forwarder=None, store=store, run_id="r2")
            assert [o.status for o in again] == ["already"] * 4
    finally:
        await session.close()
    state = snapshot(dovecot)
    ids = [_message_id(r) for r in raws]
    archived = Counter(m for m, _ in state["Archive.2026"])
    assert archived == Counter({ids[0]: 1, ids[1]: 1, ids[2]: 1, ids[3]: 2})  # 4 and its twin both filed
    assert sorted(m for m, _ in state["INBOX"]) == sorted([ids[4], ids[5], ids[3]])  # uid 7 stays
    assert not any("\\Deleted" in f for items in state.values() for _, f in items)


async def test_first_emails_reach_the_fanout_before_the_fetch_ends(dovecot: DovecotServer) -> None:
    """Streaming: with a slow link, the first email arrives long before the last byte."""
    seed(dovecot, [m.raw for m in generate_sample(300, seed=4)])
    proxy = await ThrottledProxy(dovecot.port, rate=150_000).start()
    try:
        source = ImapSource(parse_imap_url(f"imap://fan@127.0.0.1:{proxy.port}/INBOX"),
                            _options(dovecot, insecure=True, connections=2), clock=time.monotonic)
        assert await source.open() == 300
        arrivals = []
        async for _ in source:
            arrivals.append(time.monotonic())
        stats = source.stats
        assert len(arrivals) == 300 and stats.first_at is not None and stats.fetched_at is not None
        assert stats.first_at - stats.opened_at < (stats.fetched_at - stats.opened_at) / 3
    finally:
        await proxy.close()
