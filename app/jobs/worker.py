"""The Celery application of the workers and of beat.

    celery -A app.jobs.worker worker --loglevel=INFO     # runs jobs
    celery -A app.jobs.worker beat --loglevel=INFO       # periodic work (one per site)

A worker needs the web hosts' settings (``DATABASE_URL``, ``SECRET_KEY``,
``CELERY_BROKER_URL``, the storage settings) and the code, not a web server.
Importing this module builds the portal application once per worker.
"""

from __future__ import annotations

import logging

from celery import Celery
from celery.signals import worker_process_init

from app import create_app

from . import services
from .celery_app import HOUSEKEEPING, RUN_JOB, celery_config

log = logging.getLogger(__name__)

# Permissions are synced by `flask portal init-db` / the web hosts, not by workers.
flask_app = create_app(FAB_UPDATE_PERMS=False)
if not flask_app.config.get("CELERY_BROKER_URL"):
    raise RuntimeError("CELERY_BROKER_URL is not set: there is no queue for a worker to "
                       "read (without it the web process runs jobs itself)")

celery = Celery("opora")
celery.conf.update(celery_config(flask_app.config))
app = celery


@worker_process_init.connect
def _fresh_connections(**_kwargs):
    """A forked pool process must not share the parent's database connections."""
    from ..extensions import db

    with flask_app.app_context():
        db.engine.dispose(close=False)


@celery.task(name=RUN_JOB, bind=True, acks_late=True, reject_on_worker_lost=True,
             max_retries=None)
def run_job(self, job_id: int) -> str:
    """Run the job (or nothing, if it is finished); another live run holds it: later."""
    outcome = services.run_job(flask_app, int(job_id), reclaim=True, heartbeat=True)
    if outcome == services.HELD:
        with flask_app.app_context():
            wait = services.stale_after(flask_app).total_seconds()
        raise self.retry(countdown=max(1.0, wait / 2))
    return outcome


@celery.task(name=HOUSEKEEPING)
def jobs_housekeeping() -> None:
    """Lost jobs delivered again (or given up), expired result files deleted."""
    from ..extensions import db

    with flask_app.app_context():
        try:
            services.cleanup()
        finally:
            db.session.remove()
