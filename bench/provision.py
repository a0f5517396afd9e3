"""Provisioning: one agent per user vs one user after another, side by side on the same servers.

A real Dovecot (tests/dovecot.py: passwd-file users, IMAP, LMTP) behind a real SMTP relay
(tests/mta.py: aiosmtpd handing each message to Dovecot's LMTP). Each case provisions its own
fresh users through `ProvisionRun` (create in the passwd-file, welcome over SMTP, IMAP login as
the user until the welcome is found): `--concurrency 1` is the sequential baseline.

What a user costs here is mostly waiting, as on a real server: Dovecot re-reads its passwd-file at
most once a second, so a welcome sent right after the create is refused once and retried, then
the IMAP check polls until delivery. Those waits overlap when users are fanned out.

Usage: python bench/provision.py [--users 20] [--concurrency 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from dovecot import DovecotServer, lmtp_missing  # noqa: E402
from mta import LmtpRelay  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from tui.mail.smtp import parse_smtp_url  # noqa: E402
from tui.options import FanoutOptions  # noqa: E402
from tui.outbound.provision import ProvisionJob  # noqa: E402
from tui.run.provision import ProvisionRun  # noqa: E402
from tui.outbound.provision_backends import DovecotPasswdBackend, DovecotPasswdConfig  # noqa: E402
from tui.outbound.provision_users import ProvisionUser  # noqa: E402
from tui.outbound.provision_welcome import ImapServer, WelcomeTemplate  # noqa: E402


async def one_case(server: DovecotServer, relay: LmtpRelay, tag: str, users: int, concurrency: int) -> float:
    people = [ProvisionUser(row=i + 2, user=f"{tag}-{i}@bench.example", email=f"{tag}-{i}@bench.example",
                            password=SecretStr(f"bench-pw-{tag}-{i}")) for i in range(users)]
    job = ProvisionJob(
        backend=DovecotPasswdBackend(DovecotPasswdConfig(passwd_file=server.root / "passwd")),
        smtp=parse_smtp_url(relay.url), template=WelcomeTemplate(sender="welcome@bench.example"),
        imap=ImapServer("imap", "127.0.0.1", server.port, insecure=True),
        fanout=FanoutOptions(concurrency=concurrency, agent_timeout=60.0), verify_wait=20.0, smtp_insecure=True,
    )
    started = time.perf_counter()
    events: list = []
    await ProvisionRun(job, people).run(events.append)
    rows = events[-1].rows
    wall = time.perf_counter() - started
    failed = [r for r in rows if r.status != "ok" or not r.verified]
    if failed:
        raise SystemExit(f"{len(failed)} users failed in case {tag}: {failed[0].error}")
    return wall


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reason = lmtp_missing()
    if reason:
        raise SystemExit(f"cannot run: {reason}")
    server = DovecotServer(lmtp=True)
    server.start()
    relay = LmtpRelay(server.lmtp_port)
    try:
        sequential, fanned = [], []
        for round_ in range(args.repeat):  # alternate, so drift hits both sides alike
            sequential.append(await one_case(server, relay, f"s{round_}", args.users, 1))
            fanned.append(await one_case(server, relay, f"f{round_}", args.users, args.concurrency))
    finally:
        relay.close()
        server.close()
    seq, fan = statistics.median(sequential), statistics.median(fanned)
    print(f"{args.users} users, real Dovecot + SMTP relay + IMAP check, medians of {args.repeat}")
    print(f"  sequential (1 agent at a time): {seq:6.2f} s   ({seq / args.users:.2f} s per user)")
    print(f"  fanned out ({args.concurrency} agents):        {fan:6.2f} s")
    print(f"  speed-up: {seq / fan:.1f}x  (ideal {min(args.concurrency, args.users)}x)")


if __name__ == "__main__":
    asyncio.run(main())
