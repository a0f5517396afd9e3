"""Where theme files live, and their names: Textual-free, so Settings checks `--theme` in every mode
(the engine validates Settings too)."""

from __future__ import annotations

import sys
from pathlib import Path

from platformdirs import user_config_dir


def theme_dirs() -> list[Path]:
    """Where themes are looked for, later ones overriding earlier ones of the same name."""
    return [
        Path(sys.prefix) / "share" / "fanmail" / "themes",
        Path(__file__).resolve().parents[1] / "themes",
        Path(user_config_dir("fanmail")) / "themes",
    ]


def theme_file_names() -> list[str]:
    """Every `NAME.tcss` found, in order, each once."""
    names = dict.fromkeys(p.stem for d in theme_dirs() if d.is_dir() for p in sorted(d.glob("*.tcss")))
    return list(names)
