"""`fanmail watch ~/Maildir`: real files in a temporary Maildir, the command as a subprocess.

Mail is delivered as an MDA does (written in tmp/, renamed into new/) while the watcher runs;
a mail client reading it is a rename into cur/ with `:2,S`. Waits poll the output with a bound.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from watch_process import FAST_SIM, WAIT_S, Watches, WatchProcess, clean_env, ids, watches  # noqa: F401 - fixture

from tui.mail.parse import parse_bytes
from tui.mail.sample import generate_sample

RAWS = [m.raw for m in generate_sample(20, seed=11)]
MESSAGE_IDS = [parse_bytes(raw, email_id="x").message_id for raw in RAWS]
_names = itertools.count(1)


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    box = tmp_path / "Maildir"
    for sub in ("tmp", "new", "cur"):
        (box / sub).mkdir(parents=True)
    return box


def deliver(box: Path, raw: bytes, *, cur_flags: str | None = None) -> str:
    """Write in tmp/, rename into new/ (or into cur/ with these flags): the Maildir delivery. Returns the key."""
    key = f"{time.time_ns()}.M{next(_names)}P{os.getpid()}.test"
    (box / "tmp" / key).write_bytes(raw)
    target = box / "new" / key if cur_flags is None else box / "cur" / f"{key}:2,{cur_flags}"
    (box / "tmp" / key).rename(target)
    return key


def read_by_client(box: Path, key: str) -> None:
    """What a mail client does with new mail it shows: new/KEY -> cur/KEY:2,S."""
    (box / "new" / key).rename(box / "cur" / f"{key}:2,S")


class Watch(WatchProcess):
    """`fanmail watch MAILDIR --headless`."""

    def __init__(self, box: Path, tmp_path: Path, *extra: str) -> None:
        super().__init__([str(box)], tmp_path, extra, clean_env())


def test_unread_files_waiting_then_files_delivered_while_watching_get_one_row_each(
        maildir: Path, tmp_path: Path, watches: Watches) -> None:
    waiting = [deliver(maildir, RAWS[0]), deliver(maildir, RAWS[1]), deliver(maildir, RAWS[2], cur_flags="F")]
    deliver(maildir, RAWS[3], cur_flags="S")  # read before the watch: not triaged, as IMAP's UNSEEN
    w = watches.add(Watch(maildir, tmp_path))
    w.wait_log("Maildir polling")
    assert sorted(ids(w.wait_rows(3))) == sorted(waiting)
    arrived = [deliver(maildir, raw) for raw in RAWS[4:7]]  # delivered one by one while it watches
    rows = w.wait_rows(6)
    assert w.stop() == 0
    rows = w.rows()
    assert sorted(ids(rows)) == sorted(waiting + arrived) and all(r["status"] == "ok" for r in rows)
    assert {r["message_id"] for r in rows} == set(MESSAGE_IDS[:3] + MESSAGE_IDS[4:7])
    assert "Traceback" not in w.stderr


def test_a_file_read_by_a_mail_client_is_not_triaged_twice(
        maildir: Path, tmp_path: Path, watches: Watches) -> None:
    w = watches.add(Watch(maildir, tmp_path))
    w.wait_log("Maildir polling")
    first = deliver(maildir, RAWS[0])
    w.wait_rows(1)
    read_by_client(maildir, first)  # new/KEY -> cur/KEY:2,S
    deliver(maildir, RAWS[1])  # the watcher has looked at the Maildir again once this has its row
    w.wait_rows(2)
    assert w.stop() == 0
    again = watches.add(Watch(maildir, tmp_path))  # and a restart does not take the renamed file for new mail
    deliver(maildir, RAWS[2])
    again.wait_rows(3)
    assert again.stop() == 0
    rows = again.rows()
    assert len(rows) == 3 and len(set(ids(rows))) == 3 and rows[0]["email_id"] == first


def test_sigkilled_watcher_started_again_gives_exactly_the_new_files(
        maildir: Path, tmp_path: Path, watches: Watches) -> None:
    old = [deliver(maildir, raw) for raw in RAWS[:2]]
    first = watches.add(Watch(maildir, tmp_path))
    first.wait_rows(2)
    first.kill()
    read_by_client(maildir, old[0])
    new = [deliver(maildir, raw) for raw in RAWS[2:5]]
    read_by_client(maildir, new[0])  # arrived and read while nobody watched: still new to the watch
    again = watches.add(Watch(maildir, tmp_path))
    rows = again.wait_rows(5)
    again.wait_log("Maildir polling")
    assert again.stop() == 0
    rows = again.rows()
    assert len(rows) == 5 and sorted(ids(rows[2:])) == sorted(new)
    assert "continuing, start 2" in again.stderr


def test_a_garbage_file_is_a_failed_row_and_the_watch_goes_on(
        maildir: Path, tmp_path: Path, watches: Watches) -> None:
    w = watches.add(Watch(maildir, tmp_path))
    w.wait_log("Maildir polling")
    garbage = deliver(maildir, bytes(range(256)) * 64)
    good = deliver(maildir, RAWS[0])
    rows = {r["email_id"]: r for r in w.wait_rows(2)}
    assert w.proc.poll() is None
    assert rows[garbage]["status"] == "failed" and rows[good]["status"] == "ok"
    assert w.stop() == 0 and "Traceback" not in w.stderr


@pytest.mark.parametrize("make, extra, says", [
    (lambda tmp: tmp / "nowhere", (), "no such Maildir"),
    (lambda tmp: tmp, (), "is not a Maildir"),
    (lambda tmp: tmp / "Maildir", ("--apply",), "watch --apply needs an IMAP folder"),
])
def test_a_missing_or_wrong_maildir_is_one_line_and_exit_2(
        maildir: Path, tmp_path: Path, make: Callable[[Path], Path], extra: tuple[str, ...], says: str) -> None:
    done = subprocess.run([sys.executable, "-m", "tui", "watch", str(make(tmp_path)), "--headless",
                           "--store", str(tmp_path / "s.db"), *FAST_SIM, *extra],
                          capture_output=True, text=True, env=clean_env(), timeout=WAIT_S)
    assert done.returncode == 2 and done.stderr.startswith("fanmail: error: ")
    assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_file_stopped_in_flight_is_taken_again_next_start_even_if_read_meanwhile(
        maildir: Path, tmp_path: Path, watches: Watches) -> None:
    key = deliver(maildir, RAWS[0])
    slow = watches.add(Watch(maildir, tmp_path, "--sim-latency", "600", "--grace", "0.2"))  # past the grace: a failed row
    slow.wait_log("Maildir polling")
    assert slow.stop() == 0
    assert [(r["email_id"], r["status"]) for r in slow.rows()] == [(key, "failed")]
    read_by_client(maildir, key)  # no longer unread: only the store knows it still wants a verdict
    again = watches.add(Watch(maildir, tmp_path))
    rows = again.wait_rows(2)
    assert again.stop() == 0
    assert (rows[1]["email_id"], rows[1]["status"]) == (key, "ok") and len(again.rows()) == 2


def test_the_folder_gone_while_watched_is_said_once_and_the_watch_goes_on(
        maildir: Path, tmp_path: Path, watches: Watches) -> None:
    w = watches.add(Watch(maildir, tmp_path))
    w.wait_log("Maildir polling")
    away = maildir.with_name("away")
    maildir.rename(away)  # unmounted, say
    w.wait_log("Maildir reconnecting: cannot list")
    away.rename(maildir)
    w.wait_for(lambda: w.stderr.count("Maildir polling") >= 2, "polling again")
    deliver(maildir, RAWS[0])
    w.wait_rows(1)
    assert w.stop() == 0
    assert w.stderr.count("Maildir reconnecting") == 1 and "Traceback" not in w.stderr


async def test_the_watching_dashboard_shows_a_maildir_growing(sim_factory, maildir: Path,  # noqa: ANN001
                                                               tmp_path: Path) -> None:
    from test_app import SIZE, screen_text, sim_settings, until

    from tui.app.watch.app import make_watch_app
    from tui.run.watch import WatchRun

    waiting = [deliver(maildir, raw) for raw in RAWS[:2]]
    server = await sim_factory(latency=0.01)
    settings = sim_settings(server.url, store=str(tmp_path / "store.db"), retries=1, timeout=5.0)
    app = make_watch_app(settings, WatchRun(settings, str(maildir), grace_s=2.0), note_timeout=60)
    async with app.run_test(size=SIZE) as pilot:
        state = app.dashboard.state
        await until(pilot, lambda: len(state.inbox.rows) == 2, WAIT_S)
        arrived = [deliver(maildir, raw) for raw in RAWS[2:4]]
        await until(pilot, lambda: len(state.inbox.rows) == 4 and not state.busy, WAIT_S)
        app.dashboard.flush()
        await pilot.pause()
        text = screen_text(app)
        assert sorted(state.inbox.rows) == sorted(waiting + arrived)
        assert str(maildir)[:20] in text and "(2 waiting at start)" in text and "2 arrived" in text
        await pilot.press("q")
