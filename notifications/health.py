"""What the scheduler did last: recorded at every tick, shown to coordinators and
financers so a stopped scheduler is visible instead of silent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from notifications.outbox import job_runs


@dataclass(frozen=True)
class JobRun:
    """The last run of a job."""

    name: str
    started_at: datetime
    finished_at: datetime | None
    ok: bool
    summary: str
    error: str | None
    last_ok_at: datetime | None


class Health:
    """Job runs, over the same engine as the outbox."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self,
        name: str,
        *,
        started_at: datetime,
        finished_at: datetime,
        ok: bool,
        summary: str,
        error: str | None = None,
    ) -> None:
        """Record how a run of ``name`` ended."""
        values = {
            "started_at": started_at,
            "finished_at": finished_at,
            "ok": ok,
            "summary": summary,
            "error": (error or "")[:500] or None,
        }
        if ok:
            values["last_ok_at"] = finished_at
        # One upsert: two schedulers started by mistake may record the same job at
        # the same moment, and an UPDATE-then-INSERT lets both insert (the second
        # then fails on the primary key, and its tick is reported as failed).
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(job_runs).values(name=name, **values)
        statement = statement.on_conflict_do_update(
            index_elements=[job_runs.c.name], set_=values
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def last(self, name: str) -> JobRun | None:
        """The last recorded run of ``name``."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(job_runs).where(job_runs.c.name == name)
            ).first()
        if row is None:
            return None
        return JobRun(
            row.name,
            row.started_at,
            row.finished_at,
            bool(row.ok),
            row.summary,
            row.error,
            row.last_ok_at,
        )
