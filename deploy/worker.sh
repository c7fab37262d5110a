#!/usr/bin/env sh
# One Celery worker host: runs background jobs (exports, imports of centres).
# Needs the same environment as the web hosts (deploy/.env.example), no web server.
#   deploy/worker.sh                 # CELERY_CONCURRENCY processes (default: CPUs)
set -eu
cd "$(dirname "$0")/.."
exec celery -A app.jobs.worker worker \
  --queues "${CELERY_QUEUE:-opora}" \
  --concurrency "${CELERY_CONCURRENCY:-$(nproc)}" \
  --max-tasks-per-child "${CELERY_MAX_TASKS_PER_CHILD:-100}" \
  --hostname "opora-worker@%h" \
  --loglevel "${CELERY_LOG_LEVEL:-INFO}"
