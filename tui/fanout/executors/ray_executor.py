"""Sub-agents as Ray actors (`--executor ray`): one async actor per running agent, a named limiter
actor holding the cluster's RPM/TPM. Under a limit an attempt is a Ray streaming generator (the
wait at the limiter, then the outcome); without one it is a single plain call.

The coordinator is unchanged: it still owns every agent's queue, retries, timeouts and
rebalancing, so an actor holds at most the one email it is working on. When an actor dies, that
email and the agent's queue go to a new agent on another actor (coordinator: `_hand_off`).
Actors are reused: when an agent ends its actor serves the next agent that gets a slot, so a
run starts at most `--concurrency` worker processes instead of one per batch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import ray
from ray.exceptions import ActorUnavailableError, RayActorError, RayTaskError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from tui.fanout.executors.base import AgentSpec, AttemptFailed, AttemptOk, AttemptStarted, WorkerLost
from tui.fanout.executors.ray_actors import AgentActor, RateLimiter
from tui.model import Email
from tui.settings import ConfigError, Settings

NAMESPACE = "fanmail"
# Bodies above this cross once through the object store (ray.put) instead of inside each call.
LARGE_EMAIL_CHARS = 16_000
CONNECT_TIMEOUT_S = 5.0
WARM_UP_TIMEOUT_S = 120.0  # then the run starts anyway; late actors pick up their agent's calls
BUDGET_POLL_S = 1.0  # how often the dashboard's rate budget is asked of the cluster's limiter


def limiter_name(spec: AgentSpec, rpm: int | None, tpm: int | None) -> str:
    """One limiter per provider, model and limits: runs (drivers) with the same ones share it."""
    return f"fanmail-rate-{spec.provider}-{spec.model}-rpm{rpm or 0}-tpm{tpm or 0}"


async def _reachable(address: str) -> None:
    """ray.init waits for an unreachable head for minutes: fail in seconds, in one line."""
    host, _, port = address.rpartition(":")
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host or "127.0.0.1", int(port)), CONNECT_TIMEOUT_S)
        writer.close()
    except (OSError, ValueError, TimeoutError) as exc:
        raise ConfigError(f"--ray-address {address}: no Ray cluster answers there ({exc or type(exc).__name__}); "
                          "give the head's HOST:6379, or auto on a cluster node") from None


async def _items(call: Any, *, streamed: bool) -> AsyncIterator[Any]:
    """What an actor call returns, item by item: a streaming generator's items, or a plain result."""
    if streamed:
        async for ref in call:
            yield await ref
    else:
        yield await call


class RayWorker:
    """The coordinator's end of one agent's actor."""

    def __init__(self, executor: "RayExecutor", agent_id: str, actor: Any) -> None:
        self._x = executor
        self.agent_id = agent_id
        self.actor = actor
        self.lost = False

    async def attempt(self, email: Email, started: Callable[[float], None]) -> AttemptOk | AttemptFailed:
        x = self._x
        held = x.hold_until - time.monotonic()
        if held > 0:  # a 429's Retry-After, seen by any agent of this run
            await asyncio.sleep(held)
        if x.spec.paced:  # the wait for the cluster's limiter happens on the actor: streamed back
            tokens = x.estimate(email) if x.estimate else 0
            call = self.actor.attempt.options(num_returns="streaming").remote(x.email_arg(email), tokens)
        else:  # nothing to wait for there: one plain call, half the round trips of a stream
            started(max(0.0, held))
            call = self.actor.classify.remote(x.email_arg(email))
        result: AttemptOk | AttemptFailed | None = None
        try:
            async for item in _items(call, streamed=x.spec.paced):
                if isinstance(item, AttemptStarted):
                    started(item.waited_s + max(0.0, held))
                elif isinstance(item, tuple):  # the outcome, with the tokens the provider reported
                    outcome, used_in, used_out = item
                    if (used_in or used_out) and x.on_usage is not None:
                        x.on_usage(used_in, used_out)
                    if isinstance(outcome, AttemptOk):
                        x.forget(email.id)
                    result = outcome
                else:
                    result = item
        except asyncio.CancelledError:
            ray.cancel(call)  # the actor's coroutine is cancelled; the actor lives on
            raise
        except (RayActorError, ActorUnavailableError) as exc:
            self.lost = True
            why = (str(exc).strip().splitlines() or [type(exc).__name__])[-1][:200]
            raise WorkerLost(f"actor of {self.agent_id} died: {why}") from None
        except RayTaskError as exc:  # the worker could not build the provider (e.g. no key there)
            cause = exc.cause if exc.cause is not None else exc
            return AttemptFailed("fatal", f"on the Ray worker: {cause}", False, 0.0)
        assert result is not None, "an attempt ends in AttemptOk or AttemptFailed"
        return result

    def hold_off(self, seconds: float) -> None:
        x = self._x
        x.hold_until = max(x.hold_until, time.monotonic() + seconds)
        if x.spec.paced:
            x.limiter.hold_off.remote(seconds)

    def release(self) -> None:
        self._x.give_back(self)


class RayExecutor:
    name = "ray"

    def __init__(
        self,
        spec: AgentSpec,
        settings: Settings,
        *,
        estimate: Callable[[Email], int] | None,
        on_usage: Callable[[int, int], None] | None = None,
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.estimate = estimate
        self.on_usage = on_usage
        self.limiter: Any = None
        self.hold_until = 0.0  # time.monotonic() before which no agent of this run sends
        self.actors_started = 0
        self._idle: list[Any] = []
        self._busy: dict[str, RayWorker] = {}
        self._refs: dict[str, Any] = {}
        self._owns_ray = False
        self._agent_cls: Any = None
        self._placements: list[Any] = []
        self._nodes: list[str] = []
        self.nodes_used: set[str] = set()  # Ray node ids the agents ran on, known after close()
        self._budget: float | None = None
        self._budget_task: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- lifecycle
    async def start(self, agents: int) -> dict[str, Any]:
        if not ray.is_initialized():
            address = self.settings.ray_address
            if address and address != "auto":
                await _reachable(address)
            try:
                await asyncio.to_thread(ray.init, address=address, namespace=NAMESPACE, include_dashboard=False,
                                        log_to_driver=False, logging_level=logging.WARNING)
            except Exception as exc:  # unreachable cluster, version mismatch: one line
                where = f"at {address}" if address else "locally"
                raise ConfigError(f"cannot start Ray {where}: {str(exc).splitlines()[0] if str(exc) else exc}") \
                    from None
            self._owns_ray = True
        self._agent_cls = ray.remote(AgentActor)
        self._nodes = [n["NodeID"] for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU")]
        rpm, tpm = self.settings.rpm, self.settings.tpm
        self.limiter = ray.remote(RateLimiter).options(
            name=limiter_name(self.spec, rpm, tpm), namespace=NAMESPACE, get_if_exists=True, num_cpus=0,
            max_restarts=-1, max_task_retries=-1).remote(rpm, tpm)
        await self.limiter.limits.remote()  # up (or restarted) before the first agent asks
        if rpm or tpm:
            self._budget_task = asyncio.ensure_future(self._poll_budget())
        began = time.monotonic()
        await self._warm_up(agents)
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        return {"executor": "ray", "nodes": len(nodes),
                "cpus": int(sum(n.get("Resources", {}).get("CPU", 0) for n in nodes)),
                "workers": len(self._idle), "warm_up_s": round(time.monotonic() - began, 2)}

    async def _warm_up(self, agents: int) -> None:
        """Start the first agents' actors together before the clock starts: a worker process
        takes a second or more to start, and Ray starts only a few at a time per node."""
        fresh = [self._new_actor(soft=False) for _ in range(max(0, agents))]
        if fresh:
            await asyncio.wait([asyncio.ensure_future(ref) for ref in self._placements[-len(fresh):]],
                               timeout=WARM_UP_TIMEOUT_S)
        self._idle.extend(fresh)

    def _new_actor(self, soft: bool = True) -> Any:
        """Round-robin over the nodes (Ray's SPREAD piles zero-CPU actors created together onto one
        node). The warm-up's are pinned to the nodes alive a moment ago (a soft affinity let Ray put
        them all on one node now and then); later ones, replacing an actor that may have died with
        its node, are soft, so a dead node is skipped."""
        options: dict[str, Any] = {"num_cpus": 0, "max_restarts": 0}  # I/O-bound; a dead one is replaced
        if self._nodes:
            node = self._nodes[self.actors_started % len(self._nodes)]
            options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(node, soft=soft)
        actor = self._agent_cls.options(**options).remote(self.spec, self.limiter)
        self.actors_started += 1
        self._placements.append(actor.where.remote())
        return actor

    def open(self, agent_id: str) -> RayWorker:
        actor = self._idle.pop() if self._idle else self._new_actor()
        worker = RayWorker(self, agent_id, actor)
        self._busy[agent_id] = worker
        return worker

    def give_back(self, worker: RayWorker) -> None:
        if self._busy.get(worker.agent_id) is worker:
            del self._busy[worker.agent_id]
        if worker.lost:
            return
        self._idle.append(worker.actor)

    def actor_of(self, agent_id: str) -> Any | None:
        """The actor running `agent_id` right now (tests kill it to check the hand-off)."""
        worker = self._busy.get(agent_id)
        return worker.actor if worker is not None else None

    def budget_left(self) -> float | None:
        """The cluster limiter's figure, at most BUDGET_POLL_S old (the dashboard reads it
        synchronously; asking the actor takes a round trip)."""
        return self._budget

    async def _poll_budget(self) -> None:
        while True:
            try:
                self._budget = await asyncio.wait_for(self.limiter.budget_left.remote(), BUDGET_POLL_S * 5)
            except Exception:  # a restarting limiter: keep the last figure
                pass
            await asyncio.sleep(BUDGET_POLL_S)

    async def close(self) -> None:
        task, self._budget_task = self._budget_task, None
        if task is not None:
            task.cancel()
        actors = self._idle + [w.actor for w in self._busy.values()]
        self._idle, self._busy, self._refs = [], {}, {}
        if actors:  # let them close their HTTP sessions, briefly, then stop them
            await asyncio.wait([asyncio.ensure_future(a.shutdown.remote()) for a in actors], timeout=2.0)
        placements = [asyncio.ensure_future(ref) for ref in self._placements]
        self._placements = []
        if placements:  # answered long ago unless an actor died before saying where it ran
            done, pending = await asyncio.wait(placements, timeout=5.0)
            for future in pending:
                future.cancel()
            self.nodes_used.update(f.result()["node"] for f in done if f.exception() is None)
        for actor in actors:
            try:
                ray.kill(actor)
            except Exception:  # already gone
                pass
        if self._owns_ray:
            self._owns_ray = False
            await asyncio.to_thread(ray.shutdown)

    # ----------------------------------------------------------------- emails by reference
    def email_arg(self, email: Email) -> Any:
        """Small emails travel inside the call; a large one is put in the object store once
        (its retries and a node's other reads share that copy)."""
        if len(email.text) + len(email.hidden_text) < LARGE_EMAIL_CHARS:
            return email
        ref = self._refs.get(email.id)
        if ref is None:
            ref = self._refs[email.id] = ray.put(email)
        return ref

    def forget(self, email_id: str) -> None:
        self._refs.pop(email_id, None)
