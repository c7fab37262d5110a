"""Public directory of issue #21: publishing is a reviewed step of its own; structured
working hours with "open now" and "open on Saturday"; the offline map of pins."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import select

from app.centers import services
from app.centers.models import CentreStatus, OpeningHours, ResilienceCentre
from app.demo import LVIV
from app.errors import UserError
from app.extensions import db
from app.security.models import PortalUser

from .conftest import external_urls, jwt_headers, visible_text
from .test_centers_fixtures import EDRPOU_LVIV, centre, provider


def _user(name):
    return db.session.scalar(select(PortalUser).where(PortalUser.username == name))


@pytest.mark.parametrize(
    "text, spans",
    [
        ("Пн–Пт 09:00–18:00", [(d, "09:00", "18:00") for d in range(5)]),
        (
            "пн-пт 8:00-13:00, 14:00-17:00; Сб 10.00–14.00",
            [(d, "08:00", "13:00") for d in range(5)]
            + [(d, "14:00", "17:00") for d in range(5)]
            + [(5, "10:00", "14:00")],
        ),
        ("Нд 10:00 — 24:00", [(6, "10:00", "23:59")]),
        ("", []),
    ],
)
def test_working_hours_are_read_as_days_and_times(text, spans):
    got = [(d, a.strftime("%H:%M"), b.strftime("%H:%M")) for d, a, b in services.parse_hours(text)]
    assert got == spans


@pytest.mark.parametrize(
    "text",
    ["щодня", "Пн–Пт", "Пт–Пн 09:00–18:00", "Пн 18:00–09:00", "Xx 09:00–10:00", "Пн 25:00–26:00"],
)
def test_unreadable_working_hours_are_refused(app, text):
    with app.test_request_context(), pytest.raises(UserError) as refused:
        services.parse_hours(text)
    with app.test_request_context():
        assert "Запишіть графік роботи" in str(refused.value)


@pytest.fixture(scope="module")
def ids(app):
    with app.app_context():
        p = provider(EDRPOU_LVIV, LVIV)
        tomorrow = (dt.date.today().weekday() + 1) % 7
        day = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Нд"][tomorrow]
        always = centre(
            "Центр цілодобовий",
            LVIV,
            p,
            working_hours="Пн–Нд 00:00–24:00",
            latitude=49.84,
            longitude=24.03,
            phone="+380671112200",
        )
        saturday = centre(
            "Центр суботній", LVIV, p, working_hours="Сб 10:00–14:00", address="вул. Суботня, 6"
        )
        later = centre(
            "Центр завтрашній",
            LVIV,
            p,
            working_hours=f"{day} 00:00–24:00",
            address="вул. Завтрашня, 1",
        )
        hidden = centre(
            "Центр неопублікований",
            LVIV,
            p,
            working_hours="Пн–Пт 09:00–18:00",
            published=False,
            phone="+380671112299",
            address="вул. Нова, 2",
        )
        db.session.commit()
        return {
            "always": always.id,
            "saturday": saturday.id,
            "later": later.id,
            "hidden": hidden.id,
        }


def test_an_operating_centre_is_public_only_once_published(app, ids, client_as):
    anonymous = app.test_client()
    text = visible_text(anonymous.get("/public/centres/").text)
    assert "Центр цілодобовий" in text and "Центр неопублікований" not in text
    assert anonymous.get(f"/public/centres/{ids['hidden']}").status_code == 404
    # the regional administrator publishes the reviewed entry
    page = client_as("lviv").post(
        f"/centreview/action/publish/{ids['hidden']}", follow_redirects=True
    )
    assert "Статус змінено" in visible_text(page.text)
    assert anonymous.get(f"/public/centres/{ids['hidden']}").status_code == 200
    api = app.test_client()
    reply = api.post(
        f"/api/v1/centre/{ids['hidden']}/unpublish", json={}, headers=jwt_headers(api, "lviv")
    )
    assert reply.status_code == 200, reply.text
    assert anonymous.get(f"/public/centres/{ids['hidden']}").status_code == 404


def test_publishing_needs_working_hours_and_a_contact(app):
    with app.test_request_context():
        p = provider(EDRPOU_LVIV, LVIV)
        bare = centre("Центр без графіка", LVIV, p, published=False, address="вул. Гола, 3")
        with pytest.raises(UserError, match="графіком роботи"):
            services.publish(bare, _user("lviv"))
        db.session.rollback()
        planned = centre(
            "Центр запланований",
            LVIV,
            p,
            status=CentreStatus.planned,
            working_hours="Пн 09:00–10:00",
            phone="+380671112201",
            address="вул. План, 4",
        )
        with pytest.raises(UserError, match="діючий центр"):
            services.publish(planned, _user("lviv"))
        db.session.rollback()


def test_open_on_saturday_and_open_now_filters(app, ids):
    client = app.test_client()
    text = visible_text(client.get("/public/centres/?saturday=1").text)
    assert "Центр суботній" in text and "Центр цілодобовий" in text
    assert "Центр завтрашній" not in text or dt.date.today().weekday() == 4
    text = visible_text(client.get("/public/centres/?open_now=1").text)
    assert "Центр цілодобовий" in text
    assert "Центр завтрашній" not in text
    detail = html.unescape(visible_text(client.get(f"/public/centres/{ids['saturday']}").text))
    assert "Сб 10:00–14:00" in detail


def test_hours_follow_the_text_on_every_save(app, client_as, ids):
    with app.app_context():
        item = db.session.get(ResilienceCentre, ids["later"])
        form_version = item.version
    client = client_as("lviv")
    page = client.get(f"/centreview/edit/{ids['later']}")
    assert page.status_code == 200
    from .test_rule_parity import form_values

    values = form_values(page.text)
    values.update(
        {"working_hours": ["Пн–Пт 09:00–18:00, Сб 10:00–14:00"], "version": [str(form_version)]}
    )
    saved = client.post(f"/centreview/edit/{ids['later']}", data=values)
    assert saved.status_code == 302, visible_text(saved.text)[-1500:]
    with app.app_context():
        rows = db.session.scalars(
            select(OpeningHours)
            .where(OpeningHours.centre_id == ids["later"])
            .order_by(OpeningHours.weekday)
        ).all()
        assert [r.weekday for r in rows] == [0, 1, 2, 3, 4, 5]


def test_the_map_is_drawn_offline_from_coordinates(app, ids):
    page = app.test_client().get("/public/centres/")
    assert 'class="portal-pin"' in page.text
    assert f"/public/centres/{ids['always']}" in page.text
    assert not [u for u in external_urls(page.text) if "tile" in u or "openstreetmap" in u]
