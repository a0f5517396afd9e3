"""IMAP fetch: fanmail's streaming source vs the standard library's imaplib, side by side.

A real Dovecot (tests/dovecot.py) holds N sample emails; both clients reach it through a TCP
proxy in its own process that adds a round-trip delay (default 40 ms), as a remote server would.

- imaplib: one connection, LOGIN, EXAMINE, UID SEARCH UNSEEN, one batched UID FETCH of every
  message, then each parsed into an Email (the same `parse_bytes` fanmail uses). Nothing can
  reach the fan-out before the whole FETCH is back.
- fanmail: `ImapSource` (several connections, first a small FETCH, then one per connection,
  messages handed over as each completes) read by the real `Coordinator.run_stream` with the
  simulator (in its own process) as provider.

Columns: `first email` = start until the first Email reaches the fan-out; `fetched` = start until
every message's bytes are in; `all in fan-out` = start until the last Email was handed over
(parsing included, ~0.9 ms per message here for both). Medians of --repeat runs.

Usage: python bench/imap.py [--count 2000] [--rtt 0.040] [--repeat 3] [--tls]
"""

from __future__ import annotations

import argparse
import asyncio
import imaplib
import ssl
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench._sim import free_port, sim_process  # noqa: E402
from dovecot import PASSWORD, USER, DovecotServer, dovecot_missing, seed  # noqa: E402
from tui.agents.runtime import open_provider  # noqa: E402
from tui.fanout.run import Coordinator  # noqa: E402
from tui.mail.imap_source import ImapSource  # noqa: E402
from tui.mail.imap_target import ImapOptions, parse_imap_url  # noqa: E402
from tui.mail.parse import parse_bytes  # noqa: E402
from tui.mail.sample import generate_sample  # noqa: E402
from tui.settings import Settings  # noqa: E402


def run_imaplib(port: int, tls: bool, cafile: str) -> dict[str, float]:
    t0 = time.perf_counter()
    conn = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    if tls:
        conn.starttls(ssl.create_default_context(cafile=cafile))
    conn.login(USER, PASSWORD)
    conn.select("INBOX", readonly=True)
    _, data = conn.uid("SEARCH", "UNSEEN")
    uids = data[0].split()
    _, fetched = conn.uid("FETCH", b"%s:%s" % (uids[0], uids[-1]), "(UID BODY.PEEK[])")
    t_fetched = time.perf_counter()
    first = None
    count = 0
    for item in fetched:
        if isinstance(item, tuple):
            email = parse_bytes(item[1], email_id=f"u{count}")
            count += 1
            if first is None:
                first = time.perf_counter()
                assert email.id
    t_all = time.perf_counter()
    try:
        conn.logout()
    except Exception:
        pass
    assert count == len(uids), (count, len(uids))
    return {"first": first - t0, "fetched": t_fetched - t0, "all": t_all - t0, "count": count}


async def run_fanmail(port: int, tls: bool, cafile: str, sim_url: str, connections: int) -> dict[str, float]:
    settings = Settings(provider="sim", base_url=sim_url, concurrency=20, batch_size=10, timeout=30, retries=0)
    async with open_provider(settings) as provider:
        t0 = time.perf_counter()
        target = parse_imap_url(f"imap://{USER}@127.0.0.1:{port}/INBOX")
        options = ImapOptions(password=PASSWORD, cafile=cafile, insecure=not tls, connections=connections)
        source = ImapSource(target, options, clock=time.perf_counter)
        expected = await source.open()
        marks: dict[str, float] = {}

        async def fed():
            n = 0
            async for email in source:
                n += 1
                if n == 1:
                    marks["first"] = time.perf_counter()
                yield email
            marks["all"] = time.perf_counter()
            marks["count"] = n

        coordinator = Coordinator(provider, settings)
        events = coordinator.run_stream(fed(), expected=expected)
        async for _ in events:
            if "all" in marks:  # everything reached the fan-out: the model work is not measured
                coordinator.close()
        assert source.stats.fetched_at is not None
        return {"first": marks["first"] - t0, "fetched": source.stats.fetched_at - t0, "all": marks["all"] - t0,
                "count": marks["count"], "connections": source.stats.connections}


def start_proxy(target: int, rtt: float) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "_proxy.py"), str(port), str(target), str(rtt)],
                            stdout=subprocess.PIPE)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != b"ready":
        raise RuntimeError("proxy did not start")
    return proc, port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rtt", type=float, default=0.040, help="added round-trip time, seconds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--tls", action="store_true", help="STARTTLS on both sides (default: plain IMAP)")
    args = parser.parse_args()
    reason = dovecot_missing()
    if reason:
        sys.exit(f"bench/imap.py needs a local Dovecot: {reason}")

    server = DovecotServer()
    server.start()
    proxy = None
    try:
        raws = [m.raw for m in generate_sample(args.count, seed=11)]
        seed(server, raws)
        size = sum(len(r) for r in raws)
        proxy, port = start_proxy(server.port, args.rtt)
        print(f"{args.count} messages ({size / 1e6:.1f} MB) in Dovecot, {args.rtt * 1000:.0f} ms round trip via "
              f"proxy, {'STARTTLS' if args.tls else 'plain IMAP'} on both sides, median of {args.repeat}")
        results: dict[str, list[dict[str, float]]] = {"imaplib": [], "fanmail": []}
        with sim_process("--latency", "1.0", "--jitter", "0") as sim_url:
            for _ in range(args.repeat):
                results["imaplib"].append(run_imaplib(port, args.tls, str(server.cafile)))
                results["fanmail"].append(asyncio.run(
                    run_fanmail(port, args.tls, str(server.cafile), sim_url, args.connections)))
        med = {name: {k: statistics.median(r[k] for r in runs) for k in ("first", "fetched", "all")}
               for name, runs in results.items()}
        for name, runs in results.items():
            assert all(r["count"] == args.count for r in runs), (name, [r["count"] for r in runs])
        print(f"{'':<28}{'first email':>13}{'fetched':>11}{'all in fan-out':>16}")
        print(f"{'imaplib, one batched FETCH':<28}{med['imaplib']['first']:>12.3f}s{med['imaplib']['fetched']:>10.3f}s"
              f"{med['imaplib']['all']:>15.3f}s")
        conns = results["fanmail"][0]["connections"]
        label = f"fanmail, {conns:.0f} connections"
        print(f"{label:<28}{med['fanmail']['first']:>12.3f}s{med['fanmail']['fetched']:>10.3f}s"
              f"{med['fanmail']['all']:>15.3f}s")
        ratio = med["fanmail"]["fetched"] / med["imaplib"]["fetched"]
        print(f"fanmail/imaplib: first email {med['fanmail']['first'] / med['imaplib']['first']:.2f}x, "
              f"fetched {ratio:.2f}x, all in fan-out {med['fanmail']['all'] / med['imaplib']['all']:.2f}x")
        first_ok = med["fanmail"]["first"] < 0.5
        print(f"targets: first email < 0.5 s: {'met' if first_ok else 'MISSED'}; "
              f"fetched within 1.2x of imaplib: {'met' if ratio <= 1.2 else 'MISSED'}")
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(timeout=10)
        server.close()


if __name__ == "__main__":
    main()
