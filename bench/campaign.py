"""Campaign fan-out: five segment agents vs one sequential sender, at a fixed SMTP latency per message.

An aiosmtpd server in its own process (tests/campaign_smtp.py) takes `--latency` seconds to answer
each message's DATA (default 20 ms), as a remote MTA does. The same contacts (5 segments x
--per-segment recipients) are sent twice, each time as a fresh campaign in a fresh ledger, through
the real sender (rendering, ledger commits before and after DATA, one reused SMTP connection per
agent):

- sequential: one agent, one connection, every recipient in turn (no --segment-by);
- fanned out: one agent per segment (--segment-by region), five connections.

Prints both wall times, the speed-up, the ideal (messages x latency / agents), and what the ratio
means for the figure this pattern is known for (15 min sequential).

Usage: python bench/campaign.py [--per-segment 200] [--latency 0.020] [--segments 5]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_campaign import write_contacts, write_template  # noqa: E402
from tui.mail.smtp import parse_smtp_url  # noqa: E402
from tui.options import FanoutOptions  # noqa: E402
from tui.outbound.campaign import SendOptions  # noqa: E402
from tui.run.campaign import CampaignRun  # noqa: E402
from tui.outbound.campaign_plan import build_plan, register, still_to_send  # noqa: E402
from tui.outbound.ledger import Ledger  # noqa: E402
from tui.outbound.report import recipient_rows  # noqa: E402

REGIONS = ["emea", "apac", "amer", "latam", "nordics", "dach", "benelux", "iberia", "anz", "mena"]

_SERVER = """
import sys
sys.path.insert(0, {tests!r})
from campaign_smtp import CampaignHandler, CampaignSmtp
server = CampaignSmtp(CampaignHandler(latency={latency}))
print(server.port, flush=True)
sys.stdin.read()
server.close()
"""


def start_server(latency: float) -> tuple[subprocess.Popen[str], int]:
    """The server in its own process (its event loop never competes with the sender's); its port."""
    proc = subprocess.Popen([sys.executable, "-c", _SERVER.format(tests=str(ROOT / "tests"), latency=latency)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def send(folder: Path, port: int, segment_by: str | None, name: str) -> tuple[float, int, int, float]:
    """(seconds to send, messages accepted, agents, client CPU seconds) for one fresh campaign."""
    options = SendOptions(target=parse_smtp_url(f"smtp://127.0.0.1:{port}"), sender="news@sender.test",
                          insecure=True, fanout=FanoutOptions(concurrency=20))
    plan = build_plan(folder / "contacts.csv", folder / "t.txt", sender=options.sender, segment_by=segment_by,
                      options=options, name=name)
    with Ledger(folder / f"{name}.db") as ledger:
        register(plan, ledger, {})
        todo = still_to_send(plan, ledger)
        run = CampaignRun(ledger, plan.campaign_id, plan.renderer, options, todo)
        t0, cpu0 = time.perf_counter(), time.process_time()
        asyncio.run(run.run(lambda event: None))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        accepted = sum(1 for r in recipient_rows(ledger, plan.campaign_id) if r.status == "accepted")
    return wall, accepted, sum(1 for v in todo.values() if v), cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-segment", type=int, default=200)
    parser.add_argument("--segments", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.020, help="server seconds per message")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fm-bench-campaign-"))
    total = write_contacts(folder / "contacts.csv", args.per_segment, REGIONS[:args.segments])
    write_template(folder / "t.txt")
    server, port = start_server(args.latency)
    try:
        seq_wall, seq_ok, seq_agents, seq_cpu = send(folder, port, None, "sequential")
        fan_wall, fan_ok, fan_agents, fan_cpu = send(folder, port, "region", "fanned")
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    n = len(total)
    assert seq_ok == n and fan_ok == n, (seq_ok, fan_ok, n)
    ideal_seq = n * args.latency
    ratio = seq_wall / fan_wall
    print(f"{n} messages, {args.segments} segments x {args.per_segment}, server latency {args.latency * 1000:.0f} ms/message")
    print(f"sequential (1 agent):  {seq_wall:7.2f} s   ideal {ideal_seq:6.2f} s   wall/ideal {seq_wall / ideal_seq:.3f}")
    print(f"fanned out ({fan_agents} agents): {fan_wall:7.2f} s   ideal {ideal_seq / fan_agents:6.2f} s   "
          f"wall/ideal {fan_wall / (ideal_seq / fan_agents):.3f}")
    print(f"speed-up: {ratio:.2f}x (ideal {fan_agents}x); per-message overhead: sequential "
          f"{(seq_wall - ideal_seq) / n * 1000:.2f} ms")
    print(f"client CPU per message (rendering, ledger commits, SMTP client): sequential "
          f"{seq_cpu / n * 1000:.2f} ms, fanned out {fan_cpu / n * 1000:.2f} ms")
    print(f"the known figure, 15 min sequential, becomes {15 / ratio:.1f} min fanned out (ideal {15 / fan_agents:.0f} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
