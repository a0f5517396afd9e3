"""A `[keymap]` table in fanmail.toml reaches the app (by binding id, as posting does); an unknown id is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.app.triage.app import make_app
from tui.app.triage.replay import Recording, record_demo
from tui.app.triage.run_report import RunReportScreen
from tui.settings import ConfigError, load_settings


@pytest.fixture(scope="module")
def recording() -> Recording:
    return record_demo()


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fanmail.toml"
    path.write_text(text)
    return path


async def test_a_keymap_in_the_config_moves_a_key(recording: Recording, tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, '[keymap]\nreport = "f5"\n'))
    assert settings.keymap == {"report": "f5"}
    session, clock = recording.session("done")
    app = make_app(settings, session=session, clock=clock,
                   note_timeout=3600)
    async with app.run_test(size=(160, 48)) as pilot:
        await session.drained.wait()
        await pilot.pause()
        await pilot.press("t")  # the old key no longer opens the report
        await pilot.pause()
        assert not isinstance(app.screen, RunReportScreen)
        await pilot.press("f5")
        for _ in range(100):
            if isinstance(app.screen, RunReportScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, RunReportScreen)


def test_an_unknown_key_id_is_refused_naming_the_ids(recording: Recording, tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, '[keymap]\nno-such-key = "f5"\n'))
    session, clock = recording.session("done")
    with pytest.raises(ConfigError) as error:
        make_app(settings, session=session, clock=clock)
    message = str(error.value)
    assert "unknown key id in [keymap]: no-such-key" in message and "report" in message and "\n" not in message


async def test_a_moved_steering_key_still_says_why_it_does_nothing(recording: Recording, tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, '[keymap]\npause = "f6"\n'))
    session, clock = recording.session("done")
    app = make_app(settings, session=session, clock=clock, note_timeout=3600)
    async with app.run_test(size=(160, 48)) as pilot:
        await session.drained.wait()
        await pilot.pause()
        app.clear_notifications()
        await pilot.press("p")  # no longer the pause key: says nothing about pausing
        await pilot.pause()
        assert not any("pause" in n.message for n in app._notifications)
        await pilot.press("f6")
        await pilot.pause()
        assert any("nothing left to pause" in n.message for n in app._notifications)
