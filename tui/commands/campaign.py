"""`fanmail campaign`, `campaign-report`, `bounces` and `webhook`: parsers and runners.

`tui/cli.py` only registers these (`add_parsers`) and dispatches (`run`); user errors are raised
as `ConfigError` so they end as one `fanmail: error: ...` line with exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli_flags import add_setting_flags
from tui.settings import ConfigError, Settings

if TYPE_CHECKING:  # the ledger (SQLite) and SMTP are imported only by the commands that use them
    from tui.outbound.events import DeliveryEvent
    from tui.outbound.ledger import Ledger

SECRET_ENV = "FANMAIL_WEBHOOK_SECRET"
EXIT_INCOMPLETE = 3


def _report_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", type=Path, help="write one row per recipient here (CSV)")
    parser.add_argument("--segments-csv", type=Path, help="write one row per segment here (CSV)")
    parser.add_argument("--jsonl", type=Path, help="write segment and recipient rows here (JSONL, with a 'type')")


def _store_flags(parser: argparse.ArgumentParser) -> None:
    add_setting_flags(parser, ["store", "config"])


def add_parsers(sub: Any) -> None:
    camp = sub.add_parser("campaign", help="send a campaign: one sending agent per segment (dry run unless --apply)")
    camp.add_argument("contacts", type=Path, metavar="CONTACTS.csv", help="one recipient per row; an email column")
    camp.add_argument("--template", type=Path, required=True,
                      help="'Subject: ...' line, blank line, body; $column placeholders")
    camp.add_argument("--segment-by", metavar="COLUMN", help="one sending agent per value of this column")
    add_setting_flags(camp, ["smtp", "smtp_from", "smtp_cafile", "smtp_insecure"])
    camp.add_argument("--mpm", type=int, help="messages per minute to the server, all agents together")
    add_setting_flags(camp, ["concurrency", "agent_timeout"])
    camp.add_argument("--max-attempts", type=int, default=4, help="attempts per recipient after 4xx deferrals")
    camp.add_argument("--retry-delay", type=float, default=30.0, help="backoff base after a 4xx, seconds")
    camp.add_argument("--campaign", dest="campaign_name", metavar="NAME",
                      help="campaign id (default: derived from the contacts path, template, sender, segment column)")
    camp.add_argument("--unsubscribe", metavar="URL",
                      help="List-Unsubscribe target, $email/$column placeholders (https:// adds one-click "
                           "List-Unsubscribe-Post); default mailto:SENDER")
    camp.add_argument("--apply", action="store_true", help="really send; without it: preview and dry run")
    camp.add_argument("--personalize", action="store_true",
                      help="a model writes $personal_line per recipient (OpenAI-compatible --base-url, --model; "
                           "key from OPENAI_API_KEY or --api-key-env; --rpm paces it)")
    add_setting_flags(camp, ["base_url", "model", "api_key_env", "rpm"])
    camp.add_argument("--dashboard", action="store_true",
                      help="with --apply: watch it live, one panel per segment agent (q stops; run again to resume)")
    camp.add_argument("--resend-unknown", action="store_true",
                      help="send again to recipients a crashed run left 'unknown' (check the server log first)")
    _report_flags(camp)
    _store_flags(camp)

    rep = sub.add_parser("campaign-report", help="a campaign's per-segment and per-recipient report")
    rep.add_argument("campaign_ref", nargs="?", default="last", metavar="CAMPAIGN",
                     help="campaign id, unique prefix or 'last'")
    _report_flags(rep)
    _store_flags(rep)

    bounces = sub.add_parser("bounces", help="match DSN bounces in an IMAP folder to sent campaigns")
    bounces.add_argument("url", metavar="imap://USER@HOST:PORT/FOLDER", help="password from FANMAIL_IMAP_PASSWORD")
    add_setting_flags(bounces, ["imap_cafile", "imap_insecure"])
    _store_flags(bounces)

    hook = sub.add_parser("webhook", help="receive signed delivery events (POST /events) into the campaign ledger")
    hook.add_argument("--port", type=int, default=8787)
    hook.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    hook.add_argument("--secret-env", default=SECRET_ENV, metavar="VAR",
                      help=f"environment variable holding the signing secret (default {SECRET_ENV})")
    hook.add_argument("--tolerance", type=float, default=300.0, help="seconds a signature stays valid")
    _store_flags(hook)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from tui.mail.smtp import SmtpError

    try:
        if args.command == "campaign":
            return _run_campaign(args, settings)
        if args.command == "campaign-report":
            return _run_report(args, settings)
        if args.command == "bounces":
            return _run_bounces(args, settings)
        return _run_webhook(args, settings)
    except SmtpError as exc:
        raise ConfigError(str(exc)) from None


def _ledger(settings: Settings) -> Ledger:
    from tui.outbound.ledger import Ledger, ledger_path

    return Ledger(ledger_path(settings.store))


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _run_campaign(args: argparse.Namespace, settings: Settings) -> int:
    from tui.outbound.campaign import SegmentDone, SegmentFailed, SendOptions
    from tui.run.campaign import CampaignDone, CampaignRun
    from tui.outbound.campaign_plan import build_plan, preview, register, still_to_send
    from tui.outbound.cli_common import printable, require_smtp_password, smtp_target

    target = smtp_target(settings, "campaign: give --smtp smtp://HOST:PORT (or smtps://)")
    if not settings.smtp_from:
        raise ConfigError("campaign: give --from ADDRESS")
    for name, value in (("--mpm", args.mpm), ("--max-attempts", args.max_attempts)):
        if value is not None and value < 1:
            raise ConfigError(f"{name} must be at least 1")
    if not args.retry_delay >= 0:  # NaN too
        raise ConfigError("--retry-delay must not be negative")
    options = SendOptions(target=target, sender=settings.smtp_from.strip(), cafile=settings.smtp_cafile,
                          insecure=settings.smtp_insecure, fanout=settings.fanout(), mpm=args.mpm,
                          max_attempts=args.max_attempts,
                          retry_delay=args.retry_delay, retry_cap=max(args.retry_delay * 32, 1.0))
    plan = build_plan(args.contacts, args.template, sender=options.sender, segment_by=args.segment_by,
                      options=options, name=args.campaign_name, unsubscribe=args.unsubscribe,
                      personalize=args.personalize)
    if args.apply and args.dashboard:
        from tui.app.terminal import require_terminal  # before the ledger registers anything

        require_terminal("drop --dashboard")
    with _ledger(settings) as ledger:
        if not args.apply:
            print(preview(plan, ledger))
            return 0
        require_smtp_password(target)
        register(plan, ledger, {"segment_by": args.segment_by, "smtp": target.address, "mpm": args.mpm,
                                "concurrency": options.fanout.concurrency, "max_attempts": options.max_attempts})
        if args.resend_unknown:
            ledger.resend_unknown(plan.campaign_id)
        todo = still_to_send(plan, ledger)
        pending = sum(len(v) for v in todo.values())
        _say(f"campaign {plan.campaign_id}: sending {pending} message(s) in "
             f"{sum(1 for v in todo.values() if v)} segment agent(s)")

        done: list[CampaignDone] = []

        def progress(event: object) -> None:
            if isinstance(event, CampaignDone):
                done.append(event)
            elif isinstance(event, SegmentDone):
                _say(f"segment {event.segment!r} done: " + ", ".join(f"{k} {v}" for k, v in sorted(event.counts.items())))
            elif isinstance(event, SegmentFailed):
                _say(f"segment {event.segment!r} FAILED: {printable(event.error)} ({event.left} left pending)")

        personalizer = None
        if args.personalize:
            from tui.outbound.personalize import Personalizer

            model = settings.model if settings.model != Settings.model_fields["model"].default else "gpt-4o-mini"
            personalizer = Personalizer(base_url=settings.base_url, model=model,
                                        api_key_env=settings.api_key_env, rpm=settings.rpm)
        run_ = CampaignRun(ledger, plan.campaign_id, plan.renderer, options, todo, personalizer)
        try:
            if args.dashboard:
                from tui.app.campaign.app import run_campaign_app  # the UI only when asked for

                failed = run_campaign_app(settings, run_, f"campaign {plan.campaign_id} via {target.address}")
            else:
                asyncio.run(run_.run(progress))
                failed = done[-1].failed_segments
                _say(f"sent in {done[-1].wall_s:.1f} s")
        finally:
            ledger.recover_interrupted(plan.campaign_id)  # a DATA cut short by Ctrl-C: unknown, never re-sent
        complete = _write_reports(args, ledger, plan.campaign_id) and not failed
        ledger.finish_campaign(plan.campaign_id, "done" if complete else "incomplete")
        return 0 if complete else EXIT_INCOMPLETE


def _write_reports(args: argparse.Namespace, ledger: Ledger, campaign_id: str,
                   say: Callable[[str], None] | None = None) -> bool:
    """Writes the files asked for, prints the per-segment summary; True when nothing is left open."""
    from tui.outbound import report

    rows = report.recipient_rows(ledger, campaign_id)
    segments = report.segment_rows(rows) if rows else []
    if args.csv:
        report.write_csv(args.csv, rows)
    if args.segments_csv:
        report.write_segments_csv(args.segments_csv, segments)
    if args.jsonl:
        report.write_jsonl(args.jsonl, rows, segments)
    say = say or _say
    say(f"campaign {campaign_id}: {len(rows)} recipient rows")
    for line in report.summary_lines(segments):
        say(line)
    return not any(r.status in ("pending", "unknown") for r in rows)


def _run_report(args: argparse.Namespace, settings: Settings) -> int:
    with _ledger(settings) as ledger:
        campaign_id = ledger.find_campaign(args.campaign_ref)
        if campaign_id is None:
            raise ConfigError(f"no campaign {args.campaign_ref!r} in {ledger.path} (or the prefix is not unique)")
        _write_reports(args, ledger, campaign_id, say=print)
    return 0


def _run_bounces(args: argparse.Namespace, settings: Settings) -> int:
    from tui.outbound.bounces import read_bounces

    with _ledger(settings) as ledger:
        scan = asyncio.run(read_bounces(args.url, settings, ledger))
    print(f"{scan.messages} message(s), {scan.dsns} DSN(s), {scan.events} event(s): "
          f"{scan.matched} new matched, {scan.unmatched} new unmatched")
    return 0


def _run_webhook(args: argparse.Namespace, settings: Settings) -> int:
    secret = os.environ.get(args.secret_env, "")
    if not secret:
        raise ConfigError(f"set {args.secret_env} to the webhook signing secret (never given as a flag)")
    if not 0 < args.port < 65536:
        raise ConfigError(f"--port {args.port} is not a port")
    if not args.tolerance > 0:  # NaN would let every timestamp through
        raise ConfigError("--tolerance must be positive")
    with _ledger(settings) as ledger:
        asyncio.run(serve_webhook(ledger, secret, host=args.host, port=args.port, tolerance_s=args.tolerance))
    return 0


async def serve_webhook(ledger: Ledger, secret: str, *, host: str, port: int, tolerance_s: float = 300.0,
                        ready: asyncio.Event | None = None, stop: asyncio.Event | None = None) -> None:
    """Run the signed receiver until `stop` is set (or forever); events go into the ledger."""
    from aiohttp import web

    from tui.outbound.webhook import make_webhook_app

    async def on_events(events: list[DeliveryEvent]) -> None:
        matched, unmatched = await asyncio.to_thread(ledger.record_events, events)
        _say(f"webhook: {len(events)} event(s): {matched} new matched, {unmatched} new unmatched")

    runner = web.AppRunner(make_webhook_app(secret, on_events, tolerance_s=tolerance_s), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        _say(f"webhook: listening on http://{host}:{port}/events")
        if ready is not None:
            ready.set()
        await (stop.wait() if stop is not None else asyncio.Event().wait())
    finally:
        await runner.cleanup()
