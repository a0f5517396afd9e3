"""Names the user types are checked in every mode, and errors name what the user typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import fanmail


@pytest.mark.parametrize("where", ["flag", "environment", "config"])
async def test_unknown_theme_exits_2_naming_the_themes_even_headless(tmp_path: Path, where: str) -> None:
    config = tmp_path / "fanmail.toml"
    config.write_text('theme = "no-such-theme"\n' if where == "config" else "")
    flags = ["--theme", "no-such-theme"] if where == "flag" else []
    env = {"FANMAIL_THEME": "no-such-theme"} if where == "environment" else {}
    code, out, err = await fanmail("--config", str(config), "triage", "sample:3", "--headless", "--provider",
                                   "rules", *flags, env=env)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    said = {"flag": "--theme: ", "environment": "FANMAIL_THEME: ", "config": f"{config}: theme: "}[where]
    assert err.startswith(f"fanmail: error: {said}unknown theme 'no-such-theme'")
    assert "fanmail-dark" in err and "fanmail-light" in err and "nord" in err  # ours and Textual's


async def test_a_known_theme_passes_in_headless_mode(tmp_path: Path) -> None:
    code, out, err = await fanmail("triage", "sample:3", "--headless", "--provider", "rules", "--theme", "nord")
    assert code == 0 and len(out.splitlines()) == 3, err


async def test_errors_name_the_flag_or_variable_not_the_field() -> None:
    code, _, err = await fanmail("triage", "sample:3", "--headless", "--batch-size", "0")
    assert code == 2 and err.startswith("fanmail: error: --batch-size: ") and "batch_size" not in err
    code, _, err = await fanmail("triage", "sample:3", "--headless", env={"FANMAIL_CONCURRENCY": "lots"})
    assert code == 2 and err.startswith("fanmail: error: FANMAIL_CONCURRENCY: ") and "concurrency:" not in err
