"""The signed webhook receiver over real HTTP on 127.0.0.1: good, bad, stale, unsigned, malformed."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tui.outbound.events import DeliveryEvent
from tui.outbound.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, make_webhook_app, sign_payload

SECRET = "whsec-test-7f3a"


class Receiver:
    def __init__(self) -> None:
        self.batches: list[list[DeliveryEvent]] = []
        self.fail_next = False

    async def __call__(self, events: list[DeliveryEvent]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("store is down")
        self.batches.append(events)


@pytest.fixture
async def hook() -> AsyncIterator[tuple[str, Receiver, aiohttp.ClientSession]]:
    receiver = Receiver()
    server = TestServer(make_webhook_app(SECRET, receiver, tolerance_s=300, max_body=64 * 1024), host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield str(server.make_url("/events")), receiver, session
    await server.close()


def body(*events: dict[str, object]) -> bytes:
    return json.dumps({"events": list(events)}).encode()


BOUNCE = {"message_id": "<c-1@shop.example>", "recipient": "Bob@Example.org", "event": "bounced",
          "reason": "550 5.1.1 user unknown", "status": "5.1.1", "timestamp": 1795000000}
OPENED = {"message_id": "c-2@shop.example", "recipient": "carol@example.org", "event": "delivered",
          "timestamp": "2026-11-27T10:00:00Z"}


async def post(session: aiohttp.ClientSession, url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    async with session.post(url, data=data, headers={"Content-Type": "application/json", **headers}) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_signed_events_are_accepted_and_handed_over(hook) -> None:
    url, receiver, session = hook
    data = body(BOUNCE, OPENED, {"recipient": "dan@example.org", "event": "complaint"})
    status, answer = await post(session, url, data, sign_payload(data, SECRET))
    assert (status, answer) == (200, {"accepted": 3})
    (events,) = receiver.batches
    assert [(e.message_id, e.recipient, e.kind, e.source) for e in events] == [
        ("<c-1@shop.example>", "bob@example.org", "bounced", "webhook"),
        ("<c-2@shop.example>", "carol@example.org", "delivered", "webhook"),
        ("", "dan@example.org", "complaint", "webhook"),
    ]
    assert events[0].reason == "550 5.1.1 user unknown" and events[0].status == "5.1.1"
    assert events[0].at == datetime.fromtimestamp(1795000000, tz=timezone.utc)
    assert events[1].at == datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
    assert events[2].permanent_failure


async def test_unsigned_bad_signature_and_wrong_secret_get_401_and_change_nothing(hook) -> None:
    url, receiver, session = hook
    data = body(BOUNCE)
    good = sign_payload(data, SECRET)
    tampered = body({**BOUNCE, "recipient": "mallory@example.org"})
    cases = {
        "unsigned": (data, {}),
        "no timestamp": (data, {SIGNATURE_HEADER: good[SIGNATURE_HEADER]}),
        "wrong secret": (data, sign_payload(data, "not-the-secret")),
        "body changed after signing": (tampered, good),
        "timestamp changed after signing": (data, {**good, TIMESTAMP_HEADER: str(int(good[TIMESTAMP_HEADER]) + 1)}),
        "garbage signature": (data, {**good, SIGNATURE_HEADER: "v1=zz"}),
        "unknown version": (data, {**good, SIGNATURE_HEADER: good[SIGNATURE_HEADER].replace("v1=", "v0=")}),
        "non-numeric timestamp": (data, {**good, TIMESTAMP_HEADER: "soon"}),
    }
    for name, (payload, headers) in cases.items():
        status, answer = await post(session, url, payload, headers)
        assert status == 401, name
        assert set(answer) == {"error"} and SECRET not in json.dumps(answer), name
    assert receiver.batches == []


async def test_stale_and_future_timestamps_are_refused(hook) -> None:
    url, receiver, session = hook
    data = body(BOUNCE)
    now = int(time.time())
    for ts in (now - 301, now + 301, 0):
        status, answer = await post(session, url, data, sign_payload(data, SECRET, timestamp=ts))
        assert (status, answer) == (401, {"error": "stale or future timestamp"})
    status, _ = await post(session, url, data, sign_payload(data, SECRET, timestamp=now - 200))
    assert status == 200
    assert len(receiver.batches) == 1


async def test_one_of_several_signatures_matching_is_enough(hook) -> None:
    url, receiver, session = hook
    data = body(BOUNCE)
    headers = sign_payload(data, SECRET)
    old = sign_payload(data, "old-secret", timestamp=int(headers[TIMESTAMP_HEADER]))
    headers[SIGNATURE_HEADER] = f"{old[SIGNATURE_HEADER]}, {headers[SIGNATURE_HEADER]}"
    status, _ = await post(session, url, data, headers)
    assert status == 200 and len(receiver.batches) == 1


async def test_malformed_bodies_get_400_after_the_signature_check(hook) -> None:
    url, receiver, session = hook
    bad = [b"{not json", b"[]", b'{"events": "x"}', body({"recipient": "a@b.org", "event": "exploded"}),
           body({"event": "bounced"}), body({"recipient": "no-at-sign", "event": "bounced"}), b"\xff\xfe"]
    for data in bad:
        status, answer = await post(session, url, data, sign_payload(data, SECRET))
        assert status == 400, data
        assert isinstance(answer["error"], str) and len(answer["error"]) <= 200
    # unsigned garbage is refused as unsigned: nothing is parsed before the signature is checked
    status, _ = await post(session, url, b"{not json", {})
    assert status == 401
    assert receiver.batches == []


async def test_body_over_the_limit_is_refused_with_413(hook) -> None:
    url, receiver, session = hook
    data = body(*[{**BOUNCE, "reason": "x" * 1000} for _ in range(100)])  # ~110 KB > 64 KiB
    status, answer = await post(session, url, data, sign_payload(data, SECRET))
    assert status == 413 and "error" in answer
    assert receiver.batches == []


async def test_a_replayed_request_is_not_handed_over_twice_but_a_failed_one_can_be_retried(hook) -> None:
    url, receiver, session = hook
    data = body(BOUNCE)
    headers = sign_payload(data, SECRET)
    receiver.fail_next = True
    status, answer = await post(session, url, data, headers)
    assert status == 500 and receiver.batches == []
    assert (await post(session, url, data, headers)) == (200, {"accepted": 1})
    assert (await post(session, url, data, headers)) == (200, {"accepted": 0, "duplicate": True})
    assert len(receiver.batches) == 1


async def test_only_post_events_is_served(hook) -> None:
    url, receiver, session = hook
    async with session.get(url) as resp:
        assert resp.status == 405
    data = body(BOUNCE)
    async with session.post(url.replace("/events", "/other"), data=data, headers=sign_payload(data, SECRET)) as resp:
        assert resp.status == 404
    assert receiver.batches == []


def test_an_empty_secret_is_refused() -> None:
    async def nothing(events: list[DeliveryEvent]) -> None:
        return None

    with pytest.raises(ValueError):
        make_webhook_app("", nothing)
