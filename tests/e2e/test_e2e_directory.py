"""The service directory in a real browser (issue #25): a hromada editor adds
three services; a case worker refers a veteran's family to one and records
the outcome; an anonymous visitor finds it by community and category.

After every step the test checks the address and what the page shows, and
saves a screenshot under ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from sqlalchemy import select

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
from app.demo import LVIV, oblast_id
from app.directory.models import DirectoryEntry, EntryLevel
from app.directory.services import seed_classifiers
from app.extensions import db
from app.geography.models import Hromada
from app.providers.models import Provider, ProviderKind, ProviderStatus
from app.security import roles
from app.security.models import PortalUser

from ..conftest import PASSWORD
from .conftest import ARTIFACTS, sign_in
from .test_e2e_flows import assert_clean_console, body_text, choose, submit_form

DROHOBYCH = "UA46020030000019252"
EDITOR = "drohobych_editor"
FAMILY = "Шевчук Оксана Іванівна"
SERVICES = (
    # title, kind, recipient category, provider type, provider name
    (
        "Консультація психолога для родин ветеранів",
        "Психологічна підтримка",
        "Члени сімей ветеранів",
        "Центр життєстійкості",
        "Центр життєстійкості Дрогобича",
    ),
    (
        "Оформлення статусу УБД",
        "Документи та статус",
        "Ветерани війни",
        "Центр надання адміністративних послуг (ЦНАП)",
        "ЦНАП Дрогобича",
    ),
    (
        "Юридична консультація для військових",
        "Правова допомога",
        "Військовослужбовці",
        "Громадська організація",
        "ГО «Право захисника»",
    ),
)
SHOTS = os.path.join(ARTIFACTS, "e2e")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"directory-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def world(live_app):
    """A hromada editor of Drohobych; a Drohobych provider employing the case
    worker; an active case of a veteran's family member."""
    from app.cli import create_user

    with live_app.app_context():
        seed_classifiers(db.session)
        hromada = db.session.scalar(select(Hromada).where(Hromada.code == DROHOBYCH))
        editor = create_user(
            EDITOR, PASSWORD, roles.HROMADA_EDITOR, first_name="Ганна", last_name="Редакторка"
        )
        editor.hromada_id = hromada.id
        provider = Provider(
            name="ГО «Родина Дрогобича»",
            kind=ProviderKind.ngo,
            edrpou="37567866",
            oblast_id=oblast_id(db.session, LVIV),
            hromada_id=hromada.id,
            status=ProviderStatus.approved,
        )
        db.session.add(provider)
        db.session.flush()
        worker = db.session.scalar(select(PortalUser).where(PortalUser.username == "caseworker"))
        worker.provider_id = provider.id
        case = Case(programme=Programme.family, opened_on=dt.date.today())
        case_services.open_case(
            db.session,
            case,
            Beneficiary(full_name=FAMILY, category=BeneficiaryCategory.family_member),
            worker,
        )
        db.session.flush()
        case.status = CaseStatus.active
        db.session.commit()
        return {
            "case": case.id,
            "number": case.number,
            "hromada": hromada.id,
            "hromada_title": hromada.title,
            "oblast": hromada.oblast_id,
        }


def choose_many(page, field_id, option_text):
    """Add an option in a multiple select2 (FAB's relation field)."""
    page.click(f"#{field_id} + .select2 .select2-selection")
    option = page.locator(".select2-container--open .select2-results__option", has_text=option_text)
    option.first.click()
    chosen = page.locator(f"#{field_id} + .select2 .select2-selection__choice").all_inner_texts()
    assert any(option_text in c for c in chosen), chosen
    page.click(".panel-heading")  # a multiple select2 stays open: click away
    page.locator(".select2-container--open .select2-results").wait_for(state="detached")


def type_date(page, field_id, away):
    """Type today's date in a Ukrainian date picker, then click away to close it."""
    today = dt.date.today().strftime("%d.%m.%Y")
    page.click(f"#{field_id}")
    page.locator(".datepicker-days").wait_for()
    page.keyboard.type(today)
    page.click(f"label[for={away}]")
    assert page.input_value(f"#{field_id}") == today


def test_directory_journey(page, live_url, live_app, world, browser):
    # --- 1. the hromada editor adds three services of their community -----------------
    sign_in(page, live_url, EDITOR)
    assert "/login" not in page.url, page.url
    page.click("a.dropdown-toggle:has-text('Довідник послуг')")
    with page.expect_navigation():
        page.click("a:has-text('Послуги')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/directory/entries/list/"), page.url
    assert "Довідник послуг" in body_text(page)
    shot(page, "01-editor-list")
    assert_clean_console(page)

    created = []
    for n, (title, kind, category, ptype, provider) in enumerate(SERVICES, start=1):
        page.goto(f"{live_url}/directory/entries/add")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/directory/entries/add") and "Додати послугу" in body_text(page)
        page.fill("#title", title)
        choose(page, "kind", kind)
        choose(page, "level", "Територіальна громада")
        choose_many(page, "recipients", category)
        choose(page, "provider_type", ptype)
        page.fill("#provider_name", provider)
        page.fill("#how_to_apply", f"Прийти з паспортом або зателефонувати ({n}).")
        page.fill("#address", f"м. Дрогобич, вул. Грушевського, {n}")
        page.fill("#hours", "Пн–Пт 9:00–17:00")
        page.fill("#phone", f"+38067100000{n}")
        submit_form(page)
        text = body_text(page)
        assert "Запис додано" in text, text[:1500]
        match = re.search(r"/directory/entries/show/(\d+)", page.url)
        assert match, page.url
        assert title in text and world["hromada_title"] in text
        created.append(int(match.group(1)))
        shot(page, f"02-editor-added-{n}")
        assert_clean_console(page)
    with live_app.app_context():
        rows = db.session.execute(
            select(DirectoryEntry.level, DirectoryEntry.hromada_id).where(
                DirectoryEntry.id.in_(created)
            )
        ).all()
        db.session.remove()
    assert rows and all(r == (EntryLevel.hromada, world["hromada"]) for r in rows)
    page.goto(f"{live_url}/logout/")

    # --- 2. the case worker refers the veteran's family to one of them -----------------
    sign_in(page, live_url, "caseworker")
    case_url = f"{live_url}/caseview/show/{world['case']}"
    page.goto(case_url)
    page.wait_for_load_state("networkidle")
    assert page.url == case_url and world["number"] in body_text(page)
    page.locator("a[data-toggle=tab]", has_text="Направлення").click()
    tab = page.locator(".tab-pane.active")
    with page.expect_navigation():
        tab.locator("a:has(> span.sr-only:text-is('Додати'))").first.click()
    page.wait_for_load_state("networkidle")
    assert "/referralview/add" in page.url and "Додати направлення" in body_text(page)
    assert_clean_console(page)
    # the picker offers the services valid for this family, not the others
    page.click("#entry + .select2 .select2-selection")
    options = page.locator(".select2-container--open .select2-results__option")
    options.filter(has_text=SERVICES[0][0]).first.wait_for(timeout=5000)
    offered = " | ".join(options.all_inner_texts())
    assert SERVICES[0][0] in offered, offered
    assert SERVICES[1][0] not in offered and SERVICES[2][0] not in offered, offered
    shot(page, "03-worker-picker")
    options.filter(has_text=SERVICES[0][0]).first.click()
    choose(page, "service", "Інша служба")
    type_date(page, "referred_on", "note")
    choose(page, "status", "Надіслано")
    submit_form(page)
    assert page.url.startswith(case_url), page.url
    text = body_text(page)
    assert "Запис додано" in text and SERVICES[0][0] in text, text[:2000]
    shot(page, "04-worker-referred")
    assert_clean_console(page)

    with live_app.app_context():
        referral_id = db.session.scalar(
            select(Referral.id).where(Referral.case_id == world["case"])
        )
        db.session.remove()
    page.goto(f"{live_url}/referralview/edit/{referral_id}")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/referralview/edit/{referral_id}")
    choose(page, "outcome", "Послугу отримано")
    type_date(page, "outcome_on", "note")
    submit_form(page)
    assert page.url.startswith(case_url), page.url
    text = body_text(page)
    assert "Зміни збережено" in text and "Послугу отримано" in text, text[:2000]
    shot(page, "05-worker-outcome")
    assert_clean_console(page)
    with live_app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.entry_id == created[0]
        assert referral.outcome == ReferralOutcome.received
        assert referral.outcome_on == dt.date.today()
        db.session.remove()

    # --- 3. an anonymous visitor finds it by community and category --------------------
    context = browser.new_context(locale="uk-UA", viewport={"width": 390, "height": 844})
    visitor = context.new_page()
    try:
        visitor.goto(f"{live_url}/public/services/")
        visitor.wait_for_load_state("networkidle")
        assert visitor.url.endswith("/public/services/")
        assert "Що я можу отримати в своїй громаді?" in body_text(visitor)
        visitor.select_option("#oblast", value=str(world["oblast"]))
        with visitor.expect_navigation():
            visitor.click("#portal-services-show")
        assert f"oblast={world['oblast']}" in visitor.url, visitor.url
        visitor.select_option("#hromada", value=str(world["hromada"]))
        visitor.select_option("#category", label="Члени сімей ветеранів")
        with visitor.expect_navigation():
            visitor.click("#portal-services-show")
        visitor.wait_for_load_state("networkidle")
        assert f"hromada={world['hromada']}" in visitor.url and "category=" in visitor.url
        result = (
            visitor.inner_text("main") if visitor.locator("main").count() else body_text(visitor)
        )
        assert SERVICES[0][0] in result and "Прийти з паспортом" in result, result[:2000]
        assert SERVICES[2][0] not in result  # for servicemen, not for families
        assert "знайдено послуг: 1" in result
        visitor.screenshot(
            path=os.path.join(SHOTS, "directory-06-public-phone.png"), full_page=True
        )
        assert visitor.console_errors == [] if hasattr(visitor, "console_errors") else True
    finally:
        context.close()
