"""`fanmail review RUN_ID`: a stored run opened in the dashboard to review and correct it.

Nothing is sent to a model: the run's rows come from the store, played in as the events a live
run would have sent (one agent per recorded agent id), so the inbox, the queue keys, the detail
screen and the report work exactly as after a live run. The detail screen shows what the store
kept of each email (sender, subject, the verdict and its summary); when the run's source is a
file that is still there, its bodies are read again from it (a local read, no model call).
"""

from __future__ import annotations

from collections import defaultdict

from tui.app.triage.review_desk import ReviewDesk
from tui.app.triage.session import ManualClock, ReplaySession
from tui.fanout.events import AgentFinished, EmailDone, Event, RunDone, RunStarted
from tui.history import open_store
from tui.mail.imap_target import is_imap
from tui.mail.sources import SourceError, load_source
from tui.model import Email, ResultRow, RunReport
from tui.settings import ConfigError, Settings, provider_label
from tui.store import RunInfo, Store

BAD = ("failed", "timeout")


def stored_events(run: RunInfo, meta: list[dict[str, str]], rows: dict[str, ResultRow]) -> list[tuple[float, Event]]:
    """The events that rebuild the dashboard of a finished run, in the store's email order."""
    agents: dict[str, list[str]] = defaultdict(list)
    order = [m["email_id"] for m in meta] or list(rows)
    for eid in order:
        if (row := rows.get(eid)) is not None:
            agents[row.agent_id or "-"].append(eid)
    subjects = {m["email_id"]: m["subject"] for m in meta}
    events: list[tuple[float, Event]] = [(0.0, RunStarted(run.run_id, run.total, dict(agents),
                                                          int(run.settings.get("concurrency") or 1), 0.0, subjects))]
    for eid in order:
        if (row := rows.get(eid)) is not None:
            events.append((0.0, EmailDone(row.agent_id or "-", row)))
    for agent_id, ids in agents.items():
        bad = sum(1 for e in ids if rows[e].status in BAD)
        events.append((0.0, AgentFinished(agent_id, "failed" if bad else "done", len(ids) - bad, bad)))
    if run.report:
        try:
            events.append((0.0, RunDone(RunReport.model_validate(run.report))))
        except ValueError:
            pass  # an older report shape: the report screen shows the rest
    return events


def stored_emails(run: RunInfo, meta: list[dict[str, str]], rows: dict[str, ResultRow],
                  seed: int) -> dict[str, Email]:
    """What the detail screen shows: the source's own emails if it can be read again locally,
    else what the store kept (sender, subject, and the verdict's summary in place of a body)."""
    emails: dict[str, Email] = {}
    if run.source and not is_imap(run.source):
        try:
            emails = {e.id: e for e in load_source(run.source, seed=seed)}
        except (SourceError, OSError, ValueError):
            emails = {}
    out: dict[str, Email] = {}
    for m in meta:
        eid = m["email_id"]
        row = rows.get(eid)
        out[eid] = emails.get(eid) or Email(
            id=eid, message_id=m["message_id"], subject=m["subject"], sender=m["sender"],
            date=row.date if row else None,
            text=f"(the body is not kept in the store; the model's summary: {row.summary or '—'})" if row else "",
        )
    return out


def open_review(settings: Settings, run_id: str, *, user: str | None = None,
                store: Store | None = None) -> tuple[ReplaySession, ReviewDesk, ManualClock]:
    """The session that replays the stored run, and the desk that records its corrections."""
    store = store or open_store(settings)
    run = store.find_run(run_id)
    if run is None:
        store.close()
        raise ConfigError(f"no run {run_id!r} in {store.path} (see `fanmail runs`)")
    meta, rows = store.email_meta(run.run_id), store.verdicts(run.run_id)
    clock = ManualClock(0.0)
    label = f"{run.source} · {provider_label(run.provider, run.model)} · review {run.run_id}"
    seed = int(run.settings.get("seed", settings.seed))  # the sample the run read, not today's default
    session = ReplaySession(stored_events(run, meta, rows), stored_emails(run, meta, rows, seed), clock, label=label)
    return session, ReviewDesk(settings, store, run.run_id, user=user), clock


def make_review_app(settings: Settings, run_id: str, *, user: str | None = None, store: Store | None = None,
                    note_timeout: float | None = None):  # noqa: ANN201 - FanmailApp (imported late: keeps this light)
    from tui.app.triage.app import make_app

    session, desk, clock = open_review(settings, run_id, user=user, store=store)
    return make_app(settings, session=session, clock=clock, review=desk, note_timeout=note_timeout)


def run_review(settings: Settings, run_id: str) -> int:
    """Entry point of `fanmail review RUN_ID` (without --headless)."""
    app = make_review_app(settings, run_id)
    app.run()  # the dashboard closes the desk (and its store) when it goes
    return app.return_code or 0
