"""Shared fixtures: the simulator on 127.0.0.1, small sample inboxes, settings for fast runs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tui.agents.sim import SimServer
from tui.agents.sim_config import SimConfig
from tui.extract.schema import sim_answerers


@pytest.fixture(autouse=True, scope="session")
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Runs record themselves in the user data dir's store: point it (and every subprocess's)
    at a temporary folder so tests never touch the real one."""
    import os

    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))


@pytest.fixture
async def sim_factory() -> AsyncIterator[object]:
    """Start simulators with given behaviour; all are stopped at the end of the test."""
    servers: list[SimServer] = []

    async def start(**config: object) -> SimServer:
        server = SimServer(SimConfig(**config), port=0, answerers=sim_answerers())  # extraction's schema too
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client for the provider tests, opened as a run opens it, with no connection limit of its own."""
    from tui.agents.http import http_session

    async with http_session() as s:
        yield s
