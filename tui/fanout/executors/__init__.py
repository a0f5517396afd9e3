"""Where sub-agents run. The coordinator talks to an `Executor` only (see base.py): `local` runs
them as asyncio tasks in this process, `ray` as Ray actors on a cluster (imported only when chosen)."""

from __future__ import annotations

from collections.abc import Callable

from tui.agents.base import Provider
from tui.fanout.executors.base import AgentSpec, Executor
from tui.fanout.limits import RequestPacer
from tui.model import Email
from tui.settings import ConfigError, Settings


def make_executor(
    settings: Settings,
    provider: Provider,
    pacer: RequestPacer,
    *,
    per_email_timeout: float,
    estimate: Callable[[Email], int] | None,
    clock: Callable[[], float],
    on_usage: Callable[[int, int], None] | None = None,
) -> Executor:
    if settings.executor == "ray":
        try:
            from tui.fanout.executors.ray_executor import RayExecutor
        except ImportError as exc:  # the extra is not installed
            raise ConfigError(f"--executor ray needs Ray: pip install 'fanmail[ray]' ({exc.name} is missing)") from None
        spec = AgentSpec.for_run(settings, provider, per_email_timeout)
        return RayExecutor(spec, settings, estimate=estimate, on_usage=on_usage)
    from tui.fanout.executors.local import LocalExecutor

    return LocalExecutor(provider, pacer, per_email_timeout=per_email_timeout, estimate=estimate, clock=clock)
