"""One meaning per flag: a flag spelled the same in triage, watch, campaign, provision and extract has
the same help, default, type and setting there; the fan-out limits are the options model's fields."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tui.cli import _overrides, build_parser
from tui.options import FanoutOptions, option_help
from tui.settings import Settings, load_settings

COMMANDS = ["triage", "watch", "campaign", "provision", "extract"]
# Flags naming what the command itself writes or does: their help says what that is, command by command.
OWN = {"--help", "--output", "--csv", "--apply"}
ARGV = {"triage": ["sample:3"], "watch": ["imap://u@127.0.0.1:1/INBOX"], "campaign": ["c.csv", "--template", "t"],
        "provision": ["u.csv", "--imap-server", "imap://127.0.0.1:1"], "extract": ["docs-sample:1"]}


def commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {name: sub.choices[name] for name in COMMANDS}


def visible(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Flag -> its action; hidden aliases (old spellings kept working) are left out."""
    return {s: a for a in parser._actions if a.help != argparse.SUPPRESS for s in a.option_strings if s.startswith("--")}


def meaning(action: argparse.Action) -> tuple[object, ...]:
    return (action.dest, action.help, action.default, action.type, tuple(action.choices or ()), action.nargs,
            tuple(action.option_strings))


def test_a_flag_shared_by_commands_means_the_same_in_each() -> None:
    flags: dict[str, dict[str, argparse.Action]] = {}
    for name, parser in commands().items():
        for flag, action in visible(parser).items():
            flags.setdefault(flag, {})[name] = action
    shared = {flag: by for flag, by in flags.items() if len(by) > 1 and flag not in OWN}
    assert {"--concurrency", "--agent-timeout", "--rpm", "--retries", "--model", "--store"} <= set(shared)
    drift = [f"{flag}: " + "; ".join(f"{cmd}: {a.help!r} default {a.default!r}" for cmd, a in by.items())
             for flag, by in sorted(shared.items()) if len({meaning(a) for a in by.values()}) > 1]
    assert not drift, "\n".join(drift)


def test_every_setting_has_one_spelling_across_the_commands() -> None:
    spellings: dict[str, set[tuple[str, ...]]] = {}
    for parser in commands().values():
        for action in set(visible(parser).values()):
            if action.dest in Settings.model_fields:
                spellings.setdefault(action.dest, set()).add(tuple(action.option_strings))
    assert {dest: s for dest, s in spellings.items() if len(s) > 1} == {}


@pytest.mark.parametrize("command", COMMANDS)
def test_the_fan_out_flags_are_the_options_models_fields(command: str) -> None:
    actions = {a.dest: a for a in visible(commands()[command]).values()}
    for name in set(FanoutOptions.model_fields) & set(actions):
        assert actions[name].help == option_help(name) and actions[name].default == argparse.SUPPRESS
    if command in ("triage", "watch"):
        assert set(FanoutOptions.model_fields) <= set(actions), "triage and watch take every limit"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_config_key_and_a_flag_set_the_same_option_in_every_command(command: str, tmp_path: Path) -> None:
    config = tmp_path / "fanmail.toml"
    config.write_text("retries = 5\nconcurrency = 9\n")
    parser = build_parser()
    flags = [flag for flag in ("--concurrency", "--retries") if flag in visible(commands()[command])]
    args = parser.parse_args([command, *ARGV[command], *[f for flag in flags for f in (flag, "3")]])
    settings = load_settings(config=config, overrides=_overrides(args), environ={"FANMAIL_AGENT_TIMEOUT": "7"})
    given = {flag.removeprefix("--"): 3 for flag in flags}
    assert settings.fanout() == FanoutOptions(**{"retries": 5, "concurrency": 9, "agent_timeout": 7, **given})
