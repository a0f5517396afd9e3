"""The summary, the report and the header measure a run against the physical limit at the cap,
and a run without model latency is not compared with a model at all."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import fanmail

from tui.fanout.telemetry import RunTelemetry

UNIFORM_SIM = ["--sim-latency", "0.2", "--sim-jitter", "0", "--sim-fail-rate", "0", "--sim-hang-rate", "0",
               "--sim-garbage-rate", "0"]


def summary_line(err: str) -> str:
    return next(line for line in err.splitlines() if " ok, " in line and " duplicates in " in line)


def test_the_limit_is_the_cap_not_the_plan() -> None:
    tel = RunTelemetry("r", "sim", "m", concurrency=20, batch_size=10)
    for i in range(50):  # uniform 200 ms: some slot serves ceil(50 / 20) = 3 emails in a row
        tel.request("a01", 0.2, f"e{i}")
    assert abs(tel.limit_s() - 0.6) < 1e-9  # not 50 x 0.2 / 20 = 0.5, and not 10 x 0.2 for 5 agents
    few = RunTelemetry("r", "sim", "m", concurrency=20, batch_size=10)
    for i in range(7):
        few.request("a01", 0.2, f"e{i}")
    assert abs(few.limit_s() - 0.2) < 1e-9  # 7 emails at C=20: one latency
    varied = RunTelemetry("r", "sim", "m", concurrency=2, batch_size=10)
    for i, seconds in enumerate((1.0, 0.1, 0.1, 0.1)):
        varied.request("a01", seconds, f"e{i}")
    assert abs(varied.limit_s() - 1.0) < 1e-9  # the longest email: nothing ends before it does
    spread = RunTelemetry("r", "sim", "m", concurrency=2, batch_size=10)
    for i, seconds in enumerate((0.5, 0.4, 0.4, 0.4, 0.4)):
        spread.request("a01", seconds, f"e{i}")
    assert abs(spread.limit_s() - 1.2) < 1e-9  # some slot serves 3: the three shortest, 1.2 > 2.1 / 2


async def test_a_rules_run_reports_throughput_not_a_speed_up(tmp_path: Path) -> None:
    code, _, err = await fanmail("triage", "sample:60", "--headless", "--provider", "rules", "-o", str(tmp_path / "r"),
                                 "--store", str(tmp_path / "s.db"), "--report", str(tmp_path / "rep.json"))
    assert code == 0, err
    line = summary_line(err)
    assert "emails/s" in line, line
    assert "sequential" not in line and "limit" not in line and "ideal" not in line, line
    report = json.loads((tmp_path / "rep.json").read_text())
    assert report["model_latency"] is False and report["agents"] == 1  # in-process: one agent


async def test_idle_slots_are_named_and_auto_fills_the_cap(tmp_path: Path) -> None:
    """50 emails, C=20: the old fixed 10 runs 5 agents and says so; auto runs 20 (one wave)."""
    runs = {}
    for label, extra in (("fixed", ["--batch-size", "10"]), ("auto", [])):
        code, _, err = await fanmail(
            "triage", "sample:50", "--headless", "--provider", "sim", "--concurrency", "20", *UNIFORM_SIM, *extra,
            "-o", str(tmp_path / f"{label}.jsonl"), "--store", str(tmp_path / "s.db"),
            "--report", str(tmp_path / f"{label}.json"))
        assert code == 0, err
        runs[label] = (json.loads((tmp_path / f"{label}.json").read_text()), err)
    fixed, fixed_err = runs["fixed"]
    assert (fixed["agents"], fixed["peak_busy"]) == (5, 5)
    assert "the limit of" in summary_line(fixed_err) and "sequential" in summary_line(fixed_err)
    assert "peak 5 of 20 agents busy: --batch-size 3" in fixed_err
    assert fixed["advice"] and fixed["ideal_s"] >= 0.6  # ceil(50 / 20) x 200 ms at least, whatever the plan
    auto, auto_err = runs["auto"]
    assert (auto["batch_size"], auto["agents"], auto["peak_busy"]) == (3, 20, 20)
    assert auto["advice"] == [] and "next time" not in auto_err
