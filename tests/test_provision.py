"""`fanmail provision` against a real Dovecot (passwd-file users, LMTP delivery, IMAP login) fed by a
real SMTP relay (aiosmtpd -> Dovecot LMTP), and an HTTP mailbox API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import csv
import imaplib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from dovecot import DovecotServer, SmtpSink, free_port, lmtp_missing
from mta import LmtpRelay
from tui.cli import main
from tui.options import FanoutOptions
from tui.outbound.provision import ProvisionJob
from tui.run.provision import ProvisionRun
from tui.outbound.provision_backends import (
    DovecotPasswdBackend,
    DovecotPasswdConfig,
    HttpApiBackend,
    HttpApiConfig,
    ssha512,
)
from tui.outbound.provision_users import ProvisionUser, read_users
from tui.outbound.provision_welcome import ImapServer, WelcomeTemplate, welcome_message_id
from tui.mail.smtp import parse_smtp_url

SENDER = "welcome@corp.example"
TOKEN = "mailapi-token-5b1e9"


@pytest.fixture
def mail() -> Iterator[tuple[DovecotServer, LmtpRelay]]:
    reason = lmtp_missing()
    if reason:
        pytest.skip(reason)
    server = DovecotServer(lmtp=True)
    try:
        server.start()
        relay = LmtpRelay(server.lmtp_port)
        try:
            yield server, relay
        finally:
            relay.close()
    finally:
        server.close()


def fanmail(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def provision_args(server: DovecotServer, relay: LmtpRelay, users: Path, tmp: Path, *extra: str | Path) -> list:
    return ["provision", users, "--dovecot-passwd", server.root / "passwd", "--smtp", relay.url, "--smtp-insecure",
            "--from", SENDER, "--imap-server", f"imap://127.0.0.1:{server.port}", "--imap-cafile", server.cafile,
            "--store", tmp / "store.db", "--verify-wait", "20", *extra]


def inbox(server: DovecotServer, user: str, password: str) -> list[str]:
    """Message-IDs in the user's INBOX, read with imaplib (independent of the code under test)."""
    conn = imaplib.IMAP4("127.0.0.1", server.port, timeout=30)
    try:
        conn.login(user, password)
        conn.select("INBOX", readonly=True)
        _, data = conn.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        return [item[1].decode().partition(":")[2].strip() for item in data if isinstance(item, tuple)]
    finally:
        conn.logout()


def write_users(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["user", "name", "password"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def ten_users() -> list[dict[str, str]]:
    # half bring their own password, half get a generated one
    return [{"user": f"user{i}@corp.example", "name": f"User Number{i}", "password": f"Own-pass-{i}!" if i % 2 else ""}
            for i in range(10)]


def test_ten_users_ten_mailboxes_ten_welcomes_and_a_second_run_changes_nothing(mail, tmp_path: Path) -> None:
    server, relay = mail
    users = write_users(tmp_path / "users.csv", ten_users())
    creds = tmp_path / "secret" / "credentials.csv"
    creds.parent.mkdir()
    out = tmp_path / "report.jsonl"
    first = fanmail(*provision_args(server, relay, users, tmp_path, "--credentials", creds, "--output", out,
                                    "--concurrency", "4"))
    assert first.returncode == 0, first.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 10
    assert {(r["status"], r["mailbox"], r["welcome"], r["verified"]) for r in rows} == {("ok", "created", "sent", True)}

    # what the server says, read independently: ten users in the passwd-file (hashed, never plain),
    # ten maildirs made by Dovecot, and each user's INBOX holding exactly its one welcome
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    generated = {r["user"]: r["password"] for r in csv.DictReader(creds.open())}
    assert sorted(generated) == [f"user{i}@corp.example" for i in range(0, 10, 2)]
    passwords = {u["user"]: u["password"] or generated[u["user"]] for u in ten_users()}
    passwd = (server.root / "passwd").read_text()
    assert sorted(line.split(":")[0] for line in passwd.splitlines()) == sorted(["fan", *passwords])
    assert passwd.count("{SSHA512}") == 10
    assert sorted(p.name for p in (server.root / "mail").iterdir()) == sorted(passwords)
    for user, password in passwords.items():
        assert inbox(server, user, password) == [welcome_message_id(user, SENDER)]
    assert len(relay.delivered) == 10
    # Dovecot re-reads its passwd-file at most once a second: a welcome refused for a user it did
    # not know yet delivered nothing and was sent again
    assert all("User doesn't exist" in reply for _, reply in relay.refused)
    assert sorted(rcpts[0] for _, rcpts, _ in relay.delivered) == sorted(passwords)

    # no password anywhere but the credentials file
    store_bytes = (tmp_path / "store.db").read_bytes() + (tmp_path / "store.db-wal").read_bytes() \
        if (tmp_path / "store.db-wal").exists() else (tmp_path / "store.db").read_bytes()
    for password in passwords.values():
        for text in (first.stdout, first.stderr, out.read_text(), passwd):
            assert password not in text
        assert password.encode() not in store_bytes

    # the second run: nothing created, nothing sent, every welcome found again over IMAP
    passwd_before, creds_before = (server.root / "passwd").read_bytes(), creds.read_bytes()
    ledger_before = sqlite3.connect(tmp_path / "store.db").execute("SELECT * FROM actions ORDER BY key").fetchall()
    assert len(ledger_before) == 10 and {row[5] for row in ledger_before} == {"applied"}
    second = fanmail(*provision_args(server, relay, users, tmp_path, "--credentials", creds, "--output", out))
    assert second.returncode == 0, second.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {(r["status"], r["mailbox"], r["welcome"], r["verified"]) for r in rows} == {("ok", "exists", "already", True)}
    assert "0 welcome mails sent" in second.stderr
    assert (server.root / "passwd").read_bytes() == passwd_before and creds.read_bytes() == creds_before
    assert len(relay.delivered) == 10
    for user, password in passwords.items():
        assert inbox(server, user, password) == [welcome_message_id(user, SENDER)]
    assert sqlite3.connect(tmp_path / "store.db").execute("SELECT * FROM actions ORDER BY key").fetchall() == ledger_before

    # a third run with the store lost: the welcome is still found in each INBOX, so not re-sent
    third = fanmail(*provision_args(server, relay, users, tmp_path, "--credentials", creds, "--store",
                                    tmp_path / "fresh.db"))
    assert third.returncode == 0, third.stderr
    assert len(relay.delivered) == 10
    ledger = sqlite3.connect(tmp_path / "fresh.db").execute("SELECT detail, status FROM actions").fetchall()
    assert sorted(ledger) == [("found in the mailbox", "applied")] * 10


def test_bad_csv_files_are_one_line_errors_with_exit_2(mail, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server, relay = mail

    def fanmail(*args: str | Path) -> subprocess.CompletedProcess[str]:  # in-process: the same main()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    cases = {
        "no_user_column.csv": b"email,name\na@corp.example,A\n",
        "not_utf8.csv": b"user\n\xff\xfe@corp.example\n",
        "extra_field.csv": b"user,name\na@corp.example,A,surprise\n",
        "empty.csv": b"",
        "header_only.csv": b"user,password\n",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        result = fanmail(*provision_args(server, relay, tmp_path / name, tmp_path))
        assert result.returncode == 2, (name, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("fanmail: error: users file"), (name, result.stderr)
    missing = fanmail(*provision_args(server, relay, tmp_path / "nope.csv", tmp_path))
    assert missing.returncode == 2 and missing.stderr.startswith("fanmail: error: users file not found")
    no_backend = fanmail("provision", tmp_path / "header_only.csv", "--imap-server", "imap://127.0.0.1:1")
    assert no_backend.returncode == 2 and "Traceback" not in no_backend.stderr
    bad_backends = {"kind = \"ldap\"\n": "backend config", "kind = [\n": "not valid TOML",
                    'kind = "http"\nurl = "ftp://x"\n': "url must start with http"}
    for i, (text, expected) in enumerate(bad_backends.items()):
        (tmp_path / f"b{i}.toml").write_text(text)
        args = provision_args(server, relay, tmp_path / "header_only.csv", tmp_path)
        args[args.index("--dovecot-passwd"):args.index("--dovecot-passwd") + 2] = ["--backend-config", tmp_path / f"b{i}.toml"]
        (tmp_path / "one.csv").write_text("user,password\nz@corp.example,z-pass-1\n")
        args[1] = tmp_path / "one.csv"
        result = fanmail(*args)
        assert result.returncode == 2 and expected in result.stderr and len(result.stderr.splitlines()) == 1, text
    # generated passwords must be kept somewhere: no --credentials, no run (and no mailbox made)
    users = write_users(tmp_path / "nopw.csv", [{"user": "solo@corp.example", "name": "", "password": ""}])
    refused = fanmail(*provision_args(server, relay, users, tmp_path))
    assert refused.returncode == 2 and "--credentials" in refused.stderr
    assert "solo@corp.example" not in (server.root / "passwd").read_text()
    assert relay.delivered == []


def test_duplicate_and_bad_users_are_failed_rows_the_rest_are_provisioned(mail, tmp_path: Path) -> None:
    server, relay = mail
    users = write_users(tmp_path / "users.csv", [
        {"user": "ann@corp.example", "name": "Ann", "password": "ann-pass-1"},
        {"user": "ANN@corp.example", "name": "Ann again", "password": "other-pass"},
        {"user": "bad:name@corp.example", "name": "", "password": "x-pass-1"},
        {"user": "nodomain", "name": "", "password": "x-pass-2"},
        {"user": "bo@corp.example", "name": "Bo", "password": "bo-pass-1"},
    ])
    out = tmp_path / "report.csv"
    result = fanmail(*provision_args(server, relay, users, tmp_path, "--output", out))
    assert result.returncode == 3
    rows = list(csv.DictReader(out.open()))
    assert [(r["row"], r["status"], r["mailbox"]) for r in rows] == [
        ("2", "ok", "created"), ("3", "failed", "skipped"), ("4", "failed", "skipped"), ("5", "failed", "skipped"),
        ("6", "ok", "created")]
    assert "duplicate" in rows[1]["error"] and "bad user name" in rows[2]["error"] and "address" in rows[3]["error"]
    assert inbox(server, "ann@corp.example", "ann-pass-1") == [welcome_message_id("ann@corp.example", SENDER)]
    assert len(relay.delivered) == 2
    assert "other-pass" not in result.stdout + result.stderr + out.read_text()


def test_unreachable_smtp_or_imap_are_failed_rows_and_a_rerun_finishes_the_job(mail, tmp_path: Path) -> None:
    server, relay = mail
    users = write_users(tmp_path / "users.csv", [
        {"user": f"u{i}@corp.example", "name": "", "password": f"pw-{i}-long"} for i in range(3)])
    dead = free_port()
    args = provision_args(server, relay, users, tmp_path)
    no_smtp = fanmail(*[f"smtp://127.0.0.1:{dead}" if a == relay.url else a for a in args])
    assert no_smtp.returncode == 3
    lines = no_smtp.stdout.strip().splitlines()[1:]
    assert len(lines) == 3 and all("created" in ln and "failed" in ln and "cannot connect to SMTP" in ln for ln in lines)
    assert relay.delivered == []
    no_imap = fanmail(*[f"imap://127.0.0.1:{dead}" if a == f"imap://127.0.0.1:{server.port}" else a for a in args])
    assert no_imap.returncode == 3 and "cannot connect to IMAP server" in no_imap.stdout
    # the mailboxes existed, IMAP could not be asked, so nothing was sent blindly
    assert relay.delivered == []
    again = fanmail(*args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(relay.delivered) == 3
    assert "Traceback" not in no_smtp.stderr + no_imap.stderr + again.stderr


def test_existing_mailbox_with_unknown_password_is_never_sent_a_blind_welcome(mail, tmp_path: Path) -> None:
    server, relay = mail
    with open(server.root / "passwd", "a") as handle:
        handle.write(f"old@corp.example:{ssha512('someone-elses')}::::::\n")
    users = write_users(tmp_path / "users.csv", [{"user": "old@corp.example", "name": "", "password": ""}])
    creds = tmp_path / "creds.csv"
    result = fanmail(*provision_args(server, relay, users, tmp_path, "--credentials", creds))
    assert result.returncode == 3
    assert "exists" in result.stdout and "password is unknown" in result.stdout
    assert relay.delivered == []
    # the generated password would be wrong for that mailbox: it is not kept
    assert "old@corp.example" not in creds.read_text()


class MailApi:
    """A mail provider's admin API on 127.0.0.1: POST /mailboxes creates the user in the test
    Dovecot's passwd-file (so the created mailbox really receives mail and accepts logins)."""

    def __init__(self, server: DovecotServer, delay: float = 0.0, hang_for: str = "") -> None:
        self.server = server
        self.delay = delay
        self.hang_for = hang_for
        self.requests: list[dict] = []
        self.in_flight = 0
        self.peak = 0

    async def create(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unauthorized"}, status=401)
        body = await request.json()
        self.requests.append(body)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if body["login"] == self.hang_for:
                await asyncio.sleep(3600)
            await asyncio.sleep(self.delay)
            passwd = self.server.root / "passwd"
            if any(line.split(":")[0] == body["login"] for line in passwd.read_text().splitlines()):
                return web.json_response({"error": "exists"}, status=409)
            with open(passwd, "a") as handle:
                handle.write(f"{body['login']}:{ssha512(body['secret'])}::::::\n")
            return web.json_response({"id": body["login"]}, status=201)
        finally:
            self.in_flight -= 1


async def start_api(api: MailApi) -> tuple[web.AppRunner, int]:
    app = web.Application()
    app.router.add_post("/api/mailboxes", api.create)
    runner = web.AppRunner(app, shutdown_timeout=0.5)  # do not wait for the hung request
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port


def test_http_backend_end_to_end_through_the_cli(mail, tmp_path: Path) -> None:
    server, relay = mail
    api = MailApi(server)

    async def scenario() -> None:
        runner, port = await start_api(api)
        config = tmp_path / "backend.toml"
        config.write_text(f'kind = "http"\nurl = "http://127.0.0.1:{port}/api/mailboxes"\n'
                          'body = {login = "{user}", address = "{email}", secret = "{password}", name = "{name}"}\n'
                          'auth_env = "MAILAPI_TOKEN"\ncreated = [201]\nexists = [409]\n')
        users = write_users(tmp_path / "users.csv", [
            {"user": f"api{i}@corp.example", "name": f"Api {i}", "password": f"api-pass-{i}"} for i in range(3)])
        args = provision_args(server, relay, users, tmp_path)
        args[args.index("--dovecot-passwd"):args.index("--dovecot-passwd") + 2] = ["--backend-config", config]
        loop = asyncio.get_running_loop()
        try:
            first = await loop.run_in_executor(None, lambda: fanmail(*args, env={"MAILAPI_TOKEN": TOKEN}))
            assert first.returncode == 0, first.stdout + first.stderr
            assert "created" in first.stdout
            second = await loop.run_in_executor(None, lambda: fanmail(*args, env={"MAILAPI_TOKEN": TOKEN}))
            assert second.returncode == 0 and second.stdout.count("exists") == 3
            no_token = await loop.run_in_executor(None, lambda: fanmail(*args, env={"MAILAPI_TOKEN": ""}))
            assert no_token.returncode == 2 and "MAILAPI_TOKEN" in no_token.stderr
            wrong = await loop.run_in_executor(None, lambda: fanmail(*args, env={"MAILAPI_TOKEN": "wrong"}))
            assert wrong.returncode == 3 and wrong.stdout.count("HTTP 401") == 3
            for result in (first, second, no_token, wrong):
                assert TOKEN not in result.stdout + result.stderr
                assert "api-pass-1" not in result.stdout + result.stderr
        finally:
            await runner.cleanup()

    asyncio.run(scenario())
    assert sorted(r["login"] for r in api.requests[:3]) == [f"api{i}@corp.example" for i in range(3)]
    assert api.requests[0]["address"].endswith("@corp.example") and api.requests[0]["name"].startswith("Api")
    assert len(relay.delivered) == 3
    for i in range(3):
        assert inbox(server, f"api{i}@corp.example", f"api-pass-{i}") == [
            welcome_message_id(f"api{i}@corp.example", SENDER)]


async def test_cap_holds_at_the_api_and_a_hung_user_times_out_alone(mail, tmp_path: Path) -> None:
    server, relay = mail
    api = MailApi(server, delay=0.2, hang_for="stuck@corp.example")
    runner, port = await start_api(api)
    users = [ProvisionUser(row=i + 2, user=f"c{i}@corp.example", email=f"c{i}@corp.example") for i in range(8)]
    users.append(ProvisionUser(row=10, user="stuck@corp.example", email="stuck@corp.example"))
    for user in users:
        user.password = type(user.password)(f"cap-pass-{user.row}")
    backend = HttpApiBackend(HttpApiConfig(url=f"http://127.0.0.1:{port}/api/mailboxes", auth_env="T",
                                           body={"login": "{user}", "secret": "{password}"}, retries=0),
                             environ={"T": TOKEN})
    job = ProvisionJob(backend=backend, smtp=parse_smtp_url(relay.url), template=WelcomeTemplate(sender=SENDER),
                       imap=ImapServer("imap", "127.0.0.1", server.port, insecure=True),
                       fanout=FanoutOptions(concurrency=3, agent_timeout=5.0), verify_wait=3.0, smtp_insecure=True)
    try:
        events: list = []
        await ProvisionRun(job, users).run(events.append)  # closes the backend
    finally:
        await runner.cleanup()
    *done, finished = events
    rows = finished.rows
    assert sorted(e.row.row for e in done) == [r.row for r in rows]  # one UserDone per user, then the rows
    assert api.peak == 3  # the cap, reached and never passed, as the API saw it
    assert [r.status for r in rows] == ["ok"] * 8 + ["failed"]
    assert rows[-1].mailbox == "failed" and "timed out after 5s (creating the mailbox)" in rows[-1].error
    assert len(relay.delivered) == 8


async def test_passwd_file_creates_are_atomic_across_backends(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_text("fan:{PLAIN}x::::::")  # no trailing newline: the next line must not be glued on
    backends = [DovecotPasswdBackend(DovecotPasswdConfig(passwd_file=passwd)) for _ in range(2)]
    users = [ProvisionUser(row=i, user=f"p{i % 40}@corp.example", email=f"p{i % 40}@corp.example") for i in range(120)]
    for user in users:
        user.password = type(user.password)("pw-" + user.user)
    results = await asyncio.gather(*(backends[i % 2].create(u) for i, u in enumerate(users)))
    assert results.count("created") == 40 and results.count("exists") == 80
    names = [line.split(":")[0] for line in passwd.read_text().splitlines()]
    assert sorted(names) == sorted(["fan", *{u.user for u in users}])
    assert passwd.read_text().startswith("fan:{PLAIN}x::::::\np")


def test_users_csv_rows_keep_their_problems_and_hide_passwords(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text("User,Email,Name,Password\nann,ann@corp.example,Ann,s3cret-pw\nbo,,,\n"
                    "cy@corp.example,,Cy,\"bad\x01pw\"\n")
    ann, bo, cy = read_users(path)
    assert (ann.user, ann.email, ann.problem) == ("ann", "ann@corp.example", "")
    assert "address" in bo.problem and "control characters" in cy.problem
    assert "s3cret-pw" not in repr(ann) + ann.model_dump_json()


def test_a_welcome_the_server_accepted_but_never_delivered_is_a_failed_row(mail, tmp_path: Path) -> None:
    server, relay = mail
    sink = SmtpSink()  # says 250 and keeps the mail to itself: nothing reaches the mailbox
    try:
        users = write_users(tmp_path / "users.csv", [{"user": "lost@corp.example", "name": "", "password": "lost-pw-1"}])
        args = provision_args(server, relay, users, tmp_path, "--output", tmp_path / "r.jsonl")
        args[args.index(relay.url)] = sink.url
        args[args.index("--verify-wait") + 1] = "1"
        result = fanmail(*args)
    finally:
        sink.close()
    assert result.returncode == 3
    (row,) = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert (row["mailbox"], row["welcome"], row["verified"], row["status"]) == ("created", "sent", False, "failed")
    assert "not found in lost@corp.example's INBOX after 1s" in row["error"]
    assert len(sink.messages) == 1 and relay.delivered == []
