"""Load test: gunicorn workers + PostgreSQL, N simulated users on loopback.

    python bench/load.py --users 50 --seconds 60 --workers 4
    python bench/load.py --users 50 --seconds 60 --workers 2 --hosts compare

``--hosts compare`` measures, in one run and on the same database, one web
host (jobs in its own threads) and then two web hosts (127.0.0.1 and
127.0.0.2, each ``--workers`` gunicorn workers, users spread over both) with
one Celery worker and Redis (127.0.0.1:6379, DB 9) sharing the jobs and the
login counts: requests per second, p95, and resident memory per process.
``--hosts 2`` runs only the second. The mix then also starts export jobs
(``EXPORT_INLINE_MAX_ROWS=0``: every export is a job).

Seeds a PostgreSQL database with demo data (``flask portal init-db`` +
``seed-demo``), starts ``gunicorn -w N 'run:app'`` on 127.0.0.1, and runs N
threads that each sign in (with the real CSRF token) and loop over a mix of
reads (lists, filters, show pages, dashboards) and writes (creating a
provider), for a bounded number of seconds. Prints p50/p95/p99 latency and
the error rate per request kind. Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "Load-Test-Password-1!"
#: Part of every EDRPOU a run creates: a re-used database keeps earlier runs' providers.
RUN = int(time.time()) % 100
DB_URL = os.environ.get("LOAD_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/loadtest")
READS = [
    "/",
    "/providerview/list/",
    "/centreview/list/",
    "/caseview/list/",
    "/centreview/list/?_flt_0_status=operating",
    "/hromadaview/list/?_flt_0_title=Л",
    "/centres/dashboard/",
    "/reports/map/",
]


def _python():
    venv = os.path.join(ROOT, ".venv", "bin", "python")
    return venv if os.path.exists(venv) else sys.executable


def prepare_database(cases: int) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(DB_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = DB_URL.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "FLASK_APP": "run.py",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "p" * 48,
    }
    flask = [_python(), "-m", "flask"]
    subprocess.check_call(
        [
            *flask,
            "portal",
            "init-db",
            "--admin-username",
            "load-admin",
            "--admin-password",
            PASSWORD,
        ],
        env=env,
        cwd=ROOT,
    )
    subprocess.check_call(
        [*flask, "portal", "seed-demo", "--cases", str(cases), "--password", PASSWORD],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        path = urllib.parse.quote(path, safe="/?=&_%")
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")

    def post(self, path, data):
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")

    def token(self, path):
        _, html = self.get(path)
        return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)

    def login(self, username, password=PASSWORD):
        self.post(
            "/login/",
            {"username": username, "password": password, "csrf_token": self.token("/login/")},
        )


def user_loop(base, username, deadline, results, lock, seed, password=PASSWORD, jobs=False, salt=0):
    rng = random.Random(seed)
    client = Client(base)
    client.login(username, password)
    n = 0
    while time.monotonic() < deadline:
        n += 1
        draw = rng.random()
        if jobs and draw < 0.03:
            kind, path = "job: start export", "/centreview/export/csv"
        elif draw < 0.1:
            kind, path = "write: create provider", "/providerview/add"
        else:
            path = rng.choice(READS)
            kind = "read: " + path.split("?")[0]
        t0 = time.perf_counter()
        try:
            if kind.startswith("job"):
                status, html = client.post(path, {"csrf_token": client.token(path)})
                ok = status < 400 and "/jobs/" in html
            elif kind.startswith("write"):
                # unique per run (and phase), user, request
                code = f"{(RUN + salt) % 100:02d}{seed:02d}{n:03d}"[-7:]
                from app.common.validators import edrpou_is_valid

                edrpou = next(code + str(d) for d in range(10) if edrpou_is_valid(code + str(d)))
                status, html = client.post(
                    path,
                    {
                        "csrf_token": client.token(path),
                        "name": f"ГО «Навантаження {seed}-{n}»",
                        "kind": "ngo",
                        "edrpou": edrpou,
                        "oblast": "14",
                    },
                )
                ok = status < 400 and "Запис додано" in html  # saved, not a refused form
            else:
                status, _ = client.get(path)
                ok = status < 400
        except urllib.error.HTTPError as exc:
            status, ok = exc.code, False
        except Exception:  # connection errors count as errors
            status, ok = 0, False
        elapsed = (time.perf_counter() - t0) * 1000
        with lock:
            results.setdefault(kind, []).append((elapsed, ok, status))


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument(
        "--hosts",
        choices=["1", "2", "compare"],
        default="1",
        help="one web host (default), two web hosts + one Celery worker "
        "+ Redis, or both one after the other",
    )
    parser.add_argument(
        "--existing",
        metavar="DATABASE_URL",
        default=None,
        help="use this seeded database as it is (e.g. bench/run.py's "
        "1,000,000-case one) instead of seeding LOAD_PG_URL",
    )
    parser.add_argument("--user", default="load-admin")
    parser.add_argument("--password", default=PASSWORD)
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    database = args.existing or DB_URL
    if not args.existing:
        print(f"Preparing {DB_URL.rsplit('/', 1)[1]} with {args.cases} cases ...", flush=True)
        prepare_database(args.cases)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SECRET_KEY": "l" * 48,
        "AUTH_RATE_LIMITED": "0",
        "RATELIMIT_ENABLED": "0",
        "FAB_UPDATE_PERMS": "0",
    }
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    phases = {"1": [1], "2": [2], "compare": [1, 2]}[args.hosts]
    summary = []
    failed = False
    for hosts in phases:
        outcome = run_phase(args, env, hosts, jobs=args.hosts != "1")
        summary.append(outcome)
        failed = failed or not outcome["ok"]
    if len(summary) > 1:
        print("\n| topology | requests/s | p95 ms (all) | errors | memory per process, MB |")
        print("|---|---:|---:|---:|---|")
        for o in summary:
            print(
                f"| {o['name']} | {o['rps']:.1f} | {o['p95']:.0f} | {o['errors']} | {o['memory']} |"
            )
    return 1 if failed else 0


def run_phase(args, env, hosts: int, jobs: bool) -> dict:
    """Serve with ``hosts`` web hosts (and, for 2, one Celery worker), load them, report."""
    env = dict(env)
    if jobs:
        # every export is a job; one user may have many running (all users are one account)
        env.update(EXPORT_INLINE_MAX_ROWS="0", JOBS_MAX_ACTIVE_PER_USER="0")
    if hosts > 1:
        env.update(
            CELERY_BROKER_URL="redis://127.0.0.1:6379/9",
            CELERY_QUEUE=f"opora-bench-{os.getpid()}",
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/9",
        )
    name = "one web host" if hosts == 1 else "two web hosts + one Celery worker"
    # The server's own log (errors of requests and of the dashboard's
    # background refresh threads) is kept and its errors counted below.
    log_path = os.path.join(ROOT, "bench", "results", f"load-server-{hosts}.log")
    log = open(log_path, "w")
    addresses = ["127.0.0.1", "127.0.0.2"][:hosts]
    servers = [
        subprocess.Popen(
            [
                _python(),
                "-m",
                "gunicorn",
                "-w",
                str(args.workers),
                "-b",
                f"{address}:{args.port}",
                "--timeout",
                "60",
                "run:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for address in addresses
    ]
    worker = None
    if hosts > 1:
        worker = subprocess.Popen(
            [
                _python(),
                "-m",
                "celery",
                "-A",
                "app.jobs.worker",
                "worker",
                "--pool",
                "threads",
                "--concurrency",
                "2",
                "--queues",
                env["CELERY_QUEUE"],
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    bases = [f"http://{address}:{args.port}" for address in addresses]
    try:
        for base in bases:
            for _ in range(90):
                try:
                    urllib.request.urlopen(base + "/login/", timeout=2)
                    break
                except Exception:
                    time.sleep(1)
        results: dict = {}
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds
        # national view: the heaviest pages; users spread over the hosts
        threads = [
            threading.Thread(
                target=user_loop,
                args=(
                    bases[i % len(bases)],
                    args.user,
                    deadline,
                    results,
                    lock,
                    i,
                    args.password,
                    jobs,
                    37 * (hosts - 1),
                ),
                daemon=True,
            )
            for i in range(args.users)
        ]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 60)
        wall = time.monotonic() - t0
        memory = [m for server in servers for m in worker_rss_mb(server.pid)]
        worker_memory = rss_mb(worker.pid) if worker else None
    finally:
        for server in servers:
            server.terminate()
        if worker:
            worker.terminate()
        for process in servers + ([worker] if worker else []):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        server_errors = sum(
            1 for line in fh if "Traceback" in line or " ERROR " in line or "[ERROR]" in line
        )
    total = sum(len(v) for v in results.values())
    errors = sum(1 for v in results.values() for _, ok, _ in v if not ok)
    every = [t for v in results.values() for t, _, _ in v]
    print(
        f"\n== {name}: {args.users} users, {args.workers} gunicorn workers per host, "
        f"{wall:.0f} s: {total} requests ({total / wall:.1f}/s), errors {errors} "
        f"({100 * errors / max(total, 1):.2f} %)"
    )
    print("| request | count | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, rows in sorted(results.items()):
        times = [t for t, _, _ in rows]
        bad = [s for _, ok, s in rows if not ok]
        print(
            f"| {kind} | {len(rows)} | {statistics.median(times):.0f} | "
            f"{percentile(times, 0.95):.0f} | {percentile(times, 0.99):.0f} | "
            f"{len(bad)}{' ' + str(sorted(set(bad))) if bad else ''} |"
        )
    memory_text = ", ".join(f"{m:.0f}" for m in memory)
    if worker_memory:
        memory_text += f"; Celery worker {worker_memory:.0f}"
    print(f"\nResident memory per process after the run: gunicorn workers {memory_text} MB")
    print(f"Server log: {server_errors} error lines ({os.path.relpath(log_path, ROOT)})")
    return {
        "name": name,
        "rps": total / wall if wall else 0.0,
        "p95": percentile(every, 0.95) if every else 0.0,
        "errors": errors,
        "memory": memory_text,
        "ok": errors == 0 and server_errors == 0,
    }


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def worker_rss_mb(master_pid: int) -> list[float]:
    """VmRSS of each gunicorn worker (children of the master), in MB (Linux /proc)."""
    try:
        with open(f"/proc/{master_pid}/task/{master_pid}/children") as fh:
            pids = [int(p) for p in fh.read().split()]
    except OSError:
        return []
    sizes = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return sizes


if __name__ == "__main__":
    sys.exit(main())
