#!/usr/bin/env sh
# One web host: gunicorn with deploy/gunicorn.conf.py (bind, workers from the environment).
set -eu
cd "$(dirname "$0")/.."
exec gunicorn -c deploy/gunicorn.conf.py run:app
