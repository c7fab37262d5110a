"""Page benchmark at national scale.

    python bench/run.py --cases 1000000            # SQLite (+ PostgreSQL if reachable)
    python bench/run.py --cases 20000 --db sqlite  # quick look

Seeds a database once per size (kept in bench/results/ and re-used), then
times the portal's pages in-process through Flask's test client — list page 1,
deep page, filter by status+provider, contains-search, sort by date, show
page, create POST and the dashboards — as median and p95 over repeated
requests, with the number of SQL statements per request. Every number is also
printed as a ratio to a reference measured in the same run: a bare
``SELECT ... LIMIT 25`` rendered by a small Jinja template, i.e. the floor any
list page stands on. Ratios, not milliseconds, are what compare across
machines.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
RESULTS = os.path.join(ROOT, "bench", "results")
PASSWORD = "Bench-Password-2025!"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    statements: int
    status: int
    #: Median CPU time of this process (app, test client and, on SQLite, the
    #: database engine): on a shared virtual machine the wall-clock medians
    #: move with the neighbours (seen: the reference from 0.2 to 0.4 ms within
    #: an hour); CPU time moves much less. PostgreSQL's own work is not in it.
    cpu_ms: float = 0.0


def _pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
        return True
    except OSError:
        return False


def _ensure_pg_database() -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(PG_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        name = PG_URL.rsplit("/", 1)[1]
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def build_app(url: str):
    import secrets

    from app import create_app

    # A throw-away signing key per benchmark run: the portal refuses to start
    # without one (no key is kept in the repository).
    return create_app(
        SQLALCHEMY_DATABASE_URI=url,
        WTF_CSRF_ENABLED=False,
        AUTH_RATE_LIMITED=False,
        RATELIMIT_ENABLED=False,
        FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
        SECRET_KEY=secrets.token_urlsafe(48),
        JWT_SECRET_KEY=secrets.token_urlsafe(48),
    )


def seed(url: str, cases: int) -> None:
    """Migrate, then ``seed_demo(cases)``: the same seeding as ``flask seed-demo
    --cases N`` (providers and centres at the national proportions, cases in
    batches with progress)."""
    from sqlalchemy import func, select

    from app.cli import create_user, init_database
    from app.extensions import db

    app = build_app(url)
    with app.app_context():
        init_database(use_migrations=True)
        from app.cases.models import Case

        if db.session.scalar(select(func.count(Case.id))):
            print(f"  database already seeded ({url.split('/')[-1]})", flush=True)
            return
        sm = app.appbuilder.sm
        if not sm.find_user(username="bench-admin"):
            create_user("bench-admin", PASSWORD, "Адміністратор")
        from app.demo import seed_demo

        t0 = time.perf_counter()
        for _line in seed_demo(
            cases=cases, password=PASSWORD, echo=lambda m: print("  " + m, flush=True)
        ):
            pass
        print(f"  demo seed with {cases} cases: {time.perf_counter() - t0:.1f} s", flush=True)


def _time(client, app, method, url, data, repeat) -> Result:
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(*_args):
        statements.append("")

    for _ in range(2):  # warm-up: template compilation, caches
        client.open(url, method=method, data=data)
    timings, cpu = [], []
    status = 0
    for i in range(repeat):
        statements.clear()
        if i == repeat - 1:
            sa.event.listen(engine, "before_cursor_execute", count)
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.open(url, method=method, data=data)
        response.get_data()
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        status = response.status_code
    sa.event.remove(engine, "before_cursor_execute", count)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    return Result(
        url, statistics.median(timings), p95, len(statements), status, statistics.median(cpu)
    )


def reference(app, repeat: int) -> Result:
    """A bare SELECT ... LIMIT 25 over the case table, rendered by Jinja."""
    from jinja2 import Template
    from sqlalchemy import text

    from app.extensions import db

    template = Template(
        "<table>{% for r in rows %}<tr><td>{{ r.number }}</td>"
        "<td>{{ r.status }}</td><td>{{ r.opened_on }}</td></tr>{% endfor %}</table>"
    )
    timings, cpu = [], []
    with app.app_context():
        for i in range(repeat + 2):
            t0, c0 = time.perf_counter(), time.process_time()
            rows = db.session.execute(
                text("SELECT number, status, opened_on FROM case_file ORDER BY id DESC LIMIT 25")
            ).all()
            template.render(rows=rows)
            if i >= 2:
                timings.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
    timings.sort()
    return Result(
        "reference: SELECT LIMIT 25 + Jinja",
        statistics.median(timings),
        timings[int(round(0.95 * (len(timings) - 1)))],
        1,
        200,
        statistics.median(cpu),
    )


def pages(app):
    """(label, user, method, url, form data) for every measured page."""
    from sqlalchemy import func, select

    from app.cases.models import Case
    from app.centers.models import ResilienceCentre
    from app.extensions import db
    from app.providers.models import Provider

    with app.app_context():
        busiest = db.session.execute(
            select(Case.provider_id, func.count())
            .group_by(Case.provider_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
        provider_id = busiest[0]
        case_id = db.session.scalar(select(func.max(Case.id)))
        centre_id = db.session.scalar(select(func.max(ResilienceCentre.id)))
        provider_show = db.session.scalar(select(func.max(Provider.id)))
        total = db.session.scalar(select(func.count(Case.id)))
    # The deepest page served: half-way through the table, or the last page
    # within the count cap of the big registers (app/common/listing.py), past
    # which the list refuses to walk an OFFSET.
    from app.common.listing import DEFAULT_COUNT_CAP

    deep = max(1, min(total // 25 // 2, DEFAULT_COUNT_CAP // 25 - 1))
    admin = "bench-admin"
    return [
        ("cases: list page 1", admin, "GET", "/caseview/list/", None),
        (
            "cases: list page 1, count not remembered",
            admin,
            "GET",
            "/caseview/list/",
            "no_count_memo",
        ),
        (
            f"cases: deep page ({deep + 1})",
            admin,
            "GET",
            f"/caseview/list/?page_CaseView={deep}",
            None,
        ),
        (
            "cases: filter status+provider",
            admin,
            "GET",
            f"/caseview/list/?_flt_0_status=active&_flt_0_provider={provider_id}",
            None,
        ),
        (
            "cases: contains-search number",
            admin,
            "GET",
            "/caseview/list/?_flt_2_number=000123",
            None,
        ),
        (
            "cases: sort by opened date",
            admin,
            "GET",
            "/caseview/list/?_oc_CaseView=opened_on&_od_CaseView=desc",
            None,
        ),
        ("cases: show", admin, "GET", f"/caseview/show/{case_id}", None),
        ("providers: list page 1", admin, "GET", "/providerview/list/", None),
        (
            "providers: contains-search name",
            admin,
            "GET",
            "/providerview/list/?_flt_2_name=Надія",
            None,
        ),
        ("providers: show", admin, "GET", f"/providerview/show/{provider_show}", None),
        ("centres: list page 1", admin, "GET", "/centreview/list/", None),
        ("centres: filter status", admin, "GET", "/centreview/list/?_flt_0_status=operating", None),
        ("centres: show", admin, "GET", f"/centreview/show/{centre_id}", None),
        ("centres: dashboard", admin, "GET", "/centres/dashboard/", None),
        ("home dashboard", admin, "GET", "/", None),
        ("home dashboard, shared figures off", admin, "GET", "/", "no_shared_figures"),
        ("providers: create POST", admin, "POST", "/providerview/add", "provider_form"),
    ]


#: The next EDRPOU candidate: a new range per run (providers created by an earlier
#: run stay in the database, and a duplicate EDRPOU would be refused: HTTP 200, no insert).
_EDRPOU_COUNTER = [int(time.time()) % 100000 * 10]


def _provider_form(app, counter=_EDRPOU_COUNTER):
    from sqlalchemy import select

    from app.common.validators import edrpou_is_valid
    from app.extensions import db
    from app.geography.models import Oblast
    from app.providers.models import Provider

    with app.app_context():
        oblast_id = db.session.scalar(select(Oblast.id).limit(1))
        while True:
            counter[0] += 1
            code = f"{90000000 + counter[0] * 10:08d}"[:7]
            edrpou = next(
                (code + str(last) for last in range(10) if edrpou_is_valid(code + str(last))), None
            )
            if edrpou is None or db.session.scalar(
                select(Provider.id).where(Provider.edrpou == edrpou)
            ):
                continue  # no valid check digit, or taken by an earlier run
            return {
                "name": f"ГО «Бенчмарк {counter[0]}»",
                "kind": "ngo",
                "edrpou": edrpou,
                "oblast": str(oblast_id),
            }


#: Page variants measured with a cache switched off:
#: every dashboard figure computed on every request (what the first user of a
#: scope waits for once a minute), and "more than 10 000" counted on every
#: request (a user's first page of a broad search).
CONFIG_VARIANTS = {
    "no_shared_figures": ("DASHBOARD_CACHE_SECONDS", 0),
    "no_count_memo": ("LIST_COUNT_CACHE_SECONDS", 0),
}


def run(url: str, label: str, cases: int, repeat: int) -> list[Result]:
    app = build_app(url)
    client = app.test_client()
    client.post("/login/", data={"username": "bench-admin", "password": PASSWORD})
    ref = reference(app, repeat)
    results = [ref]
    for name, _user, method, page_url, data in pages(app):
        if data == "provider_form":
            # A new, valid provider each time: creating, not failing validation.
            timings, cpu, statuses, stmts = [], [], [], 0
            import sqlalchemy as sa

            from app.extensions import db

            with app.app_context():
                engine = db.engine
            seen: list[str] = []
            listener = lambda *a, seen=seen: seen.append("")  # noqa: E731
            sa.event.listen(engine, "before_cursor_execute", listener)
            for _i in range(repeat):
                form = _provider_form(app)
                seen.clear()
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.post(page_url, data=form)
                timings.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                statuses.append(response.status_code)
                if response.status_code == 302:  # statements of a create, not of a refusal
                    stmts = len(seen)
            sa.event.remove(engine, "before_cursor_execute", listener)
            timings.sort()
            result = Result(
                page_url,
                statistics.median(timings),
                timings[int(round(0.95 * (len(timings) - 1)))],
                stmts,
                max(statuses),
                statistics.median(cpu),
            )
        elif data in CONFIG_VARIANTS:
            # The page with one of the portal's shared answers switched off.
            key, value = CONFIG_VARIANTS[data]
            previous, app.config[key] = app.config[key], value
            try:
                result = _time(client, app, method, page_url, None, repeat)
            finally:
                app.config[key] = previous
        else:
            result = _time(client, app, method, page_url, data, repeat)
        result.name = name
        results.append(result)
        print(
            f"  {name:<42} {result.median_ms:8.1f} ms  p95 {result.p95_ms:8.1f}  "
            f"cpu {result.cpu_ms:6.1f}  "
            f"{result.statements:3d} SQL  x{result.median_ms / ref.median_ms:7.1f}  "
            f"[{result.status}]",
            flush=True,
        )
    return results


def rss_mb() -> tuple[float, float]:
    """Resident memory of this process now and at its peak, in MB (Linux)."""
    values = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount, _unit = line.split()
                values[key] = int(amount) / 1024
    return values.get("VmRSS:", 0.0), values.get("VmHWM:", 0.0)


def table(label: str, cases: int, results: list[Result]) -> str:
    ref = results[0].median_ms
    lines = [
        f"### {label}, {cases:,} cases".replace(",", " "),
        "",
        "| page | median ms | p95 ms | CPU ms | SQL statements | x reference | HTTP |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.cpu_ms:.1f} | "
            f"{r.statements} | {r.median_ms / ref:.1f} | {r.status} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    os.makedirs(RESULTS, exist_ok=True)
    targets = []
    if args.db in ("sqlite", "both"):
        targets.append(("SQLite", f"sqlite:///{RESULTS}/bench-{args.cases}.db"))
    if args.db in ("postgres", "both"):
        if _pg_reachable():
            _ensure_pg_database()
            targets.append(("PostgreSQL", PG_URL))
        else:
            print("PostgreSQL not reachable on 127.0.0.1:5432: skipped")
    from app.common.catalogue import compile_catalogue

    compile_catalogue()
    report = [
        f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
    ]
    for label, url in targets:
        print(f"== {label}: seeding {args.cases} cases", flush=True)
        seed(url, args.cases)
        print(f"== {label}: timing ({args.repeat} requests per page)", flush=True)
        report.append(table(label, args.cases, run(url, label, args.cases, args.repeat)))
        now, peak = rss_mb()
        report.append(
            f"Process memory after timing {label}: RSS {now:.0f} MB, peak {peak:.0f} MB "
            "(one process: app, test client and the benchmark itself)."
        )
    with open(os.path.join(RESULTS, f"latest-{args.cases}.md"), "w", encoding="utf-8") as fh:
        fh.write("\n\n".join(report) + "\n")
    print("\n\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
