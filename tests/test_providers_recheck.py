"""Key data changed after approval goes back to the ministry (PRV-13, PRV-14), and
a sole proprietor's РНОКПП in the REST reads only for those allowed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.cli import create_user
from app.demo import LVIV, oblast_id
from app.errors import NotPermitted, TransitionNotAllowed
from app.extensions import db
from app.providers import services
from app.providers.demo import demo_edrpou, demo_iban, demo_rnokpp
from app.providers.models import (
    LegalForm,
    Provider,
    ProviderKind,
    ProviderStatus,
    ProviderStatusChange,
)
from app.security import roles
from app.security.models import PortalUser

from .conftest import PASSWORD, jwt_headers, visible_text
from .test_rule_parity import form_values

S = ProviderStatus
PENDING_UK = "міністерства мають спершу перевірити зміни"
_n = iter(range(6100, 6900))


def user(username) -> PortalUser:
    return db.session.scalar(sa.select(PortalUser).where(PortalUser.username == username))


def make_provider(status=S.approved, sole=False, rep=None) -> int:
    n = next(_n)
    p = Provider(
        name=f"Надавач перевірки змін {n}",
        kind=ProviderKind.other if sole else ProviderKind.ngo,
        oblast_id=oblast_id(db.session, LVIV),
        status=status,
        iban=demo_iban(n),
        head_name="Олена Керівниця",
        legal_form=LegalForm.sole_proprietor if sole else LegalForm.public_association,
    )
    if sole:
        p.rnokpp = demo_rnokpp(n)
    else:
        p.edrpou = demo_edrpou(n)
    db.session.add(p)
    db.session.flush()
    if rep:
        create_user(rep, PASSWORD, roles.PROVIDER_REP, first_name="Марта", last_name="Представниця")
        user(rep).provider_id = p.id
    db.session.commit()
    return p.id


@pytest.fixture(scope="module", autouse=True)
def second_officer(app):
    with app.app_context():
        if user("ministry2") is None:
            create_user(
                "ministry2", PASSWORD, roles.MINISTRY, first_name="Друга", last_name="Посадовиця"
            )


def get(pk) -> Provider:
    db.session.expire_all()
    return db.session.get(Provider, pk)


def test_web_edit_of_the_iban_flags_the_change_and_keeps_the_provider_working(app, client_as):
    with app.app_context():
        pk = make_provider(rep="rep_recheck_web")
    client = client_as("rep_recheck_web")
    form = form_values(client.get(f"/providerview/edit/{pk}").get_data(as_text=True))
    new_iban = demo_iban(9001)
    form["iban"] = new_iban
    r = client.post(f"/providerview/edit/{pk}", data=form)
    assert r.status_code == 302, visible_text(r.get_data(as_text=True))[:400]
    with app.app_context():
        p = get(pk)
        assert p.iban == new_iban and p.status == S.approved
        assert p.changes_pending and p.changes_fields == "iban"
        # It keeps working: cases, transfers, proposals, centres, acts submitted ...
        for action in ("open_case", "receive_transfer", "apply", "run_centre", "submit_act"):
            services.ensure_active_provider(p, action)
        # ... but no new agreement and no payment until the ministry has checked.
        for action in ("sign_agreement", "accept_act"):
            with pytest.raises(services.ProviderNotActive, match=PENDING_UK):
                services.ensure_active_provider(p, action)
    page = visible_text(
        client_as("ministry").get(f"/providerview/show/{pk}").get_data(as_text=True)
    )
    assert "Зміни ключових даних чекають на перевірку міністерства" in page and "IBAN" in page
    assert "Підтвердити перевірені зміни" in page
    # The representative sees the notice, not the button.
    rep_page = visible_text(client.get(f"/providerview/show/{pk}").get_data(as_text=True))
    assert "чекають на перевірку" in rep_page and "Підтвердити перевірені зміни" not in rep_page


def test_web_change_of_a_contact_or_of_a_draft_is_not_flagged(app, client_as):
    with app.app_context():
        approved, draft = make_provider(), make_provider(status=S.draft)
    client = client_as("ministry")
    form = form_values(client.get(f"/providerview/edit/{approved}").get_data(as_text=True))
    form["phone"] = "+380671234567"
    assert client.post(f"/providerview/edit/{approved}", data=form).status_code == 302
    form = form_values(client.get(f"/providerview/edit/{draft}").get_data(as_text=True))
    form["iban"] = demo_iban(9002)
    assert client.post(f"/providerview/edit/{draft}", data=form).status_code == 302
    with app.app_context():
        assert get(approved).phone == "+380671234567" and not get(approved).changes_pending
        assert get(draft).iban == demo_iban(9002) and not get(draft).changes_pending


def test_rest_change_of_codes_and_head_flagged_and_confirmed_by_ministry(app):
    with app.app_context():
        pk = make_provider()
    client = app.test_client()
    ministry = jwt_headers(client, "ministry")
    r = client.put(
        f"/api/v1/provider/{pk}",
        headers=ministry,
        json={"edrpou": demo_edrpou(9003), "head_name": "Інша Керівниця"},
    )
    assert r.status_code == 200, r.json
    shown = client.get(f"/api/v1/provider/{pk}", headers=ministry).json["result"]
    assert shown["changes_pending"] is True
    assert shown["changes_fields"] == "edrpou,head_name"
    # Only ministry staff confirm; a regional administrator is refused, nothing changes.
    lviv = jwt_headers(client, "lviv")
    assert (
        client.post(f"/api/v1/provider/{pk}/confirm_changes", headers=lviv, json={}).status_code
        == 403
    )
    with app.app_context():
        assert get(pk).changes_pending
    r = client.post(
        f"/api/v1/provider/{pk}/confirm_changes",
        headers=ministry,
        json={"note": "Витяг з ЄДР перевірено"},
    )
    assert r.status_code == 200 and r.json["changes_pending"] is False, r.json
    with app.app_context():
        p = get(pk)
        assert not p.changes_pending and p.changes_fields is None and p.status == S.approved
        last = db.session.scalars(
            sa.select(ProviderStatusChange)
            .where(ProviderStatusChange.provider_id == pk)
            .order_by(ProviderStatusChange.id.desc())
        ).first()
        assert "Зміни ключових даних перевірено й підтверджено" in last.reason
        assert "ЄДРПОУ" in last.reason and "Витяг з ЄДР перевірено" in last.reason
        services.ensure_active_provider(p, "sign_agreement")
    # Nothing left to confirm: refused with the rule's message.
    r = client.post(f"/api/v1/provider/{pk}/confirm_changes", headers=ministry, json={})
    assert r.status_code == 409 and "немає змін ключових даних" in r.json["message"]


def test_rest_change_of_a_sole_proprietors_rnokpp_is_flagged(app):
    with app.app_context():
        pk = make_provider(sole=True)
    client = app.test_client()
    ministry = jwt_headers(client, "ministry")
    r = client.put(f"/api/v1/provider/{pk}", headers=ministry, json={"rnokpp": demo_rnokpp(9004)})
    assert r.status_code == 200, r.json
    with app.app_context():
        p = get(pk)
        assert p.rnokpp == demo_rnokpp(9004)
        assert p.changes_pending and p.changes_fields == "rnokpp"


def test_confirmation_needs_every_criterion_met_and_the_ministry(app):
    from app.providers.models import EligibilityCriterion, ProviderCheck

    with app.app_context():
        pk = make_provider()
        p = get(pk)
        p.iban = demo_iban(9005)
        p.changes_pending, p.changes_fields = True, "iban"
        criterion = EligibilityCriterion(name="Перевірка змін: критерій", active=True)
        db.session.add(criterion)
        db.session.flush()
        db.session.add(
            ProviderCheck(
                provider_id=pk,
                criterion_id=criterion.id,
                met=False,
                evidence="IBAN не відповідає довідці банку",
            )
        )
        db.session.commit()
        with pytest.raises(NotPermitted):
            services.confirm_changes(get(pk), user("lviv"))
        with pytest.raises(Exception, match="Перевірка змін: критерій"):
            services.confirm_changes(get(pk), user("ministry"))
        db.session.rollback()
        assert get(pk).changes_pending
        criterion = db.session.get(EligibilityCriterion, criterion.id)
        criterion.active = False
        db.session.commit()
        services.confirm_changes(get(pk), user("ministry"))
        db.session.commit()
        assert not get(pk).changes_pending
        with pytest.raises(TransitionNotAllowed):
            services.confirm_changes(get(pk), user("ministry"))


def test_pending_changes_stop_the_award_and_the_acceptance_of_acts(app):
    """Through the selection services: the agreement and the payment wait."""
    from app.selection import services as sel
    from app.selection.models import ActStatus, AgreementStatus, ServiceAct, ServiceAgreement

    from .test_selection_as_run import lots, make_round, propose

    with app.app_context():
        pk = make_provider()
        rnd = make_round()
        application = propose(rnd, get(pk), [(lots(rnd)[0], "1000")])
        today = dt.date.today()
        agreement = ServiceAgreement(
            number=f"ДП-ЗМІНИ-{pk}",
            lot_id=lots(rnd)[0].id,
            application_id=application.id,
            provider_id=pk,
            signed_on=today,
            starts_on=today.replace(day=1),
            ends_on=today + dt.timedelta(days=300),
            amount=Decimal("5000"),
            status=AgreementStatus.active,
        )
        db.session.add(agreement)
        db.session.flush()
        act = ServiceAct(
            agreement_id=agreement.id,
            month=today.replace(day=1),
            amount=Decimal("100"),
            services_summary="Консультації",
            status=ActStatus.submitted,
        )
        db.session.add(act)
        p = get(pk)
        p.changes_pending, p.changes_fields = True, "iban"
        db.session.commit()
        with pytest.raises(services.ProviderNotActive, match=PENDING_UK):
            sel.decide_act(db.session.get(ServiceAct, act.id), user("ministry"), accept=True)
        db.session.rollback()
        # Returning the act with a comment stays possible.
        sel.decide_act(
            db.session.get(ServiceAct, act.id),
            user("ministry"),
            accept=False,
            comment="Зачекайте перевірки IBAN",
        )
        db.session.commit()
        assert db.session.get(ServiceAct, act.id).status == ActStatus.returned


# --- the РНОКПП in the REST reads -------------------------------------------------
def test_rnokpp_in_rest_reads_only_for_ministry_and_the_own_representative(app):
    with app.app_context():
        pk = make_provider(sole=True, rep="rep_rnokpp")
        other = make_provider(sole=True)
        code = get(pk).rnokpp
    client = app.test_client()
    for username in ("ministry", "admin", "rep_rnokpp"):
        headers = jwt_headers(client, username)
        shown = client.get(f"/api/v1/provider/{pk}", headers=headers).json["result"]
        assert shown["rnokpp"] == code, username
        listed = client.get(
            "/api/v1/provider/?q=(page_size:100,filters:!((col:name,opr:ct,"
            f"value:'{get_name(app, pk)}')))",
            headers=headers,
        ).json
        assert listed["result"] and listed["result"][0]["rnokpp"] == code, username
    # A representative reads only its own provider (the scope) ...
    rep = jwt_headers(client, "rep_rnokpp")
    assert client.get(f"/api/v1/provider/{other}", headers=rep).status_code == 404
    # ... and a regional administrator or an auditor never gets the key.
    for username in ("lviv", "auditor"):
        headers = jwt_headers(client, username)
        reply = client.get(f"/api/v1/provider/{pk}", headers=headers)
        assert reply.status_code == 200, username
        assert "rnokpp" not in reply.json["result"] and code not in reply.get_data(as_text=True)
        listed = client.get("/api/v1/provider/?q=(page_size:100)", headers=headers)
        assert code not in listed.get_data(as_text=True), username


def test_rnokpp_masked_on_the_page_for_other_roles(app, client_as):
    with app.app_context():
        pk = make_provider(sole=True)
        code = get(pk).rnokpp
    assert code in client_as("ministry").get(f"/providerview/show/{pk}").get_data(as_text=True)
    page = client_as("auditor").get(f"/providerview/show/{pk}")
    assert page.status_code == 200
    assert code not in page.get_data(as_text=True) and "***" in page.get_data(as_text=True)


def get_name(app, pk) -> str:
    with app.app_context():
        return get(pk).name


def test_regional_administrator_edits_a_sole_proprietor_without_seeing_the_rnokpp(app, client_as):
    with app.app_context():
        pk = make_provider(sole=True)
        code = get(pk).rnokpp
    client = client_as("lviv")
    page = client.get(f"/providerview/edit/{pk}").get_data(as_text=True)
    assert page and code not in page
    form = form_values(page)
    assert form.get("rnokpp") in (None, "", [""])
    form["phone"] = "+380671112233"
    r = client.post(f"/providerview/edit/{pk}", data=form)
    assert r.status_code == 302, visible_text(r.get_data(as_text=True))[:400]
    with app.app_context():
        p = get(pk)
        assert p.rnokpp == code and p.phone == "+380671112233" and not p.changes_pending
