"""Every phone box of the portal reads a phone alike (#18: «067 123 45 67» was
refused by some forms and accepted by the importer): the providers', the
specialists' and the community applications' forms use the one parser
(app/common/fields.py) and store +380XXXXXXXXX; a wrong number is refused in
Ukrainian and nothing is saved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.demo import LVIV
from app.extensions import db
from app.providers.models import Specialist

from .conftest import visible_text
from .test_centers_fixtures import EDRPOU_LVIV, provider


@pytest.fixture(scope="module")
def provider_id(app):
    with app.app_context():
        p = provider(EDRPOU_LVIV, LVIV)
        db.session.commit()
        return p.id


@pytest.mark.parametrize("typed", ["067 123 45 67", "(067) 123-45-67", "+380671234567"])
def test_specialist_form_reads_any_usual_phone_spelling(app, client_as, provider_id, typed):
    name = f"Телефонна Оксана {typed}"
    response = client_as("lviv").post(
        "/specialistview/add",
        data={"provider": str(provider_id), "full_name": name, "phone": typed, "active": "y"},
    )
    assert response.status_code == 302, visible_text(response.text)[:800]
    with app.app_context():
        phone = db.session.scalar(sa.select(Specialist.phone).where(Specialist.full_name == name))
    assert phone == "+380671234567"


def test_specialist_form_refuses_a_wrong_phone_and_saves_nothing(app, client_as, provider_id):
    page = client_as("lviv").post(
        "/specialistview/add",
        data={
            "provider": str(provider_id),
            "full_name": "Неправильний Телефон",
            "phone": "12345",
            "active": "y",
        },
    )
    assert page.status_code == 200
    assert "«12345» — не український номер телефону" in visible_text(page.text)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(Specialist.id).where(Specialist.full_name == "Неправильний Телефон")
            )
            is None
        )


def test_phone_boxes_are_not_cut_at_thirteen_characters(app, client_as):
    for url in ("/specialistview/add", "/providerview/add", "/communityapplicationview/add"):
        page = client_as("lviv").get(url).text
        box = page.split('name="phone"' if 'name="phone"' in page else 'name="contact_phone"', 1)[
            1
        ].split(">", 1)[0]
        assert 'maxlength="13"' not in box, url
