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

from tui import __version__, cli_help
from tui.cli_flags import APPLY_HELP, HEADLESS_HELP, add_setting_flags, setting_names
from tui.agents.base import ProviderError
from tui.mail.sources import SourceError
from tui.settings import ConfigError, Settings, config_path, load_settings
from tui.store import StoreError

EXIT_USAGE = 2

def _add_setting_flags(parser: argparse.ArgumentParser) -> dict[str, argparse._ArgumentGroup]:
    """The shared setting flags, in --help's groups; returns the groups for a command's own flags."""
    groups = cli_help.add_groups(parser)
    for title, (_, names) in cli_help.GROUPS.items():
        add_setting_flags(groups[title], names)
    return groups


def build_parser() -> argparse.ArgumentParser:
    config = config_path()
    epilog = cli_help.TOP_EXAMPLES + "\n\n" + cli_help.config_note(str(config), config.is_file())
    parser = cli_help.Parser(
        prog="fanmail", usage="%(prog)s [OPTIONS] [COMMAND ...]", epilog=epilog,
        description="Triage an inbox with many parallel LLM sub-agents. With no command: the live "
        "dashboard on the built-in 200-email sample and simulator (no API key needed).",
    )
    parser.add_argument("--version", action="version", version=f"fanmail {__version__}")
    _add_setting_flags(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", prog="fanmail")

    triage = sub.add_parser("triage", help="triage a mailbox (dashboard, or --headless for JSONL)",
                            description="Triage a mailbox: the dashboard, or --headless for JSONL rows.",
                            epilog=cli_help.TRIAGE_EXAMPLES)
    triage.add_argument("source", nargs="?", help="Maildir, mbox file, folder of .eml, sample[:COUNT] or "
                        "imap[s]://USER@HOST[:PORT][/FOLDER] (with --resume: the run's own source)")
    groups = _add_setting_flags(triage)
    out, mail, store = groups["output"], groups["mail"], groups["store"]
    out.add_argument("--headless", action="store_true", help=HEADLESS_HELP)
    out.add_argument("--output", "-o", help="JSONL file for the rows (default: stdout)")
    out.add_argument("--report", help="write the run's telemetry as JSON here")
    out.add_argument("--trace", metavar="FILE", help="write a JSONL trace (events and spans: which agent did "
                     "what, when) for `fanmail replay`")
    mail.add_argument("--apply", action="store_true", help=APPLY_HELP)
    mail.add_argument("--actions", metavar="FILE", help="IMAP: write every planned/applied action as JSONL")
    store.add_argument("--resume", metavar="RUN_ID", help="continue a stored run after a crash: done emails are "
                       "not sent again, their rows are written first (settings: the run's, then these flags)")

    runs = sub.add_parser("runs", help="list past runs from the store")
    runs.add_argument("--limit", type=int, default=20)
    runs.add_argument("--json", action="store_true", help="JSON instead of a table")
    report = sub.add_parser("report", help="telemetry of a past run, and the batch size and timeout it suggests")
    report.add_argument("run_id", metavar="RUN_ID", help="a run id (or a unique prefix, or 'last')")
    report.add_argument("--json", action="store_true", help="JSON instead of text")
    replay = sub.add_parser("replay", help="replay a traced run (dashboard, or --headless for its JSONL rows)")
    replay.add_argument("run_id", metavar="RUN_ID", nargs="?", help="a traced run (see `fanmail runs`)")
    replay.add_argument("--trace", metavar="FILE", help="the trace file to replay (default: the run's)")
    replay.add_argument("--speed", type=float, default=1.0, help="x real time; 0 = as fast as possible")
    replay.add_argument("--headless", action="store_true", help="print the replayed rows as JSONL")
    replay.add_argument("--output", "-o", help="JSONL file for --headless (default: stdout)")
    for command in (runs, report, replay):
        add_setting_flags(command, ["store", "config"])

    conf = sub.add_parser("config", help="the settings file: `fanmail config path` prints where it is read from")
    conf_sub = conf.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    conf_sub.add_parser("path", help="print the fanmail.toml in use: --config, else FANMAIL_CONFIG, else the "
                        "default (printed even before the file exists)")

    sim = sub.add_parser("sim", help="run the OpenAI-compatible model simulator on 127.0.0.1")
    sim.add_argument("--port", type=int, default=8765)
    sim.add_argument("--latency", type=float, default=1.5, help="mean seconds per request")
    sim.add_argument("--jitter", type=float, default=0.5, help="latency standard deviation, seconds")
    sim.add_argument("--fail-rate", type=float, default=0.0)
    sim.add_argument("--hang-rate", type=float, default=0.0)
    sim.add_argument("--garbage-rate", type=float, default=0.0)
    sim.add_argument("--rate-429", type=float, default=0.0)
    sim.add_argument("--rpm", type=int, default=None, help="enforce this many requests per sliding minute")
    sim.add_argument("--tpm", type=int, default=None, help="enforce this many tokens per sliding minute")
    sim.add_argument("--overload-rate", type=float, default=0.0, help="share of 529 (Anthropic) / 503 answers")
    sim.add_argument("--refusal-rate", type=float, default=0.0, help="share of answers where the model refuses")
    sim.add_argument("--require-key-env", help="refuse requests unless they carry the key in this variable")
    sim.add_argument("--seed", type=int, default=7)
    sim.add_argument("--prepare", action="append", default=[], metavar="SOURCE",
                     help="work out the answers for this source's emails before serving (repeatable; a "
                     "benchmark's simulator then spends no CPU on them while the client is measured)")
    sim.add_argument("--prepare-seed", action="append", type=int, default=[], metavar="N",
                     help="sample seed(s) for --prepare sample:N (repeatable; default 7, the triage default)")
    from tui.commands import campaign as outbound_commands

    outbound_commands.add_parsers(sub)
    from tui.commands import provision as provision_cli

    provision_cli.add_parser(sub)
    from tui.commands import extract as extract_cli

    extract_cli.add_parser(sub)
    from tui.commands import review as review_cli

    review_cli.add_parsers(sub)
    from tui.commands import watch as watch_cli

    watch_cli.add_parser(sub)
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {n: getattr(args, n) for n in setting_names(args)}


def _flag_names(parser: argparse.ArgumentParser, command: str | None) -> dict[str, str]:
    """Setting field -> the flag that sets it in this sub-command (`smtp_from`: `--from`), for errors."""
    chosen = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            chosen.append(action.choices[command])
    return {a.dest: next((s for s in a.option_strings if s.startswith("--")), a.option_strings[0])
            for p in chosen for a in p._actions if a.option_strings}


def _run_sim(args: argparse.Namespace) -> int:
    from tui.agents.sim import serve_forever
    from tui.agents.sim_config import SimConfig

    key = os.environ.get(args.require_key_env) if args.require_key_env else None
    if args.require_key_env and not key:
        raise ConfigError(f"--require-key-env: variable {args.require_key_env} is not set")
    config = SimConfig(
        latency=args.latency, jitter=args.jitter, fail_rate=args.fail_rate, hang_rate=args.hang_rate,
        garbage_rate=args.garbage_rate, rate_429=args.rate_429, rpm=args.rpm, require_key=key, seed=args.seed,
        tpm=args.tpm, overload_rate=args.overload_rate, refusal_rate=args.refusal_rate,
    )
    from tui.extract.schema import sim_answerers
    from tui.mail.sources import load_source

    seeds = args.prepare_seed or [Settings.model_fields["seed"].default]  # what `triage` reads by default
    prepare = [email for spec in args.prepare for seed in seeds for email in load_source(spec, seed=seed)]
    asyncio.run(serve_forever(config, port=args.port, answerers=sim_answerers(), prepare=prepare))
    return 0


def _dispatch(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if os.environ.get("FANMAIL_LOG"):  # e.g. FANMAIL_LOG=info: log lines with run/agent/batch/email on stderr
        from tui.fanout.trace import configure_logging

        configure_logging(sys.stderr, os.environ["FANMAIL_LOG"])
    if args.command == "sim":
        return _run_sim(args)
    if args.command == "config":  # before the file is read: its path is wanted most when it is broken
        return _config_path(getattr(args, "config", None))
    settings = load_settings(config=getattr(args, "config", None), overrides=_overrides(args),
                             flags=_flag_names(parser, args.command))
    if args.command in ("runs", "report", "replay"):
        return _run_history(args, settings)
    if args.command in ("corrections", "learned", "review"):
        from tui.commands import review as review_cli

        return review_cli.run(args, settings)
    if args.command == "extract":
        from tui.commands import extract as extract_cli

        return extract_cli.run(args, settings)
    if args.command == "watch":
        from tui.commands import watch as watch_cli

        return watch_cli.run(args, settings)
    if args.command == "provision":
        from tui.commands import provision as provision_cli

        return provision_cli.run(args, settings)
    if args.command in ("campaign", "campaign-report", "bounces", "webhook"):
        from tui.commands import campaign as outbound_commands

        return outbound_commands.run(args, settings)
    if args.command == "triage":
        source = args.source
        if args.resume:
            from tui.fanout.recorder import resume_settings
            from tui.store import Store, store_path

            with Store(store_path(settings.store)) as store:
                settings, source, args.resume = resume_settings(store, args.resume, _overrides(args), settings, source)
        elif not source:
            raise ConfigError("triage: give a SOURCE (a Maildir, mbox, folder of .eml, sample[:COUNT]) or --resume")
        if args.headless:
            from tui.headless import run_headless

            return run_headless(settings, source, args.output, args.report, resume=args.resume,
                                trace_path=args.trace, apply=args.apply, actions_path=args.actions)
        return _run_dashboard(settings, source, args.resume, apply=args.apply, actions_path=args.actions,
                              trace_path=args.trace)
    return _run_dashboard(settings.as_demo(), "sample")


def _config_path(given: Path | None) -> int:
    path = config_path(given)
    print(path)
    if not path.is_file():
        print("fanmail: no file there yet: defaults, FANMAIL_* variables and flags apply", file=sys.stderr)
    return 0


def _run_history(args: argparse.Namespace, settings: Settings) -> int:
    from tui.commands import history

    if args.command == "runs":
        return history.cmd_runs(settings, limit=args.limit, as_json=args.json)
    if args.command == "report":
        return history.cmd_report(settings, args.run_id, as_json=args.json)
    return history.cmd_replay(settings, args.run_id, trace=args.trace, speed=args.speed, headless=args.headless,
                              output=args.output)


def _run_dashboard(settings: Settings, source: str, resume: str | None = None, *, apply: bool = False,
                   actions_path: str | None = None, trace_path: str | None = None) -> int:
    """The dashboard; on an IMAP source it plans actions (a/A apply them, or all as they land with --apply)."""
    from tui.app.triage.app import run_app

    return run_app(settings, source, resume=resume, apply=apply, actions_path=actions_path, trace_path=trace_path)


def main(argv: list[str] | None = None) -> int:
    try:
        return _dispatch(argv)
    except (ConfigError, SourceError, ProviderError, StoreError) as exc:
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
