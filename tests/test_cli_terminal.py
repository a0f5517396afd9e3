"""A dashboard with no terminal (cron, a pipe, `< /dev/null`) refuses at once in one line, exit 2."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

LINE = "fanmail: error: the dashboard needs a terminal; add --headless"


async def _run_without_terminal(args: list[str], stdin: int, **extra_env: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANMAIL_")} | extra_env
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "tui", *args, stdin=stdin,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
    try:
        async with asyncio.timeout(60):  # generous: a dashboard that started would never end by itself
            out, err = await proc.communicate()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        pytest.fail(f"fanmail {' '.join(args)} started a dashboard with no terminal")
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("args", [[], ["triage", "sample:5"], ["extract", "sample:3"]],
                         ids=["fanmail", "triage", "extract"])
async def test_no_terminal_on_stdin_refuses_with_one_line(args: list[str]) -> None:
    code, out, err = await _run_without_terminal(args, asyncio.subprocess.DEVNULL)
    assert code == 2 and err.strip() == LINE and out == ""


async def test_the_watch_dashboard_with_no_terminal_refuses_before_connecting() -> None:
    # port 1: nothing listens there, so a watch that tried to connect would say so instead
    code, out, err = await _run_without_terminal(["watch", "imap://fan@127.0.0.1:1/INBOX", "--imap-insecure"],
                                                 asyncio.subprocess.DEVNULL, FANMAIL_IMAP_PASSWORD="x")
    assert code == 2 and err.strip() == LINE and out == ""


async def test_a_terminal_on_stdin_but_a_pipe_on_stdout_is_refused_too() -> None:
    leader, follower = os.openpty()
    try:
        code, out, err = await _run_without_terminal(["triage", "sample:5"], follower)
    finally:
        os.close(leader)
        os.close(follower)
    assert code == 2 and err.strip() == LINE and out == ""
