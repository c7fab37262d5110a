"""A centre's coordinates survive every save (issue #18).

The edit form rendered latitude and longitude with FAB's DecimalField (2
places), so every save, even of the phone alone, moved the pin by up to a
kilometre (49.7167 → 49.72). The form, the REST API and the importer now read
coordinates, phones and dates with the same parsers (app/common/fields.py).
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from app.centers.importer import COLUMNS
from app.centers.models import ResilienceCentre
from app.demo import LVIV
from app.extensions import db

from .conftest import jwt_headers, visible_text
from .test_centers_fixtures import EDRPOU_LVIV, base_data, first_hromada
from .test_centers_import import app  # noqa: F401  (the app with import jobs run eagerly)
from .test_rule_parity import form_values

LAT, LON = 49.7167, 23.912345
#: Ten spellings of one number, as people type it: one stored form.
PHONES = [
    "067 123 45 67",
    "(067) 123-45-67",
    "+380671234567",
    "+38 (067) 123-45-67",
    "0671234567",
    "067-123-45-67",
    "380671234567",
    "+380 67 123 45 67",
    "067.123.45.67",
    "(067)1234567",
]
STORED = "+380671234567"


@pytest.fixture(scope="module")
def ids(app):
    ids = base_data(app)
    with app.app_context():
        centre = db.session.get(ResilienceCentre, ids["c_lviv"])
        centre.latitude, centre.longitude, centre.phone = LAT, LON, "+380501112233"
        db.session.commit()
    return ids


def stored(app, pk):
    with app.app_context():
        centre = db.session.get(ResilienceCentre, pk)
        return centre.latitude, centre.longitude, centre.phone, centre.version


def web_edit(client, pk, **changes):
    page = client.get(f"/centreview/edit/{pk}")
    assert page.status_code == 200
    values = form_values(page.text)
    values.update({k: [v] for k, v in changes.items()})
    return client.post(f"/centreview/edit/{pk}", data=values, follow_redirects=True)


def test_the_edit_form_shows_every_decimal(app, ids, client_as):
    html = client_as("lviv").get(f"/centreview/edit/{ids['c_lviv']}").text
    values = form_values(html)
    assert values["latitude"] == ["49.7167"] and values["longitude"] == ["23.912345"]
    # no maxlength: «(067) 123-45-67» is 15 characters and must fit in the box
    assert 'maxlength="13"' not in html


def test_coordinates_survive_ten_web_edits_of_the_phone(app, ids, client_as):
    client = client_as("lviv")
    pk = ids["c_lviv"]
    _lat, _lon, _phone, version = stored(app, pk)
    for number, phone in enumerate(PHONES):
        # every other save changes the phone, so the row is really written
        typed = phone if number % 2 else "050 111 22 33"
        response = web_edit(client, pk, phone=typed)
        assert response.status_code == 200
        assert "help-block" not in response.text or typed not in response.text
        lat, lon, saved_phone, new_version = stored(app, pk)
        assert (lat, lon) == (LAT, LON), (number, typed, lat, lon)
        assert saved_phone == (STORED if number % 2 else "+380501112233"), typed
    assert stored(app, pk)[3] > version


def test_coordinates_survive_ten_rest_edits(app, ids, client_as):
    client = app.test_client()
    headers = jwt_headers(client, "lviv")
    pk = ids["c_lviv"]
    for number, phone in enumerate(PHONES):
        typed = phone if number % 2 else "050 111 22 33"
        reply = client.put(f"/api/v1/centre/{pk}", json={"phone": typed}, headers=headers)
        assert reply.status_code == 200, reply.text
        lat, lon, saved_phone, _version = stored(app, pk)
        assert (lat, lon) == (LAT, LON), (number, lat, lon)
        assert saved_phone == (STORED if number % 2 else "+380501112233")
        shown = client.get(f"/api/v1/centre/{pk}", headers=headers).json["result"]
        assert (shown["latitude"], shown["longitude"], shown["phone"]) == (lat, lon, saved_phone)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("49,716712", 49.716712),
        ("49.716712", 49.716712),
        (" 49,8 ", 49.8),
        ("49.71671249", 49.716712),
    ],
)
def test_a_decimal_comma_or_point_is_read_alike_on_web_and_rest(
    app, ids, client_as, typed, expected
):
    pk = ids["c_lviv"]
    web_edit(client_as("lviv"), pk, latitude=typed)
    assert stored(app, pk)[0] == expected
    web_edit(client_as("lviv"), pk, latitude=str(LAT))
    client = app.test_client()
    reply = client.put(
        f"/api/v1/centre/{pk}", json={"latitude": typed}, headers=jwt_headers(client, "lviv")
    )
    assert reply.status_code == 200, reply.text
    assert stored(app, pk)[0] == expected
    reply = client.put(
        f"/api/v1/centre/{pk}", json={"latitude": LAT}, headers=jwt_headers(client, "lviv")
    )
    assert stored(app, pk)[0] == LAT


@pytest.mark.parametrize(
    "field, typed, message",
    [
        ("latitude", "60,5", "Координати мають бути в межах України: широта від 44 до 53"),
        ("longitude", "-10", "Координати мають бути в межах України: довгота від 22 до 41"),
        ("latitude", "північ", "«північ» — не число"),
        ("phone", "12345", "«12345» — не український номер телефону"),
        ("opened_on", "31.02.2025", "«31.02.2025» — не дата"),
    ],
)
def test_a_wrong_value_is_refused_in_ukrainian_on_web_and_rest_and_changes_nothing(
    app, ids, client_as, field, typed, message
):
    pk = ids["c_lviv"]
    before = stored(app, pk)
    response = web_edit(client_as("lviv"), pk, **{field: typed})
    assert message in visible_text(response.text)
    assert stored(app, pk) == before
    client = app.test_client()
    reply = client.put(
        f"/api/v1/centre/{pk}", json={field: typed}, headers=jwt_headers(client, "lviv")
    )
    assert reply.status_code in (400, 422), reply.text
    assert message in str(reply.json["message"][field]), reply.json
    assert stored(app, pk) == before


def test_dates_in_the_portal_format_and_iso_on_web_and_rest(app, ids, client_as):
    pk = ids["c_lviv"]
    web_edit(client_as("lviv"), pk, opened_on="2025-03-01")
    with app.app_context():
        assert db.session.get(ResilienceCentre, pk).opened_on.isoformat() == "2025-03-01"
    client = app.test_client()
    headers = jwt_headers(client, "lviv")
    reply = client.put(f"/api/v1/centre/{pk}", json={"opened_on": "02.03.2025"}, headers=headers)
    assert reply.status_code == 200, reply.text
    assert (
        client.get(f"/api/v1/centre/{pk}", headers=headers).json["result"]["opened_on"]
        == "2025-03-02"
    )


def _import(client, **values):
    base = {
        "name": "Центр з телефоном",
        "address": "вул. Телефонна, 1",
        "provider_edrpou": EDRPOU_LVIV,
        "status": "запланований",
    }
    base.update(values)
    workbook = Workbook()
    workbook.active.append([c.header for c in COLUMNS])
    workbook.active.append([base.get(c.key, "") for c in COLUMNS])
    data = io.BytesIO()
    workbook.save(data)
    return client.post(
        "/centres/import/",
        data={"file": (io.BytesIO(data.getvalue()), "c.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.mark.parametrize("phone", ["067 123 45 67", "(067) 123-45-67", "+380671234567"])
def test_phone_formats_are_accepted_by_the_form_the_api_and_the_importer(
    app, ids, client_as, phone
):
    """The same spellings everywhere, one stored form: the form used to refuse
    what the importer took (the browser cut the input at 13 characters)."""
    with app.app_context():
        hromada = first_hromada(LVIV, 3)
        hromada_id, hromada_code = hromada.id, hromada.code
    client = client_as("lviv")
    page = client.get("/centreview/add")
    values = form_values(page.text)
    suffix = str(PHONES.index(phone) + 1)
    values.update(
        {
            "name": [f"Форма {suffix}"],
            "address": [f"вул. Формова, {suffix}"],
            "hromada": [str(hromada_id)],
            "provider": [str(ids["p_lviv"])],
            "phone": [phone],
            "latitude": ["49,8"],
            "longitude": ["24.03"],
        }
    )
    response = client.post("/centreview/add", data=values, follow_redirects=True)
    assert response.status_code == 200
    api = app.test_client()
    reply = api.post(
        "/api/v1/centre/",
        headers=jwt_headers(api, "lviv"),
        json={
            "name": f"API {suffix}",
            "address": f"вул. Апі, {suffix}",
            "hromada": hromada_id,
            "provider": ids["p_lviv"],
            "phone": phone,
            "latitude": "49,8",
            "longitude": 24.03,
        },
    )
    assert reply.status_code == 201, reply.text
    text = visible_text(
        _import(
            client,
            name=f"Імпорт {suffix}",
            hromada=hromada_code,
            address=f"вул. Імпортна, {suffix}",
            phone=phone,
            latitude="49,8",
            longitude="24.03",
        ).text
    )
    assert "Імпорт завершено" in text, text[-1500:]
    with app.app_context():
        for name in (f"Форма {suffix}", f"API {suffix}", f"Імпорт {suffix}"):
            centre = db.session.query(ResilienceCentre).filter_by(name=name).one()
            assert (centre.phone, centre.latitude, centre.longitude) == (STORED, 49.8, 24.03), name
