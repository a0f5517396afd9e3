"""The look of each screen, as SVG snapshots of a recorded, deterministic run.

The run is the real coordinator driven by a scripted provider on a manual clock (see
`tui/app/triage/replay.py`), replayed through the same worker, state and flush code as a live run.
Update the baselines with: python -m pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from tui.app.triage.replay import Recording, record_demo, replay_app, review_app

WIDE = (160, 48)
SMALL = (80, 24)


@pytest.fixture(scope="module")
def recording() -> Recording:
    return record_demo()


def test_dashboard_mid_run_with_a_failed_agent(snap_compare, recording: Recording) -> None:
    app, settle = replay_app(recording, "mid")
    assert snap_compare(app, terminal_size=WIDE, run_before=settle)


def test_dashboard_mid_run_small_terminal(snap_compare, recording: Recording) -> None:
    app, settle = replay_app(recording, "mid")
    assert snap_compare(app, terminal_size=SMALL, run_before=settle)


def test_dashboard_light_theme(snap_compare, recording: Recording) -> None:
    app, settle = replay_app(recording, "mid", theme="fanmail-light")
    assert snap_compare(app, terminal_size=WIDE, run_before=settle)


def test_email_detail_shows_markup_and_ansi_literally(snap_compare, recording: Recording) -> None:
    app, settle = replay_app(recording, "done", select=None, toasts=False)

    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        app.dashboard.open_email("s00146")  # the sample's "[bold red]URGENT[/] server down"
        await pilot.pause()

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_help_lists_every_key(snap_compare, recording: Recording) -> None:
    app, settle = replay_app(recording, "mid", toasts=False)
    assert snap_compare(app, terminal_size=WIDE, press=["question_mark"], run_before=settle)


def test_run_report_after_operator_retry(snap_compare, recording: Recording) -> None:
    app, settle = replay_app(recording, "retried", select=None, toasts=False)
    assert snap_compare(app, terminal_size=WIDE, press=["t"], run_before=settle)


# ---------------------------------------------------------------- the review desk (`fanmail review`)


def test_review_queue_only(snap_compare, recording: Recording, tmp_path) -> None:  # noqa: ANN001
    app, settle = review_app(recording, str(tmp_path / "store.db"))

    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("v", "n")
        for _ in range(200):  # `n` lands on the first email to review; the footer's keys follow it
            if app.dashboard.table.selected_email_id:
                break
            await pilot.pause(0.05)
        app.dashboard.refresh_bindings()
        await pilot.pause()

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_review_route_picker(snap_compare, recording: Recording, tmp_path) -> None:  # noqa: ANN001
    app, settle = review_app(recording, str(tmp_path / "store.db"))
    assert snap_compare(app, terminal_size=WIDE, press=["n", "m", "s", "a"], run_before=settle)


def test_review_corrected_row(snap_compare, recording: Recording, tmp_path) -> None:  # noqa: ANN001
    app, settle = review_app(recording, str(tmp_path / "store.db"))

    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("n", "m", *"sales", "enter")
        table = app.dashboard.table
        for _ in range(200):  # the row changes once the store has the correction
            if app.dashboard.desk().corrections(table.selected_email_id or ""):
                break
            await pilot.pause(0.05)
        await pilot.press("k")  # off the row: its own colour shows, not the cursor's
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


# ---------------------------------------------------------------- the watch dashboard (`fanmail watch URL`)


def test_watch_dashboard_with_folded_waves_and_a_failed_agent(snap_compare) -> None:  # noqa: ANN001
    from tui.app.watch.replay import record_watch, watch_replay_app

    app, settle = watch_replay_app(record_watch())
    assert snap_compare(app, terminal_size=WIDE, run_before=settle)
