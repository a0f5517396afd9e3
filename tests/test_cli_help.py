"""Help and usage errors speak the user's language: the sub-command's own usage on a flag it does
not know, flags in groups with examples last, the config file's path, --timeout as the README says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_cli import fanmail

from tui.cli import build_parser
from tui.cli_flags import SETTING_FLAGS
from tui.cli_help import GROUPS

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["triage", "runs", "report", "replay", "config path", "sim", "campaign", "campaign-report", "bounces",
            "webhook", "provision", "extract", "corrections list", "learned list", "review", "watch"]


def words(text: str) -> str:
    return " ".join(text.split())


def test_every_command_of_the_help_is_covered_here() -> None:
    help_text = build_parser().format_help()
    listed = re.findall(r"^    (\S+)\s", help_text.split("\ncommands:\n")[1].split("\n\n")[0], re.M)
    assert sorted(listed) == sorted({c.split()[0] for c in COMMANDS})


@pytest.mark.parametrize("command", COMMANDS)
async def test_an_unknown_flag_shows_the_sub_commands_usage(command: str) -> None:
    code, out, err = await fanmail(*command.split(), "--no-such-flag")
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith(f"usage: fanmail {command} "), err
    assert "[COMMAND ...]" not in err, "the top level's usage is not the one the user needs"
    assert f"fanmail {command}: error: unrecognized arguments: --no-such-flag" in err or "required" in err, err


async def test_a_misspelt_flag_gets_the_close_one_suggested() -> None:
    code, _, err = await fanmail("triage", "sample:3", "--headless", "--concurency", "3")
    assert code == 2 and "(did you mean --concurrency?)" in err and err.startswith("usage: fanmail triage ")
    assert len(err.strip().splitlines()) == 2, "the usage line, then the error"


async def test_an_unknown_flag_before_any_command_shows_the_top_usage() -> None:
    code, _, err = await fanmail("--no-such-flag")
    assert code == 2 and err.startswith("usage: fanmail [OPTIONS] [COMMAND ...]")


@pytest.mark.parametrize("argv", [[], ["triage"]])
def test_help_groups_every_setting_flag_once_and_ends_with_examples(argv: list[str]) -> None:
    parser = build_parser()
    if argv:
        parser = next(a for a in parser._actions if a.dest == "command").choices["triage"]
    help_text = parser.format_help()
    titles = [t for t in GROUPS]
    found = [m for m in re.findall(r"^(\S[^:\n]*): ", help_text, re.M) if m in GROUPS]
    assert found == titles, "the groups, each once, in order"
    for name, spec in SETTING_FLAGS.items():
        flag = spec.get("flags", ["--" + name.replace("_", "-")])[0]
        assert len(re.findall(rf"^  {re.escape(flag)}[ ,\n]", help_text, re.M)) == 1, flag
    sections = help_text.split("\n\n")
    examples = next(i for i, s in enumerate(sections) if s.startswith("examples:"))
    assert all(line.strip().startswith("fanmail") for line in sections[examples].splitlines()[1:])
    assert examples >= len(sections) - 2, "examples come last (the config note may follow)"
    usage = help_text.splitlines()[0]
    assert len(usage) < 80, "one short usage line; the flags are listed below it"


def test_the_help_and_the_readme_mean_the_same_by_timeout() -> None:
    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `--timeout S`"))
    meaning = row.split("|")[3].strip()
    help_text = words(build_parser().format_help())
    assert f"--timeout TIMEOUT {meaning}" in help_text


async def test_help_prints_the_config_path_and_config_path_prints_the_one_in_use(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    default = tmp_path / "cfg" / "fanmail" / "fanmail.toml"
    code, out, _ = await fanmail("--help", env=env)
    assert code == 0 and f"config file: {default} (no file there" in out
    code, out, err = await fanmail("config", "path", env=env)
    assert code == 0 and out == f"{default}\n" and "no file there yet" in err

    default.parent.mkdir(parents=True)
    default.write_text("concurrency = [broken\n")  # the path is wanted most when the file is broken
    code, out, err = await fanmail("config", "path", env=env)
    assert code == 0 and out == f"{default}\n" and err == ""
    code, out, _ = await fanmail("--help", env=env)
    assert f"config file: {default}\n" in out

    other = tmp_path / "other.toml"
    code, out, _ = await fanmail("config", "path", env={**env, "FANMAIL_CONFIG": str(other)})
    assert out == f"{other}\n"
    code, out, _ = await fanmail("--config", str(tmp_path / "flag.toml"), "config", "path", env=env)
    assert out == f"{tmp_path / 'flag.toml'}\n"


async def test_runs_and_report_name_a_rules_run_without_the_simulators_model(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    code, _, err = await fanmail("triage", "sample:5", "--headless", "--provider", "rules", "--store", store)
    assert code == 0, err
    code, listing, _ = await fanmail("runs", "--store", store)
    row = listing.splitlines()[1]
    assert code == 0 and " rules " in row and "fanmail-sim" not in listing, listing
    code, report, _ = await fanmail("report", "last", "--store", store)
    assert code == 0 and "  rules  done" in report.splitlines()[0] and "fanmail-sim" not in report
    code, as_json, _ = await fanmail("runs", "--json", "--store", store)
    assert '"provider": "rules"' in as_json and '"model": null' in as_json
