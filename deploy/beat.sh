#!/usr/bin/env sh
# Celery beat: the periodic work (lost jobs handed out again, expired result files
# deleted). Exactly ONE beat per site (two would only do the work twice, harmlessly).
set -eu
cd "$(dirname "$0")/.."
exec celery -A app.jobs.beat beat \
  --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/opora-celerybeat-schedule}" \
  --loglevel "${CELERY_LOG_LEVEL:-INFO}"
