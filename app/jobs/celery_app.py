"""Jobs on Celery: the client that hands jobs to the workers, and the workers' Celery app.

Used only when ``CELERY_BROKER_URL`` is set (Redis in production). The web
process never runs a job then: :func:`app.jobs.services.submit` writes the
``job`` row and :func:`enqueue` sends its id to the broker; a worker
(``celery -A app.jobs.worker worker``, see deploy/README.md) runs
:func:`app.jobs.services.run_job`, the same code the embedded thread pool runs.

Delivery is *at least once*: tasks are acknowledged late
(``task_acks_late``) and given back to the queue when the process running
them dies (``task_reject_on_worker_lost``; a whole worker host lost: the
broker's visibility timeout, and the periodic clean-up hands a job whose
heartbeat stopped to the workers again). Running a job twice is safe: a run
claims the job atomically in the database (a queued job, or a running one
whose heartbeat stopped), so two deliveries never run it at once; an export
writes a new file; an import marks the job applied in the same transaction
as its rows (``JobContext.applying``) and a later attempt writes nothing.
"""

from __future__ import annotations

import os
import threading

from celery import Celery

RUN_JOB = "opora.run_job"
HOUSEKEEPING = "opora.jobs_housekeeping"
REFRESH_FIGURES = "opora.refresh_figures"

_lock = threading.Lock()


def celery_config(config) -> dict:
    """Celery settings from the portal's (Flask) configuration."""
    broker = config.get("CELERY_BROKER_URL")
    return {
        "broker_url": broker,
        "result_backend": config.get("CELERY_RESULT_BACKEND") or broker,
        "result_expires": 24 * 3600,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": config.get("CELERY_QUEUE") or "opora",
        "task_serializer": "json",
        "accept_content": ["json"],
        "broker_connection_retry_on_startup": True,
        # A task not acknowledged within this time (its worker host vanished) is
        # delivered again; longer than the longest job.
        "broker_transport_options": {
            "visibility_timeout": int(config.get("CELERY_VISIBILITY_TIMEOUT") or 3600)
        },
        "result_backend_transport_options": {
            "visibility_timeout": int(config.get("CELERY_VISIBILITY_TIMEOUT") or 3600)
        },
        "beat_schedule": {
            "jobs-housekeeping": {
                "task": HOUSEKEEPING,
                "schedule": float(config.get("JOBS_HOUSEKEEPING_SECONDS") or 60),
                # not piled up while no worker runs: the next one does the same work
                "options": {"expires": float(config.get("JOBS_HOUSEKEEPING_SECONDS") or 60)},
            },
            # The dashboard's slow figures kept warm (app.home.refresh_due_figures),
            # every quarter of their lifetime, instead of a thread in each web process.
            "refresh-figures": {
                "task": REFRESH_FIGURES,
                "schedule": _figure_refresh_seconds(config),
                "options": {"expires": _figure_refresh_seconds(config)},
            },
        },
        "timezone": "UTC",
    }


def _figure_refresh_seconds(config) -> float:
    return max(1.0, float(config.get("DASHBOARD_CACHE_SECONDS") or 60) / 4)


def client(app) -> Celery:
    """This process's Celery client (sending only), built on first use after a fork."""
    with _lock:
        current = app.extensions.get("portal_celery")
        if current is None or current[0] != os.getpid():
            celery = Celery("opora", set_as_current=False)
            celery.conf.update(celery_config(app.config))
            current = app.extensions["portal_celery"] = (os.getpid(), celery)
        return current[1]


def enqueue(app, job_id: int) -> None:
    """Hand a job to the workers (its row is committed already)."""
    client(app).send_task(
        RUN_JOB,
        args=[job_id],
        retry=True,
        retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
    )


def worker_celery(flask_app) -> Celery:
    """The Celery app a worker (and beat) runs, with the portal's tasks bound to
    ``flask_app`` (``app.jobs.worker`` builds both; tests pass their own app)."""
    from . import services

    celery = Celery("opora", set_as_current=False)
    celery.conf.update(celery_config(flask_app.config))

    # shared=False: each task belongs to this Celery app only. Shared tasks (Celery's
    # default) are registered on every app, so a second worker app in one process
    # (tests) could run a task bound to the other's Flask app.
    @celery.task(
        name=RUN_JOB,
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        max_retries=None,
        shared=False,
    )
    def run_job(self, job_id: int) -> str:
        """Run the job (or nothing: it is finished); another live run holds it: later."""
        outcome = services.run_job(flask_app, int(job_id), reclaim=True, heartbeat=True)
        if outcome == services.HELD:
            raise self.retry(
                countdown=max(1.0, services.stale_after(flask_app).total_seconds() / 2)
            )
        return outcome

    @celery.task(name=HOUSEKEEPING, shared=False)
    def jobs_housekeeping() -> None:
        """Lost jobs delivered again (or given up), expired result files deleted."""
        from ..extensions import db

        with flask_app.app_context():
            try:
                services.cleanup()
            finally:
                db.session.remove()

    @celery.task(name=REFRESH_FIGURES, shared=False)
    def refresh_figures() -> int:
        """The dashboard figures kept warm, recomputed before they expire (in the
        shared cache: with ``CACHE_REDIS_URL`` every web host reads them)."""
        from ..home import refresh_due_figures

        with flask_app.app_context():
            return refresh_due_figures(flask_app)

    return celery
