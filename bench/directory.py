"""Public service search at national scale (issue #25): ≤ 50 ms median.

    python bench/directory.py                 # SQLite (+ PostgreSQL if reachable)
    python bench/directory.py --db sqlite --repeat 300

Seeds a database once (kept in bench/results/ and re-used): the KATOTTG
communities topped up with synthetic ones to 1,500, 30 services in each
(45,000 community entries, 2-3 categories of recipients each), plus 10
oblast-wide services per oblast and 30 national ones. Then times
``GET /public/services/?hromada=H&category=C`` as an anonymous visitor, in
process through Flask's test client, over communities and categories taken
in turn: median, p95, SQL statements. Like bench/run.py it prints each median
as a ratio to a reference measured in the same run (a bare ``SELECT ...
LIMIT 25`` of the entry table rendered by a small Jinja template): ratios,
not milliseconds, compare across machines. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.run import RESULTS, Result, _pg_reachable, build_app  # noqa: E402

PG_URL = os.environ.get(
    "BENCH_DIRECTORY_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_directory"
)
HROMADAS = 1500
PER_HROMADA = 30
PER_OBLAST = 10
NATIONAL = 30
TARGET_MS = 50.0


def _ensure_pg_database(url: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        name = url.rsplit("/", 1)[1]
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def seed(url: str) -> None:
    from sqlalchemy import func, insert, select

    from app.cli import init_database
    from app.directory.models import (
        DirectoryEntry,
        EntryLevel,
        ProviderType,
        RecipientCategory,
        ServiceKind,
        entry_recipient,
    )
    from app.directory.services import seed_classifiers
    from app.extensions import db
    from app.geography.models import Hromada, Oblast

    app = build_app(url)
    with app.app_context():
        init_database(use_migrations=True)
        session = db.session
        if (
            session.scalar(select(func.count()).select_from(DirectoryEntry))
            >= HROMADAS * PER_HROMADA
        ):
            print(f"  database already seeded ({url.split('/')[-1]})", flush=True)
            return
        t0 = time.perf_counter()
        seed_classifiers(session)
        oblasts = session.scalars(select(Oblast.id).order_by(Oblast.id)).all()
        have = session.scalar(select(func.count()).select_from(Hromada))
        for n in range(have, HROMADAS):  # synthetic communities up to 1,500
            session.execute(
                insert(Hromada).values(
                    code=f"UA99{n:015d}",
                    name=f"Синтетична {n}",
                    title=f"Синтетична територіальна громада {n}",
                    oblast_id=oblasts[n % len(oblasts)],
                )
            )
        session.commit()
        kinds = session.scalars(select(ServiceKind.id).order_by(ServiceKind.sort_order)).all()
        cats = session.scalars(
            select(RecipientCategory.id).order_by(RecipientCategory.sort_order)
        ).all()
        hromadas = session.execute(
            select(Hromada.id, Hromada.oblast_id).order_by(Hromada.id).limit(HROMADAS)
        ).all()
        today = dt.date.today()
        common = dict(
            provider_type=ProviderType.cnap.name,
            in_person=True,
            active=True,
            barrier_free=False,
            version=1,
            address="вул. Центральна, 1",
            hours="Пн–Пт 9:00–17:00",
            phone="+380322000000",
            how_to_apply="Прийти особисто з паспортом або зателефонувати.",
            documents="Паспорт, РНОКПП, посвідчення",
        )
        rows = []
        for hid, oid in hromadas:
            for k in range(PER_HROMADA):
                rows.append(
                    dict(
                        common,
                        title=f"Послуга {k} громади {hid}",
                        kind_id=kinds[k % len(kinds)],
                        level=EntryLevel.hromada.name,
                        hromada_id=hid,
                        oblast_id=oid,
                        provider_name=f"ЦНАП {hid}",
                        verified_on=today - dt.timedelta(days=(hid + k) % 300),
                    )
                )
        for oid in oblasts:
            for k in range(PER_OBLAST):
                rows.append(
                    dict(
                        common,
                        title=f"Обласна послуга {k} ({oid})",
                        kind_id=kinds[k % len(kinds)],
                        level=EntryLevel.oblast.name,
                        hromada_id=None,
                        oblast_id=oid,
                        provider_name="ОДА",
                        verified_on=today,
                    )
                )
        for k in range(NATIONAL):
            rows.append(
                dict(
                    common,
                    title=f"Національна послуга {k}",
                    kind_id=kinds[k % len(kinds)],
                    level=EntryLevel.national.name,
                    hromada_id=None,
                    oblast_id=None,
                    provider_name="Мінветеранів",
                    verified_on=today,
                )
            )
        table = DirectoryEntry.__table__
        for start in range(0, len(rows), 5000):
            session.execute(insert(table), rows[start : start + 5000])
        session.commit()
        ids = session.scalars(select(DirectoryEntry.id).order_by(DirectoryEntry.id)).all()
        links = []
        for i, entry_id in enumerate(ids):
            for j in range(2 + i % 2):
                links.append({"entry_id": entry_id, "category_id": cats[(i + j * 4) % len(cats)]})
        for start in range(0, len(links), 10000):
            session.execute(insert(entry_recipient), links[start : start + 10000])
        session.commit()
        print(
            f"  seeded {len(ids)} entries in {len(hromadas)} communities "
            f"({time.perf_counter() - t0:.1f} s)",
            flush=True,
        )
    from app.demo import _refresh_statistics

    with app.app_context():
        _refresh_statistics()


def reference(app, repeat: int) -> Result:
    """A bare SELECT ... LIMIT 25 over the entry table, rendered by Jinja."""
    from jinja2 import Template
    from sqlalchemy import text

    from app.extensions import db

    template = Template(
        "<table>{% for r in rows %}<tr><td>{{ r.title }}</td>"
        "<td>{{ r.provider_name }}</td><td>{{ r.verified_on }}</td></tr>"
        "{% endfor %}</table>"
    )
    timings = []
    with app.app_context():
        for i in range(repeat + 2):
            t0 = time.perf_counter()
            rows = db.session.execute(
                text(
                    "SELECT title, provider_name, verified_on FROM directory_entry "
                    "ORDER BY id DESC LIMIT 25"
                )
            ).all()
            template.render(rows=rows)
            if i >= 2:
                timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return Result(
        "reference: SELECT LIMIT 25 + Jinja",
        statistics.median(timings),
        timings[int(round(0.95 * (len(timings) - 1)))],
        1,
        200,
    )


def search(app, repeat: int) -> tuple[Result, int]:
    import sqlalchemy as sa
    from sqlalchemy import select

    from app.directory.models import RecipientCategory
    from app.extensions import db
    from app.geography.models import Hromada

    with app.app_context():
        hromadas = db.session.scalars(select(Hromada.id).order_by(Hromada.id)).all()
        cats = db.session.scalars(select(RecipientCategory.id)).all()
        engine = db.engine
    client = app.test_client()
    statements: list[str] = []

    def count(*_args):
        statements.append("")

    urls = [
        f"/public/services/?hromada={hromadas[(i * 97) % len(hromadas)]}"
        f"&category={cats[i % len(cats)]}"
        for i in range(repeat)
    ]
    for url in urls[:3]:  # warm-up: templates, caches
        client.get(url)
    timings, found, status = [], 0, 0
    for i, url in enumerate(urls):
        if i == len(urls) - 1:
            sa.event.listen(engine, "before_cursor_execute", count)
        t0 = time.perf_counter()
        response = client.get(url)
        body = response.get_data(as_text=True)
        timings.append((time.perf_counter() - t0) * 1000)
        status = response.status_code
        found += body.count('class="panel panel-default svc"')
    sa.event.remove(engine, "before_cursor_execute", count)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    return (
        Result(
            "public search: community + category",
            statistics.median(timings),
            p95,
            len(statements),
            status,
        ),
        found // max(1, len(urls)),
    )


def run(url: str, label: str, repeat: int) -> bool:
    print(f"\n## {label}", flush=True)
    seed(url)
    app = build_app(url)
    ref = reference(app, repeat)
    result, per_page = search(app, repeat)
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    ok = result.median_ms <= TARGET_MS
    print("| measure | median ms | p95 ms | SQL statements | x reference |")
    print("|---|---|---|---|---|")
    print(f"| {ref.name} | {ref.median_ms:.2f} | {ref.p95_ms:.2f} | 1 | 1.0 |")
    print(
        f"| {result.name} | {result.median_ms:.2f} | {result.p95_ms:.2f} | "
        f"{result.statements} | {result.median_ms / ref.median_ms:.1f} |"
    )
    print(
        f"services shown per search (mean): {per_page}; HTTP {result.status}; "
        f"target ≤ {TARGET_MS:.0f} ms median: {'met' if ok else 'NOT MET'}",
        flush=True,
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    os.makedirs(RESULTS, exist_ok=True)
    ok = True
    if args.db in ("sqlite", "both"):
        ok &= run("sqlite:///" + os.path.join(RESULTS, "directory.db"), "SQLite", args.repeat)
    if args.db in ("postgresql", "both"):
        if _pg_reachable():
            _ensure_pg_database(PG_URL)
            ok &= run(PG_URL, "PostgreSQL", args.repeat)
        else:
            print("\nPostgreSQL is not reachable on 127.0.0.1:5432: skipped.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
