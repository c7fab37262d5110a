"""Contains-search on case numbers through the trigram index (app/common/textsearch.py):
the same rows as a plain LIKE, kept in step on insert, update and delete, and
the index really used by the database."""

import re

import pytest
import sqlalchemy as sa

from app.cases.models import Case
from app.common.textsearch import fts_table, trgm_index
from app.extensions import db

from .conftest import count_queries
from .test_cases_world import make_world, new_case


def _dialect(app):
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture(scope="module")
def cases(app):
    make_world(app)
    return [new_case(app) for _ in range(12)]


def _numbers(app, ids):
    with app.app_context():
        return dict(
            db.session.execute(sa.select(Case.id, Case.number).where(Case.id.in_(ids))).all()
        )


def _listed(client, pattern):
    html = client.get(f"/caseview/list/?_flt_0_number={pattern}&psize_CaseView=100").text
    return set(re.findall(r'href="/caseview/show/(\d+)"', html))


def _like(app, pattern):
    with app.app_context():
        return {
            str(i)
            for i in db.session.scalars(sa.select(Case.id).where(Case.number.ilike(f"%{pattern}%")))
        }


def test_search_finds_the_same_cases_as_like(app, cases, client_as):
    client = client_as("caseworker")
    number = _numbers(app, cases)[cases[3]]
    tail = number[-4:]  # e.g. "0004": a fragment in the middle of other numbers
    for pattern in (number, tail, number[:7], number[-2:], "немає-такого"):
        expected = _like(app, pattern)
        assert _listed(client, pattern) == expected, pattern
    assert _listed(client, number) == {str(cases[3])}
    with count_queries(app) as statements:
        _listed(client, tail)
    searched = [s for s in statements if "number" in s and "LIKE" in s.upper()]
    assert searched, statements
    if _dialect(app) == "sqlite":
        assert all(fts_table("case_file", "number") in s for s in searched), searched


def test_index_follows_updates_and_deletes(app, cases, client_as):
    client = client_as("caseworker")
    victim, renamed = cases[-1], cases[-2]
    with app.app_context():
        db.session.get(Case, renamed).number = "ТЕСТ-2026-777999"
        db.session.delete(db.session.get(Case, victim))
        db.session.commit()
    assert _listed(client, "777999") == {str(renamed)}
    old_number = _numbers(app, [cases[0]])[cases[0]]
    assert str(victim) not in _listed(client, old_number[:7])


def test_the_database_uses_the_index(app, cases):
    with app.app_context():
        conn = db.session.connection()
        if conn.dialect.name == "sqlite":
            names = set(sa.inspect(conn).get_table_names())
            assert fts_table("case_file", "number") in names
            plan = conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT rowid FROM {fts_table('case_file', 'number')} "
                "WHERE number LIKE '%0004%'"
            ).all()
            assert any("VIRTUAL TABLE INDEX" in str(row) for row in plan), plan
        else:
            indexes = {ix["name"] for ix in sa.inspect(conn).get_indexes("case_file")}
            assert trgm_index("case_file", "number") in indexes
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(
                r[0]
                for r in conn.execute(
                    sa.text("EXPLAIN SELECT id FROM case_file WHERE number ILIKE :p"),
                    {"p": "%0004%"},
                )
            )
            conn.exec_driver_sql("SET enable_seqscan = on")
            assert trgm_index("case_file", "number") in plan, plan
