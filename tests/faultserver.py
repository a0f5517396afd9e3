"""A tiny OpenAI-compatible server whose every answer is scripted: the fault-matrix's provider.

`FaultServer(script)` calls `script(key, n)` for the n-th request (1-based) carrying the email
with Message-ID `key`, and answers with what it returns:

    ok        200 with a valid verdict               500 / 503   server error
    429       rate limited, Retry-After 0.05 s       529         overloaded (Anthropic style)
    hang      accept, never answer                   garbage     200, the model's text is not JSON
    badbody   200 whose HTTP body is not JSON        reset       headers + half a body, then the
                                                                 connection is cut

Server-side counts (`requests`, `ok` per key) are the ground truth the tests compare with.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tui.agents.loopback import LoopbackServer
from tui.agents.prompt import PromptError, extract_email

Script = Callable[[str, int], str]


def frac(key: str, salt: str = "") -> float:
    """A stable number in [0, 1) per email: which emails a fault hits."""
    return int(hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()[:8], 16) / 2**32


class FaultServer(LoopbackServer):
    shutdown_timeout = 0.5

    def __init__(self, script: Script) -> None:
        super().__init__()
        self.script = script
        self.requests: Counter[str] = Counter()
        self.ok: Counter[str] = Counter()
        self.fates: Counter[str] = Counter()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "fault-1", "object": "model"}]})

    @staticmethod
    def _key(body: dict[str, Any]) -> tuple[str, list[str]]:
        routes: list[str] = []
        try:
            routes = list(body["response_format"]["json_schema"]["schema"]["properties"]["route"]["enum"])
        except (KeyError, TypeError):
            pass
        for message in body.get("messages", []):
            content = message.get("content")
            if message.get("role") != "user" or not isinstance(content, str):
                continue
            try:
                email = extract_email(content)
            except PromptError:
                continue
            return email.message_id or "sha:" + hashlib.sha256(email.text.encode()).hexdigest()[:16], routes
        return "unknown", routes

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        with self.handling():
            body = json.loads(await request.read())
            key, routes = self._key(body)
            self.requests[key] += 1
            fate = self.script(key, self.requests[key])
            self.fates[fate] += 1
            return await self._answer(request, fate, key, routes)

    async def _answer(self, request: web.Request, fate: str, key: str, routes: list[str]) -> web.StreamResponse:
        error = {"error": {"message": f"scripted {fate}", "type": "server_error", "param": None, "code": None}}
        if fate in ("500", "503"):
            return web.json_response(error, status=int(fate))
        if fate in ("429", "529"):
            return web.json_response(error, status=int(fate), headers={"Retry-After": "0.05"})
        if fate == "hang":
            await asyncio.sleep(3600)  # cancelled when the client gives up
        if fate == "badbody":
            return web.Response(status=200, body=b"<html>upstream error</html>", content_type="application/json")
        if fate == "reset":
            resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
            resp.content_length = 4096
            await resp.prepare(request)
            await resp.write(b'{"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"ind')
            if request.transport is not None:
                request.transport.abort()
            return resp
        if fate == "garbage":
            content = "Sure! Here is the verdict: {urgent: yes"
        else:
            route = "review" if "review" in routes or not routes else routes[0]
            content = json.dumps({
                "urgent": False, "priority": 20, "route": route, "category": "other", "confidence": 0.9,
                "injection": False, "injection_reason": "", "summary": "scripted ok",
            })
            self.ok[key] += 1
        return web.json_response({
            "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": "fault-1",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                         "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        })
