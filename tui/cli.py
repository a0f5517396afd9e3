"""Command line: parse flags into Settings, dispatch to the dashboard, headless triage or the simulator.

Every user error ends as one line on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from tui import __version__
from tui.agents.base import ProviderError
from tui.mail.sources import SourceError
from tui.settings import ConfigError, Settings, load_settings

EXIT_USAGE = 2

# Flag name -> Settings field, for the flags shared by `fanmail` and `fanmail triage`.
_SETTING_FLAGS: dict[str, dict[str, Any]] = {
    "provider": {"choices": ["rules", "sim", "openai", "anthropic"], "help": "model backend (default: sim)"},
    "model": {"help": "model name sent to the provider"},
    "base_url": {"help": "OpenAI-compatible endpoint, e.g. http://localhost:11434/v1"},
    "api_key_env": {"help": "environment variable holding the API key"},
    "concurrency": {"type": int, "help": "sub-agents running at once (default 20)"},
    "batch_size": {"type": int, "help": "emails per sub-agent (default 10)"},
    "timeout": {"type": float, "help": "seconds per email (default 2.5x the expected latency)"},
    "agent_timeout": {"type": float, "help": "seconds per agent (default: emails x per-email timeout)"},
    "rpm": {"type": int, "help": "requests per minute across all agents"},
    "retries": {"type": int, "help": "retries per email after a failure (default 2)"},
    "seed": {"type": int, "help": "seed for the sample inbox and the simulator"},
    "theme": {"help": "dashboard theme"},
    "sim_latency": {"type": float, "help": "built-in simulator: mean seconds per email"},
    "sim_jitter": {"type": float, "help": "built-in simulator: latency standard deviation"},
    "sim_fail_rate": {"type": float, "help": "built-in simulator: share of HTTP 500 answers"},
    "sim_hang_rate": {"type": float, "help": "built-in simulator: share of requests never answered"},
    "sim_garbage_rate": {"type": float, "help": "built-in simulator: share of non-JSON answers"},
    "sim_429_rate": {"type": float, "help": "built-in simulator: share of 429 answers"},
    "sim_rpm": {"type": int, "help": "built-in simulator: enforce this many requests per minute"},
}


def _add_setting_flags(parser: argparse.ArgumentParser) -> None:
    for name, spec in _SETTING_FLAGS.items():
        parser.add_argument("--" + name.replace("_", "-"), dest=name, default=argparse.SUPPRESS, **spec)
    parser.add_argument("--fail-fast", dest="fail_fast", action="store_true", default=argparse.SUPPRESS,
                        help="cancel every agent on the first email that fails after its retries")
    parser.add_argument("--no-rebalance", dest="rebalance", action="store_false", default=argparse.SUPPRESS,
                        help="keep the fixed partition (idle agents do not take over queued emails)")
    parser.add_argument("--config", type=Path, default=argparse.SUPPRESS,
                        help="fanmail.toml to read instead of the default")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fanmail",
        description="Triage an inbox with many parallel LLM sub-agents. With no command: the live "
        "dashboard on the built-in 200-email sample and simulator (no API key needed).",
    )
    parser.add_argument("--version", action="version", version=f"fanmail {__version__}")
    _add_setting_flags(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    triage = sub.add_parser("triage", help="triage a mailbox (dashboard, or --headless for JSONL)")
    triage.add_argument("source", help="Maildir, mbox file, folder of .eml, or sample[:COUNT]")
    triage.add_argument("--headless", action="store_true", help="no dashboard: JSONL rows out, progress on stderr")
    triage.add_argument("--output", "-o", help="JSONL file for the rows (default: stdout)")
    triage.add_argument("--report", help="write the run's telemetry as JSON here")
    _add_setting_flags(triage)

    sim = sub.add_parser("sim", help="run the OpenAI-compatible model simulator on 127.0.0.1")
    sim.add_argument("--port", type=int, default=8765)
    sim.add_argument("--latency", type=float, default=1.5, help="mean seconds per request")
    sim.add_argument("--jitter", type=float, default=0.5, help="latency standard deviation, seconds")
    sim.add_argument("--fail-rate", type=float, default=0.0)
    sim.add_argument("--hang-rate", type=float, default=0.0)
    sim.add_argument("--garbage-rate", type=float, default=0.0)
    sim.add_argument("--rate-429", type=float, default=0.0)
    sim.add_argument("--rpm", type=int, default=None, help="enforce this many requests per sliding minute")
    sim.add_argument("--require-key-env", help="refuse requests unless they carry the key in this variable")
    sim.add_argument("--seed", type=int, default=7)
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = [*_SETTING_FLAGS, "fail_fast", "rebalance"]
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def _run_sim(args: argparse.Namespace) -> int:
    from tui.agents.sim import SimConfig, serve_forever

    key = os.environ.get(args.require_key_env) if args.require_key_env else None
    if args.require_key_env and not key:
        raise ConfigError(f"--require-key-env: variable {args.require_key_env} is not set")
    config = SimConfig(
        latency=args.latency, jitter=args.jitter, fail_rate=args.fail_rate, hang_rate=args.hang_rate,
        garbage_rate=args.garbage_rate, rate_429=args.rate_429, rpm=args.rpm, require_key=key, seed=args.seed,
    )
    asyncio.run(serve_forever(config, port=args.port))
    return 0


def _dispatch(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sim":
        return _run_sim(args)
    settings = load_settings(config=getattr(args, "config", None), overrides=_overrides(args))
    if args.command == "triage":
        if args.headless:
            from tui.headless import run_headless

            return run_headless(settings, args.source, args.output, args.report)
        return _run_dashboard(settings, args.source)
    return _run_dashboard(settings, "sample")


def _run_dashboard(settings: Settings, source: str) -> int:
    try:
        from tui.app.app import run_app
    except ImportError:
        print("fanmail: the dashboard is not built yet; use `fanmail triage SOURCE --headless`", file=sys.stderr)
        return EXIT_USAGE
    return run_app(settings, source)


def main(argv: list[str] | None = None) -> int:
    try:
        return _dispatch(argv)
    except (ConfigError, SourceError, ProviderError) as exc:
        print(f"fanmail: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"fanmail: error: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("fanmail: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: one line, the traceback only on request
        if os.environ.get("FANMAIL_DEBUG"):
            raise
        print(f"fanmail: internal error: {type(exc).__name__}: {exc} (set FANMAIL_DEBUG=1 for details)",
              file=sys.stderr)
        return 1
