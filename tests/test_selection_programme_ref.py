"""One programme reference (issue #22): selection rounds and training courses
name a row of the ``programme`` table; choices, labels and filters come from
it; an unknown or inactive programme is refused on the web and through REST;
the migration maps the old enum values both ways."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.programmes.models import Programme
from app.selection.models import SelectionRound
from app.selection.programme_ref import programme_choices
from app.training.models import Course

from .conftest import jwt_headers, visible_text

PILOT = ("pilot_x", "Пілотна програма Х")
RETIRED = ("retired_x", "Закрита програма Y")


@pytest.fixture(scope="module", autouse=True)
def programmes(app):
    with app.app_context():
        db.session.add(Programme(code=PILOT[0], name=PILOT[1], meeting_forms="visit"))
        db.session.add(
            Programme(code=RETIRED[0], name=RETIRED[1], meeting_forms="visit", active=False)
        )
        db.session.commit()


def _fk_target(model) -> set[str]:
    return {fk.target_fullname for fk in model.__table__.c.programme.foreign_keys}


def test_round_and_course_refer_to_the_programme_table():
    assert _fk_target(SelectionRound) == {"programme.code"}
    assert _fk_target(Course) == {"programme.code"}
    # No enum of their own any more: a plain string column keyed to the reference.
    assert not isinstance(SelectionRound.__table__.c.programme.type, sa.Enum)
    assert not isinstance(Course.__table__.c.programme.type, sa.Enum)


def test_choices_are_the_rows_of_the_programme_table(app):
    with app.app_context():
        rows = [
            tuple(r)
            for r in db.session.execute(
                sa.select(Programme.code, Programme.name)
                .where(Programme.active)
                .order_by(Programme.id)
            )
        ]
        assert programme_choices() == rows
        assert PILOT in rows and RETIRED[0] not in dict(rows)
        assert {"centre", "servicemen", "family"} <= set(dict(rows))


@pytest.mark.parametrize("url", ["/selectionroundview/add", "/courseview/add"])
def test_web_forms_offer_the_programmes_of_the_table(client_as, url):
    page = client_as("ministry" if "selection" in url else "admin").get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'value="{PILOT[0]}"' in html and PILOT[1] in html
    assert "Послуга з формування життєстійкості" in html
    assert RETIRED[0] not in html  # an inactive programme is not offered
    for old in ("resilience_centres", "families"):
        assert f'value="{old}"' not in html


def test_web_round_with_a_new_programme_and_its_name_in_the_list(app, client_as):
    client = client_as("ministry")
    r = client.post(
        "/selectionroundview/add",
        data={
            "title": "Відбір пілотної програми",
            "programme": PILOT[0],
            "announced_on": "01.06.2026",
            "deadline": "01.07.2026",
            "winners_count": "1",
            "reserve_count": "0",
            "appeal_days": "5",
        },
    )
    assert r.status_code == 302, visible_text(r.get_data(as_text=True))[:500]
    with app.app_context():
        rnd = db.session.scalar(
            sa.select(SelectionRound).where(SelectionRound.title == "Відбір пілотної програми")
        )
        assert rnd.programme == PILOT[0] and rnd.programme_name == PILOT[1]
        pilot_id = db.session.scalar(sa.select(Programme.id).where(Programme.code == PILOT[0]))
    listing = visible_text(client.get("/selectionroundview/list/").get_data(as_text=True))
    assert PILOT[1] in listing
    # The list's programme filter is the programme table's rows.
    filtered = client.get(f"/selectionroundview/list/?_flt_0_programme_ref={pilot_id}")
    text = visible_text(filtered.get_data(as_text=True))
    assert "Відбір пілотної програми" in text
    assert "Відбір центрів" not in text


@pytest.mark.parametrize(
    "value,message",
    [
        ("nosuch", "Такої програми немає"),
        (RETIRED[0], "неактивна"),
    ],
)
def test_unknown_or_inactive_programme_refused_on_both_paths(app, client_as, value, message):
    client = client_as("ministry")
    title = f"Відбір {value}"
    page = client.post(
        "/selectionroundview/add",
        data={
            "title": title,
            "programme": value,
            "announced_on": "01.06.2026",
            "deadline": "01.07.2026",
            "winners_count": "1",
            "reserve_count": "0",
        },
    )
    assert page.status_code == 200 and message in visible_text(page.get_data(as_text=True))
    api = app.test_client()
    r = api.post(
        "/api/v1/selection_round/",
        headers=jwt_headers(api, "ministry"),
        json={
            "title": title,
            "programme": value,
            "announced_on": "2026-06-01",
            "deadline": "2026-07-01",
        },
    )
    assert r.status_code in (400, 422) and message in str(r.json.get("message")), r.json
    r = api.post(
        "/api/v1/training-course/",
        headers=jwt_headers(api, "admin"),
        json={"title": f"Курс {value}", "programme": value, "hours": 8, "completion_hours": 6},
    )
    assert r.status_code in (400, 422) and message in str(r.json.get("message")), r.json
    with app.app_context():
        assert (
            db.session.scalar(sa.select(SelectionRound.id).where(SelectionRound.title == title))
            is None
        )
        assert (
            db.session.scalar(sa.select(Course.id).where(Course.title == f"Курс {value}")) is None
        )


def test_rest_reads_and_writes_codes_and_maps_the_old_names(app):
    client = app.test_client()
    headers = jwt_headers(client, "admin")
    r = client.post(
        "/api/v1/training-course/",
        headers=headers,
        json={
            "title": "Курс зі старою назвою програми",
            "programme": "resilience_centres",
            "hours": 8,
            "completion_hours": 6,
        },
    )
    assert r.status_code == 201, r.json
    pk = r.json["id"]
    shown = client.get(f"/api/v1/training-course/{pk}", headers=headers).json["result"]
    assert shown["programme"] == "centre"
    names = {
        row["code"]: row["name"]
        for row in client.get("/api/v1/programme/?q=(page_size:100)", headers=headers).json[
            "result"
        ]
    }
    assert names[shown["programme"]] == "Послуга з формування життєстійкості"


# --- the data migration ------------------------------------------------------------------
@pytest.fixture()
def migrated_app(tmp_path):
    from app import create_app

    from .conftest import TEST_CONFIG

    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path}/programme_ref.db"
    application = create_app(SQLALCHEMY_DATABASE_URI=url, **TEST_CONFIG)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _programmes(table):
    return sorted(db.session.execute(sa.text(f"SELECT title, programme FROM {table}")).all())


def test_migration_maps_the_old_values_both_ways(migrated_app):
    from flask_migrate import downgrade, upgrade

    with migrated_app.app_context():
        upgrade(revision="d20case00001")
        now = dt.datetime(2026, 1, 1)
        for n, value in enumerate(("resilience_centres", "servicemen", "families")):
            db.session.execute(
                sa.text(
                    "INSERT INTO selection_round (title, programme, announced_on, deadline, "
                    "winners_count, reserve_count, status, created_on, changed_on, version) "
                    "VALUES (:t, :p, :d, :d, 1, 0, 'announced', :now, :now, 1)"
                ),
                {"t": f"Раунд {n}", "p": value, "d": dt.date(2026, 1, 1), "now": now},
            )
        for n, value in enumerate(("resilience_centres", "servicemen", "family")):
            db.session.execute(
                sa.text(
                    "INSERT INTO training_course (title, programme, hours, completion_hours, "
                    "active, created_on, changed_on, version) "
                    "VALUES (:t, :p, 10, 8, :yes, :now, :now, 1)"
                ),
                {"t": f"Курс {n}", "p": value, "yes": True, "now": now},
            )
        db.session.commit()
        upgrade(revision="d22sel000001")
        assert _programmes("selection_round") == [
            ("Раунд 0", "centre"),
            ("Раунд 1", "servicemen"),
            ("Раунд 2", "family"),
        ]
        assert _programmes("training_course") == [
            ("Курс 0", "centre"),
            ("Курс 1", "servicemen"),
            ("Курс 2", "family"),
        ]
        # The reference is enforced by the database: no row of an unknown programme.
        with pytest.raises(sa.exc.IntegrityError):
            if db.engine.dialect.name == "sqlite":
                db.session.execute(sa.text("PRAGMA foreign_keys=ON"))
            db.session.execute(sa.text("UPDATE training_course SET programme = 'nosuch'"))
            db.session.flush()
        db.session.rollback()
        db.session.remove()
        downgrade(revision="d20case00001")
        assert _programmes("selection_round") == [
            ("Раунд 0", "resilience_centres"),
            ("Раунд 1", "servicemen"),
            ("Раунд 2", "families"),
        ]
        assert _programmes("training_course") == [
            ("Курс 0", "resilience_centres"),
            ("Курс 1", "servicemen"),
            ("Курс 2", "family"),
        ]
        db.session.remove()
        upgrade()
