"""`fanmail watch` against a real Dovecot on 127.0.0.1: new mail triaged as it arrives, each once,
through a Dovecot restart, a SIGKILLed watcher, a recreated mailbox and a server without IDLE.

Each test runs the command as a subprocess (`--headless -o FILE`) and delivers mail with APPEND
while it watches; waits poll the output with a bound, and every test stops its watcher.
"""

from __future__ import annotations

import imaplib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovecot import (  # noqa: F401 - fixtures
    PASSWORD, USER, DovecotServer, SmtpSink, dovecot, running_dovecot, seed, smtp_sink, snapshot,
)
from test_imap import ROUTES_TOML, _check_filed
from watch_process import FAST_SIM, WAIT_S, Watches, WatchProcess, clean_env, ids, watches  # noqa: F401 - fixture

from tui.mail.parse import parse_bytes
from tui.mail.sample import generate_sample

RAWS = [m.raw for m in generate_sample(40, seed=11)]
MESSAGE_IDS = [parse_bytes(raw, email_id="x").message_id for raw in RAWS]


class Watch(WatchProcess):
    """`fanmail watch imap://.../FOLDER --headless` against the test's Dovecot."""

    def __init__(self, server: DovecotServer, tmp_path: Path, *extra: str, folder: str = "INBOX") -> None:
        env = clean_env()
        env["FANMAIL_IMAP_PASSWORD"] = PASSWORD
        super().__init__([server.url(folder), "--imap-cafile", str(server.cafile)], tmp_path, extra, env)


def test_waiting_mail_then_arrivals_each_get_one_row_while_watching(
        dovecot: DovecotServer, tmp_path: Path, watches: Watches) -> None:
    seed(dovecot, RAWS[:3])
    w = watches.add(Watch(dovecot, tmp_path))
    w.wait_rows(3)
    w.wait_log("IMAP idle")
    for raw in RAWS[3:8]:  # delivered one by one while it watches
        seed(dovecot, [raw])
    rows = w.wait_rows(8)  # wait_for asserts the watcher is still running: they came while watching
    assert w.stop() == 0
    rows = w.rows()
    assert len(rows) == 8 and len(set(ids(rows))) == 8
    assert all(r["status"] == "ok" for r in rows)
    assert "Traceback" not in w.stderr


def test_dovecot_restarted_mid_watch_then_mail_after_the_reconnect(
        dovecot: DovecotServer, tmp_path: Path, watches: Watches) -> None:
    seed(dovecot, RAWS[:1])
    w = watches.add(Watch(dovecot, tmp_path))
    w.wait_rows(1)
    w.wait_log("IMAP idle")
    dovecot.stop()
    w.wait_log("IMAP reconnecting")
    dovecot.start()
    seed(dovecot, RAWS[1:3])
    rows = w.wait_rows(3)
    assert w.stop() == 0
    assert len(set(ids(w.rows()))) == 3 == len(w.rows())
    assert w.stderr.count("IMAP idle") >= 2  # idle again after the reconnect
    assert "Traceback" not in w.stderr and rows


def test_sigkilled_watcher_started_again_gives_exactly_the_new_rows(
        dovecot: DovecotServer, tmp_path: Path, watches: Watches) -> None:
    seed(dovecot, RAWS[:2])
    first = watches.add(Watch(dovecot, tmp_path))
    first.wait_rows(2)
    first.kill()
    before = first.rows()
    seed(dovecot, RAWS[2:5])
    again = watches.add(Watch(dovecot, tmp_path))
    again.wait_rows(len(before) + 3)
    again.wait_log("IMAP idle")
    assert again.stop() == 0
    rows = again.rows()
    new = rows[len(before):]
    assert len(new) == 3 and len(set(ids(rows))) == len(rows) == 5
    assert {r["message_id"] for r in new} == set(MESSAGE_IDS[2:5])


def _imap(server: DovecotServer, *commands: tuple[str, ...]) -> None:
    conn = imaplib.IMAP4("127.0.0.1", server.port)
    try:
        conn.login(USER, PASSWORD)
        for name, *args in commands:
            typ, data = getattr(conn, name)(*args)
            assert typ == "OK", (name, data)
    finally:
        conn.logout()


def test_mailbox_recreated_with_a_new_uidvalidity_gets_no_second_verdicts(
        dovecot: DovecotServer, tmp_path: Path, watches: Watches) -> None:
    _imap(dovecot, ("create", "Watched"))
    seed(dovecot, RAWS[:3], folder="Watched")
    w = watches.add(Watch(dovecot, tmp_path, folder="Watched"))
    w.wait_rows(3)
    assert w.stop() == 0
    _imap(dovecot, ("delete", "Watched"), ("create", "Watched"))  # a new UIDVALIDITY
    seed(dovecot, RAWS[:3] + RAWS[3:4], folder="Watched")  # the same three, and one new
    again = watches.add(Watch(dovecot, tmp_path, folder="Watched"))
    again.wait_rows(4)
    again.wait_log("IMAP idle")
    assert again.stop() == 0
    rows = again.rows()
    assert len(rows) == 4
    assert rows[3]["message_id"] == MESSAGE_IDS[3]
    assert "3 already triaged before" in again.stderr


@pytest.fixture
def dovecot_without_idle() -> Iterator[DovecotServer]:
    with running_dovecot("imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE UIDPLUS MOVE\n") as server:
        yield server


def test_a_server_without_idle_is_polled_and_still_delivers(
        dovecot_without_idle: DovecotServer, tmp_path: Path, watches: Watches) -> None:
    server = dovecot_without_idle
    seed(server, RAWS[:1])
    w = watches.add(Watch(server, tmp_path, "--poll", "0.2"))
    w.wait_rows(1)
    w.wait_log("IMAP polling")
    seed(server, RAWS[1:3])
    w.wait_rows(3)
    assert w.stop() == 0
    assert len(set(ids(w.rows()))) == 3 and "IMAP idle" not in w.stderr


def test_apply_files_each_arrival_as_its_verdict_lands_and_a_restart_repeats_nothing(
        dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path, watches: Watches) -> None:
    config = tmp_path / "fanmail.toml"
    config.write_text(ROUTES_TOML)
    apply = ("--config", str(config), "--apply", "--smtp", smtp_sink.url, "--smtp-insecure",
             "--smtp-from", "fanmail@test.example")
    seed(dovecot, RAWS[:4])
    w = watches.add(Watch(dovecot, tmp_path, *apply))
    w.wait_rows(4)
    w.wait_log("IMAP idle")
    seed(dovecot, RAWS[4:10])
    rows = w.wait_rows(10)
    planned = [r for r in rows if r["status"] == "ok" and not r["injection"] and r["route"] != "review"]
    # every appliable plan is applied while it still watches (one 'applied: move' line per moved email)
    w.wait_for(lambda: w.stderr.count("applied: move") >= sum(r["route"] != "personal" for r in planned),
               "the moves")
    assert w.stop() == 0
    # each in its folder once, with its route's keyword and urgent flag, none \\Seen, forwards once
    state = _check_filed(dovecot, rows, smtp_sink)
    again = watches.add(Watch(dovecot, tmp_path, *apply))
    again.wait_log("IMAP idle")
    assert again.stop() == 0
    assert len(again.rows()) == 10 and "applied:" not in again.stderr.split("continuing")[1]
    assert snapshot(dovecot) == state


def test_sigterm_lets_in_flight_emails_finish_in_the_grace_else_the_next_start_retries_them(
        dovecot: DovecotServer, tmp_path: Path, watches: Watches) -> None:
    seed(dovecot, RAWS[:2])
    w = watches.add(Watch(dovecot, tmp_path, "--sim-latency", "1", "--grace", "60"))  # stopped in flight: they finish
    w.wait_log("IMAP idle")
    assert w.stop() == 0
    assert [r["status"] for r in w.rows()] == ["ok", "ok"]
    seed(dovecot, RAWS[2:4])
    slow = watches.add(Watch(dovecot, tmp_path, "--sim-latency", "600", "--grace", "0.2"))  # past the grace: failed rows
    slow.wait_log("IMAP idle")
    assert slow.stop() == 0
    failed = slow.rows()[2:]
    assert [r["status"] for r in failed] == ["failed", "failed"]
    _imap(dovecot, ("select", "INBOX"), ("store", "1:*", "+FLAGS", "\\Seen"))  # read meanwhile: not UNSEEN
    again = watches.add(Watch(dovecot, tmp_path))  # the next start retries exactly those two (the store says so)
    rows = again.wait_rows(6)
    assert again.stop() == 0
    assert sorted(ids(rows[4:])) == sorted(ids(failed)) and all(r["status"] == "ok" for r in rows[4:])
    assert len(again.rows()) == 6


def test_a_wrong_password_at_start_is_one_line_and_exit_2(dovecot: DovecotServer, tmp_path: Path) -> None:
    env = clean_env()
    env["FANMAIL_IMAP_PASSWORD"] = "wrong"
    done = subprocess.run([sys.executable, "-m", "tui", "watch", dovecot.url(), "--headless", "--imap-cafile",
                           str(dovecot.cafile), "--store", str(tmp_path / "s.db"), *FAST_SIM],
                          capture_output=True, text=True, env=env, timeout=WAIT_S)
    assert done.returncode == 2 and done.stderr.startswith("fanmail: error: IMAP login as fan")
    assert len(done.stderr.strip().splitlines()) == 1 and PASSWORD not in done.stderr
