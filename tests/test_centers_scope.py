"""Scope of the centre registry on every path: a Lviv regional administrator cannot
see, change, act on or export an Ivano-Frankivsk centre, by any route."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.centers.models import DIRECTIONS, CentreStatus
from app.demo import LVIV
from app.extensions import db

from .conftest import count_queries, jwt_headers, visible_text
from .test_centers_fixtures import EDRPOU_LVIV, base_data, centre, get_centre, provider

SECRET = "Прикарпатський таємний центр"


@pytest.fixture(scope="module")
def ids(app):
    return base_data(app)


def test_list_shows_only_own_oblast(client_as, ids):
    text = visible_text(client_as("lviv").get("/centreview/list/").text)
    assert "Центр життєстійкості Львівщини" in text
    assert SECRET not in text
    # Ministry sees both.
    text = visible_text(client_as("ministry").get("/centreview/list/").text)
    assert "Центр життєстійкості Львівщини" in text and SECRET in text


def test_show_edit_delete_out_of_scope_are_404(app, client_as, ids):
    client = client_as("lviv")
    pk = ids["c_if"]
    assert client.get(f"/centreview/show/{pk}").status_code == 404
    assert client.get(f"/centreview/edit/{pk}").status_code == 404
    response = client.post(f"/centreview/edit/{pk}", data={"name": "Зламано", "address": "x"})
    assert response.status_code == 404
    assert client.post(f"/centreview/delete/{pk}").status_code == 404
    item = get_centre(app, pk)
    assert item is not None and item.name == SECRET


def test_single_and_bulk_actions_out_of_scope(app, client_as, ids):
    client = client_as("lviv")
    pk = ids["c_if"]
    response = client.post(f"/centreview/action/suspend/{pk}")
    assert response.status_code == 404
    response = client.post(
        "/centreview/action_post",
        data={"action": "suspend", "rowid": [str(ids["c_lviv"]), str(pk)]},
    )
    assert response.status_code == 404
    assert get_centre(app, pk).status == CentreStatus.operating
    # the in-scope row of the refused bulk request is untouched too
    assert get_centre(app, ids["c_lviv"]).status == CentreStatus.operating


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_scoped(client_as, ids, fmt):
    response = client_as("lviv").get(f"/centreview/export/{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        body = response.data.decode("utf-8-sig")
    else:
        sheet = load_workbook(io.BytesIO(response.data)).active
        body = "\n".join(
            ";".join(str(c or "") for c in row) for row in sheet.iter_rows(values_only=True)
        )
    assert "Центр життєстійкості Львівщини" in body
    assert SECRET not in body


def test_api_is_scoped(app, ids):
    client = app.test_client()
    headers = jwt_headers(client, "lviv")
    pk = ids["c_if"]
    listing = client.get("/api/v1/centre/?q=(page_size:100)", headers=headers)
    assert listing.status_code == 200
    names = [r["name"] for r in listing.json["result"]]
    assert "Центр життєстійкості Львівщини" in names and SECRET not in names
    assert client.get(f"/api/v1/centre/{pk}", headers=headers).status_code == 404
    assert (
        client.put(f"/api/v1/centre/{pk}", json={"name": "Зламано"}, headers=headers).status_code
        == 404
    )
    assert client.delete(f"/api/v1/centre/{pk}", headers=headers).status_code == 404
    for name in ("prepare", "open", "suspend", "resume", "close"):
        response = client.post(f"/api/v1/centre/{pk}/{name}", headers=headers)
        assert response.status_code == 404, name
        assert SECRET not in response.text
    item = get_centre(app, pk)
    assert item.name == SECRET and item.status == CentreStatus.operating


def test_regional_admin_cannot_move_a_centre_to_another_oblast(app, client_as, ids):
    client = client_as("lviv")
    pk = ids["c_lviv"]
    item = get_centre(app, pk)
    response = client.post(
        f"/centreview/edit/{pk}",
        data={
            "name": item.name,
            "address": item.address,
            "hromada": str(ids["h_if"]),
            "provider": str(ids["p_lviv"]),
            "psychologists": "1",
            "social_workers": "1",
            "version": str(item.version),
        },
    )
    # the hromada picker is scoped: a foreign hromada is a validation error, nothing saved
    assert response.status_code == 200
    assert "Оберіть значення зі списку" in visible_text(response.text)
    assert get_centre(app, pk).hromada_id == ids["h_lviv"]


def test_regional_admin_adds_centre_in_own_oblast(app, client_as, ids):
    client = client_as("lviv")
    response = client.post(
        "/centreview/add",
        data={
            "name": "Новий центр Жовква",
            "address": "вул. Нова, 5",
            "hromada": str(ids["h_lviv"]),
            "provider": str(ids["p_lviv"]),
            "psychologists": "2",
            "social_workers": "1",
            **{
                k: "y"
                for k in (
                    "acc_entrance",
                    "acc_toilet",
                    "acc_parking",
                    "acc_tactile",
                    "acc_visual",
                    "acc_hearing_loop",
                )
            },
        },
    )
    assert response.status_code == 302, visible_text(response.text)[:2000]
    from sqlalchemy import select

    from app.centers.models import ResilienceCentre

    with app.app_context():
        item = db.session.scalar(
            select(ResilienceCentre).where(ResilienceCentre.name == "Новий центр Жовква")
        )
        assert item.oblast.code == LVIV
        assert item.status == CentreStatus.planned
        assert item.barrier_free is True
        assert [h.to_status for h in item.history] == [CentreStatus.planned]


def test_draft_provider_is_refused(app, client_as, ids):
    client = client_as("lviv")
    response = client.post(
        "/centreview/add",
        data={
            "name": "Центр з чернеткою",
            "address": "вул. Нова, 6",
            "hromada": str(ids["h_lviv"]),
            "provider": str(ids["p_draft"]),
            "psychologists": "0",
            "social_workers": "0",
        },
    )
    assert response.status_code == 200
    text = visible_text(response.text)
    assert "Центр може діяти лише на базі затвердженого надавача" in text  # CTR-01
    assert "Центр з чернеткою" in response.text  # the form keeps what was typed


def test_case_worker_sees_own_provider_centres_only(app, client_as, ids):
    from app.security.models import PortalUser

    with app.app_context():
        user = db.session.query(PortalUser).filter_by(username="caseworker").one()
        user.provider_id = ids["p_lviv"]
        db.session.commit()
    client = client_as("caseworker")
    text = visible_text(client.get("/centreview/list/").text)
    assert "Центр життєстійкості Львівщини" in text and SECRET not in text
    assert client.get(f"/centreview/show/{ids['c_if']}").status_code == 404
    assert client.get("/centreview/add").status_code == 403
    assert client.get("/centreview/export/csv").status_code == 403


def test_auditor_and_trainer(client_as, ids):
    auditor = client_as("auditor")
    assert auditor.get(f"/centreview/show/{ids['c_if']}").status_code == 200
    assert auditor.get("/centreview/add").status_code == 403
    assert auditor.post(f"/centreview/action/suspend/{ids['c_if']}").status_code == 403
    trainer = client_as("trainer")
    assert trainer.get("/centreview/list/").status_code == 403


def test_ukrainian_labels(client_as, ids):
    client = client_as("lviv")
    text = visible_text(client.get("/centreview/list/").text)
    for label in (
        "Центри життєстійкості",
        "Назва центру",
        "Територіальна громада",
        "Статус",
        "Повністю безбар'єрний",
        "Експорт у CSV",
        "Імпорт з XLSX/CSV",
    ):
        assert label in text, label
    text = visible_text(client.get("/centreview/add").text)
    for label in (
        "Зареєструвати центр життєстійкості",
        "Надавач",
        "Адреса",
        "Графік роботи",
        "Пандус або вхід на рівні землі",
        "Групи взаємопідтримки",
        "Безоплатна правова допомога",
    ):
        assert label in text, label
    text = visible_text(client.get(f"/centreview/show/{ids['c_lviv']}").text)
    assert "Історія змін статусу" in text and "Працює" in text
    assert "Призупинити роботу центру" in text


def test_list_statement_count_does_not_grow_with_page_size(app, client_as, ids):
    with app.app_context():
        p = provider(EDRPOU_LVIV, LVIV)
        for n in range(30):
            centre(
                f"Центр для підрахунку {n:02d}",
                LVIV,
                p,
                offset=n % 5,
                address=f"вул. Лічильна, {n}",
            )
        db.session.commit()
    client = client_as("ministry")
    client.get("/centreview/list/?psize_CentreView=10")
    with count_queries(app) as small:
        assert client.get("/centreview/list/?psize_CentreView=10").status_code == 200
    with count_queries(app) as big:
        assert client.get("/centreview/list/?psize_CentreView=50").status_code == 200
    assert len(big) <= len(small), (len(small), len(big))


def test_api_create_is_scoped_and_checks_provider(app, ids):
    client = app.test_client()
    headers = jwt_headers(client, "lviv")
    body = {
        "name": "Центр через API",
        "address": "вул. API, 1",
        "provider": ids["p_lviv"],
        "psychologists": 1,
        "social_workers": 1,
    }
    response = client.post(
        "/api/v1/centre/", json={**body, "hromada": ids["h_if"]}, headers=headers
    )
    assert response.status_code == 403, response.text
    response = client.post(
        "/api/v1/centre/",
        json={**body, "hromada": ids["h_lviv"], "provider": ids["p_draft"]},
        headers=headers,
    )
    assert response.status_code == 400 and "затвердженого" in response.json["message"]
    response = client.post(
        "/api/v1/centre/", json={**body, "hromada": ids["h_lviv"]}, headers=headers
    )
    assert response.status_code == 201, response.text
    item = get_centre(app, response.json["id"])
    assert item.oblast.code == LVIV and item.status == CentreStatus.planned
    # ministry reads but does not write
    ministry = jwt_headers(client, "ministry")
    assert (
        client.post(
            "/api/v1/centre/", json={**body, "hromada": ids["h_lviv"]}, headers=ministry
        ).status_code
        == 403
    )


def test_regional_admin_edits_own_centre_and_stale_edit_is_refused(app, client_as, ids):
    client = client_as("lviv")
    pk = ids["c_lviv"]
    assert client.get(f"/centreview/edit/{pk}").status_code == 200
    item = get_centre(app, pk)
    form = {
        "name": item.name,
        "address": "вул. Оновлена, 10",
        "hromada": str(ids["h_lviv"]),
        "provider": str(ids["p_lviv"]),
        "psychologists": "5",
        "social_workers": "2",
        "working_hours": "Пн–Сб 09:00–19:00",
        "version": str(item.version),
        # an operating centre's form shows the four directions checked (CTR-09)
        **{attr: "y" for attr in DIRECTIONS},
    }
    response = client.post(f"/centreview/edit/{pk}", data=form)
    assert response.status_code == 302, visible_text(response.text)[-1500:]
    updated = get_centre(app, pk)
    assert updated.address == "вул. Оновлена, 10" and updated.psychologists == 5
    assert updated.version == item.version + 1
    # the same (now stale) form again: conflict, nothing lost
    response = client.post(f"/centreview/edit/{pk}", data={**form, "address": "вул. Стара, 1"})
    assert response.status_code == 200
    assert "змінив інший користувач" in visible_text(
        response.text
    ) or "інший користувач" in visible_text(response.text)
    assert get_centre(app, pk).address == "вул. Оновлена, 10"


def test_regional_admin_deletes_own_centre_with_history(app, client_as, ids):
    from sqlalchemy import func, select

    from app.centers.models import CentreStatusChange

    client = client_as("lviv")
    response = client.post(
        "/centreview/add",
        data={
            "name": "Центр на видалення",
            "address": "вул. Тимчасова, 1",
            "hromada": str(ids["h_lviv"]),
            "provider": str(ids["p_lviv"]),
            "psychologists": "0",
            "social_workers": "0",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        from app.centers.models import ResilienceCentre

        pk = db.session.scalar(
            select(ResilienceCentre.id).where(ResilienceCentre.name == "Центр на видалення")
        )
    assert client.post(f"/centreview/delete/{pk}").status_code == 302
    assert get_centre(app, pk) is None
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(CentreStatusChange.id)).where(CentreStatusChange.centre_id == pk)
            )
            == 0
        )
