"""The dashboard's engine in a child process: it ends with its operator and never writes to the terminal."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tui.store import Store, process_alive

PARENT = textwrap.dedent("""
    import asyncio, sys
    from tui.app.triage.engine_process import ProcessSession
    from tui.mail.sources import load_source
    from tui.settings import Settings

    async def main():
        settings = Settings(provider="sim", sim_latency=0.5, sim_jitter=0.0, concurrency=4, batch_size=5,
                            store=sys.argv[1])
        session = ProcessSession(settings, "sample:200", load_source("sample:200", seed=1), label="t")
        async for event in session.events():
            if type(event).__name__ == "EmailDone":
                print("streaming", flush=True)
                await asyncio.sleep(3600)  # killed here

    asyncio.run(main())
""")


def _engine_children(parent_pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent_pid and b"tui.app.triage.engine_process" in cmdline:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    return process_alive(pid, socket.gethostname())  # a zombie is not (its parent died unreaping)


def test_engine_process_ends_when_the_dashboard_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "store.db")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline().strip() == "streaming", parent.stderr.read() if parent.stderr else ""
        children = _engine_children(parent.pid)
        assert len(children) == 1, "one engine process per run"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while _alive(children[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(children[0]), "the engine outlived its dashboard"
        with Store(tmp_path / "store.db") as store:
            (run,) = store.list_runs()
            assert store.verdicts(run.run_id), "the engine recorded what it had done before it ended"
        assert parent.stderr is not None and parent.stderr.read() == "", "the engine wrote to the terminal"
    finally:
        if parent.poll() is None:
            parent.kill()


async def test_a_crashed_engine_is_one_line_naming_its_error() -> None:
    """A child that dies says why: its exit code and the last line it wrote (never to the terminal)."""
    import pytest

    from tui.app.triage.engine_process import EngineFailed, ProcessSession
    from tui.mail.sources import load_source
    from tui.settings import Settings

    session = ProcessSession(Settings(provider="rules"), "sample:5", load_source("sample:5", seed=1), label="t")
    session.email_list = [None]  # type: ignore[list-item]  # the child cannot build its run from this
    with pytest.raises(EngineFailed) as failed:
        async for _ in session.events():
            pass
    message = str(failed.value)
    assert "\n" not in message and "exit code 1" in message and "AttributeError" in message, message
