"""Themes are `.tcss` files of `$name: value;` lines in the top-level `themes/` folder (or the
user's `~/.config/fanmail/themes/`). Textual's own colours become the Theme's fields; every other
name (urgent, review, failed...) becomes a theme variable that the dashboard's TCSS uses."""

from __future__ import annotations

import re
from pathlib import Path

from textual.theme import Theme

from tui.theme_files import theme_dirs

DEFAULT_THEME = "fanmail-dark"
STATE_VARIABLES: tuple[str, ...] = (
    "urgent", "review", "failed", "timeout", "running", "queued", "done", "cancelled", "injection", "paused",
)
_THEME_FIELDS = {"primary", "secondary", "accent", "warning", "error", "success", "foreground",
                 "background", "surface", "panel", "boost", "dark", "luminosity_spread", "text_alpha"}
_DECLARATION = re.compile(r"^\s*\$([a-z][a-z0-9_-]*)\s*:\s*([^;]+?)\s*;", re.MULTILINE)
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# Used when no theme file can be found at all (a broken install): the dashboard still draws.
_FALLBACK_STATE = {
    "urgent": "#ff7a45", "review": "#c59cff", "failed": "#f0564a", "timeout": "#ff9e3d", "running": "#4fa3e0",
    "queued": "#7c8693", "done": "#5cc98b", "cancelled": "#b39b72", "injection": "#ff6fae", "paused": "#e5b94e",
}


class ThemeFileError(ValueError):
    """A theme file that cannot become a Theme, explained in one line."""


def parse_theme(name: str, text: str) -> Theme:
    values = {key.replace("-", "_"): value for key, value in _DECLARATION.findall(_COMMENT.sub("", text))}
    missing = [v for v in STATE_VARIABLES if v not in values]
    if missing:
        raise ThemeFileError(f"theme {name} lacks state colours: {', '.join(missing)}")
    if "primary" not in values:
        raise ThemeFileError(f"theme {name} lacks $primary")
    fields: dict[str, object] = {k: v for k, v in values.items() if k in _THEME_FIELDS}
    if "dark" in fields:
        fields["dark"] = str(fields["dark"]).lower() in ("true", "yes", "1")
    for number in ("luminosity_spread", "text_alpha"):
        if number in fields:
            fields[number] = float(str(fields[number]))
    variables = {k.replace("_", "-"): v for k, v in values.items() if k not in _THEME_FIELDS}
    return Theme(name=name, variables=variables, **fields)  # type: ignore[arg-type]


def load_themes(dirs: list[Path] | None = None) -> tuple[dict[str, Theme], list[str]]:
    """All themes found, and one line per file that could not be used (shown as a notification)."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in dirs if dirs is not None else theme_dirs():
        for path in sorted(folder.glob("*.tcss")) if folder.is_dir() else []:
            try:
                themes[path.stem] = parse_theme(path.stem, path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ThemeFileError, ValueError) as exc:
                problems.append(f"{path.name}: {exc}")
    return themes, problems


def state_defaults(themes: dict[str, Theme]) -> dict[str, str]:
    """State colours for themes that are not ours (Textual's own), so `$failed` always resolves."""
    default = themes.get(DEFAULT_THEME)
    if default is None:
        return dict(_FALLBACK_STATE)
    return {k: str(default.variables.get(k, v)) for k, v in _FALLBACK_STATE.items()}
