"""The Celery application of the workers and of beat.

    celery -A app.jobs.worker worker --loglevel=INFO     # runs jobs
    celery -A app.jobs.beat beat --loglevel=INFO         # periodic work (one per site)

A worker needs the web hosts' settings (``DATABASE_URL``, ``SECRET_KEY``,
``CELERY_BROKER_URL``, the storage settings) and the code, not a web server.
Importing this module builds the portal application once per worker.
"""

from __future__ import annotations

from celery.signals import worker_process_init

from app import create_app

from .celery_app import worker_celery

# Permissions are synced by `flask portal init-db` / the web hosts, not by workers.
flask_app = create_app(FAB_UPDATE_PERMS=False)
if not flask_app.config.get("CELERY_BROKER_URL"):
    raise RuntimeError(
        "CELERY_BROKER_URL is not set: there is no queue for a worker to "
        "read (without it the web process runs jobs itself)"
    )

celery = app = worker_celery(flask_app)


@worker_process_init.connect
def _fresh_connections(**_kwargs):
    """A forked pool process must not share the parent's database connections."""
    from ..extensions import db

    with flask_app.app_context():
        db.engine.dispose(close=False)
