"""Every flag that sets a Settings field, declared once: its spelling, type and help are the same in
every command that has it (tests/test_flag_meanings.py compares them across the commands).

The fan-out limits come from the options model (tui/options.py): a field's description is the
flag's help. Setting flags default to `argparse.SUPPRESS`, so an absent flag leaves fanmail.toml
and FANMAIL_* values in force (tui/settings.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tui.options import FanoutOptions, option_help, option_type

_SIM = "built-in simulator: "

# Settings field (or `config`) -> argparse keywords; `flags` when the spelling is not --field-name.
SETTING_FLAGS: dict[str, dict[str, Any]] = {
    "provider": {"choices": ["rules", "sim", "openai", "anthropic"], "help": "model backend (default: sim)"},
    "model": {"help": "model name sent to the provider"},
    "base_url": {"help": "API endpoint, e.g. http://localhost:11434/v1 (OpenAI-compatible; triage and watch also "
                         "take an Anthropic one)"},
    "api_key_env": {"help": "environment variable holding the API key"},
    **{name: {"type": option_type(name), "help": option_help(name)} for name in FanoutOptions.model_fields},
    "batch_size": {"help": "emails per sub-agent, or auto (default): about emails / concurrency"},
    "hedge": {"help": "second copy of a slow request at the tail: off, auto (default, at most 5%% extra "
                       "requests) or a percent budget"},
    "fail_fast": {"action": "store_true", "help": "cancel every agent on the first email that fails after its retries"},
    "rebalance": {"flags": ["--no-rebalance"], "action": "store_false",
                  "help": "keep the fixed partition (idle agents do not take over queued emails)"},
    "seed": {"type": int, "help": "seed for the sample inbox, docs-sample and the simulator"},
    "store": {"help": "SQLite store of runs, verdicts and applied actions (default: user data dir fanmail.db); "
                      "the campaign ledger is outbound.db beside it"},
    "config": {"type": Path, "help": "fanmail.toml to read instead of the default (`fanmail config path` names it)"},
    "theme": {"help": "dashboard theme"},
    "sim_latency": {"type": float, "help": _SIM + "mean seconds per email"},
    "sim_jitter": {"type": float, "help": _SIM + "latency standard deviation"},
    "sim_fail_rate": {"type": float, "help": _SIM + "share of HTTP 500 answers"},
    "sim_hang_rate": {"type": float, "help": _SIM + "share of requests never answered"},
    "sim_garbage_rate": {"type": float, "help": _SIM + "share of non-JSON answers"},
    "sim_429_rate": {"type": float, "help": _SIM + "share of 429 answers"},
    "sim_stuck_rate": {"type": float, "help": _SIM + "share of emails failing until retried (demo 0.02)"},
    "sim_rpm": {"type": int, "help": _SIM + "enforce this many requests per minute"},
    "sim_tpm": {"type": int, "help": _SIM + "enforce this many tokens per minute"},
    "imap_search": {"help": "IMAP sources: UID SEARCH criteria (default UNSEEN), e.g. 'SINCE 1-Nov-2026'"},
    "imap_cafile": {"help": "IMAP: extra trusted CA file (a private or self-signed server certificate)"},
    "imap_connections": {"type": int, "help": "IMAP: connections fetching in parallel (default 4)"},
    "imap_insecure": {"action": "store_true", "help": "imap:// without STARTTLS (plain text: a local test server only)"},
    "smtp": {"help": "SMTP server: smtp://[USER@]HOST:PORT (STARTTLS) or smtps://; password from "
                     "FANMAIL_SMTP_PASSWORD"},
    "smtp_from": {"flags": ["--from", "--smtp-from"], "metavar": "ADDRESS",
                  "help": "sender address of what fanmail sends (triage's forwards: the IMAP user by default)"},
    "smtp_cafile": {"help": "SMTP: extra trusted CA file"},
    "smtp_insecure": {"action": "store_true", "help": "smtp:// without STARTTLS (plain text: a local test server only)"},
    "executor": {"choices": ["local", "ray"], "help": "run sub-agents as asyncio tasks (default) or Ray actors"},
    "ray_address": {"help": "with --executor ray: the cluster to join, HEAD:6379 or auto on a cluster node "
                            "(default: a local Ray)"},
}


HEADLESS_HELP = "no dashboard: JSONL out, progress on stderr"  # triage, watch, extract
APPLY_HELP = ("IMAP: apply each verdict's actions (move, flag, keyword, forward) as it lands, recorded so none is "
              "done twice; without it they are only planned. Review mail is never moved or forwarded")  # triage, watch


def add_setting_flag(target: argparse.ArgumentParser | argparse._ArgumentGroup, name: str) -> None:
    """`--name` (or its own spelling) as SETTING_FLAGS declares it, into a parser or a help group."""
    spec = dict(SETTING_FLAGS[name])
    flags = spec.pop("flags", ["--" + name.replace("_", "-")])
    target.add_argument(*flags, dest=name, default=argparse.SUPPRESS, **spec)


def add_setting_flags(target: argparse.ArgumentParser | argparse._ArgumentGroup, names: list[str]) -> None:
    for name in names:
        add_setting_flag(target, name)


def setting_names(args: argparse.Namespace) -> list[str]:
    """The Settings fields given on this command line (`config` is not one)."""
    return [n for n in SETTING_FLAGS if n != "config" and getattr(args, n, None) is not None]
