"""Opening a case without hidden state, and the deadline lists (issue #23).

* The web's «Відкрити випадок» form and ``POST /api/v1/case/open`` read their
  input into :class:`app.cases.services.NewCase` and make the one call
  :func:`app.cases.services.open_new_case`; both create the case with its
  beneficiary under the same rules.
* A beneficiary the rules refuse gives a Ukrainian message on either path and
  creates nothing (the web form is shown again with what was typed).
* The three deadline lists (assessment overdue, term ending, follow-up due), in
  full for case workers and de-identified for the ministry, list the right cases.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from app.cases import services
from app.cases.models import (
    Beneficiary,
    BeneficiaryCategory,
    Case,
    CaseStatus,
    ConsentScope,
    Programme,
    Sex,
)
from app.common.validators import rnokpp_birth_date
from app.demo import LVIV
from app.extensions import db
from app.geography.models import Hromada, Oblast

from .conftest import jwt_headers, visible_text
from .test_cases_world import RNOKPP, make_world, new_case

BORN = rnokpp_birth_date(RNOKPP)
CASE_NUMBER = re.compile(r"[А-ЯІЇЄҐ]{2}-\d{4}-\d{6}")


@pytest.fixture(scope="module")
def world(app):
    ids = make_world(app)
    with app.app_context():
        ids["hromada"] = db.session.scalar(
            select(Hromada.id)
            .join(Oblast, Oblast.id == Hromada.oblast_id)
            .where(Oblast.code == LVIV)
            .order_by(Hromada.id)
            .limit(1)
        )
    assert ids["hromada"] is not None
    return ids


@pytest.fixture
def opened(monkeypatch) -> list:
    """Every ``NewCase`` handed to ``services.open_new_case`` during the test."""
    calls: list = []
    real = services.open_new_case

    def spy(session, new, actor):
        calls.append(new)
        return real(session, new, actor)

    monkeypatch.setattr(services, "open_new_case", spy)
    return calls


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Case.id))),
            db.session.scalar(select(func.count(Beneficiary.id))),
        )


# --------------------------------------------------------------------------- opening
def test_the_form_and_the_api_open_a_case_through_the_same_service(app, world, client_as, opened):
    today = services.kyiv_today()
    client = client_as("caseworker")
    web = client.post(
        "/caseview/add",
        data={
            "programme": "family",
            "opened_on": today.strftime("%d.%m.%Y"),
            "intake_source": "cnap",
            "b_full_name": "Веб Отримувачка Іванівна",
            "b_birth_date": BORN.strftime("%d.%m.%Y"),
            "b_rnokpp": RNOKPP,
            "b_phone": "067 765 43 21",
            "b_address": "м. Львів",
            "b_category": "family_member",
            "b_sex": "female",
            "b_hromada": str(world["hromada"]),
            "b_consent_on": today.strftime("%d.%m.%Y"),
            "b_consent_scope": "processing_transfer",
            "b_consent_document": "З-1",
        },
    )
    assert web.status_code == 302, visible_text(web.text)[-800:]
    api = client.post(
        "/api/v1/case/open",
        headers=jwt_headers(client, "caseworker"),
        json={
            "programme": "family",
            "opened_on": today.isoformat(),
            "intake_source": "cnap",
            "full_name": " API Отримувачка Іванівна ",
            "birth_date": BORN.isoformat(),
            "rnokpp": RNOKPP,
            "phone": "067 765 43 21",
            "address": "м. Львів",
            "category": "family_member",
            "sex": "female",
            "hromada_id": world["hromada"],
            "consent_on": today.isoformat(),
            "consent_scope": "processing_transfer",
            "consent_document": "З-1",
        },
    )
    assert api.status_code == 201, api.text

    # both paths handed the service the same explicit description of the case
    assert [type(new) for new in opened] == [services.NewCase, services.NewCase]
    web_new, api_new = opened
    assert web_new.beneficiary.full_name == "Веб Отримувачка Іванівна"
    assert api_new.beneficiary.full_name == "API Отримувачка Іванівна"
    for new in opened:
        assert new.programme == Programme.family and new.opened_on == today
        assert new.beneficiary.category == BeneficiaryCategory.family_member
        assert new.beneficiary.sex == Sex.female
        assert new.beneficiary.hromada_id == world["hromada"]
        assert new.beneficiary.consent_scope == ConsentScope.processing_transfer

    with app.app_context():
        rows = db.session.execute(
            select(
                Case.id,
                Case.provider_id,
                Case.assigned_worker_id,
                Case.status,
                Case.intake_source,
                Beneficiary.full_name,
                Beneficiary.birth_date,
                Beneficiary.rnokpp,
                Beneficiary.phone,
                Beneficiary.hromada_id,
                Beneficiary.consent_document,
            )
            .join(Beneficiary, Beneficiary.case_id == Case.id)
            .where(Case.opened_on == today, Beneficiary.full_name.like("% Отримувачка Іванівна"))
            .order_by(Case.id)
        ).all()
    assert [row.full_name for row in rows] == [
        "Веб Отримувачка Іванівна",
        "API Отримувачка Іванівна",
    ]
    assert rows[1].id == api.json["id"]
    for row in rows:
        assert row.provider_id == world["A"] and row.assigned_worker_id == world["caseworker"]
        assert row.status == CaseStatus.intake and row.intake_source.name == "cnap"
        assert (row.birth_date, row.rnokpp, row.hromada_id) == (BORN, RNOKPP, world["hromada"])
        # the phone is stored the same way whichever path typed it
        assert row.phone == "+380677654321" and row.consent_document == "З-1"


@pytest.mark.parametrize(
    "typed,message",
    [
        (
            {"b_rnokpp": RNOKPP, "b_birth_date": "01.01.1960"},
            "відрізняється від зазначеної дати народження",
        ),
        (
            {"b_birth_date": (services.kyiv_today() + dt.timedelta(days=30)).strftime("%d.%m.%Y")},
            "Дата народження не може бути в майбутньому.",
        ),
    ],
)
def test_a_refused_beneficiary_opens_nothing_on_the_web(
    app, world, client_as, opened, typed, message
):
    client = client_as("caseworker")
    before = _counts(app)
    response = client.post(
        "/caseview/add",
        data={
            "programme": "family",
            "opened_on": services.kyiv_today().strftime("%d.%m.%Y"),
            "b_full_name": "Відмова Тест",
            "b_category": "other",
            "b_phone": "067 765 43 21",
            **typed,
        },
    )
    assert response.status_code == 200
    assert message in visible_text(response.text)
    assert len(opened) == 1  # the form was valid: the service refused it
    # the form is shown again with every beneficiary field and what was typed
    assert re.search(r'name="b_full_name"[^>]*value="Відмова Тест"', response.text) or re.search(
        r'value="Відмова Тест"[^>]*name="b_full_name"', response.text
    )
    for name in ("b_birth_date", "b_rnokpp", "b_phone", "b_category", "b_hromada"):
        assert f'name="{name}"' in response.text, name
    assert _counts(app) == before


@pytest.mark.parametrize(
    "body,message",
    [
        ({"full_name": "  ", "category": "other"}, "Зазначте ПІБ і категорію отримувача."),
        ({"full_name": "Відмова Тест"}, "Зазначте ПІБ і категорію отримувача."),
        (
            {
                "full_name": "Відмова Тест",
                "category": "other",
                "rnokpp": RNOKPP,
                "birth_date": "1960-01-01",
            },
            "відрізняється від зазначеної дати народження",
        ),
        (
            {"full_name": "Відмова Тест", "category": "other", "phone": "12345"},
            "Вкажіть номер телефону у форматі +380XXXXXXXXX.",
        ),
    ],
)
def test_a_refused_beneficiary_opens_nothing_over_the_api(
    app, world, client_as, opened, body, message
):
    client = client_as("caseworker")
    before = _counts(app)
    reply = client.post(
        "/api/v1/case/open",
        headers=jwt_headers(client, "caseworker"),
        json={"programme": "family", **body},
    )
    assert reply.status_code == 400 and reply.json["message"], reply.text
    assert message in reply.json["message"]
    assert len(opened) == 1
    assert _counts(app) == before


# --------------------------------------------------------------------------- deadline lists
def _set(app, case_id, **values) -> str:
    with app.app_context():
        db.session.execute(update(Case).where(Case.id == case_id).values(**values))
        db.session.commit()
        return db.session.get(Case, case_id).number


def _listed(client, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return set(CASE_NUMBER.findall(visible_text(response.text)))


def test_the_deadline_lists_show_their_cases(app, world, client_as):
    today = services.kyiv_today()
    days = dt.timedelta
    quiet = dict(assessment_due_on=today + days(10), term_end_on=today + days(200))
    made = {
        "assessment": _set(
            app, new_case(app), assessment_due_on=today - days(3), term_end_on=today + days(200)
        ),
        "term": _set(app, new_case(app), assessment_due_on=today + days(10), term_end_on=today),
        "term_soon": _set(
            app, new_case(app), assessment_due_on=today + days(10), term_end_on=today + days(14)
        ),
        "follow_up": _set(
            app,
            new_case(app, status=CaseStatus.closed),
            follow_up_due_on=today + days(2),
            follow_up_done_on=None,
            **quiet,
        ),
        "follow_up_made": _set(
            app,
            new_case(app, status=CaseStatus.closed),
            follow_up_due_on=today - days(1),
            follow_up_done_on=today,
        ),
        "closed_overdue": _set(
            app,
            new_case(app, status=CaseStatus.closed),
            assessment_due_on=today - days(3),
            term_end_on=today - days(1),
            follow_up_due_on=today + days(30),
        ),
        "quiet": _set(app, new_case(app), **quiet),
        "other_provider": _set(
            app,
            new_case(app, username="cw_b"),
            assessment_due_on=today - days(3),
            term_end_on=today + days(5),
        ),
    }
    mine = set(made.values())
    expected = {
        "assessment-overdue": {"assessment", "other_provider"},
        "term-ending": {"term", "term_soon", "other_provider"},
        "follow-up-due": {"follow_up"},
    }
    worker, ministry = client_as("caseworker"), client_as("ministry")
    for slug, keys in expected.items():
        numbers = {made[key] for key in keys}
        own = numbers - {made["other_provider"]}
        assert _listed(worker, f"/cases/{slug}/list/") & mine == own, slug
        assert _listed(ministry, f"/cases/deidentified/{slug}/list/") & mine == numbers, slug
    # the lists keep their Ukrainian titles
    text = visible_text(worker.get("/cases/term-ending/list/").text)
    assert "Випадки, строк надання послуги яких спливає протягом 14 днів" in text
    text = visible_text(ministry.get("/cases/deidentified/follow-up-due/list/").text)
    assert "Повторний контакт після закриття (знеособлено)" in text
