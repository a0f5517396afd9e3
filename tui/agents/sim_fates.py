"""What the simulator answers for a given email's attempt, as a pure function of its inputs.

Faults are drawn from (seed, email content, attempt number for that email): the n-th attempt for
an email always meets the same fate, whatever the concurrency or arrival order. A "stuck" email
fails on each of its first `stuck_attempts` attempts, then answers: the demo's way of
leaving a few agents failed for the operator to retry. A repair turn
(the client sending a bad answer back with the error) draws from its own stream and is not an
attempt. An "ok" answer is the rules verdict; "garbage" and "refusal" answers come from the fixed
lists here. Kept out of the HTTP server so the behaviour can be read (and reproduced) on its own.
"""

from __future__ import annotations

import hashlib
import random

from tui.agents.prompt import payload_json
from tui.agents.rules import classify
from tui.agents.sim_config import Fate, SimConfig
from tui.model import Email
from tui.settings import Settings

GARBAGE = (
    'Sure! Here is the verdict: {"urgent": true, "priority": ',
    "I'm sorry, but I can't help with classifying this email.",
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    "{'urgent': False, 'priority': 10,}",
)
GARBAGE_TOOL_INPUT = (
    {"urgent": "very", "priority": 500, "route": "support", "category": "complaint"},
    {"verdict": "urgent"},
    {"urgent": True, "priority": 50, "route": "nowhere", "category": "other", "confidence": 2,
     "injection": False, "injection_reason": "", "summary": ""},
)
REFUSAL = "I'm sorry, but I can't help with that request."


def sha256_hex(text: str) -> str:
    """The hex SHA-256 of a fenced email's text: the fault draw's and the stats' content key."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def email_key(email: Email, settings: Settings | None = None) -> str:
    """How the sim names an email in its stats: the Message-ID, else a content hash."""
    if email.message_id:
        return email.message_id
    return "sha:" + sha256_hex(payload_json(email, settings or Settings()))[:16]


def draw_fate(config: SimConfig, content_sha: str, attempt: int) -> tuple[Fate, float, random.Random]:
    """The deterministic fate and latency of one attempt."""
    rng = random.Random(f"{config.seed}:{content_sha}:{attempt}")
    u = rng.random()
    delay = max(0.0, rng.gauss(config.latency, config.jitter)) if config.jitter else config.latency
    fate: Fate = "ok"
    edge = 0.0
    for name, rate in (("429", config.rate_429), ("fail", config.fail_rate),
                       ("hang", config.hang_rate), ("garbage", config.garbage_rate),
                       ("overloaded", config.overload_rate), ("refusal", config.refusal_rate)):
        edge += rate
        if u < edge:
            fate = name  # type: ignore[assignment]
            break
    if config.stuck_rate and attempt <= config.stuck_attempts:
        # A stuck email: its own draw, the same for every attempt, so it fails (HTTP 500) until
        # it has had stuck_attempts tries. Not a hang: a hedged copy would rescue a hang.
        if random.Random(f"{config.seed}:{content_sha}:stuck").random() < config.stuck_rate:
            fate = "fail"
    return fate, delay, rng


def rules_verdict_json(email: Email, routes: list[str]) -> str:
    """The rules verdict as JSON, mapped onto the client's route enum (review, else its first)."""
    verdict = classify(email)
    if routes and verdict.route not in routes:
        verdict = verdict.model_copy(
            update={"route": "review" if "review" in routes else routes[0]})
    return verdict.model_dump_json()
