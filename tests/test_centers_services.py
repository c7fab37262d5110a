"""Status transitions of centres: allowed source states, roles, who/when recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.centers import services
from app.centers.models import CentreStatus, CentreStatusChange, ResilienceCentre
from app.demo import IVANO_FRANKIVSK, LVIV
from app.errors import NotPermitted, TransitionNotAllowed
from app.extensions import db
from app.security.models import PortalUser

from .conftest import jwt_headers, visible_text
from .test_centers_fixtures import EDRPOU_IF, EDRPOU_LVIV, centre, get_centre, make_ready, provider

S = CentreStatus


def _user(name):
    return db.session.scalar(select(PortalUser).where(PortalUser.username == name))


def _new(app, status=S.planned, oblast=LVIV, name="Центр переходів", ready=True):
    with app.app_context():
        p = provider(EDRPOU_LVIV if oblast == LVIV else EDRPOU_IF, oblast)
        item = centre(name, oblast, p, status=status)
        if ready:
            make_ready(item)
        db.session.commit()
        return item.id


def test_full_lifecycle_by_regional_admin_records_who_and_when(app):
    pk = _new(app)
    with app.test_request_context():
        user = _user("lviv")
        item = db.session.get(ResilienceCentre, pk)
        services.start_preparing(item, user)
        services.open_centre(item, user, reason="Приміщення готове")
        services.suspend(item, user, reason="Ремонт")
        services.resume(item, user)
        services.close(item, user, reason="Завершення проєкту")
        db.session.commit()
        item = db.session.get(ResilienceCentre, pk)
        assert item.status == S.closed
        assert item.status_changed_by_fk == user.id
        assert item.status_changed_on is not None
        assert item.opened_on is not None
        assert item.status_reason == "Завершення проєкту"
        steps = db.session.scalars(
            select(CentreStatusChange)
            .where(CentreStatusChange.centre_id == pk)
            .order_by(CentreStatusChange.id)
        ).all()
        assert [(h.from_status, h.to_status) for h in steps] == [
            (S.planned, S.preparing),
            (S.preparing, S.operating),
            (S.operating, S.suspended),
            (S.suspended, S.operating),
            (S.operating, S.closed),
        ]
        assert {h.changed_by_fk for h in steps} == {user.id}
        assert steps[2].reason == "Ремонт"


@pytest.mark.parametrize(
    "func, source",
    [
        (services.start_preparing, S.operating),
        (services.open_centre, S.planned),
        (services.suspend, S.planned),
        (services.resume, S.operating),
        (services.close, S.closed),
    ],
)
def test_transition_from_wrong_state_is_refused(app, func, source):
    pk = _new(app, status=source, name=f"Центр {func.__name__} {source.name}")
    with app.test_request_context():
        item = db.session.get(ResilienceCentre, pk)
        with pytest.raises(TransitionNotAllowed):
            func(item, _user("lviv"))
        db.session.rollback()
    assert get_centre(app, pk).status == source


def test_ministry_may_suspend_resume_close_but_not_open(app):
    pk = _new(app, status=S.preparing, name="Центр міністерства")
    with app.test_request_context():
        ministry = _user("ministry")
        item = db.session.get(ResilienceCentre, pk)
        with pytest.raises(NotPermitted):
            services.open_centre(item, ministry)
        db.session.rollback()
        item = db.session.get(ResilienceCentre, pk)
        services.open_centre(item, _user("lviv"))
        services.suspend(item, ministry, reason="Перевірка")
        services.resume(item, ministry)
        services.close(item, ministry, reason="Завершення програми")
        db.session.commit()
        assert db.session.get(ResilienceCentre, pk).status_changed_by_fk == ministry.id


@pytest.mark.parametrize("username", ["auditor", "trainer", "caseworker"])
def test_read_only_roles_cannot_change_status(app, username):
    pk = _new(app, status=S.operating, name=f"Центр для {username}")
    with app.test_request_context():
        item = db.session.get(ResilienceCentre, pk)
        for func in (services.suspend, services.close):
            with pytest.raises(NotPermitted):
                func(item, _user(username))
        db.session.rollback()
    assert get_centre(app, pk).status == S.operating


def test_regional_admin_of_other_oblast_is_refused(app):
    pk = _new(app, status=S.operating, oblast=IVANO_FRANKIVSK, name="Центр іншої області")
    with app.test_request_context():
        item = db.session.get(ResilienceCentre, pk)
        with pytest.raises(NotPermitted):
            services.suspend(item, _user("lviv"))
        db.session.rollback()
        item = db.session.get(ResilienceCentre, pk)
        services.suspend(item, _user("frankivsk"), reason="Ремонт приміщення")
        db.session.commit()
    assert get_centre(app, pk).status == S.suspended


def test_action_through_the_view_and_flash(app, client_as):
    pk = _new(app, status=S.planned, name="Центр для дії")
    client = client_as("lviv")
    response = client.post(f"/centreview/action/prepare/{pk}", follow_redirects=True)
    assert response.status_code == 200
    assert "Статус змінено" in visible_text(response.text)
    assert get_centre(app, pk).status == S.preparing
    # a wrong-state action is refused with a Ukrainian message and changes nothing
    response = client.post(f"/centreview/action/resume/{pk}", follow_redirects=True)
    assert "не дозволена" in visible_text(response.text) or "неможлив" in visible_text(
        response.text
    )
    assert get_centre(app, pk).status == S.preparing
    # the ministry may not open a centre: no permission -> 403
    assert client_as("ministry").post(f"/centreview/action/open/{pk}").status_code == 403
    assert get_centre(app, pk).status == S.preparing


def test_bulk_action_is_all_or_nothing(app, client_as):
    ok = _new(app, status=S.planned, name="Центр масової дії 1")
    wrong = _new(app, status=S.operating, name="Центр масової дії 2")
    response = client_as("lviv").post(
        "/centreview/action_post",
        data={"action": "prepare", "rowid": [str(ok), str(wrong)]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "неможлив" in visible_text(response.text)
    assert get_centre(app, ok).status == S.planned
    assert get_centre(app, wrong).status == S.operating


def test_api_transitions(app):
    pk = _new(app, status=S.operating, name="Центр через API")
    client = app.test_client()
    auditor = jwt_headers(client, "auditor")
    assert client.post(f"/api/v1/centre/{pk}/suspend", headers=auditor).status_code == 403
    ministry = jwt_headers(client, "ministry")
    response = client.post(
        f"/api/v1/centre/{pk}/suspend", json={"reason": "Перевірка"}, headers=ministry
    )
    assert response.status_code == 200, response.text
    assert response.json["status"] == "suspended"
    response = client.post(f"/api/v1/centre/{pk}/suspend", headers=ministry)
    assert response.status_code == 409
    item = get_centre(app, pk)
    assert item.status == S.suspended and item.status_reason == "Перевірка"


# --- the centre's page offers only the status changes allowed now (#18) ------------------
def _offered(client, pk):
    import re

    page = client.get(f"/centreview/show/{pk}")
    assert page.status_code == 200
    return re.findall(r'data-change="([a-z]+)"', page.text)


@pytest.mark.parametrize(
    "status, username, expected",
    [
        (S.planned, "lviv", ["prepare", "close"]),
        (S.preparing, "lviv", ["open", "close"]),
        (S.operating, "lviv", ["suspend", "close", "unpublish"]),  # the fixture is published
        (S.suspended, "lviv", ["resume", "close"]),
        (S.suspended, "ministry", ["resume", "close"]),
        (S.operating, "ministry", ["suspend", "close"]),
        (S.closed, "lviv", []),
        (S.operating, "auditor", []),
    ],
)
def test_centre_page_offers_only_allowed_status_changes(app, client_as, status, username, expected):
    pk = _new(app, status=status, name=f"Центр сторінки {status.name} {username}")
    assert _offered(client_as(username), pk) == expected


def test_list_bulk_menu_has_no_changes_that_need_a_reason(app, client_as):
    page = client_as("lviv").get("/centreview/list/")
    assert 'name="action"' in page.text or "action_post" in page.text
    for name in services.NEEDS_REASON:
        assert f"'{name}'" not in page.text and f'"{name}"' not in page.text, name


def test_suspend_on_the_page_asks_for_the_reason_stores_it_and_lands_on_the_centre(app, client_as):
    pk = _new(app, status=S.operating, name="Центр призупинення")
    client = client_as("lviv")
    page = client.get(f"/centreview/show/{pk}").text
    assert 'id="reason-suspend"' in page and "required" in page
    # without a reason: refused in Ukrainian on the centre's page, nothing changes
    response = client.post(f"/centreview/action/suspend/{pk}", data={"reason": " "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/centreview/show/{pk}")
    text = visible_text(client.get(response.headers["Location"]).text)
    assert "Зазначте підставу" in text
    assert get_centre(app, pk).status == S.operating
    # with a reason: stored on the centre and in its history, the user lands on the centre
    response = client.post(f"/centreview/action/suspend/{pk}", data={"reason": "Ремонт укриття"})
    assert response.headers["Location"].endswith(f"/centreview/show/{pk}")
    text = visible_text(client.get(response.headers["Location"]).text)
    assert "Центр «Центр призупинення»: Призупинено" in text or "Призупинен" in text
    assert "Ремонт укриття" in text
    item = get_centre(app, pk)
    assert item.status == S.suspended and item.status_reason == "Ремонт укриття"


def test_close_is_marked_final_and_needs_a_reason_over_rest_too(app, client_as):
    pk = _new(app, status=S.operating, name="Центр закриття")
    page = client_as("lviv").get(f"/centreview/show/{pk}").text
    assert 'data-confirm="Закрити центр «Центр закриття»?' in page
    assert "btn-danger" in page
    client = app.test_client()
    headers = jwt_headers(client, "lviv")
    response = client.post(f"/api/v1/centre/{pk}/close", json={"reason": ""}, headers=headers)
    assert response.status_code in (400, 409, 422), response.text
    assert "підстав" in response.json["message"]
    assert get_centre(app, pk).status == S.operating
    response = client.post(
        f"/api/v1/centre/{pk}/close", json={"reason": "Кінець програми"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert get_centre(app, pk).status_reason == "Кінець програми"
