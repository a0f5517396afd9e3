"""Real providers through the `fanmail` command: a wrong key, keys never written anywhere, the
preview before launch. The simulator plays OpenAI and Anthropic on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web

from scripted import root_url, scripted
from tui.agents.base import FatalProviderError
from tui.headless import triage_headless
from tui.settings import Settings

FAKE_KEY = "sk-fanmailLEAKCHECK-9f8e7d6c5b4a3210-zz"
FAULTS = dict(latency=0.01, fail_rate=0.05, garbage_rate=0.05, rate_429=0.03, refusal_rate=0.02)


async def fanmail(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str, float]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("FANMAIL_", "OPENAI_", "ANTHROPIC_"))}
    environ.update(env or {})
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=environ,
    )
    async with asyncio.timeout(120):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode(), time.monotonic() - started


@pytest.mark.parametrize(("provider", "variable"), [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY")])
async def test_wrong_key_one_line_fast_one_request(sim_factory, tmp_path: Path, provider: str, variable: str) -> None:
    """Acceptance: one line naming the provider and the variable, within 2 s, one request at most."""
    sim = await sim_factory(require_key="the-right-key")
    url = sim.url if provider == "openai" else sim.root_url
    code, out, err, took = await fanmail(
        "triage", "sample:200", "--headless", "--provider", provider, "--base-url", url, "--model", "m",
        "--store", str(tmp_path / "s.db"), env={variable: FAKE_KEY})
    lines = err.strip().splitlines()
    assert code == 2 and out == ""
    assert lines == [f"fanmail: error: {provider} at 127.0.0.1:{sim.port} refused the API key from {variable} (401)"]
    print(f"\n{provider}: wrong key reported by the command in {took:.2f}s (interpreter start included)")
    assert sim.stats.unauthorized == 1 and sim.stats.total == 0  # the one cheap check, nothing else
    # The same run in-process, where the clock starts with the run rather than the interpreter.
    stderr = io.StringIO()
    settings = Settings(provider=provider, base_url=url, model="m", store=str(tmp_path / "s2.db"))
    os.environ[variable] = FAKE_KEY
    try:
        with pytest.raises(FatalProviderError) as err:
            await triage_headless(settings, "sample:5000", None, None, stderr)
    finally:
        del os.environ[variable]
    assert str(err.value) == lines[0].removeprefix("fanmail: error: ")
    # stopped at the first request, not after 5,000: the server saw one more refused call, no other
    assert sim.stats.unauthorized == 2 and sim.stats.total == 0 and stderr.getvalue() == ""


async def test_no_key_or_authorization_header_in_any_output(sim_factory, tmp_path: Path) -> None:
    """Acceptance: run with a distinctive key through both APIs (with faults, a refused key and an
    error body that echoes the key) and search every byte the runs wrote."""
    outputs: list[str] = []
    sim = await sim_factory(require_key=FAKE_KEY, seed=4, **FAULTS)
    for provider, variable, url in (("openai", "OPENAI_API_KEY", sim.url),
                                    ("anthropic", "ANTHROPIC_API_KEY", sim.root_url)):
        folder = tmp_path / provider
        folder.mkdir()
        code, out, err, _ = await fanmail(
            "triage", "sample:120", "--headless", "--provider", provider, "--base-url", url, "--model", "m",
            "--concurrency", "8", "--timeout", "2", "--output", str(folder / "rows.jsonl"),
            "--report", str(folder / "report.json"), "--trace", str(folder / "trace.jsonl"),
            "--store", str(tmp_path / "store.db"), env={variable: FAKE_KEY, "FANMAIL_DEBUG": "1"})
        assert code in (0, 3), err
        outputs += [out, err]
        assert json.loads((folder / "report.json").read_text())["total"] == 120
    # A refused key, and a server whose errors echo the request's credentials back.
    wrong = await sim_factory(require_key="another-key")
    outputs += (await fanmail("triage", "sample:20", "--headless", "--provider", "anthropic", "--base-url",
                              wrong.root_url, "--store", str(tmp_path / "store.db"),
                              env={"ANTHROPIC_API_KEY": FAKE_KEY}))[1:3]

    async def echo(request: web.Request) -> web.Response:
        if request.path.endswith("/models"):
            return web.json_response({"data": []})
        said = f"bad request from {request.headers.get('Authorization')} key={FAKE_KEY}"
        return web.json_response({"error": {"message": said, "type": "invalid_request_error"}}, status=400)

    runner = await scripted(echo)
    try:
        code, out, err, _ = await fanmail(
            "triage", "sample:20", "--headless", "--provider", "openai", "--base-url",
            f"{root_url(runner)}/v1", "--output", str(tmp_path / "echo.jsonl"),
            "--store", str(tmp_path / "store.db"), env={"OPENAI_API_KEY": FAKE_KEY})
    finally:
        await runner.cleanup()
    assert code == 3 and "run stopped" in err and "***" in err
    outputs += [out, err]
    for command in (("runs", "--json"), ("report", "last", "--json")):
        code, out, err, _ = await fanmail(*command, "--store", str(tmp_path / "store.db"))
        assert code == 0, err
        outputs += [out, err]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 8
    secret_parts = (FAKE_KEY, FAKE_KEY[3:], "9f8e7d6c5b4a3210", f"Bearer {FAKE_KEY}")
    for part in secret_parts:
        for text in outputs:
            assert part not in text
        for path in files:
            assert part.encode() not in path.read_bytes(), path.name
    assert not any("Bearer " in t for t in outputs)


async def test_preview_on_stderr_and_in_the_report(tmp_path: Path) -> None:
    code, _, err, _ = await fanmail(
        "triage", "sample:100", "--headless", "--provider", "sim", "--sim-latency", "0.01", "--sim-jitter", "0",
        "--sim-fail-rate", "0", "--sim-hang-rate", "0", "--sim-garbage-rate", "0", "--tpm", "2000000",
        "--output", str(tmp_path / "r.jsonl"), "--report", str(tmp_path / "report.json"),
        "--store", str(tmp_path / "s.db"))
    assert code == 0, err
    lines = err.splitlines()
    preview_at = next(i for i, line in enumerate(lines) if line.startswith("fanmail: preview: "))
    assert all("done," not in line for line in lines[:preview_at])  # before the run's progress
    assert "emails" in lines[preview_at] and "cost $0.00" in lines[preview_at]
    report = json.loads((tmp_path / "report.json").read_text())
    preview = report["preview"]
    assert preview["emails"] == report["total"] - report["duplicate"] and preview["tpm"] == 2_000_000
    assert preview["cost"] == "$0.00" and preview["wall_s"] > 0
    assert report["input_tokens"] > 0.5 * preview["input_tokens"] and report["cost_usd"] == 0.0
    assert any(line.startswith("fanmail: ") and "tokens (" in line and "preview: $0.00" in line for line in lines)
