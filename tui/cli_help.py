"""How the command line reads to a person: flags in groups, short usage lines, examples last, and
an unknown flag reported by the sub-command it was typed after (with that command's usage)."""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import Any, NoReturn


class Formatter(argparse.HelpFormatter):
    """Text of several lines (the examples) keeps its lines, a one-line description is wrapped;
    help text starts in a wider column."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage is one short line (`fanmail triage [OPTIONS] [source]`, the
    flags are listed below it in groups) and whose sub-commands refuse a flag they do not know
    themselves, so the error shows the usage of the command the user typed, not the top level's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def _short_usage(self) -> None:
        if self.usage is not None:
            return
        formatter = self._get_formatter()
        words = ["%(prog)s"]
        if any(a.option_strings for a in self._actions):
            words.append("[OPTIONS]")
        words += [formatter._format_args(a, a.dest) for a in self._actions if not a.option_strings]
        self.usage = " ".join(words)

    def format_usage(self) -> str:
        self._short_usage()
        return super().format_usage()

    def format_help(self) -> str:
        self._short_usage()
        return super().format_help()

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        namespace, extras = super().parse_known_args(args, namespace)
        if extras and " " in self.prog:  # a sub-command ("fanmail triage"): it says what it does not know
            self.error(self._unknown(extras))
        return namespace, extras

    def _unknown(self, extras: list[str]) -> str:
        flags = [s for a in self._actions for s in a.option_strings]
        first = next((e.split("=")[0] for e in extras if e.startswith("-")), None)
        close = difflib.get_close_matches(first, flags, n=1) if first else []
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unrecognized arguments: {' '.join(extras)}{hint}; see {self.prog} --help"

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


# Setting flags by group, in the order --help lists them (every flag of tui.cli_flags.SETTING_FLAGS
# and the switches beside it appears once).
GROUPS: dict[str, tuple[str, list[str]]] = {
    "model": ("which model answers", ["provider", "model", "base_url", "api_key_env"]),
    "limits": ("how much runs at once, and for how long",
               ["concurrency", "batch_size", "timeout", "agent_timeout", "rpm", "tpm", "hedge", "retries",
                "fail_fast", "rebalance"]),
    "mail": ("the mail read and what is done with it", ["seed"]),
    "IMAP": ("imap:// and imaps:// sources; the password comes from FANMAIL_IMAP_PASSWORD",
             ["imap_search", "imap_cafile", "imap_connections", "imap_insecure"]),
    "SMTP": ("forwards of forward_to routes; the password comes from FANMAIL_SMTP_PASSWORD",
             ["smtp", "smtp_from", "smtp_cafile", "smtp_insecure"]),
    "store": ("where runs are kept and settings are read", ["store", "config"]),
    "Ray": ("sub-agents as Ray actors, on a cluster or a local Ray (pip install 'fanmail[ray]')", ["executor", "ray_address"]),
    "output": ("what is shown or written", ["theme"]),
    "built-in simulator": ("the model simulator of --provider sim without --base-url",
                           ["sim_latency", "sim_jitter", "sim_fail_rate", "sim_hang_rate", "sim_garbage_rate",
                            "sim_429_rate", "sim_stuck_rate", "sim_rpm", "sim_tpm"]),
}


def add_groups(parser: argparse.ArgumentParser) -> dict[str, argparse._ArgumentGroup]:
    """One argument group per GROUPS entry, in that order; flags are added by the caller."""
    return {title: parser.add_argument_group(f"{title}: {what}") for title, (what, _) in GROUPS.items()}


def group_of(name: str) -> str:
    return next(title for title, (_, names) in GROUPS.items() if name in names)


TOP_EXAMPLES = """\
examples:
  fanmail                                          the dashboard on the built-in sample (no API key)
  fanmail triage ~/Maildir                         the dashboard on your mail (simulator: see --provider)
  fanmail triage sample:50 --headless -o rows.jsonl
  fanmail triage ~/Maildir --provider openai --rpm 500 --headless -o rows.jsonl
  fanmail triage imaps://me@example.com@imap.example.com/INBOX --provider rules
  fanmail runs                                     past runs; then: fanmail report last
  fanmail config path                              where the settings file is read from
  fanmail COMMAND --help                           one command's flags and examples"""

TRIAGE_EXAMPLES = """\
examples:
  fanmail triage ~/Maildir                                   the dashboard
  fanmail triage sample:200 --headless -o rows.jsonl --report report.json
  fanmail triage archive.mbox --headless --provider rules -o rows.jsonl   offline, no model
  fanmail triage ./eml --provider openai --base-url http://localhost:11434/v1 --model llama3.1
  fanmail triage imaps://me@example.com@imap.example.com/INBOX --headless --apply
  fanmail triage --resume last --headless -o rows.jsonl      continue a run after a crash"""


def config_note(path: str, exists: bool) -> str:
    state = "" if exists else " (no file there: defaults, FANMAIL_* variables and flags apply)"
    return (f"config file: {path}{state}\n  another: --config FILE or FANMAIL_CONFIG=FILE; "
            "`fanmail config path` prints the one in use")
