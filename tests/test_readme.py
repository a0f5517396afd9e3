"""The README opens with the two commands a new user runs, and CI runs the second one verbatim."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def first_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text().splitlines()
    start = lines.index("```sh") + 1
    block = lines[start : lines.index("```", start)]
    return [line.split("  #")[0].strip() for line in block if line.strip()]


def test_readme_opens_with_install_and_run_then_install_and_test() -> None:
    run, test = first_commands()[:2]
    assert run.startswith("pip install") and run.endswith("&& fanmail")
    assert test.startswith("bash .ci/test")
    script = (ROOT / ".ci" / "test").read_text()
    assert "'.[test,ray]'" in script and "'.[test]'" in script and "python3 -m pytest -q" in script
    assert "apt-get install" in script and "id -u" in script, "installs as root, prints the line otherwise"
    head = (ROOT / "README.md").read_text().splitlines()[:4]
    assert "```sh" in head, "the commands must come first"


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test = first_commands()[1]
    assert test in (ROOT / ".ci" / "run").read_text()
