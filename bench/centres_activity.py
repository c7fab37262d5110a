"""Benchmark of the centres' activity dashboard at national scale (issue #21).

    python bench/centres_activity.py                      # 5,000 centres x 12 months x 60
    python bench/centres_activity.py --centres 500        # quick look

Builds (once, kept in bench/results/) a SQLite database through the migrations with
5,000 operating centres and a year of their activity log, about 60 activities per
centre per month (3.6 million rows) and a daily visit tally, with the precomputed
monthly figures (``centre_month_figures``) the portal keeps up to date on every write;
a sample of those figures is checked against ``refresh_month_figures`` (the same
function the activity commands call). Then it times the dashboard page in-process
(Flask test client): the oblast dashboard of a regional administrator and the
national one of a ministry officer, a year's period, as median and p95, and prints
each as a ratio to a reference measured in the same run (a bare SELECT ... LIMIT 25
over the centre table rendered by a small Jinja template, as in bench/run.py).
The issue's target: the oblast dashboard's median <= 100 ms on SQLite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
RESULTS = os.path.join(ROOT, "bench", "results")
PASSWORD = "Bench-Password-2025!"
LVIV = "UA46000000000026241"


def build_app(url):
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    from app import create_app

    return create_app(
        SQLALCHEMY_DATABASE_URI=url,
        WTF_CSRF_ENABLED=False,
        AUTH_RATE_LIMITED=False,
        RATELIMIT_ENABLED=False,
        FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
    )


def months_of_year(today):
    first = today.replace(day=1)
    out = []
    for _i in range(12):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return list(reversed(out))


def seed(app, centres: int, per_month: int) -> None:
    import sqlalchemy as sa

    from app.centers import services
    from app.centers.models import (
        DIRECTIONS,
        MONTH_FIGURES,
        ActivityFormat,
        ActivityKind,
        CentreActivity,
        CentreMonthFigures,
        CentreStaff,
        CentreStatus,
        Direction,
        ResilienceCentre,
        StaffRole,
    )
    from app.cli import create_user, init_database
    from app.extensions import db
    from app.geography.models import Hromada, Oblast
    from app.providers.demo import demo_edrpou
    from app.providers.models import Provider, ProviderKind, ProviderStatus, Specialist

    with app.app_context():
        init_database(use_migrations=True)
        if db.session.scalar(sa.select(sa.func.count(ResilienceCentre.id))) >= centres:
            print("  database already seeded", flush=True)
            return
        sm = app.appbuilder.sm
        if not sm.find_user(username="bench-ministry"):
            create_user("bench-ministry", PASSWORD, "Працівник міністерства")
            create_user("bench-lviv", PASSWORD, "Регіональний адміністратор", oblast_code=LVIV)
        random.Random(21)
        oblasts = db.session.scalars(sa.select(Oblast).order_by(Oblast.code)).all()
        hromadas = {
            o.id: db.session.scalars(sa.select(Hromada.id).where(Hromada.oblast_id == o.id)).all()
            for o in oblasts
        }
        oblasts = [o for o in oblasts if hromadas[o.id]]
        t0 = time.perf_counter()
        providers = []
        for n, oblast in enumerate(oblasts):
            p = Provider(
                name=f"Надавач {n}",
                kind=ProviderKind.ngo,
                edrpou=demo_edrpou(90000 + n),
                oblast_id=oblast.id,
                status=ProviderStatus.approved,
            )
            db.session.add(p)
            providers.append(p)
        db.session.flush()
        conn = db.session.connection()
        centre_rows, staff_rows, specialist_rows = [], [], []
        for i in range(centres):
            oblast = oblasts[i % len(oblasts)]
            centre_rows.append(
                {
                    "id": i + 1,
                    "name": f"Центр {i + 1}",
                    "provider_id": providers[i % len(oblasts)].id,
                    "oblast_id": oblast.id,
                    "hromada_id": hromadas[oblast.id][i % len(hromadas[oblast.id])],
                    "address": f"вул. Тестова, {i + 1}",
                    "status": CentreStatus.operating.name,
                    "opened_on": dt.date(2025, 1, 1),
                    "published": True,
                    **{a: True for a in DIRECTIONS},
                }
            )
            specialist_rows.append(
                {
                    "id": i + 1,
                    "provider_id": providers[i % len(oblasts)].id,
                    "full_name": f"Фахівець {i + 1}",
                    "active": True,
                }
            )
            staff_rows.append(
                {
                    "centre_id": i + 1,
                    "specialist_id": i + 1,
                    "role": StaffRole.psychologist.name,
                    "employment": "full",
                    "start_on": dt.date(2025, 1, 1),
                }
            )
        conn.execute(sa.insert(ResilienceCentre.__table__), centre_rows)
        conn.execute(sa.insert(Specialist.__table__), specialist_rows)
        conn.execute(sa.insert(CentreStaff.__table__), staff_rows)
        months = months_of_year(dt.date.today())
        db.session.commit()
        # The log, generated in the database (a recursive CTE per month): per_month
        # activities per centre, counts that agree (category = sex = age totals).
        kinds = [k.name for k in ActivityKind]
        directions = [d.name for d in Direction]
        dir_case = (
            "CASE k % 4 "
            + " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(directions))
            + " END"
        )
        kind_case = (
            f"CASE k % {len(kinds)} "
            + " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(kinds))
            + " END"
        )
        for first in months:
            conn = db.session.connection()
            conn.exec_driver_sql(f"""
                WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n
                                        WHERE k < {per_month - 1}),
                     a AS (SELECT c.id AS centre_id, k, (c.id * 7 + k) % 5 AS vet,
                                  (c.id * 3 + k) % 4 AS idp FROM centre c, n)
                INSERT INTO centre_activity (centre_id, held_on, direction, kind, format,
                    facilitator_id, veterans, idp, others, women, men, children, adults,
                    seniors)
                SELECT centre_id, date('{first.isoformat()}', '+' || (k % 28) || ' days'),
                       {dir_case}, {kind_case}, '{ActivityFormat.group.name}', centre_id,
                       vet, idp, 1, (vet + idp + 1) / 2, vet + idp + 1 - (vet + idp + 1) / 2,
                       0, vet + idp + 1, 0
                FROM a""")
            conn.exec_driver_sql(f"""
                INSERT INTO centre_visit_day (centre_id, day, visits)
                SELECT id, '{first.isoformat()}', 100 + (id * 13 + {first.month}) % 800
                FROM centre""")
            db.session.commit()
            print(f"  {first:%m.%Y}: log generated ({time.perf_counter() - t0:.0f} s)", flush=True)
        # The precomputed monthly figures, as the commands keep them (checked below).
        sums = {
            "activities": "COUNT(*)",
            "participants": "SUM(veterans + idp + others)",
            **{
                c: f"SUM({c})"
                for c in (
                    "veterans",
                    "idp",
                    "others",
                    "women",
                    "men",
                    "children",
                    "adults",
                    "seniors",
                )
            },
            **{
                f"dir_{d}": f"SUM(CASE WHEN direction = '{d}' THEN 1 ELSE 0 END)"
                for d in directions
            },
            **{f"kind_{k}": f"SUM(CASE WHEN kind = '{k}' THEN 1 ELSE 0 END)" for k in kinds},
        }
        names = [n for n in MONTH_FIGURES if n != "visits"]
        conn = db.session.connection()
        conn.exec_driver_sql(f"""
            INSERT INTO centre_month_figures (centre_id, month, oblast_id, visits,
                                              {", ".join(names)})
            SELECT a.centre_id, strftime('%Y-%m-01', a.held_on), c.oblast_id,
                   (SELECT v.visits FROM centre_visit_day v WHERE v.centre_id = a.centre_id
                    AND v.day = strftime('%Y-%m-01', a.held_on)),
                   {", ".join(sums[n] for n in names)}
            FROM centre_activity a JOIN centre c ON c.id = a.centre_id
            GROUP BY a.centre_id, strftime('%Y-%m-01', a.held_on), c.oblast_id""")
        figures = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(CentreMonthFigures.__table__).order_by(sa.func.random()).limit(5)
            )
        ]
        db.session.commit()
        conn = db.session.connection()
        conn.exec_driver_sql("ANALYZE")
        db.session.commit()
        # the precomputed figures are what the commands would have written
        for f in figures:
            again = services.refresh_month_figures(f["centre_id"], f["month"])
            assert all(getattr(again, k) == f[k] for k in MONTH_FIGURES), f
        db.session.rollback()
        total = db.session.scalar(sa.select(sa.func.count(CentreActivity.id)))
        print(
            f"  seeded {centres} centres, {total} activities in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )


def timed(client, url, repeat):
    for _ in range(2):
        client.get(url)
    timings = []
    status = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        response.get_data()
        timings.append((time.perf_counter() - t0) * 1000)
        status = response.status_code
    timings.sort()
    return statistics.median(timings), timings[int(round(0.95 * (len(timings) - 1)))], status


def reference(app, repeat):
    from jinja2 import Template
    from sqlalchemy import text

    from app.extensions import db

    template = Template(
        "<table>{% for r in rows %}<tr><td>{{ r.name }}</td>"
        "<td>{{ r.status }}</td></tr>{% endfor %}</table>"
    )
    timings = []
    with app.app_context():
        for i in range(repeat + 2):
            t0 = time.perf_counter()
            rows = db.session.execute(
                text("SELECT name, status FROM centre ORDER BY id DESC LIMIT 25")
            ).all()
            template.render(rows=rows)
            if i >= 2:
                timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=5000)
    parser.add_argument("--per-month", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"centres_activity_{args.centres}_{args.per_month}.sqlite")
    url = f"sqlite:///{path}"
    app = build_app(url)
    seed(app, args.centres, args.per_month)
    months = months_of_year(dt.date.today())
    query = f"?from={months[0]:%Y-%m}&to={months[-1]:%Y-%m}"
    ref = reference(app, args.repeat)
    print(f"reference (SELECT LIMIT 25 + Jinja): median {ref:.2f} ms")
    for username, label in (
        ("bench-lviv", "oblast dashboard (regional administrator)"),
        ("bench-ministry", "national dashboard (ministry)"),
    ):
        client = app.test_client()
        response = client.post("/login/", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        median, p95, status = timed(client, f"/centres/activity/{query}", args.repeat)
        assert status == 200, status
        print(
            f"{label}, 12 months: median {median:.1f} ms, p95 {p95:.1f} ms, "
            f"x{median / ref:.0f} reference, HTTP {status}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
