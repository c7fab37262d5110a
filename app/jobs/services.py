"""Background jobs: long work (large exports, imports of centres) out of the request.

How it works
------------
A view calls :func:`submit`: it captures everything the work needs *now*, in
the request (the user, their row scope, the list's filters and order as the
query string, the user's language and IP address, an uploaded file saved under
``JOBS_FOLDER``), writes a ``job`` row and hands the job id to the process's
:class:`JobRunner`. The user is redirected to the job's page, which polls
``/jobs/<id>/status`` and shows a progress bar.

The runner is a ``concurrent.futures.ThreadPoolExecutor`` (``JOBS_MAX_WORKERS``
threads, default 2) inside the web process; under gunicorn each worker process
has its own pool, created on first use (after the fork), so the number of jobs
running at once is at most workers x JOBS_MAX_WORKERS, and a user may have at
most ``JOBS_MAX_ACTIVE_PER_USER`` jobs queued or running. A task runs in its own application
context (so its own database session) and inside a request context rebuilt
from the captured values, with ``g.user`` and the scope set to the submitter's:
the very code that serves the list (``base_filters`` with the scope filter,
``get_filter_args``, the audit log's "who") runs unchanged, so a job sees
exactly the rows its submitter would have seen, never more. Progress is written
every ``JOBS_PROGRESS_ROWS`` rows (or every 2 seconds) on a connection of its
own, so it is visible at once and never part of the task's transaction (an
import stays all-or-nothing). All state is in the database: any worker process
can answer a poll.

Liveness: while a job is queued or running, the process that owns it updates
``heartbeat_on`` every ``JOBS_HEARTBEAT_SECONDS``. A job whose heartbeat is
older than ``JOBS_STALE_MINUTES`` was lost with its process (a restart, a
crash, a worker recycled by gunicorn). In the embedded mode it is shown as
interrupted and the next submission marks it failed for good: the user starts
it again, which is cheap and leaves no half-done state (exports write to a new
file, imports commit once at the end).

Several hosts: with ``CELERY_BROKER_URL`` set, :func:`submit` hands the job's
id to Celery (:mod:`app.jobs.celery_app`) and a worker process, on any host,
runs :func:`run_job` -- the same code, the same task functions. Delivery is at
least once (acks late, rejected on worker loss, the broker's visibility
timeout, and :func:`cleanup` on Celery beat queueing a lost job again until
``JOBS_MAX_ATTEMPTS``), so a run first *claims* its job with one atomic
UPDATE (a queued job, or a running one whose heartbeat stopped): two
deliveries never run a job at once, and a finished job is not run again. A
task whose writes must not happen twice marks the job applied in the same
transaction (:meth:`JobContext.applying`; the centre import does).

``JOBS_EAGER = True`` (tests) runs the job synchronously inside the request,
through the same code path (own app context, rebuilt request context).

Files (an import's upload, an export's result) are kept by :mod:`app.storage`:
the folder ``JOBS_FOLDER`` (default ``instance/jobs``) or, on several hosts,
the S3 bucket, under random names; a task writes to a local path
(:meth:`JobContext.new_file`) that is stored when the job succeeds. Only the
job's owner may download the result (streamed through the portal), and it is
deleted ``JOBS_RESULT_TTL_HOURS`` after the job finished, by the clean-up that
runs on every new submission (and on beat).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from flask import abort, current_app, g, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from .. import clock
from ..errors import UserError
from ..extensions import db, get_app
from ..security import roles
from ..security.scope import UserScope, current_scope
from .models import ACTIVE, Job, JobStatus

log = logging.getLogger(__name__)

#: kind -> task function; filled by the modules that define tasks (``@task``).
TASKS: dict[str, Callable[[JobContext], None]] = {}
#: kind -> template showing the job's result summary on its page.
REPORT_TEMPLATES: dict[str, str] = {}

DEFAULTS = {
    "JOBS_EAGER": False,
    "JOBS_MAX_WORKERS": 2,
    "JOBS_RESULT_TTL_HOURS": 24,
    "JOBS_STALE_MINUTES": 5,
    "JOBS_HEARTBEAT_SECONDS": 30,
    "JOBS_PROGRESS_ROWS": 1000,
    "JOBS_MAX_ACTIVE_PER_USER": 3,
    "JOBS_MAX_ATTEMPTS": 3,
}
_FILE_NAME = re.compile(r"[0-9a-f]{32}(?:\.[a-z0-9]{1,10}){1,2}")


def setting(name: str):
    return current_app.config.get(name, DEFAULTS.get(name))


def utcnow() -> dt.datetime:
    return clock.utcnow()


def task(kind: str, report_template: str | None = None):
    """Register ``func(ctx: JobContext)`` as the task of jobs of ``kind``."""

    def decorate(func):
        TASKS[kind] = func
        if report_template:
            REPORT_TEMPLATES[kind] = report_template
        return func

    return decorate


class TooManyJobs(UserError):
    status_code = 429

    def __init__(self, limit: int):
        super().__init__(
            _(
                "You already have %(count)d jobs in progress. Wait until one "
                "of them finishes (see “My jobs”), then try again.",
                count=limit,
            )
        )


# --- files ----------------------------------------------------------------------------
def store():
    """The ``jobs`` area of the portal's storage (a local folder, or S3)."""
    from ..storage import get_storage

    return get_storage("jobs")


def jobs_folder() -> str:
    folder = current_app.config.get("JOBS_FOLDER") or os.path.join(
        current_app.instance_path, "jobs"
    )
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def check_name(name: str) -> str:
    if not name or not _FILE_NAME.fullmatch(name):
        raise ValueError(f"not a job file name: {name!r}")
    return name


def file_path(name: str) -> str:
    """Full path of a job file in the local folder; only our own random names are accepted."""
    return os.path.join(jobs_folder(), check_name(name))


def work_path(name: str) -> str:
    """Where a task writes (or reads) a job file on this machine: the file itself with
    the local backend, a scratch copy with S3 (stored when the job finishes)."""
    check_name(name)
    storage = store()
    if storage.is_local:
        return storage.local_path(name)
    from ..storage import scratch_dir

    return os.path.join(scratch_dir(), name)


def new_file_name(ext: str) -> str:
    return f"{uuid.uuid4().hex}.{ext.lower()}"


def save_upload(data: bytes, ext: str) -> str:
    """Keep an uploaded file for a job; returns its name in the jobs storage."""
    name = new_file_name(f"upload.{ext}")
    store().put(check_name(name), data)
    return name


def _remove(name: str | None) -> None:
    if not name:
        return
    try:
        store().delete(check_name(name))
    except (FileNotFoundError, ValueError):
        pass
    except Exception:
        log.warning("Could not delete job file %s", name, exc_info=True)


def _remove_scratch(name: str) -> None:
    """The local scratch copy of a job file (S3 backend only; the local backend's
    work path is the stored file itself)."""
    if store().is_local:
        return
    try:
        os.remove(work_path(name))
    except (FileNotFoundError, ValueError):
        pass
    except OSError:
        log.warning("Could not delete scratch file %s", name, exc_info=True)


# --- the context a task runs with --------------------------------------------------------
@dataclass
class JobContext:
    """What a task gets: its parameters, who it acts for, and how to report."""

    job_id: int
    kind: str
    params: dict
    user: object
    scope: UserScope
    #: Summary stored with the job (shown on its page), JSON-serialisable.
    summary: dict | None = None
    #: Final message (in the submitter's language); None = a default per status.
    message: str | None = None
    failed: bool = False
    result_name: str | None = None
    result_mimetype: str | None = None
    result_file: str | None = None
    _files: list[str] = field(default_factory=list)
    _temp: list[str] = field(default_factory=list)
    _reported: tuple[int, float] = (0, 0.0)
    _total: int | None = None

    def progress(
        self, done: int, total: int | None = None, message: str | None = None, force: bool = False
    ) -> None:
        """Report progress; written at most every JOBS_PROGRESS_ROWS rows or 2 seconds."""
        if total is not None:
            self._total = total
        last_done, last_time = self._reported
        now = time.monotonic()
        every = int(setting("JOBS_PROGRESS_ROWS") or 1)
        if not (
            force
            or message is not None
            or done - last_done >= every
            or now - last_time >= 2
            or (self._total is not None and done >= self._total)
        ):
            return
        self._reported = (done, now)
        values: dict[str, int | str] = {"progress_done": done}
        if total is not None:
            values["progress_total"] = total
        if message is not None:
            values["message"] = message[:500]
        _write(self.job_id, **values)

    def new_file(self, ext: str) -> str:
        """Full path for a file the task writes; removed if the job fails."""
        name = new_file_name(ext)
        self._files.append(name)
        return work_path(name)

    def attach(self, path: str, download_name: str, mimetype: str) -> None:
        """Offer a file written to ``new_file()`` as the job's result."""
        name = os.path.basename(path)
        if name not in self._files:
            raise ValueError("attach() takes a path from new_file()")
        self.result_file, self.result_name, self.result_mimetype = name, download_name, mimetype

    def input_file(self, name: str) -> str:
        """Path of a file saved at submission (fetched to this machine from S3);
        deleted when the job ends."""
        self._temp.append(name)
        path = work_path(name)
        storage = store()
        if not storage.is_local:
            storage.fetch_to(name, path)
        return path

    def already_applied(self) -> bool:
        """An earlier attempt of this job committed its writes (see :meth:`applying`)."""
        return db.session.scalar(select(Job.applied_on).where(Job.id == self.job_id)) is not None

    @contextlib.contextmanager
    def applying(self, session=None):
        """Mark the job applied in the same transaction as the task's own writes:
        every commit of ``session`` inside the block also sets ``job.applied_on``,
        so a retried job (its worker was lost after the commit) sees
        :meth:`already_applied` and does not write the rows twice; a worker lost
        before the commit leaves neither."""
        from sqlalchemy import event

        session = session or db.session
        target = session() if hasattr(session, "registry") else session
        job_id = self.job_id

        def mark(sess):
            sess.execute(
                update(Job.__table__)
                .where(Job.__table__.c.id == job_id)
                .values(applied_on=utcnow())
            )

        event.listen(target, "before_commit", mark)
        try:
            yield
        finally:
            event.remove(target, "before_commit", mark)

    def fail(self, message: str, summary: dict | None = None) -> None:
        self.failed, self.message = True, message
        if summary is not None:
            self.summary = summary


def _write(job_id: int, **values) -> None:
    """Progress/heartbeat on a connection of its own (never the task's transaction)."""
    values.setdefault("heartbeat_on", utcnow())
    try:
        with db.engine.begin() as conn:
            conn.execute(update(Job.__table__).where(Job.__table__.c.id == job_id).values(**values))
    except SQLAlchemyError:
        # e.g. SQLite busy while another transaction writes: progress can wait.
        log.warning("Could not record progress of job %s", job_id, exc_info=True)


# --- submission -------------------------------------------------------------------------
def is_admin(user) -> bool:
    return roles.ADMIN in {r.name for r in getattr(user, "roles", None) or []}


def submit(kind: str, title: str, params: dict | None = None) -> Job:
    """Create a job for the request's user and start it (or run it, JOBS_EAGER).

    Captures the user, their scope, language, IP address and the request's
    query string (list filters and order). Raises :class:`TooManyJobs`.
    """
    if kind not in TASKS:
        raise KeyError(kind)
    user = g.user
    session = db.session
    cleanup()
    now = utcnow()
    stale_before = now - stale_after()
    limit = int(setting("JOBS_MAX_ACTIVE_PER_USER"))
    active = session.scalar(
        select(func.count(Job.id)).where(
            Job.created_by_fk == user.id,
            Job.status.in_(ACTIVE),
            func.coalesce(Job.heartbeat_on, Job.created_on) >= stale_before,
        )
    )
    if limit and (active or 0) >= limit:
        raise TooManyJobs(limit)
    captured = {
        **(params or {}),
        "scope": asdict(current_scope()),
        "locale": str(get_locale() or current_app.config.get("BABEL_DEFAULT_LOCALE", "uk")),
        "ip": request.remote_addr,
        "path": request.path,
        "query": request.query_string.decode("utf-8", "replace"),
    }
    job = Job(
        kind=kind,
        title=title[:300],
        status=JobStatus.queued,
        params=captured,
        created_by_fk=user.id,
        created_on=now,
        heartbeat_on=now,
    )
    session.add(job)
    session.commit()
    job_id = job.id
    app = get_app()
    if setting("JOBS_EAGER"):
        run_job(app, job_id)
    elif uses_celery(app):
        from .celery_app import enqueue

        try:
            enqueue(app, job_id)
        except Exception:  # the broker is down: say so on the job, not with a 500
            log.exception("Job %s could not be handed to the workers", job_id)
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(
                    status=JobStatus.failed,
                    finished_on=utcnow(),
                    message=_(
                        "The job stopped because of an internal error. The error has "
                        "been logged; try again later."
                    ),
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()
            _remove((captured or {}).get("upload"))
    else:
        runner(app).submit(job_id)
    fresh = session.get(Job, job_id, populate_existing=True)
    assert fresh is not None  # committed above
    return fresh


def uses_celery(app=None) -> bool:
    """Jobs go to Celery workers (``CELERY_BROKER_URL`` set); otherwise this process runs
    them in its thread pool (the embedded default)."""
    app = app or current_app
    return bool(app.config.get("CELERY_BROKER_URL")) and not app.config.get("JOBS_EAGER")


def stale_after(app=None) -> dt.timedelta:
    app = app or current_app
    return dt.timedelta(
        minutes=float(app.config.get("JOBS_STALE_MINUTES") or DEFAULTS["JOBS_STALE_MINUTES"])
    )


# --- running ----------------------------------------------------------------------------
@contextlib.contextmanager
def _acting_for(app, params: dict, user, scope: UserScope):
    """A request context as the submitter's request had it (args, user, scope, language)."""
    with app.test_request_context(
        params.get("path") or "/",
        query_string=params.get("query") or "",
        environ_base={"REMOTE_ADDR": params.get("ip") or "127.0.0.1"},
    ):
        g.user = user
        g._login_user = user  # Flask-Login's current_user
        g._portal_scope = scope
        locale = params.get("locale") or app.config.get("BABEL_DEFAULT_LOCALE", "uk")
        with force_locale(locale):
            yield


#: What :func:`run_job` did.
RAN, NOT_CLAIMED, HELD = "ran", "not_claimed", "held"


def _claim(session, job_id: int, reclaim: bool, app) -> str:
    """Take the job for this run: a queued job, or (``reclaim``, Celery) a running one
    whose worker stopped signalling; atomic, so two deliveries never both run it."""
    now = utcnow()
    claimable = Job.status == JobStatus.queued
    if reclaim:
        lost_before = now - stale_after(app)
        claimable = claimable | (
            (Job.status == JobStatus.running)
            & (func.coalesce(Job.heartbeat_on, Job.started_on, Job.created_on) < lost_before)
        )
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, claimable)
        .values(
            status=JobStatus.running,
            started_on=now,
            heartbeat_on=now,
            attempts=Job.attempts + 1,
            interrupted=False,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if claimed:
        return RAN
    status = session.scalar(select(Job.status).where(Job.id == job_id))
    return HELD if status == JobStatus.running else NOT_CLAIMED


@contextlib.contextmanager
def _heartbeat(app, job_id: int):
    """Keep ``heartbeat_on`` fresh while this block runs the job (Celery workers;
    the thread pool's runner beats for all its jobs at once)."""
    stop = threading.Event()
    interval = float(app.config.get("JOBS_HEARTBEAT_SECONDS") or DEFAULTS["JOBS_HEARTBEAT_SECONDS"])

    def beat():
        while not stop.wait(interval):
            try:
                with app.app_context(), db.engine.begin() as conn:
                    table = Job.__table__
                    conn.execute(
                        update(table)
                        .where(table.c.id == job_id, table.c.status == JobStatus.running)
                        .values(heartbeat_on=utcnow())
                    )
            except Exception:
                log.warning("Job heartbeat failed", exc_info=True)

    thread = threading.Thread(target=beat, name=f"portal-job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()


def run_job(app, job_id: int, reclaim: bool = False, heartbeat: bool = False) -> str:
    """Run one job to its end (in a worker thread, a Celery worker, or eagerly).

    Returns :data:`RAN`, :data:`NOT_CLAIMED` (finished, failed or unknown: nothing
    to do) or :data:`HELD` (another live run has it).
    """
    from ..security.models import PortalUser

    with app.app_context():
        session = db.session
        outcome = _claim(session, job_id, reclaim, app)
        if outcome != RAN:
            return outcome
        job = session.get(Job, job_id)
        assert job is not None  # just claimed
        params = dict(job.params or {})
        kind = job.kind
        user = session.get(PortalUser, job.created_by_fk) if job.created_by_fk else None
        scope = UserScope(**(params.get("scope") or {}))
        ctx = JobContext(job_id=job_id, kind=kind, params=params, user=user, scope=scope)
        beating = _heartbeat(app, job_id) if heartbeat else contextlib.nullcontext()
        with beating, _acting_for(app, params, user, scope):
            try:
                if user is None or not user.is_active or scope.user_id != user.id:
                    ctx.fail(_("The account that started the job is no longer active."))
                else:
                    TASKS[kind](ctx)
            except Exception:
                log.exception("Job %s (%s) failed", job_id, kind)
                session.rollback()
                ctx.fail(
                    _(
                        "The job stopped because of an internal error. The error has "
                        "been logged; try again later."
                    )
                )
            _finish(ctx)
            for name in ctx._temp:
                _remove(name)
                _remove_scratch(name)
        return RAN


def _finish(ctx: JobContext) -> None:
    session = db.session
    session.rollback()  # nothing of the task's may ride along
    if not ctx.failed and ctx.result_file and not store().is_local:
        try:  # the result goes to the shared storage before the job says "done"
            store().put_file(ctx.result_file, work_path(ctx.result_file))
        except Exception:
            log.exception("Job %s: could not store its result file", ctx.job_id)
            ctx.fail(
                _(
                    "The job stopped because of an internal error. The error has "
                    "been logged; try again later."
                )
            )
    if ctx.failed:
        for name in ctx._files:
            _remove(name)
        ctx.result_file = ctx.result_name = ctx.result_mimetype = None
    else:
        for name in ctx._files:
            if name != ctx.result_file:
                _remove(name)
    for name in ctx._files:
        _remove_scratch(name)
    now = utcnow()
    values: dict[str, object] = {
        "status": JobStatus.failed if ctx.failed else JobStatus.done,
        "interrupted": False,
        "finished_on": now,
        "heartbeat_on": now,
        "message": (ctx.message or "")[:500] or None,
        "result": ctx.summary,
        "result_path": ctx.result_file,
        "result_name": (ctx.result_name or "")[:255] or None,
        "result_mimetype": ctx.result_mimetype,
    }
    if not ctx.failed and ctx._total is not None:
        values["progress_done"] = ctx._total
    session.execute(
        update(Job)
        .where(Job.id == ctx.job_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


class JobRunner:
    """The process's worker threads and the heartbeat of the jobs they hold."""

    def __init__(self, app):
        self.app = app
        self.pid = os.getpid()
        self.executor = ThreadPoolExecutor(
            max_workers=max(
                1, int(app.config.get("JOBS_MAX_WORKERS") or DEFAULTS["JOBS_MAX_WORKERS"])
            ),
            thread_name_prefix="portal-job",
        )
        self.active: set[int] = set()
        self.lock = threading.Lock()
        self.pulse: threading.Thread | None = None

    def submit(self, job_id: int):
        with self.lock:
            self.active.add(job_id)
            if self.pulse is None or not self.pulse.is_alive():
                self.pulse = threading.Thread(
                    target=self._pulse, name="portal-job-heartbeat", daemon=True
                )
                self.pulse.start()
        return self.executor.submit(self._run, job_id)

    def _run(self, job_id: int) -> None:
        try:
            run_job(self.app, job_id)
        except Exception:  # run_job records failures itself; this is the last resort
            log.exception("Job %s could not be run", job_id)
        finally:
            with self.lock:
                self.active.discard(job_id)

    def _pulse(self) -> None:
        interval = float(
            self.app.config.get("JOBS_HEARTBEAT_SECONDS") or DEFAULTS["JOBS_HEARTBEAT_SECONDS"]
        )
        while True:
            time.sleep(interval)
            with self.lock:
                ids = sorted(self.active)
                if not ids:
                    self.pulse = None
                    return
            try:
                with self.app.app_context(), db.engine.begin() as conn:
                    table = Job.__table__
                    conn.execute(
                        update(table)
                        .where(table.c.id.in_(ids), table.c.status.in_(ACTIVE))
                        .values(heartbeat_on=utcnow())
                    )
            except Exception:
                log.warning("Job heartbeat failed", exc_info=True)


_runner_lock = threading.Lock()


def runner(app) -> JobRunner:
    """The runner of this process (a forked worker gets its own)."""
    with _runner_lock:
        current = app.extensions.get("portal_jobs")
        if current is None or current.pid != os.getpid():
            current = app.extensions["portal_jobs"] = JobRunner(app)
        return current


# --- housekeeping -------------------------------------------------------------------------
def cleanup(now: dt.datetime | None = None) -> None:
    """Deal with lost jobs and delete result files past their TTL.

    A lost job (queued or running, no heartbeat for ``JOBS_STALE_MINUTES``): in
    the embedded mode it died with its process and is marked interrupted for
    good; with Celery it is handed to the workers again (its run reclaims it),
    until it has been tried ``JOBS_MAX_ATTEMPTS`` times.
    """
    session = db.session
    now = now or utcnow()
    stale_before = now - stale_after()
    # Two clean-ups at once (beat and a submission) take different rows (PostgreSQL).
    lost = session.scalars(
        select(Job)
        .where(
            Job.status.in_(ACTIVE), func.coalesce(Job.heartbeat_on, Job.created_on) < stale_before
        )
        .with_for_update(skip_locked=True)
    ).all()
    retry = []
    celery = uses_celery()
    for job in lost:
        if celery and (job.attempts or 0) < int(setting("JOBS_MAX_ATTEMPTS")):
            # Queued again: the next delivery claims it at once; not lost again
            # before that delivery has had its chance.
            job.status = JobStatus.queued
            job.heartbeat_on = now
            retry.append(job.id)
            continue
        job.status = JobStatus.failed
        job.interrupted = True
        job.finished_on = now
        _remove((job.params or {}).get("upload"))
    expire_before = now - dt.timedelta(hours=setting("JOBS_RESULT_TTL_HOURS"))
    expired = session.scalars(
        select(Job).where(Job.result_path.is_not(None), Job.finished_on < expire_before)
    ).all()
    for job in expired:
        _remove(job.result_path)
        job.result_path = None
    if lost or expired:
        session.commit()
    if retry:
        from .celery_app import enqueue

        app = get_app()
        for job_id in retry:
            log.warning("Job %s lost its worker: delivered again", job_id)
            try:
                enqueue(app, job_id)
            except Exception:  # the broker is down: the next clean-up tries again
                log.warning("Job %s could not be handed to the workers", job_id, exc_info=True)


# --- reading, for the views ----------------------------------------------------------------
def visible_job(pk: int) -> Job:
    """The job if the user may see it (own, or any for the administrator); else 404."""
    job = db.session.get(Job, pk)
    user = g.user
    if job is None or (job.created_by_fk != user.id and not is_admin(user)):
        abort(404)
    return job


def is_interrupted(job: Job, now: dt.datetime | None = None) -> bool:
    if job.interrupted:
        return True
    if uses_celery():  # a lost Celery job is delivered again (cleanup) until it gives up
        return False
    return job.is_stale(now or utcnow(), stale_after())


def has_file(job: Job) -> bool:
    if job.status != JobStatus.done or not job.result_path:
        return False
    try:
        return store().exists(check_name(job.result_path))
    except ValueError:
        return False


def send_result(job: Job):
    """The job's result file as a download, streamed from the storage."""
    return store().send(
        check_name(job.result_path or ""),
        download_name=job.result_name or job.result_path,
        mimetype=job.result_mimetype or "application/octet-stream",
    )


def status_label(job: Job) -> str:
    return _("Interrupted") if is_interrupted(job) else str(job.status)


def state_name(job: Job) -> str:
    return "interrupted" if is_interrupted(job) else job.status.name


def display_message(job: Job) -> str:
    """What the page says about the job now (always in the reader's language when generic)."""
    if is_interrupted(job):
        return _(
            "The job was interrupted: the server process running it stopped (for "
            "example, it was restarted). Nothing more will happen with this job; "
            "start it again."
        )
    if job.message:
        return job.message
    if job.status == JobStatus.queued:
        return _("Waiting for a free worker…")
    if job.status == JobStatus.running:
        return _("In progress…")
    if job.status == JobStatus.done:
        return _("Done.")
    return _("The job failed.")


def progress_text(job: Job) -> str:
    if job.progress_total:
        return _("%(done)d of %(total)d", done=job.progress_done, total=job.progress_total)
    return ""


def status_payload(job: Job) -> dict:
    state = state_name(job)
    return {
        "id": job.id,
        "status": state,
        "status_label": status_label(job),
        "finished": state in ("done", "failed", "interrupted"),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "progress_text": progress_text(job),
        "message": display_message(job),
    }
