"""Public directory: operating centres only, no internal fields, cacheable, paginated."""

from __future__ import annotations

import html

import pytest

from app.centers.models import CentreStatus
from app.centers.public import PAGE_SIZE, PUBLIC_ENDPOINTS
from app.demo import IVANO_FRANKIVSK, LVIV
from app.extensions import db

from .conftest import count_queries, visible_text
from .test_centers_fixtures import EDRPOU_IF, EDRPOU_LVIV, centre, provider


@pytest.fixture(scope="module")
def ids(app):
    with app.app_context():
        p = provider(EDRPOU_LVIV, LVIV, name="ГО «Внутрішня назва надавача»")
        p_if = provider(EDRPOU_IF, IVANO_FRANKIVSK)
        flags = dict(
            acc_entrance=True,
            acc_toilet=True,
            acc_parking=True,
            acc_tactile=True,
            acc_visual=True,
            acc_hearing_loop=True,
        )
        ok = centre(
            "Відкритий центр Львова",
            LVIV,
            p,
            status=CentreStatus.operating,
            working_hours="Пн–Пт 09:00–18:00",
            phone="+380671112233",
            email="open@example.org",
            svc_legal_aid=True,
            dir_support_groups=True,
            psychologists=7,
            external_code="INTERNAL-CODE-77",
            status_reason="Внутрішня примітка",
            address="вул. Відкрита, 1",
            **flags,
        )
        ok.barrier_free = True
        other = centre(
            "Франківський діючий центр",
            IVANO_FRANKIVSK,
            p_if,
            status=CentreStatus.operating,
            svc_employment=True,
        )
        hidden = {
            s: centre(f"Прихований центр {s.name}", LVIV, p, status=s).id
            for s in CentreStatus
            if s != CentreStatus.operating
        }
        for n in range(PAGE_SIZE + 5):
            centre(
                f"Яворівський центр {n:02d}",
                LVIV,
                p,
                status=CentreStatus.operating,
                offset=3,
                address=f"вул. Яворова, {n}",
            )
        db.session.commit()
        return {"ok": ok.id, "other": other.id, "hidden": hidden, "lviv_oblast": ok.oblast_id}


def test_anonymous_sees_operating_centres_only(app, ids):
    client = app.test_client()
    response = client.get("/public/centres/")
    assert response.status_code == 200
    text = html.unescape(visible_text(response.text))
    assert "Знайти центр життєстійкості" in text
    assert "Відкритий центр Львова" in text and "Франківський діючий центр" in text
    assert "Прихований центр" not in text
    assert "Пн–Пт 09:00–18:00" in text and "+380671112233" in text
    assert "Безоплатна правова допомога" in text
    for internal in (
        "INTERNAL-CODE-77",
        "Внутрішня примітка",
        EDRPOU_LVIV,
        "Внутрішня назва надавача",
    ):
        assert internal not in text
    for pk in ids["hidden"].values():
        assert client.get(f"/public/centres/{pk}").status_code == 404


def test_detail_page(app, ids):
    response = app.test_client().get(f"/public/centres/{ids['ok']}")
    assert response.status_code == 200
    text = html.unescape(visible_text(response.text))
    assert "Відкритий центр Львова" in text and "вул. Відкрита, 1" in text
    assert "Групи взаємопідтримки" in text and "Повністю безбар'єрний" in text
    for internal in ("INTERNAL-CODE-77", "Внутрішня примітка", EDRPOU_LVIV, "Психологів"):
        assert internal not in text


def test_filters(app, ids):
    client = app.test_client()
    text = visible_text(client.get(f"/public/centres/?oblast={ids['lviv_oblast']}").text)
    assert "Відкритий центр Львова" in text and "Франківський діючий центр" not in text
    text = visible_text(client.get("/public/centres/?service=svc_employment").text)
    assert "Франківський діючий центр" in text and "Відкритий центр Львова" not in text
    text = visible_text(client.get("/public/centres/?barrier_free=1").text)
    assert "Відкритий центр Львова" in text and "Франківський діючий центр" not in text
    text = visible_text(client.get("/public/centres/?q=Відкрита").text)
    assert "Відкритий центр Львова" in text and "Яворівський" not in text


def test_pagination(app, ids):
    client = app.test_client()
    first = visible_text(client.get("/public/centres/?q=Яворова").text)
    assert f"Знайдено центрів: {PAGE_SIZE + 5}" in first
    assert first.count("Яворівський центр") == PAGE_SIZE
    assert "Сторінка 1 з 2" in first
    second = visible_text(client.get("/public/centres/?q=Яворова&page=2").text)
    assert second.count("Яворівський центр") == 5


def test_cacheable_and_no_session_cookie(app, ids):
    client = app.test_client()
    response = client.get("/public/centres/")
    assert "public" in response.headers["Cache-Control"]
    assert "max-age" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    response = client.get(f"/public/centres/{ids['ok']}")
    assert "Set-Cookie" not in response.headers


def test_signed_in_staff_page_is_not_shared_cached(app, client_as, ids):
    response = client_as("lviv").get("/public/centres/")
    assert response.status_code == 200
    assert "public" not in response.headers.get("Cache-Control", "")


def test_query_count_does_not_grow_with_rows(app, ids):
    client = app.test_client()
    client.get("/public/centres/?q=Відкрита")
    with count_queries(app) as one:
        assert "Відкритий центр Львова" in client.get("/public/centres/?q=Відкрита").text
    with count_queries(app) as many:
        assert client.get("/public/centres/?q=Яворова").text.count("Яворівський центр") == PAGE_SIZE
    assert len(many) <= len(one), (len(one), len(many))


def test_endpoints_are_declared_public(app):
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/public/centres")
    }
    assert endpoints == set(PUBLIC_ENDPOINTS)
