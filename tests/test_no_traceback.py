"""No traceback, ever: every sub-command's headless path, run as a user runs it (a subprocess), ends
with its own lines on stderr, never a Python traceback or asyncio's "unhandled exception" report
(`extract --provider sim` printed one at every exit: its events' reader was closed by asyncio.run's
shutdown instead of by the loop that read them)."""

from __future__ import annotations

from pathlib import Path

from test_cli import FAST_SIM, fanmail

from tui.cli import build_parser
from tui.extract.corpus import generate
from tui.extract.records import DocFormat

# Long-running servers, not a headless path to the end: `sim` and `webhook` serve until stopped
# (their own tests start and stop them); `bounces` needs an IMAP server (tests/test_dsn.py).
SERVERS = {"sim", "webhook", "bounces"}


def clean(err: str) -> bool:
    return "Traceback" not in err and "unhandled exception" not in err and "Error:" not in err.replace(
        "fanmail: error:", "")


async def test_every_headless_path_ends_without_a_traceback(tmp_path: Path) -> None:
    env = {"FANMAIL_STORE": str(tmp_path / "s.db"), "FANMAIL_SIM_HANG_RATE": "0", "XDG_CONFIG_HOME": str(tmp_path)}
    eml = tmp_path / "eml"
    eml.mkdir()
    for doc in generate(6, 7):
        if doc.format in (DocFormat.TEXT, DocFormat.PDF):  # no OCR: this test needs no tesseract
            (eml / doc.email_id).write_bytes(doc.raw)
    (tmp_path / "c.csv").write_text("email,name,region\na@x.test,A,eu\nb@x.test,B,us\n")
    (tmp_path / "t.txt").write_text("Subject: Hi $name\n\nHello $name\n")
    (tmp_path / "users.csv").write_text("user,password\n")
    trace = tmp_path / "trace.jsonl"
    runs: list[tuple[str, ...]] = [
        ("triage", "sample:20", "--headless", "--provider", "rules", "-o", str(tmp_path / "r.jsonl")),
        ("triage", "sample:20", "--headless", *FAST_SIM, "--trace", str(trace), "-o", str(tmp_path / "s.jsonl")),
        ("extract", str(eml), "--headless", "--provider", "sim", "-o", str(tmp_path / "f.jsonl")),
        ("extract", str(eml), "--headless", "-o", str(tmp_path / "g.jsonl")),
        ("campaign", str(tmp_path / "c.csv"), "--template", str(tmp_path / "t.txt"), "--segment-by", "region",
         "--from", "n@s.test", "--smtp", "smtp://127.0.0.1:1", "--smtp-insecure"),  # a dry run: nothing sent
        ("campaign-report",),  # no campaign was sent: one line, exit 2
        ("provision", str(tmp_path / "users.csv"), "--imap-server", "imap://127.0.0.1:1"),  # no backend: exit 2
        ("runs",), ("runs", "--json"), ("report", "last"), ("report", "last", "--json"),
        ("replay", "--trace", str(trace), "--headless", "--speed", "0", "-o", str(tmp_path / "p.jsonl")),
        ("corrections", "add", "last", "sample-0001", "route=billing"), ("corrections", "list"),
        ("corrections", "export", str(tmp_path / "x.jsonl")), ("corrections", "import", str(tmp_path / "x.jsonl")),
        ("learned", "list"), ("review", "last", "--headless", "-o", str(tmp_path / "v.jsonl")),
        ("config", "path"), ("--version",),
        ("watch", "imap://fan@127.0.0.1:1/INBOX", "--headless", "--imap-insecure", *FAST_SIM),  # no password
    ]
    seen = set()
    for args in runs:
        code, _, err = await fanmail(*args, env=env)
        assert code in (0, 2, 3), (args, code, err)
        assert clean(err), (args, err)
        if code == 2:
            assert len(err.strip().splitlines()) == 1 and err.startswith("fanmail: error: "), (args, err)
        seen.add(args[0])
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert set(commands) - SERVERS <= seen, "a new sub-command needs its headless path here"
