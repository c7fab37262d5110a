"""Competitive selection in a real browser (issue #22): a provider's representative
submits a proposal for two lots with its team and a document; ministry staff
screen it; two commission members score it; ministry staff publish the results,
and after the appeal window award the lots; the service agreements appear on the
provider's page and name the centre.

After every step the test checks the address and what the page shows, and saves
a screenshot under ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.centers.models import CentreStatus, ResilienceCentre
from app.cli import create_user
from app.demo import LVIV, oblast_id
from app.extensions import db
from app.geography.models import Hromada
from app.providers.models import LegalForm, Provider, ProviderKind, ProviderStatus, Specialist
from app.security import roles
from app.security.models import PortalUser
from app.selection.models import (
    Application,
    CommissionMember,
    Criterion,
    Decision,
    Lot,
    LotKind,
    Programme,
    RoundStatus,
    SelectionRound,
    ServiceAgreement,
)

from ..conftest import PASSWORD
from .conftest import ARTIFACTS, sign_in
from .test_e2e_flows import assert_clean_console, body_text, pick, sign_out, submit_form

ROUND = "Відбір надавачів для центрів Львівщини, 2027"
PROVIDER = "ГО «Стійкість Прикарпаття»"
CENTRE = "Центр життєстійкості Стрийської громади"
SPECIALIST = "Мельник Олена Степанівна"
REP = "rep_journey"
SHOTS = os.path.join(ARTIFACTS, "e2e")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"selection-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def world(live_app):
    """A round accepting proposals with two lots (a community and a planned
    centre), two criteria and a commission of two; an approved provider with its
    representative and a psychologist."""
    with live_app.app_context():
        create_user("ministry2", PASSWORD, roles.MINISTRY, first_name="Друга", last_name="Членкиня")
        lviv = oblast_id(db.session, LVIV)
        hromadas = db.session.scalars(
            select(Hromada).where(Hromada.oblast_id == lviv).order_by(Hromada.id).limit(2)
        ).all()
        provider = Provider(
            name=PROVIDER,
            kind=ProviderKind.ngo,
            edrpou="37567866",
            legal_form=LegalForm.public_association,
            oblast_id=lviv,
            status=ProviderStatus.approved,
        )
        host = Provider(
            name="КНП «Стрийський центр»",
            kind=ProviderKind.communal,
            edrpou="43110731",
            oblast_id=lviv,
            status=ProviderStatus.approved,
        )
        db.session.add_all([provider, host])
        db.session.flush()
        db.session.add(
            Specialist(provider_id=provider.id, full_name=SPECIALIST, position="Психологиня")
        )
        rep = create_user(
            REP, PASSWORD, roles.PROVIDER_REP, first_name="Роман", last_name="Представник"
        )
        rep.provider_id = provider.id
        centre = ResilienceCentre(
            name=CENTRE,
            provider_id=host.id,
            oblast_id=lviv,
            hromada_id=hromadas[1].id,
            address="вул. Шевченка, 5",
            status=CentreStatus.planned,
        )
        rnd = SelectionRound(
            title=ROUND,
            programme=Programme.centre,
            oblast_id=lviv,
            announced_on=dt.date.today(),
            deadline=dt.date.today(),
            status=RoundStatus.accepting,
            winners_count=1,
            reserve_count=0,
            pass_mark=Decimal("10"),
            appeal_days=5,
        )
        db.session.add_all([centre, rnd])
        db.session.flush()
        for position, (name, weight) in enumerate((("Досвід роботи", 3), ("Кадри", 1)), 1):
            db.session.add(
                Criterion(
                    round_id=rnd.id,
                    name=name,
                    weight=Decimal(weight),
                    max_score=10,
                    position=position,
                )
            )
        for username in ("ministry", "ministry2"):
            member = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
            db.session.add(CommissionMember(round_id=rnd.id, user_id=member.id))
        db.session.add(
            Lot(
                round_id=rnd.id,
                number=1,
                kind=LotKind.hromada,
                hromada_id=hromadas[0].id,
                budget_limit=Decimal("900000"),
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
        return {"round": rnd.id, "provider": provider.id, "centre": centre.id}


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def test_selection_journey(page, live_url, live_app, world, tmp_path):
    accept_dialogs(page)
    # --- 1. the representative submits a proposal ---------------------------------------
    sign_in(page, live_url, REP)
    assert "/login" not in page.url, page.url
    page.goto(f"{live_url}/selectionroundview/show/{world['round']}")
    assert ROUND in body_text(page) and "Подати пропозицію" in body_text(page)
    shot(page, "01-rep-round")
    assert_clean_console(page)
    with page.expect_navigation():
        page.click("a:has-text('Подати пропозицію')")
    pick(page, "round", "Львівщини", ROUND)
    pick(page, "provider", "Стійкість", PROVIDER)
    page.fill("#notes", "Команда з досвідом роботи з ветеранами")
    shot(page, "02-rep-proposal-form")
    submit_form(page)
    assert "/applicationview/" in page.url, page.url
    with live_app.app_context():
        application = db.session.scalar(
            select(Application).where(Application.round_id == world["round"])
        )
        assert application is not None and application.provider_id == world["provider"]
        app_id = application.id

    for lot, budget in (("№ 1", "850000"), ("№ 2", "700000")):
        page.goto(f"{live_url}/proposallotview/add")
        pick(page, "application", "", PROVIDER)
        pick(page, "lot", "", lot)
        page.fill("#budget", budget)
        submit_form(page)
        assert "/add" not in page.url, body_text(page)[:1500]
    page.goto(f"{live_url}/teammemberview/add")
    pick(page, "application", "", PROVIDER)
    pick(page, "specialist", "Мельник", SPECIALIST)
    page.fill("#role", "Психологиня команди")
    submit_form(page)
    assert "/add" not in page.url, body_text(page)[:1500]

    page.goto(f"{live_url}/applicationview/show/{app_id}")
    pdf = tmp_path / "програма.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("input[type=file][name=file]", str(pdf))
    with page.expect_navigation():
        page.click("form[enctype='multipart/form-data'] button[type=submit]")
    text = body_text(page)
    assert "Документ завантажено" in text and "програма.pdf" in text
    assert "850000.00" in text and "700000.00" in text and SPECIALIST in text
    shot(page, "03-rep-proposal")
    assert_clean_console(page)
    sign_out(page, live_url)

    # --- 2. ministry staff start the evaluation and screen the proposal ------------------
    sign_in(page, live_url, "ministry")
    page.goto(f"{live_url}/selectionroundview/show/{world['round']}")
    submit_form(page, "Розпочати оцінювання")
    assert "Оцінювання" in page.locator(".portal-workflow .label").inner_text()
    page.goto(f"{live_url}/applicationview/show/{app_id}")
    page.select_option("#screening select[name=eligible]", "y")
    submit_form(page, "Зберегти результат перевірки")
    assert "Результат перевірки відповідності збережено" in body_text(page)
    assert "Відповідає вимогам" in page.locator("#screening").inner_text()
    shot(page, "04-ministry-screened")

    # --- 3. two commission members score ------------------------------------------------
    with live_app.app_context():
        criteria = db.session.scalars(
            select(Criterion.id)
            .where(Criterion.round_id == world["round"])
            .order_by(Criterion.position)
        ).all()
    for username, values in (("ministry", ("8", "7")), ("ministry2", ("6", "9"))):
        if username != "ministry":
            sign_out(page, live_url)
            sign_in(page, live_url, username)
            page.goto(f"{live_url}/applicationview/show/{app_id}")
        for criterion, value in zip(criteria, values):
            page.fill(f"input[name=score_{criterion}]", value)
        submit_form(page, "Зберегти оцінки")
        assert "Бали збережено" in body_text(page), body_text(page)[:1500]
        shot(page, f"05-{username}-scored")
    assert_clean_console(page)
    sign_out(page, live_url)

    # --- 4. ministry staff publish the results, then award ------------------------------
    sign_in(page, live_url, "ministry")
    page.goto(f"{live_url}/selectionroundview/show/{world['round']}")
    form = page.locator(".portal-workflow form", has_text="Оприлюднити результати й протокол")
    form.locator("input[name=protocol_number]").fill("17-к")
    today = dt.date.today().strftime("%d.%m.%Y")
    form.locator("input[name=protocol_date]").click()
    page.locator(".datepicker-days").wait_for()
    page.keyboard.type(today)
    page.click(".portal-workflow .panel-heading")  # closes the date picker
    assert form.locator("input[name=protocol_date]").input_value() == today
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert (
        "Результати оприлюднено: оскарження" in page.locator(".portal-workflow .label").inner_text()
    )
    shot(page, "06-results-published")
    with live_app.app_context():
        assert db.session.get(Application, app_id).decision == Decision.winner
        # The appeal window (5 days) has passed without appeals.
        db.session.execute(
            update(SelectionRound)
            .where(SelectionRound.id == world["round"])
            .values(appeal_until=dt.date.today() - dt.timedelta(days=1))
        )
        db.session.commit()
    page.reload()
    with page.expect_navigation():
        page.locator(".portal-workflow form", has_text="Присудити лоти").locator(
            "button[type=submit]"
        ).click()
    page.wait_for_load_state("networkidle")
    assert "Завершено" in page.locator(".portal-workflow .label").inner_text()
    shot(page, "07-awarded")
    response = page.request.get(f"{live_url}/selectionroundview/protocol/{world['round']}")
    assert response.status == 200 and response.body()[:2] == b"PK"
    assert_clean_console(page)

    # --- 5. the agreements on the provider's page; the centre's agreement ---------------
    with live_app.app_context():
        agreements = db.session.scalars(
            select(ServiceAgreement)
            .where(ServiceAgreement.provider_id == world["provider"])
            .order_by(ServiceAgreement.lot_id)
        ).all()
        assert [(a.amount, a.centre_id) for a in agreements] == [
            (Decimal("850000.00"), None),
            (Decimal("700000.00"), world["centre"]),
        ]
        numbers = [a.number for a in agreements]
        centre_agreement = agreements[1].id
    page.goto(f"{live_url}/providerview/show/{world['provider']}")
    agreements_panel = page.locator("#agreements").inner_text()
    assert all(n in agreements_panel for n in numbers) and "Чинний" in agreements_panel
    shot(page, "08-provider-agreements")
    page.goto(f"{live_url}/serviceagreementview/show/{centre_agreement}")
    assert CENTRE in body_text(page) and "700000.00" in body_text(page)
    shot(page, "09-centre-agreement")
    assert_clean_console(page)
