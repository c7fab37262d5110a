"""Entry point.

* ``python3 run.py``        set up everything on a fresh machine (virtualenv,
  dependencies, Ukrainian catalogue, SQLite database, demo data) and serve the
  portal on http://127.0.0.1:5000 with the demo credentials printed;
* ``python3 run.py test``   set up the same way, run the code checks (ruff, ruff
  format, mypy: pyproject.toml) and then the test suite
  (on SQLite, and on PostgreSQL beside it when ``TEST_DATABASE_URL`` is set);
* ``gunicorn 'run:app'``    production (configure with environment variables;
  ``SECRET_KEY`` and ``JWT_SECRET_KEY`` are required: without them the app
  refuses to start).

``python3 run.py`` and ``python3 run.py test`` generate the signing keys once
per installation into ``instance/keys.env`` (mode 0600) and use them unless
the environment sets its own (``app.security.keys``).

Only the standard library is used until the virtualenv exists, so the first
command works on a machine that has nothing but Python 3.11 and pip.
"""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv")
VENV_PYTHON = os.path.join(VENV, "bin", "python")


def _in_venv() -> bool:
    return os.path.realpath(sys.prefix) == os.path.realpath(VENV)


def _bootstrap(requirements: str) -> None:
    """Create .venv and install requirements, then re-run this script inside it."""
    if not os.path.exists(VENV_PYTHON):
        print("Creating virtualenv .venv ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    stamp = os.path.join(VENV, f".installed-{requirements}")
    req_path = os.path.join(ROOT, requirements)
    if not os.path.exists(stamp) or os.path.getmtime(stamp) < os.path.getmtime(req_path):
        print(f"Installing {requirements} ...", flush=True)
        subprocess.check_call(
            [
                VENV_PYTHON,
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                req_path,
            ]
        )
        open(stamp, "w").close()
    if not _in_venv():
        os.execv(VENV_PYTHON, [VENV_PYTHON, os.path.abspath(__file__), *sys.argv[1:]])


def _use_instance_keys() -> None:
    """Keys generated once per installation (never a default in the code)."""
    from app.security.keys import ensure_instance_keys

    ensure_instance_keys(os.path.join(ROOT, "instance"))


def _serve() -> None:
    os.makedirs(os.path.join(ROOT, "instance"), exist_ok=True)
    _use_instance_keys()
    os.environ.setdefault("FLASK_APP", "run.py")
    from app.common.catalogue import compile_catalogue

    compile_catalogue()
    from app import create_app

    application = create_app()
    with application.app_context():
        from app.cli import init_database
        from app.demo import seed_demo

        init_database(use_migrations=True)
        lines = list(
            seed_demo(
                cases=int(os.environ.get("DEMO_CASES", "300")),
                password=os.environ.get("PORTAL_DEMO_PASSWORD"),
            )
        )
    application = create_app()  # a fresh app: permissions synced, caches clean
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print("\n" + "\n".join(lines))
    print(f"\nОпора is running on http://{host}:{port}/  (Ctrl+C to stop)\n", flush=True)
    application.run(host=host, port=port, debug=False)


def _install_axe() -> None:
    """axe-core for the accessibility tests: the npm package pinned in
    tests/a11y/package-lock.json (``npm ci``), when npm is here and it is missing."""
    import shutil

    folder = os.path.join(ROOT, "tests", "a11y")
    if os.path.exists(os.path.join(folder, "node_modules", "axe-core", "axe.min.js")):
        return
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the accessibility tests will be skipped", flush=True)
        return
    subprocess.call([npm, "ci", "--no-audit", "--no-fund", "--prefix", folder], cwd=ROOT)


#: The code checks run before the suite (configured in pyproject.toml): lint,
#: formatting and types. A failure stops the run before any test.
CHECKS = (
    ("ruff check", ["-m", "ruff", "check", "."]),
    ("ruff format --check", ["-m", "ruff", "format", "--check", "."]),
    ("mypy", ["-m", "mypy"]),
)


def _checks() -> int:
    for name, args in CHECKS:
        print(f"== {name} ==", flush=True)
        code = subprocess.call([sys.executable, *args], cwd=ROOT)
        if code:
            return code
    return 0


def _test(extra_args: list[str]) -> int:
    from app.common.catalogue import compile_catalogue

    code = _checks()
    if code:
        return code
    compile_catalogue()
    _use_instance_keys()
    _install_axe()
    base = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *extra_args]
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        print("== Test suite on SQLite ==", flush=True)
        return subprocess.call(base, env=env, cwd=ROOT)
    # Both databases at once (one pass per core): the PostgreSQL pass writes to a
    # file that is printed when it ends; the exit status fails if either fails.
    import tempfile

    where = pg_url.split("@")[-1]
    print(f"== Test suite on SQLite, and on PostgreSQL ({where}) beside it ==", flush=True)
    with tempfile.TemporaryFile(mode="w+") as pg_log:
        pg = subprocess.Popen(
            base, env=os.environ, cwd=ROOT, stdout=pg_log, stderr=subprocess.STDOUT
        )
        code = subprocess.call(base, env=env, cwd=ROOT)
        pg_code = pg.wait()
        pg_log.seek(0)
        print(f"== Test suite on PostgreSQL ({where}) ==", flush=True)
        print(pg_log.read(), flush=True)
    print(f"== SQLite: exit {code}; PostgreSQL: exit {pg_code} ==", flush=True)
    return code or pg_code


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "serve"
    if command == "test":
        _bootstrap("requirements-dev.txt")
        return _test(argv[1:])
    if command == "serve":
        _bootstrap("requirements.txt")
        _serve()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
else:
    from app import create_app

    app = create_app()
