"""Service directory (issue #25): who keeps which entries (web and REST),
referrals pick only services valid for the beneficiary, stale entries are
flagged, the public search, the gaps and the referral figures."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.cases import services as case_services
from app.cases.models import (
    Beneficiary,
    BeneficiaryCategory,
    Case,
    CaseStatus,
    Programme,
    Referral,
    ReferralOutcome,
)
from app.demo import IVANO_FRANKIVSK, LVIV, oblast_id
from app.directory.models import (
    DirectoryEntry,
    EntryLevel,
    ProviderType,
    RecipientCategory,
    ServiceKind,
)
from app.directory.services import seed_classifiers, stale_clause, valid_for_case_clause
from app.extensions import db
from app.geography.models import Hromada
from app.providers.demo import demo_edrpou
from app.providers.models import Provider, ProviderKind, ProviderStatus
from app.security import roles
from app.security.models import PortalUser

from .conftest import PASSWORD, jwt_headers, visible_text

DROHOBYCH = "UA46020030000019252"
YAVORIV = "UA46140110000063568"
IDS: dict = {}
BENEFICIARY = "Коваленко Марія Петрівна"


def _hromada(code):
    return db.session.scalar(sa.select(Hromada.id).where(Hromada.code == code))


def _entry(
    title,
    level=EntryLevel.hromada,
    hromada=None,
    oblast=None,
    recipients=("veterans",),
    verified_days_ago=5,
    active=True,
    kind="psychological",
):
    kinds = {k.code: k for k in db.session.scalars(sa.select(ServiceKind))}
    cats = {c.code: c for c in db.session.scalars(sa.select(RecipientCategory))}
    hromada_id = _hromada(hromada) if hromada else None
    if hromada_id is not None:
        oblast = db.session.scalar(sa.select(Hromada.oblast_id).where(Hromada.id == hromada_id))
    item = DirectoryEntry(
        title=title,
        kind=kinds[kind],
        level=level,
        hromada_id=hromada_id,
        oblast_id=oblast,
        provider_type=ProviderType.cnap,
        provider_name=f"Надавач: {title}",
        in_person=True,
        address="вул. Тестова, 1",
        phone="+380671112233",
        how_to_apply=f"Як: {title}",
        verified_on=dt.date.today() - dt.timedelta(days=verified_days_ago),
        active=active,
        recipients=[cats[c] for c in recipients],
    )
    db.session.add(item)
    db.session.flush()
    return item.id


@pytest.fixture(scope="module", autouse=True)
def data(app):
    from app.cli import create_user

    with app.app_context():
        seed_classifiers(db.session)
        lviv = oblast_id(db.session, LVIV)
        frank = oblast_id(db.session, IVANO_FRANKIVSK)
        for username, code in (("drohobych", DROHOBYCH), ("yavoriv", YAVORIV)):
            user = create_user(username, PASSWORD, roles.HROMADA_EDITOR)
            user.hromada_id = _hromada(code)
        db.session.commit()
        IDS.update(
            own=_entry("Психолог Дрогобич", hromada=DROHOBYCH),
            other=_entry("Психолог Яворів", hromada=YAVORIV),
            oblast=_entry(
                "Реабілітація Львівщина",
                level=EntryLevel.oblast,
                oblast=lviv,
                kind="rehabilitation",
            ),
            frank=_entry("Франківська послуга", level=EntryLevel.oblast, oblast=frank),
            national=_entry(
                "Національна гаряча лінія",
                level=EntryLevel.national,
                recipients=("veterans", "families_veterans"),
            ),
            idp_only=_entry(
                "Житло для ВПО Дрогобич", hromada=DROHOBYCH, recipients=("idp",), kind="housing"
            ),
            withdrawn=_entry("Закрита послуга Дрогобич", hromada=DROHOBYCH, active=False),
            stale=_entry(
                "Стара послуга Дрогобич", hromada=DROHOBYCH, verified_days_ago=200, kind="legal_aid"
            ),
            families=_entry(
                "Родинам ветеранів Дрогобич",
                hromada=DROHOBYCH,
                recipients=("families_veterans",),
                kind="social_protection",
            ),
        )
        # A provider working in Drohobych; the case worker works for it.
        provider = Provider(
            name="Надавач Дрогобича",
            kind=ProviderKind.ngo,
            edrpou=demo_edrpou(2500),
            oblast_id=lviv,
            hromada_id=_hromada(DROHOBYCH),
            status=ProviderStatus.approved,
        )
        db.session.add(provider)
        db.session.flush()
        worker = db.session.scalar(sa.select(PortalUser).where(PortalUser.username == "caseworker"))
        worker.provider_id = provider.id
        case = Case(programme=Programme.servicemen, opened_on=dt.date.today())
        case_services.open_case(
            db.session,
            case,
            Beneficiary(full_name=BENEFICIARY, category=BeneficiaryCategory.veteran),
            worker,
        )
        db.session.flush()
        case.status = CaseStatus.active
        IDS["case"] = case.id
        IDS["provider"] = provider.id
        db.session.commit()


def _title(entry_id):
    with db.session.no_autoflush:
        return db.session.get(DirectoryEntry, entry_id).title


def _row(app, entry_id):
    with app.app_context():
        row = db.session.execute(
            sa.select(DirectoryEntry.__table__).where(DirectoryEntry.id == entry_id)
        ).one()
        db.session.remove()
        return tuple(row)


# --------------------------------------------------------------------------- who keeps what
def test_hromada_editor_lists_only_own_community_web_and_rest(app, client_as):
    with app.app_context():
        own, other = _title(IDS["own"]), _title(IDS["other"])
    page = visible_text(client_as("drohobych").get("/directory/entries/list/").text)
    assert own in page and other not in page
    assert _title_in_api(app, "drohobych", own) and not _title_in_api(app, "drohobych", other)
    page = visible_text(client_as("yavoriv").get("/directory/entries/list/").text)
    assert other in page and own not in page


def _title_in_api(app, username, title) -> bool:
    client = app.test_client()
    reply = client.get(
        "/api/v1/directory_entry/?q=(page_size:100)", headers=jwt_headers(client, username)
    )
    assert reply.status_code == 200, reply.text
    return title in {row["title"] for row in reply.json["result"]}


def test_hromada_editor_cannot_touch_another_communitys_entry_on_the_web(app, client_as):
    client = client_as("drohobych")
    before = _row(app, IDS["other"])
    pk = IDS["other"]
    assert client.get(f"/directory/entries/show/{pk}").status_code == 404
    assert client.get(f"/directory/entries/edit/{pk}").status_code == 404
    response = client.post(f"/directory/entries/edit/{pk}", data={"title": "Захоплено"})
    assert response.status_code == 404
    response = client.post(f"/directory/entries/delete/{pk}")
    assert response.status_code in (302, 404)
    response = client.post(
        "/directory/entries/action_post", data={"action": "verify", "rowid": [str(pk)]}
    )
    assert response.status_code == 404
    assert _row(app, IDS["other"]) == before


def test_hromada_editor_cannot_touch_another_communitys_entry_over_rest(app):
    client = app.test_client()
    headers = jwt_headers(client, "drohobych")
    before = _row(app, IDS["other"])
    pk = IDS["other"]
    assert client.get(f"/api/v1/directory_entry/{pk}", headers=headers).status_code == 404
    assert (
        client.put(
            f"/api/v1/directory_entry/{pk}", json={"title": "Захоплено"}, headers=headers
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/directory_entry/{pk}", headers=headers).status_code == 404
    assert _row(app, IDS["other"]) == before


def test_hromada_editor_cannot_move_an_entry_out_or_add_one_elsewhere(app, client_as):
    with app.app_context():
        yavoriv = _hromada(YAVORIV)
        kind = db.session.scalar(sa.select(ServiceKind.id).limit(1))
        cat = db.session.scalar(sa.select(RecipientCategory.id).limit(1))
    before = _row(app, IDS["own"])
    client = app.test_client()
    headers = jwt_headers(client, "drohobych")
    reply = client.put(
        f"/api/v1/directory_entry/{IDS['own']}", json={"hromada": yavoriv}, headers=headers
    )
    assert reply.status_code == 403, reply.text
    body = {
        "title": "Нова послуга",
        "kind": kind,
        "recipients": [cat],
        "provider_type": "cnap",
        "provider_name": "ЦНАП",
        "phone": "+380671234567",
    }
    for place in ({"level": "hromada", "hromada": yavoriv}, {"level": "national"}):
        reply = client.post("/api/v1/directory_entry/", json={**body, **place}, headers=headers)
        assert reply.status_code == 403, (place, reply.text)
    # the web form's community picker does not accept another community
    web = client_as("drohobych")
    page = web.get(f"/directory/entries/edit/{IDS['own']}")
    from .test_rule_parity import form_values

    values = form_values(page.text)
    values["hromada"] = [str(yavoriv)]
    response = web.post(f"/directory/entries/edit/{IDS['own']}", data=values)
    assert "Оберіть значення зі списку" in visible_text(response.text)
    assert _row(app, IDS["own"]) == before
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(DirectoryEntry)
                .where(DirectoryEntry.title == "Нова послуга")
            )
            == 0
        )


def test_hromada_editor_adds_to_own_community_without_choosing_it(app):
    with app.app_context():
        kind = db.session.scalar(sa.select(ServiceKind.id).limit(1))
        cat = db.session.scalar(sa.select(RecipientCategory.id).limit(1))
        drohobych = _hromada(DROHOBYCH)
    client = app.test_client()
    reply = client.post(
        "/api/v1/directory_entry/",
        json={
            "title": "Своя нова послуга",
            "kind": kind,
            "recipients": [cat],
            "level": "hromada",
            "provider_type": "hromada_department",
            "provider_name": "Відділ",
            "phone": "+380671234567",
        },
        headers=jwt_headers(client, "drohobych"),
    )
    assert reply.status_code == 201, reply.text
    with app.app_context():
        item = db.session.get(DirectoryEntry, reply.json["id"])
        assert (item.level, item.hromada_id) == (EntryLevel.hromada, drohobych)
        assert item.verified_on == dt.date.today()
        assert item.verified_by.username == "drohobych"


def test_regional_administrator_keeps_own_oblast_not_national_or_another(app, client_as):
    client = app.test_client()
    headers = jwt_headers(client, "lviv")
    ids = {
        row["id"]
        for row in client.get("/api/v1/directory_entry/?q=(page_size:100)", headers=headers).json[
            "result"
        ]
    }
    assert {IDS["own"], IDS["other"], IDS["oblast"]} <= ids
    assert not ids & {IDS["national"], IDS["frank"]}
    assert (
        client.put(
            f"/api/v1/directory_entry/{IDS['oblast']}", json={"hours": "Пн-Пт"}, headers=headers
        ).status_code
        == 200
    )
    assert (
        client.put(
            f"/api/v1/directory_entry/{IDS['national']}", json={"hours": "Пн-Пт"}, headers=headers
        ).status_code
        == 404
    )


# --------------------------------------------------------------------------- referrals
def test_referral_offers_only_services_valid_for_the_beneficiary(app):
    with app.app_context():
        case = db.session.get(Case, IDS["case"])
        valid = set(
            db.session.scalars(sa.select(DirectoryEntry.id).where(valid_for_case_clause(case)))
        )
    assert {IDS["own"], IDS["oblast"], IDS["national"], IDS["stale"]} <= valid
    assert not valid & {
        IDS["other"],
        IDS["frank"],
        IDS["idp_only"],
        IDS["withdrawn"],
        IDS["families"],
    }


def test_referral_picker_asks_for_the_case(app, client_as):
    client = client_as("caseworker")
    page = client.get(f"/referralview/add?_flt_0_case={IDS['case']}")
    assert f"/lookup/directory_entry?case={IDS['case']}" in page.text
    found = client.get(f"/lookup/directory_entry?case={IDS['case']}").json["results"]
    ids = {row["id"] for row in found}
    assert IDS["own"] in ids and IDS["other"] not in ids and IDS["idp_only"] not in ids


def _add_referral(client, entry_id, **extra):
    today = dt.date.today().strftime("%d.%m.%Y")
    data = {
        "case": str(IDS["case"]),
        "entry": str(entry_id),
        "service": "other",
        "referred_on": today,
        "status": "sent",
        **extra,
    }
    return client.post("/referralview/add", data=data, follow_redirects=True)


def _referrals(app):
    with app.app_context():
        rows = db.session.execute(
            sa.select(Referral.entry_id, Referral.outcome, Referral.organisation).where(
                Referral.case_id == IDS["case"]
            )
        ).all()
        db.session.remove()
        return rows


def test_referral_refuses_a_service_of_another_community_or_category(app, client_as):
    client = client_as("caseworker")
    for key, message in (
        ("other", "Цю послугу не надають у громаді отримувача"),
        ("frank", "Цю послугу не надають у громаді отримувача"),
        ("idp_only", "Ця послуга не призначена для категорії отримувача"),
        ("withdrawn", "Цю послугу вилучено з довідника"),
    ):
        response = _add_referral(client, IDS[key])
        assert message in visible_text(response.text), key
    assert _referrals(app) == []


def test_referral_to_a_valid_service_records_its_outcome(app, client_as):
    client = client_as("caseworker")
    response = _add_referral(client, IDS["own"])
    assert response.status_code == 200
    rows = _referrals(app)
    assert len(rows) == 1 and rows[0].entry_id == IDS["own"]
    assert rows[0].organisation == "Надавач: Психолог Дрогобич"  # taken from the entry
    with app.app_context():
        ref_id = db.session.scalar(sa.select(Referral.id).where(Referral.case_id == IDS["case"]))
    # the case page's referrals tab shows it, still without an outcome
    page = visible_text(client.get(f"/caseview/show/{IDS['case']}").text)
    assert "Психолог Дрогобич" in page
    from .test_rule_parity import form_values

    edit = client.get(f"/referralview/edit/{ref_id}")
    values = form_values(edit.text)
    values.update(outcome=["refused"], outcome_on=[dt.date.today().strftime("%d.%m.%Y")])
    client.post(f"/referralview/edit/{ref_id}", data=values, follow_redirects=True)
    assert _referrals(app)[0].outcome == ReferralOutcome.refused
    # the ministry's figures: counts per oblast and kind, no person
    ministry = client_as("ministry")
    figures = visible_text(ministry.get("/directory/report/referrals/").text)
    assert "Львівська" in figures and "Психологічна підтримка" in figures
    assert BENEFICIARY not in figures
    with app.app_context():
        from app.directory.services import referral_stats

        rows = [r for r in referral_stats(db.session) if r["kind"] == "Психологічна підтримка"]
        assert rows and rows[0]["refused"] >= 1 and rows[0]["failed_share"] == 100


def test_the_case_worker_cannot_write_the_directory(app, client_as):
    client = client_as("caseworker")
    assert client.get(f"/directory/entries/edit/{IDS['own']}").status_code in (302, 403)
    api = app.test_client()
    reply = api.put(
        f"/api/v1/directory_entry/{IDS['own']}",
        json={"hours": "x"},
        headers=jwt_headers(api, "caseworker"),
    )
    assert reply.status_code in (401, 403)


# --------------------------------------------------------------------------- stale entries
def test_entries_not_verified_for_six_months_are_flagged(app, client_as):
    with app.app_context():
        stale = set(db.session.scalars(sa.select(DirectoryEntry.id).where(stale_clause())))
        title = _title(IDS["stale"])
    assert IDS["stale"] in stale and IDS["own"] not in stale
    client = client_as("drohobych")
    listing = client.get("/directory/stale/list/").text
    assert title in listing and "Психолог Дрогобич" not in listing
    assert "portal-stale" in client.get("/directory/entries/list/").text
    assert "Послуги, не перевірені понад 6 місяців" in visible_text(client.get("/").text)
    # verifying clears the flag and records who did it
    client.post(
        "/directory/entries/action_post", data={"action": "verify", "rowid": [str(IDS["stale"])]}
    )
    with app.app_context():
        item = db.session.get(DirectoryEntry, IDS["stale"])
        assert item.verified_on == dt.date.today() and item.verified_by.username == "drohobych"
    assert title not in client.get("/directory/stale/list/").text


# --------------------------------------------------------------------------- public search
def test_public_search_by_community_and_category(app):
    with app.app_context():
        drohobych = _hromada(DROHOBYCH)
        veterans = db.session.scalar(
            sa.select(RecipientCategory.id).where(RecipientCategory.code == "veterans")
        )
    client = app.test_client()
    response = client.get(f"/public/services/?hromada={drohobych}&category={veterans}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    text = visible_text(response.text)
    for title in (
        "Психолог Дрогобич",
        "Реабілітація Львівщина",
        "Національна гаряча лінія",
        "Як: Психолог Дрогобич",
    ):
        assert title in text, title
    for title in (
        "Психолог Яворів",
        "Франківська послуга",
        "Житло для ВПО Дрогобич",
        "Закрита послуга Дрогобич",
        "Родинам ветеранів Дрогобич",
    ):
        assert title not in text, title
    assert 'name="viewport"' in response.text and "@media print" in response.text


def test_public_search_answers_every_step_without_login(app):
    client = app.test_client()
    assert "Оберіть область" in client.get("/public/services/").text
    with app.app_context():
        lviv = oblast_id(db.session, LVIV)
    page = client.get(f"/public/services/?oblast={lviv}").text
    assert "Дрогобицька" in page
    assert client.get("/public/services/?hromada=99999999").status_code == 200
    assert client.get("/public/services/?hromada=99999999999").status_code == 404


# --------------------------------------------------------------------------- gaps
def test_gaps_show_communities_without_a_kind(app, client_as):
    with app.app_context():
        lviv = oblast_id(db.session, LVIV)
    page = client_as("ministry").get(f"/directory/report/gaps/?oblast={lviv}").text
    assert "Дрогобицька" in page and "Яворівська" in page and "Жовківська" in page
    assert "danger" in page
    from app.directory import services

    with app.app_context():
        kinds, rows, wide = services.gaps(db.session, lviv)
        counts = {title.split()[0]: c for _id, title, c in rows}
        psych = next(k.id for k in kinds if k.code == "psychological")
        rehab = next(k.id for k in kinds if k.code == "rehabilitation")
    assert counts["Дрогобицька"].get(psych) == 1 and not counts["Жовківська"].get(psych)
    assert wide.get(rehab) == 1
    # a regional administrator sees their own oblast only, whatever they ask for
    frank = client_as("frankivsk").get(f"/directory/report/gaps/?oblast={lviv}").text
    assert "Дрогобицька" not in frank
    assert client_as("drohobych").get("/directory/report/gaps/").status_code in (302, 403)
