"""Celery beat of the portal, without the portal: it only sends the periodic tasks.

    celery -A app.jobs.beat beat --loglevel=INFO      # exactly one per site

Beat needs ``CELERY_BROKER_URL`` (and the schedule's settings) from the
environment, nothing else: no database, no application is built here. The
tasks themselves run on the workers (``app.jobs.worker``).
"""

from __future__ import annotations

from celery import Celery

import config as _settings

from .celery_app import celery_config

_config = {name: getattr(_settings, name) for name in dir(_settings) if name.isupper()}
if not _config.get("CELERY_BROKER_URL"):
    raise RuntimeError("CELERY_BROKER_URL is not set: beat has nowhere to send tasks")

celery = app = Celery("opora", set_as_current=False)
celery.conf.update(celery_config(_config))
