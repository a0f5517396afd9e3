"""Provisioning as a run: one agent per user under the cap, a `UserDone` as each user ends, then
one `ProvisionDone` with every row in CSV order. The steps per user are tui/outbound/provision.py's."""

from __future__ import annotations

from dataclasses import dataclass

from tui.fanout.cap import run_agents
from tui.outbound.provision import ProvisionJob, ProvisionRow, new_rows, provision_user
from tui.outbound.provision_users import ProvisionUser
from tui.run import BaseRun, Emit


@dataclass(frozen=True, slots=True)
class UserDone:
    row: ProvisionRow


@dataclass(frozen=True, slots=True)
class ProvisionDone:
    rows: list[ProvisionRow]
    sent: int  # welcome mails sent by this run


class ProvisionRun(BaseRun):
    def __init__(self, job: ProvisionJob, users: list[ProvisionUser]) -> None:
        self.job = job
        self.users = users

    async def run(self, emit: Emit) -> None:
        """Closes the job's backend at the end, errors or not."""
        job = self.job
        rows = new_rows(job, self.users)
        for row in rows:
            if row.error:
                emit(UserDone(row))

        async def agent(pair: tuple[ProvisionRow, ProvisionUser]) -> None:
            emit(UserDone(await provision_user(job, pair[1], pair[0])))

        try:
            await run_agents([(row, user) for row, user in zip(rows, self.users) if not user.problem], agent,
                             concurrency=job.fanout.concurrency)
        finally:
            await job.backend.close()
        emit(ProvisionDone(rows, job.sent))
