"""Delivery reports fanned in: DSN bounces read from a real Dovecot folder and signed events posted
to a real `fanmail webhook` process are matched to their recipients by Message-ID; a badly signed,
unsigned or stale webhook gets 401 and changes nothing."""

from __future__ import annotations

import email
import imaplib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from campaign_smtp import CampaignHandler, CampaignSmtp
from dovecot import PASSWORD, USER, DovecotServer, dovecot, free_port, seed  # noqa: F401 - fixture
from test_campaign import campaign_args, read_csv, write_contacts, write_template

from tui.cli import main

pytest.importorskip("tui.outbound.dsn")
webhook = pytest.importorskip("tui.outbound.webhook")

SECRET = "whsec-test-0123456789"


def make_dsn(original: bytes, recipient: str, n: int, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """An RFC 3464 bounce as an MTA would send it: the report, then the original's headers."""
    headers = re.split(rb"\r?\n\r?\n", original, maxsplit=1)[0].decode()
    return (
        "From: MAILER-DAEMON@mx.example.test\r\nTo: news@sender.test\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-{n}@mx.example.test>\r\n"
        "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"\r\n\r\n'
        "--BOUND\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--BOUND\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.test\r\nArrival-Date: Fri, 27 Nov 2026 09:59:00 +0000\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} user unknown\r\n\r\n"
        f"--BOUND\r\nContent-Type: text/rfc822-headers\r\n\r\n{headers}\r\n--BOUND--\r\n"
    ).encode()


def message_for(handler: CampaignHandler, recipient: str) -> bytes:
    for raw in handler.messages:
        if email.message_from_bytes(raw)["To"].endswith(f"<{recipient}>") or \
                email.message_from_bytes(raw)["To"] == recipient:
            return raw
    raise AssertionError(f"no message to {recipient}")


def report(tmp_path: Path, name: str) -> dict[str, dict[str, str]]:
    out = tmp_path / name
    assert main(["campaign-report", "last", "--store", str(tmp_path / "fm.db"), "--csv", str(out)]) == 0
    return {r["recipient"]: r for r in read_csv(out)}


def send_campaign(tmp_path: Path) -> tuple[list[str], CampaignHandler]:
    addresses = write_contacts(tmp_path / "contacts.csv", per_segment=5, segments=["a", "b"])
    write_template(tmp_path / "t.txt")
    handler = CampaignHandler()
    with CampaignSmtp(handler) as server:
        assert main(campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply")) == 0
    return addresses, handler


def test_dsn_bounces_in_a_dovecot_folder_are_matched(tmp_path, dovecot: DovecotServer, monkeypatch, capsys) -> None:
    addresses, handler = send_campaign(tmp_path)
    bounced = addresses[1], addresses[6], addresses[8]
    dsns = [make_dsn(message_for(handler, r), r, n) for n, r in enumerate(bounced)]
    delayed = make_dsn(message_for(handler, addresses[2]), addresses[2], 9, action="delayed", status="4.4.1")
    stranger = make_dsn(b"Message-ID: <not-ours@elsewhere.test>\r\nSubject: x\r\n\r\n", "who@elsewhere.test", 10)
    plain = b"From: a@b.test\r\nSubject: just mail\r\nMessage-ID: <plain@b.test>\r\n\r\nnot a bounce\r\n"
    conn = imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=30)
    conn.login(USER, PASSWORD)
    conn.create("Bounces")
    conn.logout()
    seed(dovecot, [*dsns, delayed, stranger, plain], folder="Bounces")

    monkeypatch.setenv("FANMAIL_IMAP_PASSWORD", PASSWORD)
    args = ["bounces", dovecot.url("Bounces"), "--imap-insecure", "--store", str(tmp_path / "fm.db")]
    assert main(args) == 0
    assert "6 message(s), 5 DSN(s), 5 event(s): 4 new matched, 1 new unmatched" in capsys.readouterr().out
    rows = report(tmp_path, "r.csv")
    for r in bounced:
        assert (rows[r]["status"], rows[r]["delivery_source"], rows[r]["delivery_status"]) == ("bounced", "dsn", "5.1.1")
        assert rows[r]["smtp"] == "accepted"  # the SMTP outcome is kept beside the later bounce
    assert (rows[addresses[2]]["status"], rows[addresses[2]]["delivery"]) == ("accepted", "deferred")
    assert all(rows[a]["status"] == "accepted" for a in addresses if a not in bounced)

    # reading the folder again adds nothing; the hard bounces are suppressed in the next campaign
    assert main(args) == 0
    assert "0 new matched, 0 new unmatched" in capsys.readouterr().out
    handler2 = CampaignHandler()
    with CampaignSmtp(handler2) as server:
        assert main(campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply",
                                  "--campaign", "next")) == 0
    assert set(handler2.snapshot()[1]) == set(addresses) - set(bounced)


def _post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/events", data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_signed_webhook_events_are_matched_and_bad_signatures_change_nothing(tmp_path, capsys) -> None:
    addresses, handler = send_campaign(tmp_path)
    ids = {r["recipient"]: r["message_id"] for r in report(tmp_path, "before.csv").values()}
    port = free_port()
    env = {**os.environ, "FANMAIL_WEBHOOK_SECRET": SECRET}
    proc = subprocess.Popen([sys.executable, "-m", "tui", "webhook", "--port", str(port),
                             "--store", str(tmp_path / "fm.db")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                status, _ = _post(port, b"{}", {})
                break
            except (ConnectionError, urllib.error.URLError):
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert status == 401  # unsigned

        forged = json.dumps({"events": [{"message_id": ids[addresses[7]], "recipient": addresses[7],
                                         "event": "bounced", "reason": "forged"}]}).encode()
        before = report(tmp_path, "r0.csv")
        assert _post(port, forged, webhook.sign_payload(forged, "wrong-secret"))[0] == 401
        assert _post(port, forged, webhook.sign_payload(forged, SECRET, int(time.time()) - 3600))[0] == 401
        tampered_headers = webhook.sign_payload(forged, SECRET)
        assert _post(port, forged.replace(b"forged", b"f0rged"), tampered_headers)[0] == 401
        assert report(tmp_path, "r1.csv") == before  # nothing changed

        body = json.dumps({"events": [
            {"message_id": ids[addresses[3]], "recipient": addresses[3], "event": "delivered"},
            {"message_id": ids[addresses[4]], "recipient": addresses[4].upper(), "event": "complaint",
             "reason": "abuse report"},
            {"recipient": addresses[5], "event": "bounced", "reason": "550 5.1.1 gone", "status": "5.1.1"},
            {"message_id": "<unknown@elsewhere.test>", "recipient": "x@elsewhere.test", "event": "delivered"},
        ]}).encode()
        status, answer = _post(port, body, webhook.sign_payload(body, SECRET))
        assert (status, answer) == (200, {"accepted": 4})
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert "webhook: listening on" in err.decode() and "4 event(s): 3 new matched, 1 new unmatched" in err.decode()
    assert SECRET not in (out + err).decode()
    rows = report(tmp_path, "after.csv")
    assert (rows[addresses[3]]["status"], rows[addresses[3]]["delivery_source"]) == ("delivered", "webhook")
    assert (rows[addresses[4]]["status"], rows[addresses[4]]["delivery_reason"]) == ("complaint", "abuse report")
    assert (rows[addresses[5]]["status"], rows[addresses[5]]["delivery_status"]) == ("bounced", "5.1.1")  # by address
    assert rows[addresses[7]]["status"] == "accepted"  # the forged bounce never landed
    changed = {a for a in addresses if rows[a] != before[a]}
    assert changed == {addresses[3], addresses[4], addresses[5]}
