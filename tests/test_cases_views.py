"""Case register over HTTP: pages, forms, scope on every path, de-identification,
transfers, access log, statement counts."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.audit.models import AuditAction, AuditLog
from app.cases import services
from app.cases.models import (
    Beneficiary,
    BeneficiaryCategory,
    Case,
    CaseStatus,
    CaseTransfer,
    Contact,
    HouseholdMember,
    PlanItem,
    Referral,
    ReferralService,
    Review,
    ReviewDecision,
    ReviewProgress,
    TransferStatus,
)
from app.extensions import db

from .conftest import count_queries, jwt_headers, visible_text
from .test_cases_world import ADDRESS, NAME, PHONE, RNOKPP, make_world, new_case

NAME_B = "Сидоренко Оксана Петрівна"
NOTE = "Конфіденційна нотатка"
PERSONAL = (NAME, RNOKPP, PHONE, ADDRESS, NOTE, "Петренко")
VALID_RNOKPP = RNOKPP


@pytest.fixture(scope="module")
def world(app):
    ids = make_world(app)
    today = services.kyiv_today()
    ids["case_a"] = new_case(
        app, status=CaseStatus.active, today=today, contacts=[today - dt.timedelta(days=2)]
    )
    ids["case_b"] = new_case(
        app, username="cw_b", status=CaseStatus.active, name=NAME_B, today=today
    )
    with app.app_context():
        case_id = ids["case_a"]
        rows = [
            HouseholdMember(
                case_id=case_id,
                full_name="Петренко Іван Іванович",
                category=BeneficiaryCategory.serviceman,
                relation="чоловік",
            ),
            Referral(
                case_id=case_id, service=ReferralService.legal_aid, referred_on=today, note=NOTE
            ),
            Review(
                case_id=case_id,
                reviewed_on=today,
                progress=ReviewProgress.some,
                decision=ReviewDecision.continue_plan,
                summary=NOTE,
            ),
        ]
        db.session.add_all(rows)
        db.session.commit()
        ids["member_a"], ids["referral_a"], ids["review_a"] = (r.id for r in rows)
        ids["contact_a"] = db.session.scalar(select(Contact.id).where(Contact.case_id == case_id))
        ids["beneficiary_a"] = db.session.scalar(
            select(Beneficiary.id).where(Beneficiary.case_id == case_id)
        )
        ids["number_a"] = db.session.get(Case, case_id).number
        ids["number_b"] = db.session.get(Case, ids["case_b"]).number
    return ids


def _status(app, case_id):
    with app.app_context():
        case = db.session.get(Case, case_id)
        return (case.status, case.provider_id, case.version) if case else None


def _view_events(app, case_id, username):
    with app.app_context():
        return db.session.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.action == AuditAction.view,
                AuditLog.entity == "Case",
                AuditLog.entity_id == str(case_id),
                AuditLog.username == username,
            )
        )


# --------------------------------------------------------------------------- pages
def test_list_and_add_pages_are_ukrainian_and_scoped(app, world, client_as):
    client = client_as("caseworker")
    text = visible_text(client.get("/caseview/list/").text)
    for label in (
        "Реєстр випадків",
        "Номер випадку",
        "Отримувач послуг",
        "Програма",
        "Фахівець із супроводу",
        "Наступний контакт до",
        "Активний супровід",
        "Асистент родини",
        "Мої прострочені контакти",
    ):
        assert label in text, label
    assert world["number_a"] in text and NAME in text
    assert world["number_b"] not in text and NAME_B not in text
    text = visible_text(client.get("/caseview/add").text)
    for label in (
        "Відкрити випадок",
        "Отримувач: прізвище, ім'я, по батькові",
        "РНОКПП (ідентифікаційний номер)",
        "Військова частина",
        "Дата відкриття",
    ):
        assert label in text, label


def test_case_page_shows_records_and_workflow(app, world, client_as):
    response = client_as("caseworker").get(f"/caseview/show/{world['case_a']}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = visible_text(response.text)
    for label in (
        "Контакти та зустрічі",
        "Індивідуальний план",
        "Члени домогосподарства",
        "Направлення",
        "Етапи роботи",
        "Розпочати перегляд",
        "Закрити випадок",
        "Передати іншому надавачеві",
        NAME,
    ):
        assert label in text, label
    assert "Розпочати оцінювання потреб" not in text  # not allowed from "active"


def test_open_case_through_the_form(app, world, client_as):
    client = client_as("caseworker")
    data = {
        "programme": "servicemen",
        "opened_on": "01.06.2025",
        "b_full_name": "Коваль Андрій Петрович",
        "b_category": "serviceman",
    }
    # another provider is not offered to a case worker, and a forged id is refused
    response = client.post("/caseview/add", data={**data, "provider": str(world["B"])})
    assert "Оберіть значення зі списку." in visible_text(response.text)
    response = client.post(
        "/caseview/add",
        data={
            "programme": "servicemen",
            "opened_on": "01.06.2025",
            "b_full_name": "Коваль Андрій Петрович",
            "b_rnokpp": VALID_RNOKPP,
            "b_phone": "067 765 43 21",
            "b_category": "serviceman",
            "b_military_unit": "А1234",
        },
    )
    assert response.status_code == 302, visible_text(response.text)[-800:]
    with app.app_context():
        case = db.session.scalars(
            select(Case).join(Beneficiary).where(Beneficiary.full_name == "Коваль Андрій Петрович")
        ).one()
        assert re.fullmatch(r"СВ-2025-\d{6}", case.number)
        assert case.provider_id == world["A"] and case.status == CaseStatus.intake
        assert case.assigned_worker_id == world["caseworker"]
        assert case.beneficiary.phone == "+380677654321"
        assert case.beneficiary.military_unit == "А1234"
        # the audit log keeps the fact of the change, never the personal values
        # (entity_id of "create" rows is not filled by the audit layer yet: reported)
        row = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.entity == "Beneficiary", AuditLog.action == AuditAction.create)
            .order_by(AuditLog.id.desc())
        ).first()
        assert row.changes["full_name"] == [None, "***"]
        assert row.changes["rnokpp"] == [None, "***"]


@pytest.mark.parametrize(
    "value,message",
    [
        ("1234567890", "Неправильний РНОКПП: контрольна цифра не збігається."),
        ("12345", "РНОКПП має складатися з 10 цифр."),
    ],
)
def test_bad_rnokpp_is_refused_in_forms(app, world, client_as, value, message):
    client = client_as("caseworker")
    with app.app_context():
        before = db.session.scalar(select(func.count(Case.id)))
    response = client.post(
        "/caseview/add",
        data={
            "programme": "family",
            "opened_on": "01.06.2025",
            "b_full_name": "Тест Тестович",
            "b_rnokpp": value,
            "b_category": "other",
        },
    )
    assert response.status_code == 200
    text = visible_text(response.text)
    assert message in text and "Тест Тестович" in response.text  # form kept
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == before
    # the beneficiary's own edit form and the household form refuse it too
    response = client.post(
        f"/beneficiaryview/edit/{world['beneficiary_a']}",
        data={"full_name": NAME, "rnokpp": value, "category": "family_member", "version": "1"},
    )
    assert message in visible_text(response.text)
    response = client.post(
        "/householdmemberview/add",
        data={
            "case": str(world["case_a"]),
            "full_name": "Петренко Ольга",
            "rnokpp": value,
            "category": "family_member",
        },
    )
    assert message in visible_text(response.text)
    with app.app_context():
        assert db.session.get(Beneficiary, world["beneficiary_a"]).rnokpp == RNOKPP


def test_workflow_over_http(app, world, client_as):
    case_id = new_case(app)
    client = client_as("caseworker")
    response = client.post(f"/caseview/action/start_assessment/{case_id}")
    assert response.status_code == 302
    assert _status(app, case_id)[0] == CaseStatus.assessment
    # a transition not allowed from this state: Ukrainian message, nothing changes
    response = client.post(f"/caseview/action/activate/{case_id}", follow_redirects=True)
    assert "Така зміна статусу неможлива в поточному стані." in visible_text(response.text)
    response = client.post(f"/caseview/action/approve_plan/{case_id}", follow_redirects=True)
    assert "зафіксуйте принаймні одну оцінену потребу" in visible_text(response.text)
    assert _status(app, case_id)[0] == CaseStatus.assessment
    # closing asks for a reason
    assert "Причина закриття" in visible_text(client.get(f"/caseview/close/{case_id}").text)
    response = client.post(f"/caseview/close/{case_id}", data={"reason": "goals_achieved"})
    assert "лише після перегляду" in visible_text(response.text)
    response = client.post(f"/caseview/close/{case_id}", data={"reason": "refused"})
    assert response.status_code == 302
    assert _status(app, case_id)[0] == CaseStatus.closed
    # a closed case refuses new records
    response = client.post(
        "/contactview/add", data={"case": str(case_id), "contact_on": "01.01.2025", "form": "phone"}
    )
    assert "Випадок закрито" in visible_text(response.text)
    # bulk reopen
    client.post("/caseview/action_post", data={"action": "reopen", "rowid": [str(case_id)]})
    assert _status(app, case_id)[0] == CaseStatus.assessment


def test_contact_form_updates_the_deadline(app, world, client_as):
    today = services.kyiv_today()
    case_id = new_case(app, status=CaseStatus.active, today=today - dt.timedelta(days=40))
    client = client_as("caseworker")
    add_page = client.get(f"/contactview/add?_flt_0_case={case_id}")
    assert "Додати контакт" in visible_text(add_page.text)
    day = today - dt.timedelta(days=1)
    response = client.post(
        "/contactview/add",
        data={
            "case": str(case_id),
            "contact_on": day.strftime("%d.%m.%Y"),
            "form": "visit",
            "summary": "Зустріч удома",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.last_contact_on == day and case.contact_count == 1
        assert case.next_contact_due == day + dt.timedelta(days=14)
    response = client.post(
        "/contactview/add",
        data={
            "case": str(case_id),
            "contact_on": (today + dt.timedelta(days=3)).strftime("%d.%m.%Y"),
            "form": "visit",
        },
    )
    assert "Дата контакту не може бути в майбутньому." in visible_text(response.text)


def test_only_intake_cases_can_be_deleted(app, world, client_as):
    client = client_as("caseworker")
    intake = new_case(app)
    response = client.post(f"/caseview/delete/{intake}", follow_redirects=True)
    assert response.status_code == 200
    assert _status(app, intake) is None
    response = client.post(f"/caseview/delete/{world['case_a']}", follow_redirects=True)
    assert "Видалити можна лише випадок на етапі первинного звернення" in visible_text(
        response.text
    )
    assert _status(app, world["case_a"]) is not None


# --------------------------------------------------------------------------- access log
def test_every_view_of_personal_data_is_logged(app, world, client_as):
    client = client_as("caseworker")
    case_id = world["case_a"]
    before = _view_events(app, case_id, "caseworker")
    client.get(f"/caseview/show/{case_id}")
    client.get(f"/caseview/edit/{case_id}")
    client.get(f"/beneficiaryview/show/{world['beneficiary_a']}")
    client.get(f"/beneficiaryview/edit/{world['beneficiary_a']}")
    client.get(f"/contactview/show/{world['contact_a']}")
    headers = jwt_headers(client, "caseworker")
    assert client.get(f"/api/v1/case/{case_id}", headers=headers).status_code == 200
    assert _view_events(app, case_id, "caseworker") == before + 6
    with app.app_context():
        exports = db.session.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.action == AuditAction.export, AuditLog.entity == "Case"
            )
        )
    export = client.get("/caseview/export/csv")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    assert NAME in export.get_data(as_text=True)
    client.get("/caseview/list/")
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditLog.id)).where(
                    AuditLog.action == AuditAction.export, AuditLog.entity == "Case"
                )
            )
            == exports + 1
        )
        own = set(db.session.scalars(select(Case.id).where(Case.provider_id == world["A"])))
        export = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.action == AuditAction.export, AuditLog.entity == "Case")
            .order_by(AuditLog.id.desc())
        ).first()
        assert export.username == "caseworker" and set(export.details["case_ids"]) == own
        listing = db.session.scalars(
            select(AuditLog)
            .where(
                AuditLog.action == AuditAction.view,
                AuditLog.entity == "Case",
                AuditLog.entity_id.is_(None),
            )
            .order_by(AuditLog.id.desc())
        ).first()
        assert case_id in listing.details["case_ids"]
        assert set(listing.details["case_ids"]) <= own
        # and the auditor can read these rows (non-personal: who, when, which case)
        row = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.action == AuditAction.view, AuditLog.entity_id == str(case_id))
            .order_by(AuditLog.id.desc())
        ).first()
        assert row.username == "caseworker" and row.ts is not None


def test_out_of_scope_views_are_not_logged_as_views(app, world, client_as):
    before = _view_events(app, world["case_a"], "cw_b")
    assert client_as("cw_b").get(f"/caseview/show/{world['case_a']}").status_code == 404
    assert _view_events(app, world["case_a"], "cw_b") == before


# --------------------------------------------------------------------------- scope
def _case_paths(world, case_id):
    """(method, url, data) of every path to one case and its records."""
    return [
        ("get", f"/caseview/show/{case_id}", None),
        ("get", f"/caseview/edit/{case_id}", None),
        ("post", f"/caseview/edit/{case_id}", {"version": "1"}),
        ("post", f"/caseview/delete/{case_id}", None),
        ("post", f"/caseview/action/start_review/{case_id}", None),
        ("post", "/caseview/action_post", {"action": "start_review", "rowid": [str(case_id)]}),
        ("get", f"/caseview/close/{case_id}", None),
        ("post", f"/caseview/close/{case_id}", {"reason": "moved"}),
        ("get", f"/caseview/transfer/{case_id}", None),
        ("get", f"/cases/overdue/show/{case_id}", None),
        ("get", f"/cases/due-soon/show/{case_id}", None),
        ("get", f"/casedeidentifiedview/show/{case_id}", None),
    ]


def _child_paths(world):
    paths = []
    for view, key in (
        ("beneficiaryview", "beneficiary_a"),
        ("householdmemberview", "member_a"),
        ("contactview", "contact_a"),
        ("referralview", "referral_a"),
        ("reviewview", "review_a"),
    ):
        paths += [
            ("get", f"/{view}/show/{world[key]}", None),
            ("get", f"/{view}/edit/{world[key]}", None),
            ("post", f"/{view}/edit/{world[key]}", {"full_name": "X", "version": "1"}),
        ]
        if view != "beneficiaryview":
            paths.append(("post", f"/{view}/delete/{world[key]}", None))
    return paths


def _assert_refused(client, paths, allowed=(403, 404)):
    for method, url, data in paths:
        response = getattr(client, method)(url, data=data)
        assert response.status_code in allowed, (url, response.status_code)
        for value in PERSONAL:
            assert value not in response.text, (url, value)


def _assert_case_unchanged(app, world):
    with app.app_context():
        case = db.session.get(Case, world["case_a"])
        assert case.status == CaseStatus.active and case.provider_id == world["A"]
        assert db.session.get(HouseholdMember, world["member_a"]) is not None
        assert db.session.get(Contact, world["contact_a"]) is not None
        assert db.session.get(Beneficiary, world["beneficiary_a"]).full_name == NAME


def test_other_providers_case_worker_is_refused_on_every_path(app, world, client_as):
    client = client_as("cw_b")
    _assert_refused(client, _case_paths(world, world["case_a"]) + _child_paths(world))
    # lists, exports and lookups do not leak the case
    for url in (
        "/caseview/list/",
        "/cases/overdue/list/",
        "/cases/due-soon/list/",
        "/caseview/export/csv",
        "/contactview/list/",
        "/beneficiaryview/list/",
        "/householdmemberview/list/",
        "/referralview/list/",
        "/reviewview/list/",
        "/lookup/case?q=",
        "/casetransferview/list/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert world["number_a"] not in response.text and NAME not in response.text, url
    xlsx = client.get("/caseview/export/xlsx")
    cells = [
        str(c.value) for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows() for c in row
    ]
    assert world["number_a"] not in cells and world["number_b"] in cells
    # a forged case id in a child form is refused, nothing is saved
    response = client.post(
        "/contactview/add",
        data={"case": str(world["case_a"]), "contact_on": "01.06.2025", "form": "phone"},
    )
    assert "Оберіть значення зі списку." in visible_text(response.text)
    # API
    headers = jwt_headers(client, "cw_b")
    case_id = world["case_a"]
    assert client.get(f"/api/v1/case/{case_id}", headers=headers).status_code == 404
    listing = client.get("/api/v1/case/?q=(page_size:100)", headers=headers)
    assert listing.status_code == 200 and NAME not in listing.text
    assert world["number_a"] not in listing.text
    assert (
        client.put(
            f"/api/v1/case/{case_id}", json={"assigned_worker_id": world["cw_b"]}, headers=headers
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/case/{case_id}", headers=headers).status_code == 404
    assert (
        client.post(f"/api/v1/case/{case_id}/transition/start_review", headers=headers).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/case/{case_id}/transfer", json={"to_provider_id": world["B"]}, headers=headers
        ).status_code
        == 404
    )
    _assert_case_unchanged(app, world)
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(Contact.id)).where(Contact.case_id == case_id)) == 1
        )


@pytest.mark.parametrize("username", ["lviv", "trainer", "ministry", "auditor"])
def test_roles_without_case_permissions_get_403(app, world, client_as, username):
    client = client_as(username)
    paths = [
        ("get", "/caseview/list/", None),
        ("get", "/caseview/add", None),
        ("get", "/caseview/export/csv", None),
        ("get", "/contactview/list/", None),
        ("get", "/beneficiaryview/list/", None),
        ("get", "/casetransferview/list/", None),
        ("get", "/cases/overdue/list/", None),
        ("get", "/lookup/case?q=", None),
    ]
    _assert_refused(
        client,
        paths + _case_paths(world, world["case_a"])[:-1] + _child_paths(world),
        allowed=(403,),
    )
    headers = jwt_headers(client, username)
    for method, url in (
        ("get", f"/api/v1/case/{world['case_a']}"),
        ("get", "/api/v1/case/"),
        ("post", f"/api/v1/case/{world['case_a']}/transition/start_review"),
        ("get", "/api/v1/case_transfer/"),
    ):
        response = getattr(client, method)(url, headers=headers)
        assert response.status_code in (401, 403), (url, response.status_code)
        assert NAME not in response.text
    _assert_case_unchanged(app, world)


def test_regional_admin_has_no_de_identified_access(app, world, client_as):
    client = client_as("lviv")
    assert client.get("/casedeidentifiedview/list/").status_code == 403
    headers = jwt_headers(client, "lviv")
    assert client.get("/api/v1/case_deidentified/", headers=headers).status_code == 403


# --------------------------------------------------------------------------- de-identified
@pytest.mark.parametrize("username", ["ministry", "auditor"])
def test_de_identified_register_shows_no_personal_data(app, world, client_as, username):
    client = client_as(username)
    pages = {
        "list": client.get("/casedeidentifiedview/list/?psize_CaseDeidentifiedView=100"),
        "show": client.get(f"/casedeidentifiedview/show/{world['case_a']}"),
        "csv": client.get("/casedeidentifiedview/export/csv"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert world["number_a"] in response.text, name
        for value in PERSONAL:
            assert value not in response.text, (name, value)
    text = visible_text(pages["list"].text)
    assert "Реєстр випадків (знеособлений)" in text and "Надавач A" in text
    xlsx = client.get("/casedeidentifiedview/export/xlsx")
    cells = " ".join(
        str(c.value) for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows() for c in row
    )
    assert world["number_a"] in cells and not any(v in cells for v in PERSONAL)
    headers = jwt_headers(client, username)
    listing = client.get("/api/v1/case_deidentified/?q=(page_size:100)", headers=headers)
    one = client.get(f"/api/v1/case_deidentified/{world['case_a']}", headers=headers)
    assert listing.status_code == 200 and one.status_code == 200
    for response in (listing, one):
        assert not any(v in response.text for v in PERSONAL)
        assert "beneficiary" not in response.text
    assert one.json["result"]["number"] == world["number_a"]
    # the read-only register cannot be written, even by URL
    assert client.post(f"/casedeidentifiedview/edit/{world['case_a']}").status_code == 404
    assert client.put(
        f"/api/v1/case_deidentified/{world['case_a']}", json={"number": "X"}, headers=headers
    ).status_code in (404, 405)
    # the access to personal data stays refused
    assert client.get(f"/caseview/show/{world['case_a']}").status_code == 403
    assert client.get(f"/api/v1/case/{world['case_a']}", headers=headers).status_code == 403


# --------------------------------------------------------------------------- transfer
def test_transfer_moves_the_case_and_removes_old_access_everywhere(app, world, client_as):
    today = services.kyiv_today()
    case_id = new_case(
        app, status=CaseStatus.active, today=today, name="Мельник Ганна Іванівна", contacts=[today]
    )
    with app.app_context():
        number = db.session.get(Case, case_id).number
        contact_id = db.session.scalar(select(Contact.id).where(Contact.case_id == case_id))
        beneficiary_id = db.session.scalar(
            select(Beneficiary.id).where(Beneficiary.case_id == case_id)
        )
    sender, receiver = client_as("caseworker"), client_as("cw_b")
    page = sender.get(f"/caseview/transfer/{case_id}")
    assert "Надавач, який приймає випадок" in visible_text(page.text)
    response = sender.post(
        f"/caseview/transfer/{case_id}",
        data={"to_provider": str(world["B"]), "reason": "Переїзд до Києва"},
    )
    assert response.status_code == 302
    with app.app_context():
        transfer = db.session.scalars(
            select(CaseTransfer).where(CaseTransfer.case_id == case_id)
        ).one()
        transfer_id = transfer.id
    # while requested: still the sender's; the receiver sees the request, not the person
    assert sender.get(f"/caseview/show/{case_id}").status_code == 200
    assert receiver.get(f"/caseview/show/{case_id}").status_code == 404
    pending = receiver.get("/casetransferview/list/")
    assert number in pending.text and "Мельник" not in pending.text
    # the sender cannot accept its own request
    sender.post(f"/casetransferview/action/accept/{transfer_id}")
    assert _status(app, case_id)[1] == world["A"]
    response = receiver.post(f"/casetransferview/action/accept/{transfer_id}")
    assert response.status_code == 302
    status, provider, _ = _status(app, case_id)
    assert provider == world["B"]
    with app.app_context():
        assert db.session.get(CaseTransfer, transfer_id).status == TransferStatus.accepted
    # the new provider has the case
    assert receiver.get(f"/caseview/show/{case_id}").status_code == 200
    assert "Мельник" in receiver.get("/caseview/list/").text
    # the old provider lost it on every path
    paths = [p for p in _case_paths(world, case_id) if "casedeidentified" not in p[1]]
    paths += [
        ("get", f"/contactview/show/{contact_id}", None),
        ("get", f"/contactview/edit/{contact_id}", None),
        ("post", f"/contactview/delete/{contact_id}", None),
        ("get", f"/beneficiaryview/show/{beneficiary_id}", None),
        ("get", f"/beneficiaryview/edit/{beneficiary_id}", None),
    ]
    for method, url, data in paths:
        response = getattr(sender, method)(url, data=data)
        assert response.status_code == 404, (url, response.status_code)
        assert "Мельник" not in response.text
    for url in (
        "/caseview/list/",
        "/caseview/export/csv",
        "/contactview/list/",
        "/lookup/case?q=",
        "/",
    ):
        assert "Мельник" not in sender.get(url).text, url
    headers = jwt_headers(sender, "caseworker")
    assert sender.get(f"/api/v1/case/{case_id}", headers=headers).status_code == 404
    assert "Мельник" not in sender.get("/api/v1/case/?q=(page_size:100)", headers=headers).text
    assert (
        sender.post(f"/api/v1/case/{case_id}/transition/start_review", headers=headers).status_code
        == 404
    )
    assert _status(app, case_id)[:2] == (CaseStatus.active, world["B"])
    with app.app_context():
        assert db.session.get(Contact, contact_id) is not None


def test_transfer_over_api_and_rejection(app, world, client_as):
    case_id = new_case(app, status=CaseStatus.plan)
    sender, receiver = client_as("caseworker"), client_as("cw_b")
    h_sender, h_receiver = jwt_headers(sender, "caseworker"), jwt_headers(receiver, "cw_b")
    response = sender.post(
        f"/api/v1/case/{case_id}/transfer", json={"to_provider_id": world["D"]}, headers=h_sender
    )
    assert response.status_code == 409  # draft provider
    response = sender.post(
        f"/api/v1/case/{case_id}/transfer", json={"to_provider_id": world["B"]}, headers=h_sender
    )
    assert response.status_code == 201
    transfer_id = response.json["id"]
    assert (
        sender.post(f"/api/v1/case_transfer/{transfer_id}/accept", headers=h_sender).status_code
        == 403
    )
    assert client_as("admin").get("/").status_code == 200
    response = receiver.post(
        f"/api/v1/case_transfer/{transfer_id}/reject",
        json={"note": "Немає фахівця"},
        headers=h_receiver,
    )
    assert response.status_code == 200 and response.json["status"] == "rejected"
    assert _status(app, case_id)[1] == world["A"]


# --------------------------------------------------------------------------- API
def test_api_transition_and_personal_fields_for_the_owner(app, world, client_as):
    case_id = new_case(app)
    client = client_as("caseworker")
    headers = jwt_headers(client, "caseworker")
    one = client.get(f"/api/v1/case/{case_id}", headers=headers)
    assert one.status_code == 200 and one.headers["Cache-Control"] == "no-store"
    assert one.json["result"]["beneficiary"]["full_name"] == NAME
    response = client.post(f"/api/v1/case/{case_id}/transition/start_assessment", headers=headers)
    assert response.status_code == 200 and response.json["status"] == "assessment"
    response = client.post(f"/api/v1/case/{case_id}/transition/close", headers=headers)
    assert response.status_code == 400
    response = client.post(f"/api/v1/case/{case_id}/transition/activate", headers=headers)
    assert response.status_code == 409
    assert "Така зміна статусу неможлива" in response.json["message"]


# --------------------------------------------------------------------------- dashboards
def _cards(client) -> dict:
    html = client.get("/").text
    return {
        visible_text(label).strip(): int(value)
        for value, label in re.findall(
            r'portal-card-number">(\d+)</div>\s*<div class="portal-card-label">(.*?)</div>',
            html,
            flags=re.S,
        )
    }


def test_home_cards_are_scoped(app, world, client_as, monkeypatch):
    with app.app_context():
        open_a = db.session.scalar(
            select(func.count(Case.id)).where(
                Case.provider_id == world["A"], Case.status != CaseStatus.closed
            )
        )
        open_all = db.session.scalar(
            select(func.count(Case.id)).where(Case.status != CaseStatus.closed)
        )
    cards = _cards(client_as("caseworker"))
    assert cards["Відкриті випадки"] == open_a
    assert "Мої прострочені контакти" in cards and "Мої контакти на найближчі 7 днів" in cards
    ministry = _cards(client_as("ministry"))
    assert ministry["Відкриті випадки"] == open_all and "Мої прострочені контакти" not in ministry
    assert "Відкриті випадки" not in _cards(client_as("lviv"))
    # overdue / due soon, with an injected "today" in Kyiv
    today = services.kyiv_today()
    case_id = new_case(
        app,
        status=CaseStatus.active,
        today=today - dt.timedelta(days=30),
        contacts=[today - dt.timedelta(days=10)],
    )  # due in 4 days
    with app.app_context():
        number = db.session.get(Case, case_id).number
    before = _cards(client_as("caseworker"))
    assert number in client_as("caseworker").get("/cases/due-soon/list/").text
    page = client_as("caseworker").get(f"/cases/due-soon/show/{case_id}")
    assert page.status_code == 200 and number in page.text
    assert number not in client_as("caseworker").get("/cases/overdue/list/").text
    monkeypatch.setattr(services, "kyiv_today", lambda now=None: today + dt.timedelta(days=5))
    after = _cards(client_as("caseworker"))
    assert after["Мої прострочені контакти"] >= before["Мої прострочені контакти"] + 1
    assert number in client_as("caseworker").get("/cases/overdue/list/").text
    assert number not in client_as("caseworker").get("/cases/due-soon/list/").text
    # another provider's worker: none of these
    other = _cards(client_as("cw_b"))
    assert other["Відкриті випадки"] < open_all
    assert number not in client_as("cw_b").get("/cases/overdue/list/").text


# --------------------------------------------------------------------------- performance
LISTS = [
    ("caseworker", "/caseview/list/", "CaseView"),
    ("caseworker", "/cases/overdue/list/", "MyOverdueCaseView"),
    ("caseworker", "/contactview/list/", "ContactView"),
    ("caseworker", "/planitemview/list/", "PlanItemView"),
    ("caseworker", "/needsassessmentview/list/", "NeedsAssessmentView"),
    ("caseworker", "/beneficiaryview/list/", "BeneficiaryView"),
    ("caseworker", "/householdmemberview/list/", "HouseholdMemberView"),
    ("caseworker", "/referralview/list/", "ReferralView"),
    ("caseworker", "/reviewview/list/", "ReviewView"),
    ("caseworker", "/casetransferview/list/", "CaseTransferView"),
    ("ministry", "/casedeidentifiedview/list/", "CaseDeidentifiedView"),
]


@pytest.fixture(scope="module")
def many_cases(app, world):
    today = services.kyiv_today()
    for i in range(55):
        new_case(
            app,
            status=CaseStatus.active,
            today=today - dt.timedelta(days=40),
            name=f"Особа {i}",
            contacts=[today - dt.timedelta(days=20)],
        )
    return True


@pytest.mark.parametrize("username,url,view", LISTS)
def test_list_statement_count_does_not_grow_with_page_size(
    app, world, many_cases, client_as, username, url, view
):
    client = client_as(username)
    client.get(url)  # warm-up
    counts = {}
    for size in (10, 50):
        with count_queries(app) as statements:
            response = client.get(f"{url}?psize_{view}={size}")
        assert response.status_code == 200
        counts[size] = len(statements)
    assert counts[50] <= counts[10], counts


#: The case page: user, case, its provider and centre, one statement per tab
#: whose page is not full (11 tabs: assessment acts, term extensions and
#: follow-ups after closure added by issue #20), the measure names of the
#: catalogue (once), the audit row.
MAX_CASE_PAGE_STATEMENTS = 17


def test_case_page_statements_do_not_grow_with_its_records(app, world, client_as):
    today = services.kyiv_today()
    small = new_case(app, status=CaseStatus.active, today=today)
    big = new_case(
        app,
        status=CaseStatus.active,
        today=today,
        contacts=[today - dt.timedelta(days=d) for d in range(12)],
    )
    with app.app_context():
        for i in range(12):
            db.session.add(
                HouseholdMember(
                    case_id=big,
                    full_name=f"Член родини {i}",
                    relation="син",
                    category=BeneficiaryCategory.family_member,
                )
            )
            db.session.add(
                PlanItem(
                    case_id=big, measure="documents_help", responsible=f"Фахівець {i}", due_on=today
                )
            )
        db.session.commit()
    client = client_as("caseworker")
    counts = {}
    for case_id in (small, big):
        client.get(f"/caseview/show/{case_id}")  # warm-up
        with count_queries(app) as statements:
            response = client.get(f"/caseview/show/{case_id}")
        assert response.status_code == 200
        counts[case_id] = len(statements)
    assert "Член родини 11" in visible_text(response.text)
    assert counts[big] == counts[small] <= MAX_CASE_PAGE_STATEMENTS, counts


def test_admin_opens_a_case_for_any_provider_and_sees_all(app, world, client_as):
    client = client_as("admin")
    data = {
        "programme": "centre",
        "opened_on": "02.02.2025",
        "b_full_name": "Адмін Тест",
        "b_category": "veteran",
    }
    response = client.post("/caseview/add", data=data)
    assert "Оберіть надавача." in visible_text(response.text)  # the provider is required
    response = client.post(
        "/caseview/add",
        data={**data, "provider": str(world["B"]), "assigned_worker": str(world["caseworker"])},
    )
    assert "Фахівець із супроводу має працювати в надавача" in visible_text(response.text)
    response = client.post(
        "/caseview/add",
        data={**data, "provider": str(world["B"]), "assigned_worker": str(world["cw_b"])},
    )
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalars(
            select(Case).join(Beneficiary).where(Beneficiary.full_name == "Адмін Тест")
        ).one()
        assert case.provider_id == world["B"] and case.assigned_worker_id == world["cw_b"]
        assert case.number.startswith("ЦЖ-2025-")
    text = client.get("/caseview/list/?psize_CaseView=100").text
    assert world["number_a"] in text and world["number_b"] in text


def test_closed_case_cannot_be_edited(app, world, client_as):
    case_id = new_case(app, status=CaseStatus.closed)
    client = client_as("caseworker")
    response = client.post(
        f"/caseview/edit/{case_id}",
        data={"assigned_worker": str(world["cw_a2"]), "version": str(_status(app, case_id)[2])},
    )
    assert "Випадок закрито" in visible_text(response.text)
    with app.app_context():
        assert db.session.get(Case, case_id).assigned_worker_id == world["caseworker"]
    response = client.post(
        f"/caseview/edit/{new_case(app)}",
        data={"assigned_worker": str(world["cw_a2"]), "version": "1"},
    )
    assert response.status_code == 302
