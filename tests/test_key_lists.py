"""The key lists an operator reads, against the bindings themselves: the help screen of every view
lists every key of every screen and widget that view shows, and the README's key tables name every
key of the dashboard and no key that is bound nowhere.

The screens and widgets are found by rule (every class in the view's folders that declares
BINDINGS), so a new screen with keys fails here until the help and the README list them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

import tui.app
from tui.app.app import KeySections, app_key_sections
from tui.app.campaign.screen import CampaignScreen
from tui.app.extract.screen import ExtractScreen
from tui.app.triage.app import key_sections
from tui.app.watch.app import watch_key_sections

ROOT = Path(__file__).resolve().parents[1]
APP = Path(tui.app.__file__).parent


def bound_classes(*folders: str) -> list[type[DOMNode]]:
    """Every screen or widget defined in these folders of tui/app (or modules: "run_view") that declares keys."""
    out: list[type[DOMNode]] = []
    for folder in folders:
        path = APP / folder
        names = [f"tui.app.{folder}"] if not path.is_dir() else [
            m.name for m in pkgutil.walk_packages([str(path)], prefix=f"tui.app.{folder}.") if not m.ispkg]
        for name in names:
            module = importlib.import_module(name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == name and issubclass(cls, DOMNode) and "BINDINGS" in vars(cls):
                    out.append(cls)
    return out


def described(bindings: list[object]) -> list[Binding]:
    return [b for b in bindings if isinstance(b, Binding) and b.description]


def listed(sections: KeySections) -> set[tuple[str, str]]:
    return {(b.key, b.action) for _, bindings in sections for b in bindings}


VIEWS = {
    "triage": (key_sections, ("triage", "screens", "widgets")),  # `fanmail review` is the same app
    "watch": (watch_key_sections, ("triage", "watch", "screens", "widgets")),
}


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_the_help_of_a_view_lists_every_key_of_its_screens(view: str) -> None:
    sections, folders = VIEWS[view]
    shown = listed(sections())
    classes = bound_classes(*folders)
    assert len(classes) >= 10, "the rule finds the screens"
    missing = [f"{cls.__name__}: {b.key} ({b.description})" for cls in classes for b in described(vars(cls)["BINDINGS"])
               if (b.key, b.action) not in shown]
    assert not missing, f"keys on no section of the {view} help: {missing}"


@pytest.mark.parametrize(("screen", "folder"), [(CampaignScreen, "campaign"), (ExtractScreen, "extract")])
def test_the_campaign_and_extraction_help_list_every_key_of_their_view(screen: type, folder: str) -> None:
    """Their ViewApp's help is the screen's BINDINGS, then the app's: every class of the view has its keys there."""
    shown = listed([("view", screen.BINDINGS), *app_key_sections()])
    for cls in bound_classes(folder, "run_view", "screens"):
        if cls.__module__ == "tui.app.screens.quit_confirm":
            continue  # these views quit without asking
        for b in described(vars(cls)["BINDINGS"]):
            assert (b.key, b.action) in shown, f"{cls.__name__}: {b.key} ({b.description})"


def readme_keys() -> set[str]:
    """Every key the README's key tables (a table headed `| key | does |`) name, as a user types it."""
    keys: set[str] = set()
    in_table = False
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("| key | does |"):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table:
            cell = line.split("|")[1]
            keys |= set(re.findall(r"`([^`]+)`", cell))
            if "arrows" in cell:
                keys |= {"up", "down", "left", "right"}
    return keys


def typed(key: str) -> str:
    """A binding's key as the README writes it (the help screen's display, without its arrows and glyphs)."""
    names = {"enter": "enter", "escape": "escape", "backspace": "backspace", "up": "up", "down": "down",
             "left": "left", "right": "right", "tab": "tab", "space": "space"}
    return names.get(key) or App().get_key_display(Binding(key, "x"))


def test_the_readme_key_tables_name_every_dashboard_key_and_only_bound_ones() -> None:
    sections = dict(watch_key_sections())
    dashboard = [b for title in ("Dashboard", "Watch dashboard", "Agent grid (focused)", "Inbox (focused)",
                                 "Review (inbox or detail)", "App") for b in described(sections.get(title, []))]
    assert dashboard
    readme = readme_keys()
    unlisted = sorted({f"{b.key} ({b.description})" for b in dashboard
                       if not any(typed(k.strip()) in readme for k in b.key.split(","))})
    assert not unlisted, f"dashboard keys missing from the README's key tables: {unlisted}"
    every = {typed(k.strip()) for _, bindings in sections.items() for b in bindings for k in b.key.split(",")}
    every.add("ctrl+p")  # Textual's palette
    stale = sorted(readme - every)
    assert not stale, f"keys in the README's key tables that nothing binds: {stale}"
