"""Portal settings.

Every secret and every URL comes from the environment, so one code base runs
the developer's laptop (SQLite, no setup), CI and production (PostgreSQL).
``PORTAL_ENV`` picks the profile: ``development`` (default), ``testing`` or
``production``. No key has a default: every start needs ``SECRET_KEY`` (and
``JWT_SECRET_KEY``) from the environment, which ``python3 run.py`` fills from
``instance/keys.env`` (generated once per installation); any other start
without them refuses to run (``app.security.keys``).
"""

import os
from datetime import timedelta

from flask_appbuilder.const import AUTH_DB

from app.security.keys import PUBLIC_KEYS

BASEDIR = os.path.abspath(os.path.dirname(__file__))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PORTAL_ENV = os.environ.get("PORTAL_ENV", "development")
IS_PRODUCTION = PORTAL_ENV == "production"

# No default key: app.security.keys.check_keys refuses to start without one.
# DEV_SECRET_KEY names the former development default, public in this
# repository's history: it is refused as a key in every environment.
DEV_SECRET_KEY = PUBLIC_KEYS[0]
SECRET_KEY = os.environ.get("SECRET_KEY") or None
# Signs the REST API's tokens (Flask-JWT-Extended); empty: SECRET_KEY signs them.
JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY") or None

APP_NAME = "Опора"
APP_ICON = None

# --- Database -----------------------------------------------------------------
SQLALCHEMY_DATABASE_URI = os.environ.get(
    "DATABASE_URL", "sqlite:///" + os.path.join(BASEDIR, "instance", "opora.db")
)
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

# The schema belongs to Alembic. FAB's own create_all runs only when its
# tables are missing; the `flask portal init-db` command runs the migrations
# first, so FAB never creates tables behind Alembic's back.
FAB_CREATE_DB = _env_bool("FAB_CREATE_DB", True)
FAB_UPDATE_PERMS = _env_bool("FAB_UPDATE_PERMS", True)

# --- Language and time --------------------------------------------------------
BABEL_DEFAULT_LOCALE = "uk"
BABEL_DEFAULT_TIMEZONE = "Europe/Kyiv"
BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASEDIR, "translations")
LANGUAGES = {
    "uk": {"flag": "ua", "name": "Українська"},
    "en": {"flag": "gb", "name": "English"},
}

# --- Authentication and sessions ----------------------------------------------
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Адміністратор"
AUTH_ROLE_PUBLIC = "Публічний доступ"
AUTH_USER_REGISTRATION = False
FAB_SECURITY_MANAGER_CLASS = "app.common.user_admin.SecurityManagerWithAdminViews"
FAB_ADD_SECURITY_API = False
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 100

# Absolute lifetime of a login and the idle limit (enforced in app.security.session
# for the cookie and in app.security.services for the session record that every
# web request and every API token is checked against).
PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
# API tokens: an access token lives 15 minutes, a refresh token no longer than
# the login it belongs to (its session record also ends with logout, password
# change, deactivation and role change).
JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
JWT_REFRESH_TOKEN_EXPIRES = PERMANENT_SESSION_LIFETIME
# The idle clock moves at most once a minute: an unchanged cookie is not re-sent.
SESSION_TOUCH_SECONDS = 60
SESSION_REFRESH_EACH_REQUEST = False
SESSION_PROTECTION = "strong"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", IS_PRODUCTION)
REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Account lockout: after this many failed logins the account is locked for the
# given time, even for the right password (FAB only counts failures).
AUTH_LOCKOUT_THRESHOLD = int(os.environ.get("AUTH_LOCKOUT_THRESHOLD", "5"))
AUTH_LOCKOUT_MINUTES = int(os.environ.get("AUTH_LOCKOUT_MINUTES", "15"))

# Rate limit on every authentication path (web login, API login, token
# refresh, password change), one Flask-Limiter for all of them (FAB's). FAB
# set-defaults RATELIMIT_ENABLED to False, so it must be switched on
# explicitly. With several workers the count must be shared: point
# RATELIMIT_STORAGE_URI at Redis (redis://host:6379/0).
AUTH_RATE_LIMITED = _env_bool("AUTH_RATE_LIMITED", True)
RATELIMIT_ENABLED = AUTH_RATE_LIMITED
AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "opora")

# Password policy (OWASP ASVS 6.2): length over composition, no common passwords.
FAB_PASSWORD_COMPLEXITY_ENABLED = True
PASSWORD_MIN_LENGTH = 12

# --- Forms, uploads -------------------------------------------------------------
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None  # bound to the session instead, which expires itself
WTF_I18N_ENABLED = True
MAX_CONTENT_LENGTH = 20 * 1024 * 1024
UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", os.path.join(BASEDIR, "instance", "uploads"))

# --- UI ---------------------------------------------------------------------------
FAB_INDEX_VIEW = "app.home.HomeView"
DATE_FORMAT = "dd.MM.yyyy"
DATETIME_FORMAT = "dd.MM.yyyy HH:mm"
# Dashboard counts over the big registers are shared by the users of a scope
# for this many seconds (0: computed on every request). See app/home.py.
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))
# A shared figure that took at least DASHBOARD_KEEP_WARM_MIN_MS to compute and
# was read in the last DASHBOARD_KEEP_WARM_SECONDS is recomputed in the
# background before it expires (app.home.shared_figure).
DASHBOARD_KEEP_WARM_SECONDS = int(os.environ.get("DASHBOARD_KEEP_WARM_SECONDS", "1800"))
DASHBOARD_KEEP_WARM_MIN_MS = int(os.environ.get("DASHBOARD_KEEP_WARM_MIN_MS", "20"))
# A big register's list that matched "more than 10 000" rows remembers that for
# the same user and search for this many seconds instead of counting 10 001
# rows on every page (0: count every time). See app/common/listing.py.
LIST_COUNT_CACHE_SECONDS = int(os.environ.get("LIST_COUNT_CACHE_SECONDS", "60"))
# The cache (app/cache.py, Flask-Caching): the dashboard figures and the list
# counts in Redis when CACHE_REDIS_URL is set (redis://redis-host:6379/2), shared
# by every web host and worker; else in each process's memory. Rendered
# fragments stay in each process either way.
CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or None
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "opora:")

# --- Background jobs (app.jobs) and large exports ------------------------------------
# Large exports and imports of centres run in worker threads of the web process
# (the embedded default) or, with CELERY_BROKER_URL set, on Celery workers; their
# state (progress, result) is in the database; see app/jobs/services.py and
# deploy/README.md.
JOBS_MAX_WORKERS = int(os.environ.get("JOBS_MAX_WORKERS", "2"))
JOBS_EAGER = _env_bool("JOBS_EAGER", False)  # run in the request (tests)
JOBS_FOLDER = os.environ.get("JOBS_FOLDER", os.path.join(BASEDIR, "instance", "jobs"))
JOBS_RESULT_TTL_HOURS = int(os.environ.get("JOBS_RESULT_TTL_HOURS", "24"))
JOBS_HEARTBEAT_SECONDS = int(os.environ.get("JOBS_HEARTBEAT_SECONDS", "30"))
# No heartbeat for this long: lost (embedded: interrupted; Celery: delivered again).
JOBS_STALE_MINUTES = float(os.environ.get("JOBS_STALE_MINUTES", "5"))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "3"))  # Celery: runs before giving up
JOBS_PROGRESS_ROWS = int(os.environ.get("JOBS_PROGRESS_ROWS", "1000"))
JOBS_MAX_ACTIVE_PER_USER = int(os.environ.get("JOBS_MAX_ACTIVE_PER_USER", "3"))
# Exports with more rows than this become a background job (a file to download).
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "5000"))

# Celery (several hosts): empty = jobs run in the web process's threads.
# CELERY_BROKER_URL=redis://redis-host:6379/1; results default to the same Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or None
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_QUEUE = os.environ.get("CELERY_QUEUE", "opora")
# A job not acknowledged within this many seconds (its worker host vanished) is
# delivered again; keep it above the longest job.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
# Celery beat: lost jobs handed out again, expired result files deleted.
JOBS_HOUSEKEEPING_SECONDS = int(os.environ.get("JOBS_HOUSEKEEPING_SECONDS", "60"))

# --- Files (app.storage) ------------------------------------------------------------
# local: JOBS_FOLDER and UPLOAD_FOLDER on this machine (one host).
# s3: one bucket of an S3-compatible service shared by every web host and worker.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
S3_BUCKET = os.environ.get("S3_BUCKET") or None
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None  # empty: AWS
S3_REGION = os.environ.get("S3_REGION", "us-east-1")
S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None  # empty: boto3's own chain
S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
S3_PREFIX = os.environ.get("S3_PREFIX", "")  # e.g. "opora/" to share a bucket
S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE", "path")
# Where files are written before they go to S3 (a job's result, an input being read).
STORAGE_SCRATCH_FOLDER = os.environ.get("STORAGE_SCRATCH_FOLDER") or None
