"""Competitive selection as it is run (issue #22), on the web and through REST:

* a sole proprietor (ФОП) with an РНОКПП is registered; invalid codes of each
  kind (ЄДРПОУ, РНОКПП, IBAN) and a wrong identifier for the legal form refused;
* approval by the ministry's eligibility criteria, each assessed with evidence;
* a proposal comes from the provider's representative (ministry staff do not
  submit), for lots with a budget and a team of its own specialists;
* eligibility screening before scoring; a member with a declared conflict of
  interest cannot score that proposal; publishing is refused while a score of a
  non-conflicted member is missing; ranking per lot with the stated tie rule and
  the pass mark;
* an appeal upheld before the award changes the result; the award creates the
  service agreements; monthly acts are accepted by ministry staff;
* a suspended provider is refused everywhere (proposal, lot, award, act);
* the protocol is a DOCX document with every member's scores.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.centers.models import CentreStatus, ResilienceCentre
from app.cli import create_user
from app.demo import LVIV, oblast_id
from app.extensions import db
from app.geography.models import Hromada
from app.providers import services as provider_services
from app.providers.demo import demo_edrpou, demo_iban, demo_rnokpp
from app.providers.models import (
    EligibilityCriterion,
    LegalForm,
    Provider,
    ProviderKind,
    ProviderStatus,
    SoleProprietor,
    Specialist,
)
from app.security import roles
from app.security.models import PortalUser
from app.selection import services
from app.selection.models import (
    ActStatus,
    Appeal,
    AppealStatus,
    Application,
    CommissionMember,
    ConflictDeclaration,
    Criterion,
    Decision,
    Lot,
    LotKind,
    Programme,
    ProposalLot,
    RoundStatus,
    SelectionRound,
    ServiceAct,
    ServiceAgreement,
    TeamMember,
)

from .conftest import PASSWORD, jwt_headers, visible_text

R = RoundStatus
_n = iter(range(5000, 5900))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MINISTRY_REFUSAL = "працівники міністерства їх розглядають"
NOT_ACTIVE = "доки його не затверджено або не поновлено"


def user(username) -> PortalUser:
    return db.session.scalar(sa.select(PortalUser).where(PortalUser.username == username))


def make_provider(status=ProviderStatus.approved, rep=None) -> Provider:
    n = next(_n)
    p = Provider(
        name=f"Надавач відбору {n}",
        kind=ProviderKind.ngo,
        edrpou=demo_edrpou(n),
        legal_form=LegalForm.public_association,
        oblast_id=oblast_id(db.session, LVIV),
        status=status,
    )
    db.session.add(p)
    db.session.flush()
    db.session.add(Specialist(provider_id=p.id, full_name=f"Психологиня Команди {n}"))
    if rep:
        create_user(
            rep, PASSWORD, roles.PROVIDER_REP, first_name=rep.capitalize(), last_name="Представник"
        )
        user(rep).provider_id = p.id
    db.session.commit()
    return p


def make_round(status=R.accepting, pass_mark=None, reserve=1) -> SelectionRound:
    lviv = oblast_id(db.session, LVIV)
    rnd = SelectionRound(
        title=f"Відбір з лотами {next(_n)}",
        programme=Programme.centre,
        oblast_id=lviv,
        announced_on=dt.date(2026, 1, 1),
        deadline=dt.date(2026, 2, 1),
        status=status,
        winners_count=1,
        reserve_count=reserve,
        pass_mark=pass_mark,
        appeal_days=5,
    )
    db.session.add(rnd)
    db.session.flush()
    db.session.add(
        Criterion(round_id=rnd.id, name="Досвід", weight=Decimal(3), max_score=10, position=1)
    )
    db.session.add(
        Criterion(round_id=rnd.id, name="Кадри", weight=Decimal(1), max_score=10, position=2)
    )
    for member in ("ministry", "ministry2"):
        db.session.add(CommissionMember(round_id=rnd.id, user_id=user(member).id))
    hromadas = db.session.scalars(
        sa.select(Hromada).where(Hromada.oblast_id == lviv).order_by(Hromada.id).limit(2)
    ).all()
    host = make_provider()
    centre = ResilienceCentre(
        name=f"Запланований центр {next(_n)}",
        provider_id=host.id,
        oblast_id=lviv,
        hromada_id=hromadas[1].id,
        address="вул. Нова, 1",
        status=CentreStatus.planned,
    )
    db.session.add(centre)
    db.session.flush()
    db.session.add(
        Lot(
            round_id=rnd.id,
            number=1,
            kind=LotKind.hromada,
            hromada_id=hromadas[0].id,
            budget_limit=Decimal("1000000"),
        )
    )
    db.session.add(
        Lot(
            round_id=rnd.id,
            number=2,
            kind=LotKind.centre,
            centre_id=centre.id,
            budget_limit=Decimal("800000"),
        )
    )
    db.session.commit()
    return rnd


def lots(rnd) -> list[Lot]:
    return list(
        db.session.scalars(sa.select(Lot).where(Lot.round_id == rnd.id).order_by(Lot.number))
    )


def propose(rnd, provider, lot_budgets, submitted=dt.date(2026, 1, 10)) -> Application:
    a = Application(round_id=rnd.id, provider_id=provider.id, submitted_on=submitted)
    db.session.add(a)
    db.session.flush()
    for lot, budget in lot_budgets:
        db.session.add(ProposalLot(application_id=a.id, lot_id=lot.id, budget=Decimal(budget)))
    db.session.commit()
    return a


@pytest.fixture(scope="module", autouse=True)
def people(app):
    with app.app_context():
        create_user("ministry2", PASSWORD, roles.MINISTRY, first_name="Друга", last_name="Членкиня")


# --- the register: a sole proprietor, codes of each kind -------------------------------------
def _provider_form(**fields):
    with_oblast = {
        "name": "ФОП Петренко Ірина Олегівна",
        "kind": "other",
        "legal_form": "sole_proprietor",
    }
    with_oblast.update(fields)
    return with_oblast


def test_sole_proprietor_registered_and_invalid_codes_refused(app, client_as):
    with app.app_context():
        lviv = oblast_id(db.session, LVIV)
    web = client_as("lviv")
    rnokpp = demo_rnokpp(501)
    r = web.post(
        "/providerview/add",
        data=_provider_form(rnokpp=rnokpp, oblast=str(lviv), iban=demo_iban(501)),
    )
    assert r.status_code == 302, visible_text(r.text)[-600:]
    api = app.test_client()
    headers = jwt_headers(api, "lviv")
    second = demo_rnokpp(502)
    r = api.post(
        "/api/v1/provider/",
        headers=headers,
        json=_provider_form(name="ФОП Коваль Андрій", rnokpp=second, oblast=lviv),
    )
    assert r.status_code == 201, r.json
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Provider)
            .join(SoleProprietor)
            .where(SoleProprietor.rnokpp.in_((rnokpp, second)))
        ).all()
        assert {(p.legal_form, p.edrpou, p.code) for p in rows} == {
            (LegalForm.sole_proprietor, None, rnokpp),
            (LegalForm.sole_proprietor, None, second),
        }
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Provider))

    bad_rnokpp = rnokpp[:9] + str((int(rnokpp[9]) + 1) % 10)
    valid_edrpou = demo_edrpou(next(_n))
    bad_edrpou = valid_edrpou[:7] + str((int(valid_edrpou[7]) + 1) % 10)
    cases = [
        (_provider_form(rnokpp=bad_rnokpp), "Неправильний РНОКПП: контрольна цифра"),
        (_provider_form(rnokpp=rnokpp), "Надавача з таким РНОКПП уже зареєстровано"),
        (_provider_form(edrpou=valid_edrpou), "зазначте лише той код"),
        (
            _provider_form(legal_form="public_association", name="ГО «Без коду»"),
            "зазначте лише той код",
        ),
        (
            _provider_form(legal_form="public_association", edrpou=bad_edrpou),
            "Неправильний код ЄДРПОУ: контрольна цифра",
        ),
        (
            _provider_form(
                legal_form="public_association",
                edrpou=valid_edrpou,
                iban="UA213223130000026007233566002",
            ),
            "Зазначте правильний IBAN",
        ),
    ]
    for fields, message in cases:
        r = web.post("/providerview/add", data={**fields, "oblast": str(lviv)})
        assert r.status_code == 200 and message in visible_text(r.text), (fields, message)
        r = api.post("/api/v1/provider/", headers=headers, json={**fields, "oblast": lviv})
        assert r.status_code in (400, 422) and message in str(r.json["message"]), (fields, r.json)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Provider)) == count
    assert provider_services.iban_is_valid("UA213223130000026007233566001")
    assert not provider_services.iban_is_valid("UA21322313000002600723356600")


def test_approval_by_eligibility_criteria_with_evidence(app, client_as):
    api = app.test_client()
    ministry = jwt_headers(api, "ministry")
    for name in ("Запис у Реєстрі надавачів", "Фахівці з освітою за спеціальністю"):
        r = api.post(
            "/api/v1/provider-criterion/",
            headers=ministry,
            json={"name": name, "active": True, "position": 1},
        )
        assert r.status_code == 201, r.json
    assert (
        api.post(
            "/api/v1/provider-criterion/",
            headers=jwt_headers(api, "lviv"),
            json={"name": "Регіональний"},
        ).status_code
        == 403
    )
    with app.app_context():
        p = make_provider(status=ProviderStatus.submitted, rep="rep_approval")
        pk, version = p.id, p.version
        criteria = db.session.scalars(
            sa.select(EligibilityCriterion.id).where(EligibilityCriterion.active.is_(True))
        ).all()
    r = api.post(f"/api/v1/provider/{pk}/approve", headers=ministry, json={"version": version})
    assert r.status_code == 400 and "критерії не виконано або не оцінено" in r.json["message"]
    web = client_as("ministry")
    r = web.post(
        f"/providerview/check/{pk}",
        follow_redirects=True,
        data={"criterion_id": str(criteria[0]), "evidence": "Запису немає"},
    )
    assert "Оцінку критерію збережено" in visible_text(r.text)
    r = web.post(
        f"/providerview/action/approve/{pk}", follow_redirects=True, data={"version": str(version)}
    )
    assert "критерії не виконано або не оцінено" in visible_text(r.text)
    r = api.post(
        f"/api/v1/provider/{pk}/check",
        headers=ministry,
        json={"criterion_id": criteria[0], "met": True, "evidence": "  "},
    )
    assert r.status_code == 400 and "Опишіть підтвердження" in r.json["message"]
    r = api.post(
        f"/api/v1/provider/{pk}/check",
        headers=ministry,
        json={"criterion_id": criteria[0], "met": "так", "evidence": "Є"},
    )
    assert r.status_code == 422
    # The provider's own representative does not assess its criteria.
    rep = jwt_headers(api, "rep_approval")
    assert (
        api.post(
            f"/api/v1/provider/{pk}/check",
            headers=rep,
            json={"criterion_id": criteria[0], "met": True, "evidence": "Є"},
        ).status_code
        == 403
    )
    for cid in criteria:
        r = api.post(
            f"/api/v1/provider/{pk}/check",
            headers=ministry,
            json={"criterion_id": cid, "met": True, "evidence": "Запис РН-2025-77"},
        )
        assert r.status_code == 200 and r.json["met"] is True
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    r = api.post(f"/api/v1/provider/{pk}/approve", headers=ministry, json={"recheck_on": past})
    assert r.status_code == 400 and "має бути в майбутньому" in r.json["message"]
    recheck = (dt.date.today() + dt.timedelta(days=200)).isoformat()
    r = api.post(f"/api/v1/provider/{pk}/approve", headers=ministry, json={"recheck_on": recheck})
    assert r.status_code == 200 and r.json["status"] == "approved"
    page = visible_text(web.get(f"/providerview/show/{pk}").text)
    assert "Запис РН-2025-77" in page and "Наступна перевірка відповідності" in page
    with app.app_context():
        assert db.session.get(Provider, pk).recheck_on.isoformat() == recheck
        # The other tests of this module approve without a checklist.
        db.session.execute(sa.update(EligibilityCriterion).values(active=False))
        db.session.commit()


def test_provider_documents_with_validity(app, client_as):
    with app.app_context():
        p = make_provider(rep="rep_docs")
        other = make_provider()
        pk, other_pk = p.id, other.id
    rep = client_as("rep_docs")
    r = rep.post(
        f"/providerview/documents/{pk}",
        follow_redirects=True,
        data={
            "doc_type": "statute",
            "valid_from": "01.01.2026",
            "valid_until": "01.01.2025",
            "file": (io.BytesIO(PDF), "статут.pdf"),
        },
    )
    assert "Строк дії документа не може закінчитися раніше" in visible_text(r.text)
    r = rep.post(
        f"/providerview/documents/{pk}",
        follow_redirects=True,
        data={
            "doc_type": "statute",
            "valid_from": "01.01.2026",
            "file": (io.BytesIO(PDF), "статут.pdf"),
        },
    )
    assert "Документ завантажено" in visible_text(r.text) and "статут.pdf" in r.text
    assert (
        rep.post(
            f"/providerview/documents/{other_pk}",
            data={
                "doc_type": "statute",
                "valid_from": "01.01.2026",
                "file": (io.BytesIO(PDF), "чужий.pdf"),
            },
        ).status_code
        == 404
    )
    api = app.test_client()
    r = api.post(
        f"/api/v1/provider/{pk}/documents",
        headers=jwt_headers(api, "rep_docs"),
        data={
            "doc_type": "licence",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "file": (io.BytesIO(PDF), "ліцензія.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.json
    r = api.get(f"/api/v1/provider/{pk}/documents", headers=jwt_headers(api, "ministry"))
    assert [d["filename"] for d in r.json["result"]] == ["статут.pdf", "ліцензія.pdf"]
    # The representative keeps its own card; another provider's is out of reach.
    r = rep.get(f"/providerview/edit/{pk}")
    assert r.status_code == 200
    assert rep.get(f"/providerview/edit/{other_pk}").status_code == 404


# --- proposals from the provider's account --------------------------------------------------
def test_proposal_from_provider_account_with_lots_and_team(app, client_as):
    with app.app_context():
        rnd = make_round()
        lot1, lot2 = lots(rnd)
        p1 = make_provider(rep="rep_one")
        p2 = make_provider(rep="rep_two")
        other_round_lot = lots(make_round())[0]
        ids = dict(
            rnd=rnd.id,
            p1=p1.id,
            p2=p2.id,
            lot1=lot1.id,
            lot2=lot2.id,
            foreign_lot=other_round_lot.id,
            s1=db.session.scalar(sa.select(Specialist.id).where(Specialist.provider_id == p1.id)),
            s2=db.session.scalar(sa.select(Specialist.id).where(Specialist.provider_id == p2.id)),
        )
    rep_one = client_as("rep_one")
    assert rep_one.get("/applicationview/add").status_code == 200
    r = rep_one.post(
        "/applicationview/add",
        data={
            "round": str(ids["rnd"]),
            "provider": str(ids["p1"]),
            "submitted_on": "12.01.2026",
            "notes": "Пропозиція на два лоти",
        },
    )
    assert r.status_code == 302, visible_text(r.text)[-500:]
    api = app.test_client()
    rep_two = jwt_headers(api, "rep_two")
    r = api.post(
        "/api/v1/selection_application/",
        headers=rep_two,
        json={"round": ids["rnd"], "provider": ids["p2"], "submitted_on": "2026-01-13"},
    )
    assert r.status_code == 201, r.json
    a2 = r.json["id"]
    # Not for another provider; not by ministry staff.
    r = api.post(
        "/api/v1/selection_application/",
        headers=rep_two,
        json={"round": ids["rnd"], "provider": ids["p1"], "submitted_on": "2026-01-13"},
    )
    assert r.status_code in (400, 403, 404, 422)
    r = api.post(
        "/api/v1/selection_application/",
        headers=jwt_headers(api, "ministry"),
        json={"round": ids["rnd"], "provider": ids["p1"]},
    )
    assert r.status_code == 400 and MINISTRY_REFUSAL in r.json["message"]
    r = client_as("ministry").post(
        "/applicationview/add",
        data={"round": str(ids["rnd"]), "provider": str(ids["p1"]), "submitted_on": "12.01.2026"},
    )
    assert MINISTRY_REFUSAL in visible_text(r.text)
    with app.app_context():
        a1 = db.session.scalar(
            sa.select(Application.id).where(
                Application.round_id == ids["rnd"], Application.provider_id == ids["p1"]
            )
        )
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Application)
                .where(Application.round_id == ids["rnd"])
            )
            == 2
        )

    # Lots with a budget (web and REST); the lot's limit and round hold.
    r = rep_one.post(
        "/proposallotview/add",
        data={"application": str(a1), "lot": str(ids["lot1"]), "budget": "1500000"},
    )
    assert "не більшим за граничну суму лоту" in visible_text(r.text)
    r = rep_one.post(
        "/proposallotview/add",
        data={"application": str(a1), "lot": str(ids["lot1"]), "budget": "900000"},
    )
    assert r.status_code == 302
    r = api.post(
        "/api/v1/selection_proposal_lot/",
        headers=jwt_headers(api, "rep_one"),
        json={"application": a1, "lot": ids["lot2"], "budget": "750000.00"},
    )
    assert r.status_code == 201, r.json
    r = api.post(
        "/api/v1/selection_proposal_lot/",
        headers=rep_two,
        json={"application": a2, "lot": ids["foreign_lot"], "budget": "1000"},
    )
    assert r.status_code == 400 and "іншого конкурсного відбору" in r.json["message"]
    r = api.post(
        "/api/v1/selection_proposal_lot/",
        headers=rep_two,
        json={"application": a2, "lot": ids["lot1"], "budget": "0"},
    )
    assert r.status_code == 400 and "має бути додатним" in r.json["message"]
    # The team: the provider's own specialists only.
    r = api.post(
        "/api/v1/selection_team_member/",
        headers=rep_two,
        json={"application": a2, "specialist": ids["s1"], "role": "Психолог"},
    )
    assert r.status_code in (400, 403, 404), r.json
    r = api.post(
        "/api/v1/selection_team_member/",
        headers=rep_two,
        json={"application": a2, "specialist": ids["s2"], "role": "Психолог"},
    )
    assert r.status_code == 201, r.json
    r = rep_one.post(
        "/teammemberview/add",
        data={"application": str(a1), "specialist": str(ids["s2"]), "role": "Психолог"},
    )
    # Another provider's specialist is not even offered to the representative.
    assert r.status_code == 200 and "Оберіть значення зі списку" in visible_text(r.text)
    # Documents of its own proposal.
    r = rep_one.post(
        f"/applicationview/upload/{a1}",
        follow_redirects=True,
        data={"doc_type": "proposal", "file": (io.BytesIO(PDF), "пропозиція.pdf")},
    )
    assert "Документ завантажено" in visible_text(r.text)
    # The representative does not record results.
    r = api.put(f"/api/v1/selection_application/{a2}", headers=rep_two, json={"decision": "winner"})
    assert r.status_code == 400 and "записують працівники міністерства" in r.json["message"]
    page = visible_text(rep_one.get(f"/applicationview/show/{a1}").text)
    assert "№ 1" in page and "900000.00" in page and "пропозиція.pdf" in page
    assert rep_one.get(f"/applicationview/show/{a2}").status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(TeamMember)
                .where(TeamMember.application_id == a1)
            )
            == 0
        )


def test_suspended_provider_refused_everywhere(app, client_as):
    with app.app_context():
        rnd = make_round()
        lot1 = lots(rnd)[0]
        p = make_provider(rep="rep_suspended")
        a = propose(rnd, p, [(lot1, "500000")])
        provider_services.suspend(p, user("ministry"), reason="Порушення умов")
        db.session.commit()
        ids = dict(rnd=rnd.id, p=p.id, a=a.id, lot2=lots(rnd)[1].id)
    web = client_as("rep_suspended")
    api = app.test_client()
    headers = jwt_headers(api, "rep_suspended")
    with app.app_context():
        db.session.execute(sa.delete(Application).where(Application.id == ids["a"]))
        db.session.commit()
    r = web.post(
        "/applicationview/add",
        data={"round": str(ids["rnd"]), "provider": str(ids["p"]), "submitted_on": "12.01.2026"},
    )
    assert NOT_ACTIVE in visible_text(r.text) and "подавати конкурсні пропозиції" in visible_text(
        r.text
    )
    r = api.post(
        "/api/v1/selection_application/",
        headers=headers,
        json={"round": ids["rnd"], "provider": ids["p"]},
    )
    assert r.status_code in (400, 409) and NOT_ACTIVE in r.json["message"]
    with app.app_context():
        rnd = db.session.get(SelectionRound, ids["rnd"])
        a = Application(round_id=rnd.id, provider_id=ids["p"], submitted_on=dt.date(2026, 1, 5))
        db.session.add(a)
        db.session.commit()
        a_id = a.id
    r = api.post(
        "/api/v1/selection_proposal_lot/",
        headers=headers,
        json={"application": a_id, "lot": ids["lot2"], "budget": "1000"},
    )
    assert r.status_code in (400, 409) and NOT_ACTIVE in r.json["message"]
    r = web.post(
        "/proposallotview/add",
        data={"application": str(a_id), "lot": str(ids["lot2"]), "budget": "1000"},
    )
    assert NOT_ACTIVE in visible_text(r.text)
    # The public check other domains call (cases, centres) refuses the same way.
    with app.app_context():
        p = db.session.get(Provider, ids["p"])
        for action in provider_services.ACTIONS:
            with pytest.raises(provider_services.ProviderNotActive, match=NOT_ACTIVE):
                provider_services.ensure_active_provider(p, action)
        provider_services.reinstate(p, user("ministry"))
        provider_services.ensure_active_provider(p, "open_case")
        db.session.rollback()


# --- evaluation, appeal, award, acts ----------------------------------------------------------
def _scores(client, headers, a_id, heavy, light, crit):
    return client.post(
        f"/api/v1/selection_application/{a_id}/scores",
        headers=headers,
        json={"scores": {str(crit[0]): heavy, str(crit[1]): light}},
    )


def test_evaluation_appeal_award_and_acts(app, client_as):
    with app.app_context():
        rnd = make_round(pass_mark=Decimal("10"))
        lot1, lot2 = lots(rnd)
        p1, p2, p3 = (make_provider(rep="rep_a"), make_provider(rep="rep_b"), make_provider())
        a1 = propose(rnd, p1, [(lot1, "900000"), (lot2, "700000")], dt.date(2026, 1, 10))
        a2 = propose(rnd, p2, [(lot1, "850000")], dt.date(2026, 1, 9))
        a3 = propose(rnd, p3, [(lot2, "600000")], dt.date(2026, 1, 8))
        crit = [c.id for c in rnd.criteria]
        ids = dict(
            rnd=rnd.id,
            a1=a1.id,
            a2=a2.id,
            a3=a3.id,
            p1=p1.id,
            lot1=lot1.id,
            lot2=lot2.id,
            centre=lot2.centre_id,
        )
    api = app.test_client()
    ministry, ministry2 = jwt_headers(api, "ministry"), jwt_headers(api, "ministry2")
    rnd_url = f"/api/v1/selection_round/{ids['rnd']}"
    assert api.post(f"{rnd_url}/start_evaluation", headers=ministry, json={}).status_code == 200

    # Screening comes before scoring.
    r = _scores(api, ministry, ids["a1"], 5, 5, crit)
    assert r.status_code == 400 and "спершу перевірте її відповідність" in r.json["message"]
    r = api.post(
        f"/api/v1/selection_application/{ids['a3']}/screen",
        headers=ministry,
        json={"eligible": False},
    )
    assert r.status_code == 400 and "Зазначте, чому пропозиція не відповідає" in r.json["message"]
    web = client_as("ministry")
    r = web.post(
        f"/applicationview/screen/{ids['a3']}",
        follow_redirects=True,
        data={"eligible": "n", "reason": "Немає запису в Реєстрі надавачів"},
    )
    assert "Результат перевірки відповідності збережено" in visible_text(r.text)
    # The provider's representative does not screen.
    assert (
        api.post(
            f"/api/v1/selection_application/{ids['a1']}/screen",
            headers=jwt_headers(api, "rep_a"),
            json={"eligible": True},
        ).status_code
        == 403
    )
    r = api.post(
        f"{rnd_url}/complete",
        headers=ministry,
        json={"protocol_number": "1-к", "protocol_date": "2026-03-01"},
    )
    assert r.status_code == 400 and "ще не перевірено" in r.json["message"]
    for key in ("a1", "a2"):
        r = api.post(
            f"/api/v1/selection_application/{ids[key]}/screen",
            headers=ministry,
            json={"eligible": True},
        )
        assert r.status_code == 200 and r.json["eligible"] is True
    r = _scores(api, ministry, ids["a3"], 9, 9, crit)
    assert r.status_code == 400 and "спершу перевірте її відповідність" in r.json["message"]

    # A conflict of interest: the member cannot score that proposal (web and REST).
    r = api.post(
        f"/api/v1/selection_application/{ids['a2']}/conflict",
        headers=ministry2,
        json={"note": "Родич керівника надавача"},
    )
    assert r.status_code == 200
    r = _scores(api, ministry2, ids["a2"], 5, 5, crit)
    assert r.status_code == 400 and "конфлікт інтересів" in r.json["message"]
    r = client_as("ministry2").post(
        f"/applicationview/scores/{ids['a2']}",
        follow_redirects=True,
        data={f"score_{crit[0]}": "5", f"score_{crit[1]}": "5"},
    )
    assert "конфлікт інтересів" in visible_text(r.text)

    # Publishing is refused while a non-conflicted member's score is missing.
    assert _scores(api, ministry, ids["a1"], 5, 5, crit).status_code == 200
    assert _scores(api, ministry, ids["a2"], 6, 2, crit).status_code == 200
    r = api.post(
        f"{rnd_url}/complete",
        headers=ministry,
        json={"protocol_number": "1-к", "protocol_date": "2026-03-01"},
    )
    assert r.status_code == 400 and "бракує оцінок" in r.json["message"]
    assert _scores(api, ministry2, ids["a1"], 5, 5, crit).status_code == 200
    r = api.post(
        f"{rnd_url}/complete",
        headers=ministry,
        json={"protocol_number": "1-к", "protocol_date": "2026-03-01"},
    )
    assert r.status_code == 200 and r.json["status"] == "appeals"

    # Ranking per lot. a1 = 3 x 5 + 5 = 20 = a2 = 3 x 6 + 2: the tie is broken by the
    # heavier criterion (a2: 18 > 15), so a2 wins lot 1 and a1 is in reserve; a1 is the
    # only eligible proposal for lot 2 (a3 was screened out) and wins it.
    with app.app_context():

        def result(a_id, lot_id):
            p = db.session.scalar(
                sa.select(ProposalLot).where(
                    ProposalLot.application_id == a_id, ProposalLot.lot_id == lot_id
                )
            )
            return p.rank, p.decision

        assert result(ids["a2"], ids["lot1"]) == (1, Decision.winner)
        assert result(ids["a1"], ids["lot1"]) == (2, Decision.reserve)
        assert result(ids["a1"], ids["lot2"]) == (1, Decision.winner)
        assert result(ids["a3"], ids["lot2"]) == (None, Decision.refused)
        a1 = db.session.get(Application, ids["a1"])
        assert a1.total_score == Decimal("20.000") and a1.decision == Decision.winner

    # An appeal within the window; the award waits for its decision.
    rep_a = client_as("rep_a")
    r = rep_a.post(
        f"/applicationview/appeal/{ids['a1']}",
        follow_redirects=True,
        data={"grounds": "Член комісії не врахував досвід роботи з ветеранами"},
    )
    assert "Скаргу подано" in visible_text(r.text)
    r = api.post(
        f"/api/v1/selection_application/{ids['a1']}/appeal",
        headers=jwt_headers(api, "rep_a"),
        json={"grounds": "Ще раз"},
    )
    assert r.status_code == 400 and "чекає рішення" in r.json["message"]
    r = api.post(f"{rnd_url}/award", headers=ministry, json={})
    assert r.status_code == 400 and "скарг(и) чекають рішення" in r.json["message"]
    with app.app_context():
        appeal_id = db.session.scalar(
            sa.select(Appeal.id).where(Appeal.application_id == ids["a1"])
        )
    r = api.post(
        f"/api/v1/selection_application/{ids['a1']}/appeal/{appeal_id}",
        headers=jwt_headers(api, "rep_a"),
        json={"upheld": True, "reason": "Так"},
    )
    assert r.status_code == 403
    r = api.post(
        f"/api/v1/selection_application/{ids['a1']}/appeal/{appeal_id}",
        headers=ministry,
        json={"upheld": True, "reason": "Оцінку переглянуто"},
    )
    assert r.status_code == 200 and r.json["round_status"] == "evaluating"
    # The commission corrects the score; the results are published again and change.
    assert _scores(api, ministry, ids["a1"], 7, 5, crit).status_code == 200
    r = api.post(
        f"{rnd_url}/complete",
        headers=ministry,
        json={"protocol_number": "1-к/2", "protocol_date": "2026-03-09"},
    )
    assert r.status_code == 200
    with app.app_context():
        assert result(ids["a1"], ids["lot1"]) == (1, Decision.winner)
        assert result(ids["a2"], ids["lot1"]) == (2, Decision.reserve)
        assert db.session.get(Appeal, appeal_id).status == AppealStatus.upheld

    # The award waits for the appeal window; then creates one agreement per won lot.
    r = api.post(f"{rnd_url}/award", headers=ministry, json={})
    assert r.status_code == 400 and "після закінчення строку оскарження" in r.json["message"]
    with app.app_context():
        db.session.execute(
            sa.update(SelectionRound)
            .where(SelectionRound.id == ids["rnd"])
            .values(appeal_until=dt.date.today() - dt.timedelta(days=1))
        )
        db.session.commit()
    r = web.post(f"/selectionroundview/action/award/{ids['rnd']}", follow_redirects=True)
    assert "Статус конкурсного відбору змінено" in visible_text(r.text)
    with app.app_context():
        agreements = db.session.scalars(
            sa.select(ServiceAgreement)
            .join(Lot)
            .where(Lot.round_id == ids["rnd"])
            .order_by(Lot.number)
        ).all()
        assert [(a.provider_id, a.amount, a.centre_id) for a in agreements] == [
            (ids["p1"], Decimal("900000.00"), None),
            (ids["p1"], Decimal("700000.00"), ids["centre"]),
        ]
        assert agreements[0].number.startswith("ДП-") and agreements[0].starts_on == dt.date.today()
        agreement_id, number = agreements[1].id, agreements[1].number
        assert db.session.get(SelectionRound, ids["rnd"]).status == R.completed
    page = visible_text(rep_a.get(f"/providerview/show/{ids['p1']}").text)
    assert number in page and "Чинний" in page

    # Monthly acts: the representative submits, ministry staff accept.
    month = dt.date.today().replace(day=1).isoformat()
    rep_api = jwt_headers(api, "rep_a")
    r = api.post(
        "/api/v1/selection_act/",
        headers=rep_api,
        json={
            "agreement": agreement_id,
            "month": month,
            "amount": "800000",
            "services_summary": "Консультації та групи підтримки",
        },
    )
    assert r.status_code == 400 and "перевищила б суму договору" in r.json["message"]
    future = (dt.date.today().replace(day=28) + dt.timedelta(days=10)).isoformat()
    r = api.post(
        "/api/v1/selection_act/",
        headers=rep_api,
        json={
            "agreement": agreement_id,
            "month": future,
            "amount": "1000",
            "services_summary": "Наперед",
        },
    )
    assert r.status_code == 400
    r = api.post(
        "/api/v1/selection_act/",
        headers=ministry,
        json={
            "agreement": agreement_id,
            "month": month,
            "amount": "58000",
            "services_summary": "За міністерство",
        },
    )
    assert r.status_code == 403  # ministry staff accept acts, they do not submit them
    r = api.post(
        "/api/v1/selection_act/",
        headers=rep_api,
        json={
            "agreement": agreement_id,
            "month": month,
            "amount": "58000",
            "services_summary": "Консультації: 120; групи підтримки: 14",
        },
    )
    assert r.status_code == 201, r.json
    act_id = r.json["id"]
    r = client_as("rep_a").post(
        "/serviceactview/add",
        data={
            "agreement": str(agreement_id),
            "month": dt.date.today().strftime("01.%m.%Y"),
            "amount": "1000",
            "services_summary": "Повтор",
        },
    )
    assert "уже є акт за цей місяць" in visible_text(r.text)
    assert (
        api.post(f"/api/v1/selection_act/{act_id}/accept", headers=rep_api, json={}).status_code
        == 403
    )
    r = web.post(f"/serviceactview/action/accept/{act_id}", follow_redirects=True)
    assert "Рішення щодо акта ухвалено" in visible_text(r.text)
    r = api.put(f"/api/v1/selection_act/{act_id}", headers=rep_api, json={"amount": "1"})
    assert r.status_code == 400 and "Прийнятий акт змінювати не можна" in r.json["message"]
    with app.app_context():
        assert db.session.get(ServiceAct, act_id).status == ActStatus.accepted
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConflictDeclaration)) >= 1

    # The protocol: a DOCX with every member's scores, the conflict and the appeal.
    from docx import Document

    r = web.get(f"/selectionroundview/protocol/{ids['rnd']}")
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(r.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Протокол конкурсної комісії" in text and "1-к/2" in text
    assert "Немає запису в Реєстрі надавачів" in text and "Оцінку переглянуто" in text
    assert "конфлікт інтересів" in cells and "7" in cells and "Друга Членкиня" in cells
    r = api.get(f"{rnd_url}/protocol", headers=jwt_headers(api, "auditor"))
    assert r.status_code == 200 and r.data[:2] == b"PK"


def test_award_refused_when_the_winner_is_suspended(app):
    with app.app_context():
        rnd = make_round(status=R.evaluating, reserve=0)
        lot1 = lots(rnd)[0]
        p = make_provider()
        a = propose(rnd, p, [(lot1, "100000")])
        a.eligible = True
        ministry, ministry2 = user("ministry"), user("ministry2")
        crit = {c.id: 5 for c in rnd.criteria}
        services.record_scores(a, ministry, crit)
        services.record_scores(a, ministry2, crit)
        services.transition_round(
            "complete", rnd, ministry, protocol_number="9", protocol_date=dt.date(2026, 3, 1)
        )
        rnd.appeal_until = dt.date.today() - dt.timedelta(days=1)
        provider_services.suspend(p, ministry, reason="Перевірка")
        with pytest.raises(provider_services.ProviderNotActive, match=NOT_ACTIVE):
            services.transition_round("award", rnd, ministry)
        db.session.rollback()


def test_lot_rules(app, client_as):
    with app.app_context():
        rnd = make_round(status=R.announced)
        servicemen = make_round(status=R.announced)
        servicemen.programme = Programme.servicemen
        db.session.commit()
        ids = dict(rnd=rnd.id, servicemen=servicemen.id)
    api = app.test_client()
    ministry = jwt_headers(api, "ministry")
    r = api.post(
        "/api/v1/selection_lot/",
        headers=ministry,
        json={"round": ids["rnd"], "number": 5, "kind": "military_unit", "unit_name": "А1234"},
    )
    assert r.status_code == 400 and "супроводу військовослужбовців" in r.json["message"]
    r = api.post(
        "/api/v1/selection_lot/",
        headers=ministry,
        json={
            "round": ids["servicemen"],
            "number": 5,
            "kind": "military_unit",
            "unit_name": "Військова частина А1234",
        },
    )
    assert r.status_code == 201, r.json
    r = client_as("ministry").post(
        "/lotview/add", data={"round": str(ids["rnd"]), "number": "6", "kind": "hromada"}
    )
    assert "в області відбору" in visible_text(r.text)
    assert (
        api.post(
            "/api/v1/selection_lot/",
            headers=jwt_headers(api, "lviv"),
            json={"round": ids["rnd"], "number": 7, "kind": "hromada"},
        ).status_code
        == 403
    )
