"""Browser journey of a resilience centre as a place of work (issue #21), in Chromium:

a community applies → the regional administrator approves → the planned centre exists →
opening is refused with what is missing → staff assigned from certified specialists,
agreement signed → opened → the provider's specialist records a month of activities and
visits → submits the monthly report → the regional administrator accepts it → the oblast
dashboard shows the figures. After every step the URL and what the page shows are
asserted, and a screenshot is kept in test-artifacts/e2e/.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from sqlalchemy import select

from app.centers.models import (
    CentreReport,
    CentreStatus,
    CommunityApplication,
    ReportStatus,
    ResilienceCentre,
)
from app.demo import LVIV
from app.extensions import db
from app.geography.models import Oblast
from app.providers.models import Provider, ProviderKind, ProviderStatus
from app.security.models import PortalUser

from ..test_centers_fixtures import specialist, win_selection
from .conftest import ARTIFACTS, sign_in
from .test_e2e_flows import (
    add_button,
    assert_clean_console,
    body_text,
    open_menu,
    pick,
    sign_out,
    submit_form,
)

SHOTS = os.path.join(ARTIFACTS, "e2e")
PROVIDER = "ГО «Життєстійкість Жовківщини»"
EDRPOU = "41231236"
CENTRE = "Центр життєстійкості Жовківської громади (e2e)"
STAFF = {
    "psychologist": "Гнатюк Соломія Ярославівна",
    "social_manager": "Дячук Роман Ігорович",
    "social_worker": "Процик Мирослава Василівна",
}
TODAY = dt.date.today()
MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"centres-{name}.png"), full_page=True)


def d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


@pytest.fixture(scope="module")
def world(live_app):
    """An approved provider of Lviv oblast that won the resilience selection, with three
    specialists certified in the mandatory course; the case worker works for it."""
    with live_app.app_context():
        oblast = db.session.scalar(select(Oblast).where(Oblast.code == LVIV))
        provider = Provider(
            name=PROVIDER,
            kind=ProviderKind.ngo,
            edrpou=EDRPOU,
            oblast_id=oblast.id,
            status=ProviderStatus.approved,
        )
        db.session.add(provider)
        db.session.flush()
        win_selection(provider, oblast.id)
        for name in STAFF.values():
            specialist(provider, name=name, certified=True)
        worker = db.session.scalar(select(PortalUser).where(PortalUser.username == "caseworker"))
        worker.provider_id = provider.id
        db.session.commit()
        return {"provider": provider.id}


def confirm_action(page, label):
    """A status change from the centre's page (only the allowed ones are offered)."""
    with page.expect_navigation():
        page.locator("form.portal-status-change button", has_text=label).first.click()
    page.wait_for_load_state("networkidle")


def assert_saved(page, view):
    """After «Зберегти» on an add form: the new record's page (or the list) and the
    portal's confirmation."""
    assert re.search(rf"/{view}/(show/\d+|list)", page.url), (
        page.url,
        page.locator(".alert, .help-block, .text-danger").all_inner_texts(),
    )
    assert "Запис додано" in body_text(page), body_text(page)[:2000]


def fill_date(page, field_id, value):
    """Type a date into the portal's Ukrainian date picker, as a person would."""
    page.click(f"#{field_id}")
    page.locator(".datepicker-days").first.wait_for()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.mouse.click(5, 300)  # click away: the picker closes
    assert page.input_value(f"#{field_id}") == value


def select_value(page, field_id, value):
    page.locator(f"select#{field_id}").select_option(value)


def test_community_application_to_an_accepted_report_on_the_dashboard(
    page, live_url, live_app, world
):
    # 1. The regional administrator registers the community's application.
    sign_in(page, live_url, "lviv")
    open_menu(page, "Реєстри", "Заявки громад")
    assert "/communityapplicationview/list" in page.url
    with page.expect_navigation():
        add_button(page).click()
    page.wait_for_load_state("networkidle")
    assert "/communityapplicationview/add" in page.url
    pick(page, "hromada", "Жовк", "Жовківська")
    page.fill("#contact_name", "Мельник Ганна Петрівна")
    page.fill("#population", "33500")
    page.fill("#premises_address", "м. Жовква, вул. Львівська, 12")
    page.fill("#premises_area", "185")
    page.fill("#rooms_individual", "2")
    page.fill("#rooms_group", "1")
    for box in ("shelter", "acc_entrance", "acc_toilet", "benefactor_consent", "social_passport"):
        page.check(f"#{box}")
    page.fill("#premises_owner", "Жовківська міська рада")
    page.fill("#centre_name", CENTRE)
    submit_form(page)
    assert_saved(page, "communityapplicationview")
    with live_app.app_context():
        app_id = db.session.scalar(
            select(CommunityApplication.id).where(CommunityApplication.centre_name == CENTRE)
        )
    page.goto(f"{live_url}/communityapplicationview/show/{app_id}")
    page.wait_for_load_state("networkidle")
    text = body_text(page)
    assert "На розгляді" in text and "Мельник Ганна Петрівна" in text
    assert_clean_console(page)
    shot(page, "01-application")

    # 2. Approved with a reason: the planned centre is created with the premises.
    form = page.locator("form[data-transition=approve]")
    pick(page, "approve-provider", "Жовківщини", PROVIDER)
    form.locator("input[name=planned_open_on]").fill(d(TODAY + dt.timedelta(days=60)))
    form.locator("textarea[name=reason]").fill("Приміщення відповідає вимогам, є укриття.")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/centreview/show/\d+", page.url), page.url
    text = body_text(page)
    assert "Заявку схвалено; запланований центр створено." in text
    assert CENTRE in text and "Запланований" in text and "185" in text
    checklist = page.locator(".portal-readiness-checklist")
    assert checklist.locator("[data-ok=no]").count() == 3  # staff, certificates, agreement
    assert checklist.locator("[data-item=selection][data-ok=yes]").count() == 1
    assert_clean_console(page)
    centre_url = page.url
    centre_id = int(page.url.rsplit("/", 1)[1])
    shot(page, "02-planned-centre")

    # 3. Preparing; opening is refused with what is missing.
    confirm_action(page, "Розпочати підготовку")
    assert f"Центр «{CENTRE}»: Готується до відкриття." in body_text(page)
    page.goto(centre_url)
    confirm_action(page, "Відкрити центр")
    text = body_text(page)
    assert "Центр ще не можна відкрити. Бракує:" in text, text[:1500]
    assert "Угоду з громадою підписано" in text
    with live_app.app_context():
        assert db.session.get(ResilienceCentre, centre_id).status == CentreStatus.preparing
    shot(page, "03-opening-refused")

    # 4. Staff assigned from the provider's certified specialists.
    for role, name in STAFF.items():
        page.goto(f"{live_url}/centrestaffview/add")
        pick(page, "centre", "Жовків", CENTRE)
        pick(page, "specialist", name.split()[0], name)
        select_value(page, "role", role)
        fill_date(page, "start_on", d(MONTH))
        submit_form(page)
        assert_saved(page, "centrestaffview")
    assert_clean_console(page)
    shot(page, "04-staff")

    # 5. The agreement signed and the actual opening date recorded; then it opens.
    page.goto(f"{centre_url.replace('/show/', '/edit/')}")
    page.fill("#agreement_number", "12/2026")
    fill_date(page, "agreement_signed_on", d(MONTH))
    fill_date(page, "opened_on", d(MONTH))
    submit_form(page)
    assert "Зміни збережено" in body_text(page), body_text(page)[:2000]
    page.goto(centre_url)
    assert page.locator(".portal-readiness-checklist [data-ok=no]").count() == 0
    confirm_action(page, "Відкрити центр")
    assert f"Центр «{CENTRE}»: Працює." in body_text(page), body_text(page)[:2000]
    page.goto(centre_url)
    text = body_text(page)
    assert "Працює" in text
    assert "Психолог: 1; Соціальний менеджер: 1; Соціальний працівник: 1" in text
    with live_app.app_context():
        item = db.session.get(ResilienceCentre, centre_id)
        assert item.status == CentreStatus.operating and item.opened_on == MONTH
        assert item.dir_psychoeducation and item.dir_skills
    shot(page, "05-opened")
    sign_out(page, live_url)

    # 6. The provider's specialist records a month of activities and visits.
    sign_in(page, live_url, "caseworker")
    activities = [
        ("counselling", "individual_consultation", "individual", 1, 0, 0, 1, 0),
        ("support_groups", "self_help_group", "group", 4, 3, 1, 5, 3),
        ("psychoeducation", "information_event", "group", 2, 5, 3, 4, 6),
    ]
    for k, (direction, kind, fmt, veterans, idp, others, women, men) in enumerate(activities):
        page.goto(f"{live_url}/centreactivityview/add")
        pick(page, "centre", "Жовків", CENTRE)
        fill_date(page, "held_on", d(MONTH + dt.timedelta(days=3 + 7 * k)))
        select_value(page, "direction", direction)
        select_value(page, "kind", kind)
        select_value(page, "format", fmt)
        pick(page, "facilitator", list(STAFF.values())[k].split()[0], list(STAFF.values())[k])
        total = veterans + idp + others
        for field, value in (
            ("veterans", veterans),
            ("idp", idp),
            ("others", others),
            ("women", women),
            ("men", men),
            ("children", 0),
            ("adults", total),
            ("seniors", 0),
        ):
            page.fill(f"#{field}", str(value))
        submit_form(page)
        assert_saved(page, "centreactivityview")
    for offset, visits in ((2, 14), (9, 21)):
        page.goto(f"{live_url}/centrevisitdayview/add")
        pick(page, "centre", "Жовків", CENTRE)
        fill_date(page, "day", d(MONTH + dt.timedelta(days=offset)))
        page.fill("#visits", str(visits))
        submit_form(page)
        assert_saved(page, "centrevisitdayview")
    assert_clean_console(page)
    shot(page, "06-activities")

    # 7. The monthly report: figures from the log, submitted.
    page.goto(f"{live_url}/centrereportview/add")
    pick(page, "centre", "Жовків", CENTRE)
    fill_date(page, "month", d(MONTH))
    page.fill("#narrative", "Перший місяць: група самодопомоги, інформаційна зустріч.")
    submit_form(page)
    assert_saved(page, "centrereportview")
    with live_app.app_context():
        report_id = db.session.scalar(
            select(CentreReport.id).where(CentreReport.centre_id == centre_id)
        )
    page.goto(f"{live_url}/centrereportview/show/{report_id}")
    figures = page.locator(".portal-report-figures")
    assert figures.locator("[data-figure=visits]").inner_text() == "35"
    assert figures.locator("[data-figure=activities]").inner_text() == "3"
    assert figures.locator("[data-figure=participants]").inner_text() == "19"
    with page.expect_navigation():
        page.locator("form[data-transition=submit] button").click()
    page.wait_for_load_state("networkidle")
    assert f"/centrereportview/show/{report_id}" in page.url
    assert "Статус звіту: Подано." in body_text(page)
    shot(page, "07-report-submitted")
    sign_out(page, live_url)

    # 8. The regional administrator accepts it.
    sign_in(page, live_url, "lviv")
    page.goto(f"{live_url}/centrereportview/show/{report_id}")
    with page.expect_navigation():
        page.locator("form[data-transition=accept] button").click()
    page.wait_for_load_state("networkidle")
    assert f"/centrereportview/show/{report_id}" in page.url
    assert "Статус звіту: Прийнято." in body_text(page)
    with live_app.app_context():
        assert db.session.get(CentreReport, report_id).status == ReportStatus.accepted
    shot(page, "08-report-accepted")

    # 9. The oblast dashboard shows the month's figures.
    open_menu(page, "Звіти", "Центри в роботі: відвідування та заходи")
    assert "/centres/activity/" in page.url
    page.fill("#from", MONTH.strftime("%Y-%m"))
    page.fill("#to", MONTH.strftime("%Y-%m"))
    with page.expect_navigation():
        page.locator("form.portal-period button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert f"from={MONTH:%Y-%m}" in page.url
    row = page.locator("table.portal-activity-oblasts tr[data-oblast='Львівська область']")
    cells = [c.strip() for c in row.inner_text().split("\t")]
    assert cells[:5] == ["Львівська область", "1", "35", "3", "19"], cells
    assert page.locator("[data-total=visits]").inner_text() == "35"
    assert_clean_console(page)
    shot(page, "09-dashboard")
