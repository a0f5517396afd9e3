"""`fanmail campaign` against a real aiosmtpd on 127.0.0.1 that refuses (550) and defers (451) some
recipients: exactly one message per recipient, the report equals the server's own log, dry runs
send nothing, suppression holds, CSV values cannot inject headers, failures are reported."""

from __future__ import annotations

import csv
import email
import json
from collections import Counter
from email import policy
from pathlib import Path

import pytest
from campaign_smtp import CampaignHandler, server_factory  # noqa: F401 - fixture

from tui.cli import main

SEGMENTS = ["emea", "apac", "amer", "latam", "nordics"]
PER_SEGMENT = 200


def write_contacts(path: Path, per_segment: int = PER_SEGMENT, segments: list[str] = SEGMENTS) -> list[str]:
    addresses = []
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "region", "plan"])
        for s, region in enumerate(segments):
            for i in range(per_segment):
                address = f"u{i}.{region}@example.test"
                addresses.append(address)
                writer.writerow([address, f"User {i}", region, "pro" if i % 2 else "free"])
    return addresses


def write_template(path: Path) -> Path:
    path.write_text("Subject: News for $name ($plan)\n\nHello $name,\n\nYour $plan plan in $region.\n"
                    "Unsubscribe: $unsubscribe_url\n")
    return path


def refused_and_deferred(addresses: list[str]) -> tuple[set[str], set[str]]:
    refuse = {a for n, a in enumerate(addresses) if n % 17 == 3}
    defer = {a for n, a in enumerate(addresses) if n % 11 == 5} - refuse
    return refuse, defer


def campaign_args(tmp_path: Path, contacts: Path, url: str, *extra: str) -> list[str]:
    return ["campaign", str(contacts), "--template", str(tmp_path / "t.txt"), "--segment-by", "region",
            "--from", "news@sender.test", "--smtp", url, "--smtp-insecure", "--store", str(tmp_path / "fm.db"),
            "--retry-delay", "0.05", "--unsubscribe", "https://sender.test/u?e=$email", *extra]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_five_segments_each_recipient_once_report_matches_server_log(tmp_path, server_factory, capsys) -> None:
    addresses = write_contacts(tmp_path / "contacts.csv")
    write_template(tmp_path / "t.txt")
    refuse, defer = refused_and_deferred(addresses)
    handler = CampaignHandler(refuse=refuse, defer_once=defer)
    server = server_factory(handler)

    code = main(campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply",
                              "--csv", str(tmp_path / "r.csv"), "--jsonl", str(tmp_path / "r.jsonl"),
                              "--segments-csv", str(tmp_path / "s.csv")))
    assert code == 0, capsys.readouterr().err
    log, received = handler.snapshot()

    # every recipient that is not refused got exactly one message; refused ones none
    assert received == Counter({a: 1 for a in addresses if a not in refuse})
    assert len(refuse) > 20 and len(defer) > 40
    # one SMTP connection per segment agent, reused for its 200 recipients
    assert handler.connections == len(SEGMENTS)

    rows = read_csv(tmp_path / "r.csv")
    assert sorted(r["recipient"] for r in rows) == sorted(addresses)
    by_rcpt = {r["recipient"]: r for r in rows}
    assert {a for a, r in by_rcpt.items() if r["status"] == "refused"} == refuse
    assert all(by_rcpt[a]["smtp_code"] == "550" for a in refuse)
    assert {a for a, r in by_rcpt.items() if r["status"] == "accepted"} == set(addresses) - refuse
    assert all(by_rcpt[a]["attempts"] == "2" for a in defer)  # deferred once, arrived on the retry

    # the report, line for line, is the server's own log (one line per SMTP answer per recipient)
    server_lines: dict[str, list[tuple[int, str]]] = {}
    for rcpt, code_, message_id in log:
        server_lines.setdefault(rcpt, []).append((code_, message_id))
    from_server = sorted((r, len(lines), lines[-1][0], lines[-1][1]) for r, lines in server_lines.items())
    from_report = sorted((r["recipient"], int(r["attempts"]), int(r["smtp_code"]),
                          r["message_id"] if r["status"] == "accepted" else "") for r in rows)
    assert from_report == from_server

    # per segment: CSV and JSONL agree, 200 each
    segs = read_csv(tmp_path / "s.csv")
    assert sorted(s["segment"] for s in segs) == sorted(SEGMENTS)
    assert all(int(s["total"]) == PER_SEGMENT for s in segs)
    assert sum(int(s["refused"]) for s in segs) == len(refuse)
    lines = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert Counter(x["type"] for x in lines) == {"segment": 5, "recipient": 1000}
    assert {x["recipient"]: x["status"] for x in lines if x["type"] == "recipient"} == \
        {r["recipient"]: r["status"] for r in rows}

    # every message: its own recipient, rendered fields, List-Unsubscribe with one-click POST
    msg = email.message_from_bytes(handler.messages[0], policy=policy.default)
    rcpt = msg["To"].addresses[0].addr_spec
    assert msg["List-Unsubscribe"] == f"<https://sender.test/u?e={rcpt}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Message-ID"] == by_rcpt[rcpt]["message_id"]
    assert "Your " in msg.get_content() and by_rcpt[rcpt]["segment"] in msg.get_content()

    # running the same command again sends nothing more (the ledger has every outcome)
    assert main(campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply")) == 0
    assert handler.snapshot()[1] == received


def test_dry_run_previews_and_sends_nothing(tmp_path, server_factory, capsys) -> None:
    write_contacts(tmp_path / "contacts.csv", per_segment=3)
    write_template(tmp_path / "t.txt")
    handler = CampaignHandler()
    server = server_factory(handler)
    assert main(campaign_args(tmp_path, tmp_path / "contacts.csv", server.url)) == 0
    out = capsys.readouterr().out
    assert "would send 15 message(s)" in out and "segment 'emea': 3 contacts: to send 3" in out
    assert "Subject: News for User 0 (free)" in out and "dry run: nothing sent" in out
    assert handler.connections == 0 and not handler.log


def test_refused_addresses_are_suppressed_in_later_campaigns(tmp_path, server_factory, capsys) -> None:
    addresses = write_contacts(tmp_path / "contacts.csv", per_segment=10, segments=["a", "b"])
    write_template(tmp_path / "t.txt")
    refuse = {addresses[1], addresses[12]}
    handler = CampaignHandler(refuse=refuse)
    server = server_factory(handler)
    assert main(campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply")) == 0
    first_log = len(handler.snapshot()[0])
    # a new campaign to the same list: the refused addresses are never contacted again
    assert main(campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply", "--campaign", "second",
                              "--csv", str(tmp_path / "second.csv"))) == 0
    later = handler.snapshot()[0][first_log:]
    assert {r for r, _, _ in later} == set(addresses) - refuse
    rows = {r["recipient"]: r for r in read_csv(tmp_path / "second.csv")}
    assert {a for a, r in rows.items() if r["status"] == "suppressed"} == refuse
    assert all("refused: 550" in rows[a]["error"] for a in refuse)


def test_csv_values_cannot_inject_headers_or_templates(tmp_path, server_factory, capsys) -> None:
    contacts = tmp_path / "contacts.csv"
    with open(contacts, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "region", "plan"])
        writer.writerow(["eve@example.test", "Eve\r\nBcc: victim@example.test", "x", "$region {0.__class__} %s"])
        writer.writerow(["bob@example.test\r\nBcc: victim@example.test", "Bob", "x", "p"])
        writer.writerow(["a@example.test, b@example.test", "Two", "x", "p"])
        writer.writerow(["eve@example.test", "Eve again", "x", "p"])
    write_template(tmp_path / "t.txt")
    handler = CampaignHandler()
    server = server_factory(handler)
    code = main(campaign_args(tmp_path, contacts, server.url, "--apply", "--csv", str(tmp_path / "r.csv")))
    assert code == 0
    _, received = handler.snapshot()
    assert received == Counter({"eve@example.test": 1})  # nobody else, no Bcc, no second Eve
    msg = email.message_from_bytes(handler.messages[0], policy=policy.default)
    assert msg["Bcc"] is None and msg["To"].addresses[0].addr_spec == "eve@example.test"
    assert "\n" not in str(msg["Subject"]) and "Bcc: victim" in str(msg["Subject"])  # kept as text, one line
    assert "$region {0.__class__} %s" in str(msg["Subject"])  # substituted once, never interpreted
    statuses = sorted(r["status"] for r in read_csv(tmp_path / "r.csv"))
    assert statuses == ["accepted", "invalid", "invalid", "invalid"]


def test_unreachable_server_fails_segments_and_keeps_rows_pending(tmp_path, capsys) -> None:
    from dovecot import free_port

    write_contacts(tmp_path / "contacts.csv", per_segment=4, segments=["a", "b"])
    write_template(tmp_path / "t.txt")
    url = f"smtp://127.0.0.1:{free_port()}"
    code = main(campaign_args(tmp_path, tmp_path / "contacts.csv", url, "--apply", "--csv", str(tmp_path / "r.csv")))
    err = capsys.readouterr().err
    assert code == 3
    assert "segment 'a' FAILED: cannot send via SMTP 127.0.0.1" in err and "(4 left pending)" in err
    rows = read_csv(tmp_path / "r.csv")
    assert len(rows) == 8 and {r["status"] for r in rows} == {"pending"}
    assert all("cannot send via SMTP" in r["error"] for r in rows)


@pytest.mark.parametrize("change, message", [
    (["--segment-by", "nope"], "--segment-by 'nope' is not a column"),
    (["--template", "MISSING"], "No such file"),
    (["--from", "not an address"], "is not a plain email address"),
    (["--mpm", "0"], "--mpm must be at least 1"),
    (["--smtp", "smtp://user:pw@127.0.0.1:25"], "put no password in --smtp"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, change, message) -> None:
    write_contacts(tmp_path / "contacts.csv", per_segment=2)
    write_template(tmp_path / "t.txt")
    args = campaign_args(tmp_path, tmp_path / "contacts.csv", "smtp://127.0.0.1:2525")
    flag = change[0]
    value = str(tmp_path / change[1]) if change[1] == "MISSING" else change[1]
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("fanmail: error: ") and message in err
    assert "pw" not in err.replace("put no password", "")


def test_template_field_missing_from_csv_is_refused_before_sending(tmp_path, capsys) -> None:
    write_contacts(tmp_path / "contacts.csv", per_segment=2)
    (tmp_path / "t.txt").write_text("Subject: Hi $nickname\n\nBody\n")
    assert main(campaign_args(tmp_path, tmp_path / "contacts.csv", "smtp://127.0.0.1:2525", "--apply")) == 2
    err = capsys.readouterr().err
    assert "template uses $nickname but the contacts CSV has no such column" in err


def test_outbound_engine_imports_no_textual() -> None:
    import subprocess
    import sys

    modules = ["tui.outbound.campaign", "tui.outbound.campaign_plan", "tui.outbound.ledger", "tui.outbound.report",
               "tui.outbound.bounces", "tui.commands.campaign", "tui.outbound.template", "tui.outbound.contacts",
               "tui.outbound.personalize", "tui.run.campaign", "tui.outbound.tables", "tui.outbound.cli_common",
               "tui.outbound.provision", "tui.commands.provision"]
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_agent_timeout_is_reported_and_the_next_run_finishes_without_duplicates(tmp_path, server_factory,
                                                                               capsys) -> None:
    addresses = write_contacts(tmp_path / "contacts.csv", per_segment=6, segments=["a", "b"])
    write_template(tmp_path / "t.txt")
    handler = CampaignHandler(latency=0.15)
    server = server_factory(handler)
    args = campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply", "--csv", str(tmp_path / "r.csv"))
    assert main([*args, "--agent-timeout", "0.4"]) == 3
    err = capsys.readouterr().err
    assert "segment 'a' FAILED: agent timed out after 0.4 s" in err and "segment 'b' FAILED" in err
    rows = {r["recipient"]: r for r in read_csv(tmp_path / "r.csv")}
    pending = {a for a, r in rows.items() if r["status"] == "pending"}
    unknown = {a for a, r in rows.items() if r["status"] == "unknown"}
    assert pending and all("agent timed out" in rows[a]["error"] for a in pending)
    assert len(unknown) <= 2  # the DATA each agent was in when its time ran out

    handler.latency = 0.0
    assert main(args) == (3 if unknown else 0)
    _, received = handler.snapshot()
    assert max(received.values()) == 1
    rows = {r["recipient"]: r for r in read_csv(tmp_path / "r.csv")}
    assert {a for a, r in rows.items() if r["status"] == "accepted"} == set(addresses) - unknown
    assert all(received[a] == 1 for a in set(addresses) - unknown)


def test_messages_per_minute_hold_at_the_server_across_agents(tmp_path, server_factory, capsys) -> None:
    """--mpm is one limit for the server, shared by every segment agent, counted at the server:
    30 messages at 10/s take at least 2.9 s however the agents overlap, and no two-second window
    holds more than 20 (+2: the server's clock sees the sends through the machine's scheduling
    jitter, which can bunch two neighbours into one window)."""
    write_contacts(tmp_path / "contacts.csv", per_segment=10, segments=["a", "b", "c"])
    write_template(tmp_path / "t.txt")
    handler = CampaignHandler()
    server = server_factory(handler)
    assert main(campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply", "--mpm", "600")) == 0
    arrivals = sorted(handler.arrivals)
    assert len(arrivals) == 30
    assert arrivals[-1] - arrivals[0] >= 29 / 10 - 0.3, "faster than 10 messages a second"
    busiest = max(sum(1 for t in arrivals[i:] if t < start + 2.0) for i, start in enumerate(arrivals))
    assert busiest <= 2 * 600 // 60 + 2


def test_a_refused_sender_fails_the_segments_and_suppresses_nobody(tmp_path, server_factory, capsys) -> None:
    write_contacts(tmp_path / "contacts.csv", per_segment=3, segments=["a", "b"])
    write_template(tmp_path / "t.txt")
    handler = CampaignHandler(refuse_sender=True)
    server = server_factory(handler)
    args = campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply", "--csv", str(tmp_path / "r.csv"))
    assert main(args) == 3
    assert "refused the sender news@sender.test: 553" in capsys.readouterr().err
    assert {r["status"] for r in read_csv(tmp_path / "r.csv")} == {"pending"}
    handler.refuse_sender = False  # the sender is fixed: the next run sends everyone, nobody was suppressed
    assert main(args) == 0
    assert handler.snapshot()[1] == Counter({a: 1 for a in handler.snapshot()[1]}) and len(handler.snapshot()[1]) == 6


def test_deferrals_still_waiting_when_the_agent_stops_are_retried_by_the_next_run(tmp_path, server_factory,
                                                                                   capsys) -> None:
    addresses = write_contacts(tmp_path / "contacts.csv", per_segment=3, segments=["a", "b"])
    write_template(tmp_path / "t.txt")
    handler = CampaignHandler(defer_once=set(addresses))
    server = server_factory(handler)
    args = campaign_args(tmp_path, tmp_path / "contacts.csv", server.url, "--apply", "--csv", str(tmp_path / "r.csv"))
    args[args.index("--retry-delay") + 1] = "30"  # the backoff outlasts the agent
    assert main([*args, "--agent-timeout", "1"]) == 3
    rows = read_csv(tmp_path / "r.csv")
    assert {(r["status"], r["attempts"], r["smtp_code"]) for r in rows} == {("deferred", "1", "451")}
    assert all("agent timed out" in r["error"] for r in rows)  # shown, not dropped
    assert not handler.snapshot()[1]
    assert main(args) == 0  # the next run picks the deferrals up; the server now accepts them
    rows = read_csv(tmp_path / "r.csv")
    assert {(r["status"], r["attempts"]) for r in rows} == {("accepted", "2")}
    assert handler.snapshot()[1] == Counter({a: 1 for a in addresses})
