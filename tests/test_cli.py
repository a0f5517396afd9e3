"""The headless contract and bad input, through the real `fanmail` command in a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path

CONTRACT = {
    "email_id", "message_id", "status", "agent_id", "attempts", "urgent", "priority", "route", "category",
    "confidence", "injection", "injection_reason", "summary", "error", "conflict", "latency_ms", "trace_id",
    "review",
}
FAST_SIM = ["--sim-latency", "0.01", "--sim-jitter", "0", "--sim-fail-rate", "0", "--sim-hang-rate", "0",
            "--sim-garbage-rate", "0"]


async def fanmail(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("FANMAIL_", "OPENAI_"))}
    environ.update(env or {})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=environ, cwd=cwd,
    )
    async with asyncio.timeout(120):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def read_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_headless_contract_200_rows_each_once(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    code, _, err = await fanmail("triage", "sample:200", "--headless", "--provider", "sim", "--output", str(out),
                                 "--report", str(tmp_path / "report.json"), *FAST_SIM)
    assert code == 0, err
    rows = read_rows(out)
    assert len(rows) == 200
    assert Counter(r["email_id"] for r in rows).most_common(1)[0][1] == 1
    assert all(set(r) == CONTRACT for r in rows)
    assert {r["status"] for r in rows} <= {"ok", "duplicate"}
    assert "200/200 done" in err  # progress on stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["total"] == 200 and report["agents"] == 20


async def test_faulty_provider_rows_written_and_exit_3(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    code, _, err = await fanmail(
        "triage", "sample:200", "--headless", "--provider", "sim", "--output", str(out), "--retries", "1",
        "--timeout", "0.5", "--sim-latency", "0.02", "--sim-jitter", "0.01", "--sim-fail-rate", "0.1",
        "--sim-hang-rate", "0.05", "--sim-garbage-rate", "0.05", "--seed", "3",
    )
    assert code == 3, err
    rows = read_rows(out)
    assert len(rows) == 200 and len({r["email_id"] for r in rows}) == 200
    bad = [r for r in rows if r["status"] in ("failed", "timeout")]
    assert bad and all(r["error"] and r["attempts"] == 2 for r in bad)
    assert "Traceback" not in err


async def test_bad_inputs_give_one_line_and_exit_2(tmp_path: Path, sim_factory) -> None:
    (tmp_path / "empty").mkdir()
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("concurrency = [oops\n")
    bad_value = tmp_path / "bad-value.toml"
    bad_value.write_text("concurrency = -3\n")
    sim = await sim_factory(require_key="right-key")
    cases = {
        "missing path": ("triage", str(tmp_path / "nope"), "--headless"),
        "empty folder": ("triage", str(tmp_path / "empty"), "--headless"),
        "malformed config": ("--config", str(bad_toml), "triage", "sample:5", "--headless"),
        "bad config value": ("--config", str(bad_value), "triage", "sample:5", "--headless"),
        "bad sample count": ("triage", "sample:zero", "--headless"),
        "unreachable url": ("triage", "sample:5", "--headless", "--provider", "openai", "--base-url",
                            "http://127.0.0.1:9/v1"),
    }
    for name, args in cases.items():
        code, out, err = await fanmail(*args, env={"OPENAI_API_KEY": "k"})
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 2, (name, err)
        assert len(lines) == 1 and lines[0].startswith("fanmail: error:"), (name, err)
        assert out == "", name

    code, out, err = await fanmail("triage", "sample:50", "--headless", "--provider", "openai", "--base-url",
                                   sim.url, env={"OPENAI_API_KEY": "sk-wrong-secret-value"})
    assert code == 2 and "401" in err and "sk-wrong" not in err and len(err.strip().splitlines()) == 1
    assert sim.stats.unauthorized == 1 and sim.stats.total == 0, "a bad key must stop before fanning out"


async def test_settings_layers_env_then_flags(tmp_path: Path) -> None:
    config = tmp_path / "fanmail.toml"
    config.write_text('concurrency = 3\nbatch_size = 4\n[[routes]]\nname = "billing"\ncategories = ["invoice"]\n')
    out = tmp_path / "r.jsonl"
    code, _, err = await fanmail("--config", str(config), "triage", "sample:24", "--headless", "--provider", "sim",
                                 "--batch-size", "6", "-o", str(out), "--report", str(tmp_path / "rep.json"),
                                 *FAST_SIM, env={"FANMAIL_CONCURRENCY": "2"})
    assert code == 0, err
    report = json.loads((tmp_path / "rep.json").read_text())
    assert report["concurrency"] == 2 and report["batch_size"] == 6
    routes = {r["route"] for r in read_rows(out) if r["status"] == "ok"}
    assert routes <= {"billing", "review"}  # only the configured routes (+ review) exist


def test_jsonl_line_is_the_rows_json_values() -> None:
    """A JSONL line is compact JSON of exactly `model_dump(mode="json")` (what json.dumps wrote
    before, values and key order), one line; a lone surrogate is escaped, not a crash."""
    from tui.mail.sample import sample_emails
    from tui.model import ResultRow, Review, Verdict

    email = sample_emails(3)[0]
    verdict = Verdict(urgent=True, priority=93, route="incidents", category="outage", confidence=1e-05,
                      injection=False, summary='line\u2028sep, "quoted", é', injection_reason="")
    made = ResultRow.from_verdict(email, verdict, agent_id="a01", attempts=2, latency_ms=150)
    rows = [made, made.model_copy(update={"conflict": "same Message-ID, different content: s2"}),
            ResultRow.failure(email, "timeout", "no answer in 5 s", agent_id="a02"),
            ResultRow(email_id="s9", status="ok", decision=Review(reviewed=True, decided_by="operator", by="ana"),
                      flags=["x"], review=True),
            ResultRow(email_id="s10", status="failed", error="bad \ud800 byte")]
    for row in rows:
        line = row.jsonl()
        assert line.endswith("\n") and line.count("\n") == 1
        assert list(json.loads(line).items()) == list(row.model_dump(mode="json").items())
        assert json.loads(line) == json.loads(json.dumps(row.model_dump(mode="json"), ensure_ascii=False))
    assert "\\ud800" in rows[-1].jsonl()
