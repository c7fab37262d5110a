"""gunicorn settings of one web host:  gunicorn -c deploy/gunicorn.conf.py run:app

Everything can be overridden from the environment (``deploy/.env.example``):
``GUNICORN_BIND`` (default 127.0.0.1:8000, behind the load balancer / nginx),
``WEB_CONCURRENCY`` (worker processes; default 2 x CPUs + 1, at most 8),
``GUNICORN_THREADS``, ``GUNICORN_TIMEOUT``.

With several worker processes and several hosts nothing may live in one
process only: set ``CELERY_BROKER_URL`` (jobs on Celery workers),
``RATELIMIT_STORAGE_URI`` (one login count), ``STORAGE_BACKEND=s3`` (files
every host can read). See deploy/README.md.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(8, multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (slow leaks cannot grow for ever);
# jitter so the workers of a host are not all replaced at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The app is built in each worker after the fork (database pools, Redis and S3
# clients are per process); preloading would share one pool between processes.
preload_app = False
# The load balancer / nginx in front sets X-Forwarded-For; trust only it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "opora-web"
