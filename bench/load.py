"""Load test: gunicorn workers + PostgreSQL, N simulated users on loopback.

    python bench/load.py --users 50 --seconds 60 --workers 4

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
READS = ["/", "/providerview/list/", "/centreview/list/", "/caseview/list/",
         "/centreview/list/?_flt_0_status=operating", "/hromadaview/list/?_flt_0_title=Л",
         "/centres/dashboard/", "/reports/map/"]


def _python():
    return os.path.join(ROOT, ".venv", "bin", "python")


def prepare_database(cases: int) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(DB_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = DB_URL.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    env = {**os.environ, "DATABASE_URL": DB_URL, "FLASK_APP": "run.py"}
    flask = os.path.join(ROOT, ".venv", "bin", "flask")
    subprocess.check_call([flask, "portal", "init-db", "--admin-username", "load-admin",
                           "--admin-password", PASSWORD], env=env, cwd=ROOT)
    subprocess.check_call([flask, "portal", "seed-demo", "--cases", str(cases),
                           "--password", PASSWORD], env=env, cwd=ROOT,
                          stdout=subprocess.DEVNULL)


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

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
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    def login(self, username, password=PASSWORD):
        self.post("/login/", {"username": username, "password": password,
                              "csrf_token": self.token("/login/")})


def user_loop(base, username, deadline, results, lock, seed, password=PASSWORD):
    rng = random.Random(seed)
    client = Client(base)
    client.login(username, password)
    n = 0
    while time.monotonic() < deadline:
        n += 1
        if rng.random() < 0.1:
            kind, path = "write: create provider", "/providerview/add"
        else:
            path = rng.choice(READS)
            kind = "read: " + path.split("?")[0]
        t0 = time.perf_counter()
        try:
            if kind.startswith("write"):
                code = f"{RUN:02d}{seed:02d}{n:03d}"[-7:]  # unique per run, user, request
                from app.common.validators import edrpou_is_valid

                edrpou = next(code + str(d) for d in range(10) if edrpou_is_valid(code + str(d)))
                status, html = client.post(path, {
                    "csrf_token": client.token(path), "name": f"ГО «Навантаження {seed}-{n}»",
                    "kind": "ngo", "edrpou": edrpou, "oblast": "14"})
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
    parser.add_argument("--existing", metavar="DATABASE_URL", default=None,
                        help="use this seeded database as it is (e.g. bench/run.py's "
                             "1,000,000-case one) instead of seeding LOAD_PG_URL")
    parser.add_argument("--user", default="load-admin")
    parser.add_argument("--password", default=PASSWORD)
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    database = args.existing or DB_URL
    if not args.existing:
        print(f"Preparing {DB_URL.rsplit('/', 1)[1]} with {args.cases} cases ...", flush=True)
        prepare_database(args.cases)
    env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "l" * 48,
           "AUTH_RATE_LIMITED": "0", "RATELIMIT_ENABLED": "0"}
    # The server's own log (errors of requests and of the dashboard's
    # background refresh threads) is kept and its errors counted below.
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    log_path = os.path.join(ROOT, "bench", "results", "load-server.log")
    log = open(log_path, "w")
    server = subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "gunicorn"), "-w", str(args.workers), "-b",
         f"127.0.0.1:{args.port}", "--timeout", "60", "run:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/login/", timeout=2)
                break
            except Exception:
                time.sleep(1)
        results: dict = {}
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds
        # national view: the heaviest pages
        threads = [threading.Thread(target=user_loop, args=(base, args.user, deadline, results,
                                                             lock, i, args.password),
                                    daemon=True)
                   for i in range(args.users)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 60)
        wall = time.monotonic() - t0
        memory = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        server_errors = sum(1 for line in fh if "Traceback" in line or " ERROR " in line
                            or "[ERROR]" in line)
    total = sum(len(v) for v in results.values())
    errors = sum(1 for v in results.values() for _, ok, _ in v if not ok)
    print(f"\n{args.users} users, {args.workers} gunicorn workers, {wall:.0f} s: "
          f"{total} requests ({total / wall:.1f}/s), errors {errors} ({100 * errors / max(total, 1):.2f} %)")
    print("| request | count | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, rows in sorted(results.items()):
        times = [t for t, _, _ in rows]
        bad = [s for _, ok, s in rows if not ok]
        print(f"| {kind} | {len(rows)} | {statistics.median(times):.0f} | "
              f"{percentile(times, 0.95):.0f} | {percentile(times, 0.99):.0f} | "
              f"{len(bad)}{' ' + str(sorted(set(bad))) if bad else ''} |")
    print(f"\nResident memory per gunicorn worker after the run: "
          f"{', '.join(f'{m:.0f}' for m in memory)} MB")
    print(f"Server log: {server_errors} error lines ({os.path.relpath(log_path, ROOT)})")
    return 0 if errors == 0 and server_errors == 0 else 1


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
