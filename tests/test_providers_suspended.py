"""A suspended provider is refused everywhere, on the web and through REST
(issue #22, «Must show»): it opens no case, receives no transferred case, runs
no centre, submits no proposal and no act; reinstated, it opens cases again.

Cases and centres are other domains: this only exercises their paths."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.cases.models import Case, CaseStatus
from app.centers.models import CentreStatus, ResilienceCentre
from app.demo import LVIV, oblast_id
from app.extensions import db
from app.geography.models import Hromada
from app.providers import services
from app.providers.models import ProviderStatus
from app.security.models import PortalUser
from app.selection.models import Application, RoundStatus

from .conftest import jwt_headers, visible_text
from .test_rule_parity import snapshot
from .test_selection_as_run import make_provider, make_round

NOT_ACTIVE = "доки його не затверджено або не поновлено"
IDS: dict = {}
TODAY = dt.date.today()


@pytest.fixture(scope="module", autouse=True)
def world(app):
    from app.cli import create_user
    from app.security import roles

    from .conftest import PASSWORD

    with app.app_context():
        if (
            db.session.scalar(sa.select(PortalUser.id).where(PortalUser.username == "ministry2"))
            is None
        ):
            create_user(
                "ministry2", PASSWORD, roles.MINISTRY, first_name="Друга", last_name="Членкиня"
            )
        suspended = make_provider(rep="rep_suspended")
        other = make_provider()
        IDS["suspended"], IDS["other"] = suspended.id, other.id
        lviv = oblast_id(db.session, LVIV)
        hromada = db.session.scalar(
            sa.select(Hromada.id).where(Hromada.oblast_id == lviv).order_by(Hromada.id)
        )
        IDS["hromada"] = hromada
        case = Case(
            number="ТЕСТ-ПРИЗУП-1",
            programme="family",
            provider_id=other.id,
            opened_on=TODAY - dt.timedelta(days=30),
            status=CaseStatus.active,
        )
        db.session.add(case)
        centre = ResilienceCentre(
            name="Центр перевірки призупинення",
            provider_id=other.id,
            oblast_id=lviv,
            hromada_id=hromada,
            address="вул. Тиха, 3",
            status=CentreStatus.planned,
        )
        db.session.add(centre)
        db.session.flush()
        IDS["case"], IDS["centre"] = case.id, centre.id
        rnd = make_round(status=RoundStatus.accepting)
        IDS["round"] = rnd.id
        db.session.commit()
        services.suspend(
            db.session.get(type(suspended), suspended.id),
            db.session.scalar(sa.select(PortalUser).where(PortalUser.username == "ministry")),
            reason="Перевірка скарги",
        )
        db.session.commit()


def _unchanged(app, before):
    with app.app_context():
        assert snapshot() == before


def _before(app):
    with app.app_context():
        return snapshot()


def test_opening_a_case_refused_on_the_web_and_through_rest(app, client_as):
    before = _before(app)
    page = client_as("admin").post(
        "/caseview/add",
        data={
            "provider": str(IDS["suspended"]),
            "programme": "family",
            "opened_on": TODAY.strftime("%d.%m.%Y"),
            "b_full_name": "Олена Тестова",
            "b_category": "difficult_family",
            "b_hromada": str(IDS["hromada"]),
        },
        follow_redirects=True,
    )
    assert NOT_ACTIVE in visible_text(page.get_data(as_text=True))
    _unchanged(app, before)
    api = app.test_client()
    r = api.post(
        "/api/v1/case/open",
        headers=jwt_headers(api, "admin"),
        json={
            "provider_id": IDS["suspended"],
            "programme": "family",
            "opened_on": TODAY.isoformat(),
            "full_name": "Олена Тестова",
            "category": "difficult_family",
        },
    )
    assert r.status_code in (400, 409, 422) and NOT_ACTIVE in str(r.json.get("message")), r.json
    _unchanged(app, before)


def test_receiving_a_transferred_case_refused_on_the_web_and_through_rest(app, client_as):
    before = _before(app)
    page = client_as("admin").post(
        f"/caseview/transfer/{IDS['case']}",
        data={"to_provider": str(IDS["suspended"]), "reason": "Переїзд"},
        follow_redirects=True,
    )
    assert NOT_ACTIVE in visible_text(page.get_data(as_text=True))
    _unchanged(app, before)
    api = app.test_client()
    r = api.post(
        f"/api/v1/case/{IDS['case']}/transfer",
        headers=jwt_headers(api, "admin"),
        json={"to_provider_id": IDS["suspended"], "reason": "Переїзд"},
    )
    assert r.status_code in (400, 409, 422) and NOT_ACTIVE in str(r.json.get("message")), r.json
    _unchanged(app, before)


def test_running_a_centre_refused_on_the_web_and_through_rest(app, client_as):
    before = _before(app)
    refusal = "лише на базі затвердженого надавача"
    client = client_as("admin")
    from .test_rule_parity import form_values

    form = form_values(client.get(f"/centreview/edit/{IDS['centre']}").get_data(as_text=True))
    form["provider"] = str(IDS["suspended"])
    page = client.post(f"/centreview/edit/{IDS['centre']}", data=form, follow_redirects=True)
    assert refusal in visible_text(page.get_data(as_text=True))
    _unchanged(app, before)
    api = app.test_client()
    r = api.put(
        f"/api/v1/centre/{IDS['centre']}",
        headers=jwt_headers(api, "admin"),
        json={"provider": IDS["suspended"]},
    )
    assert r.status_code in (400, 409, 422) and refusal in str(r.json.get("message")), r.json
    _unchanged(app, before)


def test_its_representative_submits_no_proposal_and_no_act(app, client_as):
    before = _before(app)
    page = client_as("rep_suspended").post(
        "/applicationview/add",
        data={
            "round": str(IDS["round"]),
            "provider": str(IDS["suspended"]),
            "submitted_on": TODAY.strftime("%d.%m.%Y"),
        },
        follow_redirects=True,
    )
    assert NOT_ACTIVE in visible_text(page.get_data(as_text=True))
    api = app.test_client()
    rep = jwt_headers(api, "rep_suspended")
    r = api.post(
        "/api/v1/selection_application/",
        headers=rep,
        json={
            "round": IDS["round"],
            "provider": IDS["suspended"],
            "submitted_on": TODAY.isoformat(),
        },
    )
    assert r.status_code in (400, 409, 422) and NOT_ACTIVE in str(r.json.get("message")), r.json
    _unchanged(app, before)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(Application.id).where(Application.provider_id == IDS["suspended"])
            )
            is None
        )


def test_reinstated_it_opens_cases_again(app):
    with app.app_context():
        provider = db.session.get(services.Provider, IDS["suspended"])
        with pytest.raises(services.ProviderNotActive):
            services.ensure_active_provider(provider, "open_case")
        services.reinstate(
            provider,
            db.session.scalar(sa.select(PortalUser).where(PortalUser.username == "ministry")),
        )
        db.session.commit()
    api = app.test_client()
    r = api.post(
        "/api/v1/case/open",
        headers=jwt_headers(api, "admin"),
        json={
            "provider_id": IDS["suspended"],
            "programme": "family",
            "opened_on": TODAY.isoformat(),
            "full_name": "Олена Поновлена",
            "category": "difficult_family",
        },
    )
    assert r.status_code == 201, r.json
    with app.app_context():
        assert db.session.get(services.Provider, IDS["suspended"]).status == ProviderStatus.approved
