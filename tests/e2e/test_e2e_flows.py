"""End-to-end flows in a real browser, as people do them through the UI.

Each test signs in as a built-in user, moves through menus, forms, select2
AJAX pickers and buttons, then checks the Ukrainian text on screen *and* the
database. An app context is opened only around database reads and seeding,
never across browser actions. Every page must leave the browser console clean
(script errors and CSP violations land in ``page.console_errors``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.demo import LVIV
from app.extensions import db
from app.geography.models import Hromada, Oblast
from app.providers.models import (
    Provider,
    ProviderKind,
    ProviderStatus,
    ProviderStatusChange,
    Specialist,
)
from app.security.models import PortalUser

from .conftest import sign_in

# Valid ЄДРПОУ codes (published codes with a correct control digit).
EDRPOU_APPROVED = "37567866"
EDRPOU_SUBMITTED = "00032945"

PROVIDER_LVIV = "ГО «Опора Львівщини»"
PROVIDER_SUBMITTED = "БФ «Надія Галичини»"
CENTRE_NAME = "Центр життєстійкості Жовківської громади"
SPECIALISTS = ("Андрієнко Марія Іванівна", "Бондар Олег Петрович", "Вакуленко Ірина Степанівна")
COURSE_TITLE = "Перша психологічна допомога (e2e)"
BENEFICIARY = "Коваленко Тарас Миколайович"
CONTACT_SUMMARY = "Обговорили потреби родини, домовились про наступну зустріч."


# --------------------------------------------------------------------------- seeding
def _user(username) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _oblast(code) -> Oblast:
    return db.session.scalar(select(Oblast).where(Oblast.code == code))


@pytest.fixture(scope="module")
def world(live_app):
    """An approved Lviv provider (the case worker's employer), a submitted
    provider, and a running workshop of the trainer with 2 sessions and 3
    participants."""
    from app.training.models import (
        Course,
        Participant,
        TrainingProgramme,
        TrainingSession,
        Workshop,
        WorkshopStatus,
    )

    with live_app.app_context():
        lviv = _oblast(LVIV)
        hromada = db.session.scalar(
            select(Hromada).where(Hromada.oblast_id == lviv.id, Hromada.title.like("Львівська%"))
        )
        approved = Provider(
            name=PROVIDER_LVIV,
            short_name="Опора Львівщини",
            kind=ProviderKind.ngo,
            edrpou=EDRPOU_APPROVED,
            oblast_id=lviv.id,
            hromada_id=hromada.id if hromada else None,
            status=ProviderStatus.approved,
        )
        submitted = Provider(
            name=PROVIDER_SUBMITTED,
            kind=ProviderKind.charity,
            edrpou=EDRPOU_SUBMITTED,
            oblast_id=lviv.id,
            status=ProviderStatus.submitted,
        )
        db.session.add_all([approved, submitted])
        db.session.flush()
        specialists = [
            Specialist(provider_id=approved.id, full_name=name, position="Психолог")
            for name in SPECIALISTS
        ]
        db.session.add_all(specialists)

        start = dt.date.today() - dt.timedelta(days=1)
        course = Course(
            title=COURSE_TITLE,
            programme=TrainingProgramme.resilience_centres,
            hours=Decimal(8),
            completion_hours=Decimal(6),
        )
        db.session.add(course)
        db.session.flush()
        workshop = Workshop(
            course_id=course.id,
            start_date=start,
            end_date=start + dt.timedelta(days=1),
            online=False,
            place="м. Львів, вул. Городоцька, 15",
            capacity=10,
            status=WorkshopStatus.running,
        )
        workshop.trainers.append(_user("trainer"))
        db.session.add(workshop)
        db.session.flush()
        sessions = [
            TrainingSession(
                workshop_id=workshop.id,
                day=start + dt.timedelta(days=n),
                hours=Decimal(4),
                topic=f"День {n + 1}",
            )
            for n in range(2)
        ]
        db.session.add_all(sessions)
        db.session.flush()
        participants = [
            Participant(workshop_id=workshop.id, specialist_id=s.id) for s in specialists
        ]
        db.session.add_all(participants)

        _user("caseworker").provider_id = approved.id
        db.session.commit()
        return {
            "approved": approved.id,
            "submitted": submitted.id,
            "workshop": workshop.id,
            "sessions": [(s.id, s.day) for s in sessions],
            "participants": {s.full_name: p.id for s, p in zip(specialists, participants)},
        }


# --------------------------------------------------------------------------- UI helpers
def open_menu(page, category, item):
    """Open a top-menu category and click one of its items (exact label)."""
    page.locator("a.dropdown-toggle", has_text=category).first.click()
    link = page.locator("ul.dropdown-menu a:visible").filter(
        has_text=re.compile(rf"^\s*{re.escape(item)}\s*$")
    )
    with page.expect_navigation():
        link.first.click()
    page.wait_for_load_state("networkidle")


def pick(page, field_id, typed, option_text):
    """Choose in a select2 picker by typing, as a person would."""
    page.click(f"#{field_id} + .select2 .select2-selection")
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(typed)
    option = page.locator(".select2-container--open .select2-results__option", has_text=option_text)
    option.first.wait_for(timeout=5000)
    option.first.click()
    rendered = page.locator(f"#{field_id} + .select2 .select2-selection__rendered").inner_text()
    assert option_text in rendered, rendered


def choose(page, field_id, option_text):
    """Choose in a plain (non-AJAX) select2 by clicking the option."""
    page.click(f"#{field_id} + .select2 .select2-selection")
    option = page.locator(".select2-container--open .select2-results__option", has_text=option_text)
    option.first.click()
    rendered = page.locator(f"#{field_id} + .select2 .select2-selection__rendered").inner_text()
    assert option_text in rendered, rendered


def add_button(scope):
    """FAB's "+" button (its tooltip «Додати новий запис», screen-reader text «Додати»)."""
    return scope.locator("a:has(> span.sr-only:text-is('Додати'))").first


def show_button(row):
    """The magnifier of a list row (screen-reader text «Переглянути»)."""
    return row.locator("a:has(> span.sr-only:text-is('Переглянути'))")


def POSTED(url: str) -> bool:
    """The page after a confirmed action, not the ``#`` of the dialog's OK link
    (a same-page navigation that happens first)."""
    return not url.endswith("#")


def submit_form(page, label="Зберегти"):
    # Every click that loads a page waits for that navigation: "networkidle"
    # alone is already true on the old page when the server answers fast, and
    # the test would read the page it just left.
    with page.expect_navigation():
        page.locator("form button[type=submit]", has_text=label).first.click()
    page.wait_for_load_state("networkidle")


def body_text(page) -> str:
    return page.inner_text("body")


def assert_clean_console(page):
    assert page.console_errors == [], f"browser console errors: {page.console_errors}"


def sign_out(page, live_url):
    page.goto(f"{live_url}/logout/")
    page.wait_for_load_state("networkidle")


# --------------------------------------------------------------------------- 1. centre
def test_regional_admin_registers_a_centre_seen_only_in_their_oblast(
    page, live_url, live_app, world
):
    from app.centers.models import CentreStatus, ResilienceCentre

    sign_in(page, live_url, "lviv")
    open_menu(page, "Реєстри", "Центри життєстійкості")
    assert "/centreview/list" in page.url
    assert "Центри життєстійкості" in body_text(page)
    assert_clean_console(page)

    with page.expect_navigation():
        add_button(page).click()
    page.wait_for_load_state("networkidle")
    assert "Зареєструвати центр життєстійкості" in body_text(page)
    assert_clean_console(page)

    page.fill("#name", CENTRE_NAME)
    pick(page, "hromada", "Жовк", "Жовківська")
    page.fill("#address", "м. Жовква, площа Вічева, 1")
    pick(page, "provider", "Опора", PROVIDER_LVIV)
    page.fill("#psychologists", "2")
    page.fill("#social_workers", "1")
    page.check("#dir_psychoeducation")
    page.check("#dir_counselling")
    submit_form(page)

    text = body_text(page)
    assert "Запис додано" in text, text[:2000]
    assert_clean_console(page)

    open_menu(page, "Реєстри", "Центри життєстійкості")
    row = page.locator("table tr", has_text=CENTRE_NAME)
    assert row.count() == 1
    row_text = row.inner_text()
    assert "Жовківська" in row_text and "Львівська область" in row_text
    assert PROVIDER_LVIV in row_text or "Опора Львівщини" in row_text
    assert "Запланований" in row_text
    assert_clean_console(page)

    with live_app.app_context():
        centre = db.session.scalar(
            select(ResilienceCentre).where(ResilienceCentre.name == CENTRE_NAME)
        )
        assert centre is not None
        assert centre.oblast_id == _oblast(LVIV).id
        assert centre.hromada.title.startswith("Жовківська")
        assert centre.provider_id == world["approved"]
        assert centre.status == CentreStatus.planned
        assert (centre.psychologists, centre.social_workers) == (2, 1)
        assert centre.dir_psychoeducation and centre.dir_counselling and not centre.dir_skills
        assert centre.created_by_fk == _user("lviv").id
        assert len(centre.history) == 1

    # Start preparing it from its page, confirming in FAB's dialog.
    with page.expect_navigation():
        show_button(page.locator("table tr", has_text=CENTRE_NAME)).click()
    page.wait_for_load_state("networkidle")
    assert CENTRE_NAME in body_text(page)
    assert_clean_console(page)
    # Only the changes allowed now are offered: a planned centre is prepared or closed.
    buttons = page.locator("form.portal-status-change button")
    assert buttons.all_inner_texts() == ["Розпочати підготовку", "Закрити центр"]
    with page.expect_navigation():
        buttons.filter(has_text="Розпочати підготовку").click()
    page.wait_for_load_state("networkidle")
    text = body_text(page)
    assert f"Центр «{CENTRE_NAME}»: Готується до відкриття." in text, text[:2000]
    assert "/centreview/show/" in page.url
    assert_clean_console(page)
    with live_app.app_context():
        centre = db.session.scalar(
            select(ResilienceCentre).where(ResilienceCentre.name == CENTRE_NAME)
        )
        assert centre.status == CentreStatus.preparing
        assert [(h.from_status, h.to_status) for h in centre.history] == [
            (None, CentreStatus.planned),
            (CentreStatus.planned, CentreStatus.preparing),
        ]
    open_menu(page, "Реєстри", "Центри життєстійкості")
    assert "Готується до відкриття" in page.locator("table tr", has_text=CENTRE_NAME).inner_text()

    # The Ivano-Frankivsk administrator does not see it, not even by searching.
    sign_out(page, live_url)
    sign_in(page, live_url, "frankivsk")
    open_menu(page, "Реєстри", "Центри життєстійкості")
    assert "/centreview/list" in page.url
    assert CENTRE_NAME not in body_text(page)
    assert_clean_console(page)
    with live_app.app_context():
        centre_id = db.session.scalar(
            select(ResilienceCentre.id).where(ResilienceCentre.name == CENTRE_NAME)
        )
    response = page.goto(f"{live_url}/centreview/show/{centre_id}")
    assert response.status == 404
    assert CENTRE_NAME not in body_text(page)


# --------------------------------------------------------------------------- 2. approval
def test_ministry_officer_approves_a_submitted_provider(page, live_url, live_app, world):
    sign_in(page, live_url, "ministry")
    open_menu(page, "Реєстри", "Надавачі послуг")
    assert "/providerview/list" in page.url
    row = page.locator("table tr", has_text=PROVIDER_SUBMITTED)
    assert row.count() == 1
    assert "Подано на затвердження" in row.inner_text()
    assert_clean_console(page)

    with page.expect_navigation():
        show_button(row).click()
    page.wait_for_load_state("networkidle")
    workflow = page.locator(".portal-workflow")
    assert "Затвердження надавача" in workflow.inner_text()
    assert workflow.locator(".label").inner_text().strip() == "Подано на затвердження"
    assert_clean_console(page)

    with page.expect_navigation():
        workflow.locator("button[type=submit]", has_text="Затвердити").click()
    page.wait_for_load_state("networkidle")

    text = body_text(page)
    assert "Статус змінено; кількість надавачів: 1." in text, text[:2000]
    assert f"/providerview/show/{world['submitted']}" in page.url
    workflow = page.locator(".portal-workflow")
    assert workflow.locator(".label").inner_text().strip() == "Затверджено"
    history = page.locator(".panel.panel-default", has_text="Історія змін статусу")
    assert "Подано на затвердження → Затверджено" in history.inner_text()
    assert_clean_console(page)

    open_menu(page, "Реєстри", "Надавачі послуг")
    assert "Затверджено" in page.locator("table tr", has_text=PROVIDER_SUBMITTED).inner_text()

    with live_app.app_context():
        provider = db.session.get(Provider, world["submitted"])
        assert provider.status == ProviderStatus.approved
        assert provider.status_changed_by_fk == _user("ministry").id
        changes = db.session.scalars(
            select(ProviderStatusChange).where(ProviderStatusChange.provider_id == provider.id)
        ).all()
        assert [(c.from_status, c.to_status) for c in changes] == [
            (ProviderStatus.submitted, ProviderStatus.approved)
        ]


# --------------------------------------------------------------------------- 3. attendance
def test_trainer_records_attendance_of_the_whole_group_at_once(page, live_url, live_app, world):
    from app.training.models import Attendance, AttendanceStatus

    sign_in(page, live_url, "trainer")
    open_menu(page, "Навчання", "Воркшопи")
    row = page.locator("table tr", has_text=COURSE_TITLE)
    assert row.count() == 1
    assert "Триває" in row.inner_text()
    assert_clean_console(page)

    with page.expect_navigation():
        show_button(row).click()
    page.wait_for_load_state("networkidle")
    assert_clean_console(page)
    with page.expect_navigation():
        page.locator("a", has_text="Позначити відвідування").click()
    page.wait_for_load_state("networkidle")
    assert f"/attendance/{world['workshop']}" in page.url
    text = body_text(page)
    assert "Відвідування" in text and all(name in text for name in SPECIALISTS)
    assert_clean_console(page)

    (s1, day1), (s2, day2) = world["sessions"]
    d1, d2 = day1.strftime("%d.%m.%Y"), day2.strftime("%d.%m.%Y")
    a, b, c = SPECIALISTS
    marks = {
        (a, d1): "Присутній",
        (a, d2): "Присутній",
        (b, d1): "Присутній",
        (b, d2): "Відсутній",
        (c, d1): "Частково присутній",
        (c, d2): "Присутній",
    }
    for (name, day), label in marks.items():
        page.get_by_label(f"{name}, {day}", exact=True).select_option(label=label)
    page.fill(f"input[name='hours-{world['participants'][c]}-{s1}']", "2,5")
    with page.expect_navigation():
        page.locator("button[type=submit]", has_text="Зберегти відвідування").click()
    page.wait_for_load_state("networkidle")

    text = body_text(page)
    assert "Відвідування групи збережено." in text, text[:2000]
    # The screen shows what was saved.
    assert (
        page.get_by_label(f"{b}, {d2}", exact=True).evaluate(
            "el => el.options[el.selectedIndex].text"
        )
        == "Відсутній"
    )
    assert (
        page.locator(f"input[name='hours-{world['participants'][c]}-{s1}']").input_value() == "2.5"
    )
    assert_clean_console(page)

    with live_app.app_context():
        rows = db.session.scalars(
            select(Attendance).where(Attendance.session_id.in_([s1, s2]))
        ).all()
        got = {(r.participant_id, r.session_id): (r.status, r.hours) for r in rows}
        p = world["participants"]
        S = AttendanceStatus
        assert got == {
            (p[a], s1): (S.present, Decimal("4.0")),
            (p[a], s2): (S.present, Decimal("4.0")),
            (p[b], s1): (S.present, Decimal("4.0")),
            (p[b], s2): (S.absent, Decimal("0.0")),
            (p[c], s1): (S.partial, Decimal("2.5")),
            (p[c], s2): (S.present, Decimal("4.0")),
        }
        assert {r.recorded_by_fk for r in rows} == {_user("trainer").id}


# --------------------------------------------------------------------------- 4. case
def test_case_worker_opens_a_case_and_logs_a_contact(page, live_url, live_app, world):
    from app.cases.models import Beneficiary, Case, CaseStatus, Contact, ContactForm, Programme
    from app.cases.services import kyiv_today

    sign_in(page, live_url, "caseworker")
    open_menu(page, "Випадки", "Реєстр випадків")
    assert "/caseview/list" in page.url
    assert_clean_console(page)

    with page.expect_navigation():
        add_button(page).click()
    page.wait_for_load_state("networkidle")
    assert "Відкрити випадок" in body_text(page)
    assert_clean_console(page)

    choose(page, "programme", "Послуга центру життєстійкості")
    page.fill("#b_full_name", BENEFICIARY)
    page.locator("#b_category").select_option(label="Ветеран (ветеранка)")
    page.fill("#b_phone", "+380671234567")
    submit_form(page)
    text = body_text(page)
    assert "Запис додано" in text, text[:2000]
    assert_clean_console(page)

    with live_app.app_context():
        case = db.session.scalar(
            select(Case).join(Beneficiary).where(Beneficiary.full_name == BENEFICIARY)
        )
        assert case is not None
        number, case_id = case.number, case.id
        assert case.provider_id == world["approved"]
        assert case.assigned_worker_id == _user("caseworker").id
        assert case.programme == Programme.centre and case.status == CaseStatus.intake
    year = kyiv_today().year
    assert re.fullmatch(rf"ЦЖ-{year}-\d{{6}}", number), number

    # The case is in the worker's list with its generated number.
    open_menu(page, "Випадки", "Реєстр випадків")
    row = page.locator("table tr", has_text=number)
    assert row.count() == 1
    assert BENEFICIARY in row.inner_text() and "Первинне звернення" in row.inner_text()
    assert_clean_console(page)

    # Log a phone call from the case page.
    with page.expect_navigation():
        show_button(row).click()
    page.wait_for_load_state("networkidle")
    assert number in body_text(page)
    assert_clean_console(page)
    page.locator("a[data-toggle=tab]", has_text="Контакти та зустрічі").click()
    tab = page.locator(".tab-pane.active")
    with page.expect_navigation():
        add_button(tab).click()
    page.wait_for_load_state("networkidle")
    assert "Додати контакт" in body_text(page)
    assert number in page.locator("#case + .select2 .select2-selection__rendered").inner_text()
    assert_clean_console(page)

    today = kyiv_today()
    page.click("#contact_on")
    page.locator(".datepicker-days").wait_for()  # the Ukrainian date picker opens
    page.keyboard.type(today.strftime("%d.%m.%Y"))
    page.click("label[for=summary]")  # click away: the picker closes
    assert page.input_value("#contact_on") == today.strftime("%d.%m.%Y")
    choose(page, "form", "Телефонна розмова")
    page.fill("#summary", CONTACT_SUMMARY)
    submit_form(page)
    text = body_text(page)
    assert "Запис додано" in text, text[:2000]
    assert_clean_console(page)

    with live_app.app_context():
        contacts = db.session.scalars(select(Contact).where(Contact.case_id == case_id)).all()
        assert [(c.contact_on, c.form, c.summary) for c in contacts] == [
            (today, ContactForm.phone, CONTACT_SUMMARY)
        ]
        case = db.session.get(Case, case_id)
        assert case.contact_count == 1 and case.last_contact_on == today
        assert db.session.scalar(select(func.count(Case.id))) == 1

    # Back on the case page the contact is listed.
    page.goto(f"{live_url}/caseview/show/{case_id}")
    page.locator("a[data-toggle=tab]", has_text="Контакти та зустрічі").click()
    assert "Телефонна розмова" in page.locator(".tab-pane.active").inner_text()
    assert_clean_console(page)


# --------------------------------------------------------------------------- 5. list tools
def test_case_list_provider_filter_and_row_delete_button(page, live_url, live_app, world):
    """The provider filter of the case register is a server-searched picker (also
    when added from "Add filter"), and the list's delete button (one delegated
    handler, no script per row) asks for confirmation and deletes."""
    from app.cases.models import Case
    from app.centers.models import ResilienceCentre

    from ..test_cases_world import new_case

    numbers = []
    for _ in range(2):
        case_id = new_case(live_app, "caseworker")
        with live_app.app_context():
            numbers.append(db.session.get(Case, case_id).number)
    with live_app.app_context():
        hromada = db.session.scalar(
            select(Hromada).where(Hromada.oblast_id == _oblast(LVIV).id).order_by(Hromada.code)
        )
        centre = ResilienceCentre(
            name="Центр для видалення",
            provider_id=world["approved"],
            hromada_id=hromada.id,
            oblast_id=hromada.oblast_id,
            address="вул. Тимчасова, 1",
        )
        db.session.add(centre)
        db.session.commit()
        centre_id = centre.id

    sign_in(page, live_url, "admin")
    page.goto(f"{live_url}/caseview/list/")
    page.wait_for_load_state("networkidle")
    page.locator("a[data-toggle=collapse]", has_text="Пошук").first.click()
    page.locator("#filter_form button.dropdown-toggle").click()
    page.locator("#filter_form a.filter[name=provider]").click()
    field = page.locator("#filter_form select.portal-ajax-select")
    assert field.count() == 1
    page.click("#filter_form select.portal-ajax-select + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").fill("Галичини")
    option = page.locator(
        ".select2-container--open .select2-results__option", has_text=PROVIDER_SUBMITTED
    )
    option.first.wait_for(timeout=5000)
    option.first.click()
    with page.expect_navigation():
        page.locator("#filter_form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert f"_provider={world['submitted']}" in page.url
    assert not any(n in body_text(page) for n in numbers)
    # the active filter shows the chosen provider's name
    assert (
        PROVIDER_SUBMITTED
        in page.locator(
            "#filter_form select.portal-ajax-select + .select2 .select2-selection__rendered"
        ).inner_text()
    )
    page.goto(f"{live_url}/caseview/list/?_flt_0_provider={world['approved']}")
    page.wait_for_load_state("networkidle")
    assert all(n in body_text(page) for n in numbers)
    assert_clean_console(page)

    page.goto(f"{live_url}/centreview/list/")
    page.wait_for_load_state("networkidle")
    row = page.locator("table tr", has_text="Центр для видалення")
    row.locator(f"a[data-portal-delete$='/delete/{centre_id}']").click()
    page.locator("#modal-confirm").wait_for(state="visible")
    with page.expect_navigation(url=POSTED):
        page.locator("#modal-confirm-ok").click()
    page.wait_for_load_state("networkidle")
    assert "Запис видалено" in body_text(page)
    with live_app.app_context():
        assert db.session.get(ResilienceCentre, centre_id) is None
    assert_clean_console(page)
