"""Theme files: the shipped ones load, a user's file adds a theme, a broken one is reported."""

from pathlib import Path

from tui.app.themes import DEFAULT_THEME, STATE_VARIABLES, load_themes, theme_dirs


def test_shipped_themes_define_every_state_colour() -> None:
    themes, problems = load_themes()
    assert problems == []
    assert {"fanmail-dark", "fanmail-light"} <= set(themes)
    for theme in (themes["fanmail-dark"], themes["fanmail-light"]):
        assert set(STATE_VARIABLES) <= set(theme.variables)
    assert themes["fanmail-dark"].dark and not themes["fanmail-light"].dark
    assert DEFAULT_THEME in themes


def test_user_theme_is_added_and_broken_one_reported(tmp_path: Path) -> None:
    shipped = next(d for d in theme_dirs() if (d / "fanmail-dark.tcss").is_file())
    text = (shipped / "fanmail-dark.tcss").read_text().replace("#4fa3e0", "#123456")
    (tmp_path / "mine.tcss").write_text(text)
    (tmp_path / "broken.tcss").write_text("$primary: #ffffff;\n")
    themes, problems = load_themes([shipped, tmp_path])
    assert themes["mine"].primary == "#123456"
    assert "broken" not in themes
    assert len(problems) == 1 and problems[0].startswith("broken.tcss: ") and "urgent" in problems[0]
