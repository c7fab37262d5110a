"""A background job: what was asked, by whom, how far it got, what came out.

The state lives in the database, not in the process that runs the job, so any
web worker can answer a progress poll. Times are UTC (shown in Europe/Kyiv).
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..common.enums import N_, LabeledEnum, enum_column


class JobStatus(LabeledEnum):
    queued = N_("Queued")
    running = N_("Running")
    done = N_("Done")
    failed = N_("Failed")


#: Statuses in which a job is still expected to move.
ACTIVE = (JobStatus.queued, JobStatus.running)


class Job(Model):
    """One background job (an export file, an import of centres)."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Name of the task in ``app.jobs.services.TASKS`` ("export", "centre_import").
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    #: What the user asked for, in their language at the time ("Експорт …").
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus),
        nullable=False,
        default=JobStatus.queued,
        server_default=JobStatus.queued.name,
        index=True,
    )
    #: Set when the process running the job stopped before finishing it.
    interrupted: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    progress_done: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    progress_total: Mapped[int | None] = mapped_column(Integer)
    #: Current step or final outcome, in the submitter's language.
    message: Mapped[str | None] = mapped_column(String(500))
    #: Everything the task needs, captured at submission (scope, filters, file, locale).
    params: Mapped[dict | None] = mapped_column(JSON)
    #: Summary of the outcome (e.g. the import report: created/updated/errors).
    result: Mapped[dict | None] = mapped_column(JSON)
    #: Result file: name offered to the browser, its type, and the file name
    #: inside JOBS_FOLDER (never a path; None once deleted).
    result_name: Mapped[str | None] = mapped_column(String(255))
    result_mimetype: Mapped[str | None] = mapped_column(String(100))
    result_path: Mapped[str | None] = mapped_column(String(255))
    created_by_fk: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    created_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=clock.utcnow)
    started_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_on: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    #: Last sign of life from the process that owns the job (queued or running).
    heartbeat_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Runs that claimed the job (more than one: a worker was lost and it was retried).
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    #: Written in the same transaction as the task's own writes (an import's rows):
    #: a retried job knows they are saved and does not write them twice.
    applied_on: Mapped[dt.datetime | None] = mapped_column(DateTime)

    created_by = relationship("PortalUser", foreign_keys=[created_by_fk])

    __table_args__ = (Index("ix_job_created_by_fk_created_on", "created_by_fk", "created_on"),)

    # --- derived state ----------------------------------------------------------------
    def is_stale(self, now: dt.datetime, stale_after: dt.timedelta) -> bool:
        """Queued or running, but its process has not signalled for too long."""
        if self.status not in ACTIVE:
            return False
        last = self.heartbeat_on or self.started_on or self.created_on
        return last is None or now - last > stale_after

    @property
    def percent(self) -> int:
        if self.status == JobStatus.done:
            return 100
        if not self.progress_total:
            return 0
        return max(0, min(100, int(self.progress_done * 100 / self.progress_total)))

    def __repr__(self) -> str:
        return f"Job {self.id} {self.kind} {self.status.name if self.status else ''}"
