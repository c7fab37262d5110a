"""Export, dashboard, home cards and demo data of the centre registry."""

from __future__ import annotations

import csv
import io
import random
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.centers.models import CentreStatus, CentreStatusChange, ResilienceCentre
from app.demo import IVANO_FRANKIVSK, LVIV, DemoContext
from app.extensions import db
from app.geography.models import Oblast

from .conftest import external_urls, visible_text
from .test_centers_fixtures import EDRPOU_LVIV, base_data, centre, provider


@pytest.fixture(scope="module")
def ids(app):
    data = base_data(app)
    with app.app_context():
        p = provider(EDRPOU_LVIV, LVIV)
        centre(
            '=HYPERLINK("http://evil")',
            LVIV,
            p,
            status=CentreStatus.planned,
            address="вул. Формульна, 1",
        )
        db.session.commit()
    return data


def _csv(response):
    assert response.data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_content_encoding_and_filters(client_as, ids):
    client = client_as("ministry")
    response = client.get("/centreview/export/csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = _csv(response)
    header = rows[0]
    # the import's columns first (an exported file imports again: tests/test_roundtrip.py)
    assert header[:3] == ["Зовнішній код", "Назва центру", "Громада (код КАТОТТГ або назва)"]
    assert "Повністю безбар'єрний" in header and "ЄДРПОУ надавача" in header
    by_name = {r[1]: dict(zip(header, r)) for r in rows[1:]}
    lviv = by_name["Центр життєстійкості Львівщини"]
    assert lviv["Область"] == "Львівська область"
    assert lviv["Статус"] == "працює"
    assert lviv["ЄДРПОУ надавача"] == EDRPOU_LVIV
    assert lviv["Послуга: правова допомога"] == "так"
    assert lviv["Повністю безбар'єрний"] == "ні"
    # a formula typed into a name is neutralised
    assert '\'=HYPERLINK("http://evil")' in by_name
    # filters of the list apply to the export
    rows = _csv(client.get("/centreview/export/csv?_flt_0_status=planned"))
    names = [r[1] for r in rows[1:]]
    assert names == ['\'=HYPERLINK("http://evil")']


def test_xlsx_export(client_as, ids):
    response = client_as("auditor").get("/centreview/export/xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "Назва центру"
    names = {r[1] for r in values[1:]}
    assert {"Центр життєстійкості Львівщини", "Прикарпатський таємний центр"} <= names


def test_export_permission(client_as, ids):
    assert client_as("caseworker").get("/centreview/export/csv").status_code == 403
    assert client_as("trainer").get("/centreview/export/xlsx").status_code == 403


def test_dashboard_is_scoped_and_offline(app, client_as, ids):
    response = client_as("lviv").get("/centres/dashboard/")
    assert response.status_code == 200
    text = visible_text(response.text)
    assert "Центри за областями та статусами" in text
    assert "Львівська область" in text and "Івано-Франківська область" not in text
    assert "<svg" in response.text
    assert external_urls(response.text) == []  # offline: nothing from Google or a CDN
    text = visible_text(client_as("ministry").get("/centres/dashboard/").text)
    assert "Львівська область" in text and "Івано-Франківська область" in text
    assert "Заплановані та діючі центри в динаміці" in text
    assert client_as("trainer").get("/centres/dashboard/").status_code == 403
    assert client_as("caseworker").get("/centres/dashboard/").status_code == 403


def test_planned_vs_operating_series(app, ids):
    import datetime as dt

    from app.centers.pages import planned_vs_operating
    from app.security.scope import UserScope

    with app.app_context():
        item = db.session.get(ResilienceCentre, ids["c_lviv"])
        lviv_oblast = item.oblast_id
        item.history.append(
            CentreStatusChange(
                from_status=None,
                to_status=CentreStatus.planned,
                changed_on=dt.datetime(2026, 1, 10),
            )
        )
        item.history.append(
            CentreStatusChange(
                from_status=CentreStatus.planned,
                to_status=CentreStatus.operating,
                changed_on=dt.datetime(2026, 3, 5),
            )
        )
        db.session.commit()
        series = planned_vs_operating(
            UserScope(user_id=1, oblast_id=lviv_oblast), months=4, today=dt.date(2026, 4, 15)
        )
        assert [(e.month, p, o) for e, p, o in series] == [
            (1, 1, 0),
            (2, 1, 0),
            (3, 0, 1),
            (4, 0, 1),
        ]
        other = db.session.scalar(select(Oblast.id).where(Oblast.code == IVANO_FRANKIVSK))
        series = planned_vs_operating(
            UserScope(user_id=1, oblast_id=other), months=4, today=dt.date(2026, 4, 15)
        )
        assert all(p == 0 and o == 0 for _e, p, o in series)


def test_home_cards_are_scoped(app, client_as, ids):
    def operating(username):
        text = visible_text(client_as(username).get("/").text)
        match = re.search(r"(\d+) Діючі центри життєстійкості", text)
        assert match, text[-800:]
        return int(match.group(1))

    with app.app_context():
        total = db.session.scalar(
            select(func.count(ResilienceCentre.id)).where(
                ResilienceCentre.status == CentreStatus.operating
            )
        )
        lviv_total = db.session.scalar(
            select(func.count(ResilienceCentre.id))
            .join(Oblast, Oblast.id == ResilienceCentre.oblast_id)
            .where(ResilienceCentre.status == CentreStatus.operating, Oblast.code == LVIV)
        )
    assert operating("ministry") == total
    assert operating("lviv") == lviv_total < total


def test_demo_seed_is_idempotent(app):
    from app.centers import demo_seed
    from app.security.models import PortalUser

    def run():
        with app.app_context():
            users = {u.username: u for u in db.session.scalars(select(PortalUser))}
            demo_seed(
                DemoContext(
                    session=db.session,
                    rng=random.Random(1),
                    cases=0,
                    echo=lambda m: None,
                    users=users,
                )
            )
            db.session.commit()
            return db.session.scalar(
                select(func.count(ResilienceCentre.id)).where(
                    ResilienceCentre.external_code.like("DEMO-%")
                )
            )

    assert run() == 60
    assert run() == 60
    with app.app_context():
        statuses = set(
            db.session.scalars(
                select(ResilienceCentre.status).where(ResilienceCentre.external_code.like("DEMO-%"))
            )
        )
        assert statuses == set(CentreStatus)
        for code in (LVIV, IVANO_FRANKIVSK):
            n = db.session.scalar(
                select(func.count(ResilienceCentre.id))
                .join(Oblast, Oblast.id == ResilienceCentre.oblast_id)
                .where(Oblast.code == code, ResilienceCentre.external_code.like("DEMO-%"))
            )
            assert n >= 8
