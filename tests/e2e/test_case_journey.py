"""A family assistant's case in a real browser (issue #20): opened from an
application, assessed within the deadline, a plan agreed with the family,
accompaniment refused until the contract with the family is recorded and a
colleague (the provider asks for a supervisor's approval) approved the plan,
meetings logged, reviewed, extended once, closed, a follow-up after closure;
the month's figures count it. A screenshot after every step under
``test-artifacts/e2e/``."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import select

from app.demo import LVIV
from app.extensions import db
from app.geography.models import Hromada, Oblast
from app.providers.models import Provider, ProviderKind, ProviderStatus
from app.security.models import PortalUser

from .conftest import ARTIFACTS, sign_in
from .test_e2e_flows import assert_clean_console, body_text, choose, pick, sign_out, submit_form

FAMILY = "Мельник Оксана Василівна"
SHOTS = os.path.join(ARTIFACTS, "e2e")


@pytest.fixture(scope="module")
def world(live_app):
    with live_app.app_context():
        oblast = db.session.scalar(select(Oblast).where(Oblast.code == LVIV))
        provider = Provider(
            name="ГО «Родина поруч»",
            kind=ProviderKind.ngo,
            edrpou="37567866",
            oblast_id=oblast.id,
            status=ProviderStatus.approved,
        )
        db.session.add(provider)
        db.session.flush()
        db.session.scalar(
            select(PortalUser).where(PortalUser.username == "caseworker")
        ).provider_id = provider.id
        # the provider asks for a supervisor's approval of agreed plans; its
        # supervisor is another case worker of the provider
        from app.cases.models import CaseProviderSetting
        from app.cli import create_user
        from app.security import roles

        from ..conftest import PASSWORD

        db.session.add(CaseProviderSetting(provider_id=provider.id, plan_approval_required=True))
        supervisor = create_user(
            "supervisor_e2e", PASSWORD, roles.CASE_WORKER, first_name="Ірина", last_name="Керівна"
        )
        supervisor.provider_id = provider.id
        hromada = db.session.scalar(
            select(Hromada).where(Hromada.oblast_id == oblast.id, Hromada.title.like("Львівська%"))
        )
        db.session.commit()
        return {"provider": provider.id, "hromada": hromada.title}


class Steps:
    def __init__(self, page):
        self.page, self.n = page, 0
        os.makedirs(SHOTS, exist_ok=True)

    def shot(self, name):
        self.n += 1
        self.page.screenshot(
            path=os.path.join(SHOTS, f"case_journey_{self.n:02d}_{name}.png"), full_page=True
        )
        assert_clean_console(self.page)


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _date(page, field, day):
    """Type a date as a person does: the Ukrainian date picker opens, the
    typed value stays, a click on the field's label closes the picker."""
    page.click(f"#{field}")
    page.fill(f"#{field}", "")
    page.keyboard.type(day.strftime("%d.%m.%Y"))
    page.click(f"label[for={field}]")
    assert page.input_value(f"#{field}") == day.strftime("%d.%m.%Y")


def _workflow(page, label):
    # the case page reopens the tab last looked at: back to the case's own tab
    home = page.locator("a[data-toggle=tab][href='#Home']")
    if home.count():
        home.first.click()
    with page.expect_navigation():
        page.locator(".portal-case-workflow button", has_text=label).first.click()
    page.wait_for_load_state("networkidle")


def test_family_assistant_case_from_application_to_closure(page, live_url, live_app, world):
    from app.cases.models import Case, CaseStatus, ClosureReason
    from app.cases.services import kyiv_today

    steps = Steps(page)
    today = kyiv_today()
    sign_in(page, live_url, "caseworker")

    # 1. open the case from yesterday's application, referred by ЦНАП
    _go(page, f"{live_url}/caseview/add")
    choose(page, "programme", "Асистент родини")
    _date(page, "application_on", today - dt.timedelta(days=1))
    choose(page, "intake_source", "Центр надання адміністративних послуг")
    page.fill("#b_full_name", FAMILY)
    page.locator("#b_category").select_option(value="family_missing")
    choose(page, "b_sex", "Жіноча")
    pick(page, "b_hromada", "Львівська", world["hromada"])
    _date(page, "b_consent_on", today)
    page.fill("#b_consent_document", "Згода № 17")
    steps.shot("open_form")
    submit_form(page)
    assert "Запис додано" in body_text(page), body_text(page)[:1500]
    with live_app.app_context():
        case = db.session.scalar(select(Case).where(Case.provider_id == world["provider"]))
        case_id, number = case.id, case.number
        assert case.application_on == today - dt.timedelta(days=1)
        assert case.assessment_due_on > today  # five working days
    steps.shot("opened")

    # 2. assess within the deadline: an act and a need
    _go(page, f"{live_url}/caseview/show/{case_id}")
    assert number in body_text(page)
    _workflow(page, "Розпочати оцінювання потреб")
    _go(page, f"{live_url}/assessmentactview/add?_flt_0_case={case_id}")
    _date(page, "assessed_on", today)
    page.fill("#assessor", "Фахівчиня із супроводу")
    page.fill("#participants", "Мати, двоє дітей")
    page.fill("#summary", "Борги за комунальні послуги, потрібна робота")
    steps.shot("assessment_act")
    submit_form(page)
    assert "Запис додано" in body_text(page)
    _go(page, f"{live_url}/needsassessmentview/add?_flt_0_case={case_id}")
    choose(page, "domain", "Борги")
    choose(page, "priority", "Високий")
    _date(page, "assessed_on", today)
    submit_form(page)
    assert "Запис додано" in body_text(page)
    steps.shot("assessed")

    # 3. the plan, agreed with the family
    _go(page, f"{live_url}/caseview/show/{case_id}")
    _workflow(page, "Скласти план")
    _go(page, f"{live_url}/planitemview/add?_flt_0_case={case_id}")
    page.locator("#measure").select_option(value="debt_restructuring")
    page.fill("#goal", "Реструктуризувати борг за опалення")
    page.fill("#expected_result", "Графік погашення погоджено")
    page.fill("#responsible", "Фахівчиня із супроводу")
    page.fill("#partner", "Центр безоплатної правничої допомоги")
    _date(page, "due_on", today + dt.timedelta(days=30))
    steps.shot("plan_item")
    submit_form(page)
    assert "Запис додано" in body_text(page), body_text(page)[:1500]
    _go(page, f"{live_url}/caseview/show/{case_id}")
    _workflow(page, "Розпочати супровід")  # refused: no agreement yet
    assert "зафіксуйте згоду родини з планом" in body_text(page)
    _go(page, f"{live_url}/caseview/agreement/{case_id}")
    _date(page, "agreed_on", today)
    submit_form(page)
    assert "Згоду родини з планом зафіксовано" in body_text(page)
    case_page = f"{live_url}/caseview/show/{case_id}"

    # 3a. the family assistant programme requires a contract with the family
    _workflow(page, "Розпочати супровід")
    assert page.url.startswith(case_page)
    assert "вимагає договору з отримувачем послуги" in body_text(page)
    steps.shot("contract_required")
    home = page.locator("a[data-toggle=tab][href='#Home']")
    if home.count():
        home.first.click()
    with page.expect_navigation():
        page.locator(".portal-case-contract").first.click()
    page.wait_for_load_state("networkidle")
    assert "Договір з отримувачем послуги у випадку" in body_text(page)
    page.fill("#contract_number", "СС-17/2026")
    _date(page, "contract_on", today)
    steps.shot("contract_form")
    submit_form(page)
    assert page.url.startswith(case_page)
    text = body_text(page)
    assert "Договір з отримувачем послуги зафіксовано" in text and "СС-17/2026" in text
    steps.shot("contract_recorded")

    # 3b. the provider asks for a supervisor's approval: not the author's own
    _workflow(page, "Розпочати супровід")
    assert "вимагає затвердження погодженого плану керівником" in body_text(page)
    _workflow(page, "Затвердити план (керівник)")
    assert page.url.startswith(case_page)
    assert "План затверджує колега, а не його автор" in body_text(page)
    steps.shot("approval_by_author_refused")
    sign_out(page, live_url)
    sign_in(page, live_url, "supervisor_e2e")
    _go(page, case_page)
    _workflow(page, "Затвердити план (керівник)")
    assert page.url.startswith(case_page)
    text = body_text(page)
    assert "План затверджено." in text and "Керівна" in text
    assert page.locator(".portal-case-approve-plan").count() == 0  # approved: no button
    steps.shot("plan_approved")
    sign_out(page, live_url)
    sign_in(page, live_url, "caseworker")
    _go(page, case_page)
    _workflow(page, "Розпочати супровід")
    assert "Статус змінено" in body_text(page)
    with live_app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == CaseStatus.active
        assert (case.contract_number, case.plan_approved_on) == ("СС-17/2026", today)
    steps.shot("active")

    # 4. a home visit: the meeting clock moves
    _go(page, f"{live_url}/contactview/add?_flt_0_case={case_id}")
    _date(page, "contact_on", today)
    choose(page, "form", "Візит додому")
    page.fill("#summary", "Зустріч з родиною вдома")
    submit_form(page)
    assert "Запис додано" in body_text(page)
    with live_app.app_context():
        case = db.session.get(Case, case_id)
        assert case.last_meeting_on == today
        assert case.next_contact_due == today + dt.timedelta(days=14)
    steps.shot("meeting")

    # 5. review, extend the term once (a second time is refused), close
    _go(page, f"{live_url}/caseview/show/{case_id}")
    _workflow(page, "Розпочати перегляд")
    _go(page, f"{live_url}/reviewview/add?_flt_0_case={case_id}")
    _date(page, "reviewed_on", today)
    choose(page, "progress", "Значний поступ")
    choose(page, "decision", "Закрити випадок")
    submit_form(page)
    assert "Запис додано" in body_text(page)
    _go(page, f"{live_url}/caseview/extend/{case_id}")
    page.fill("#reason", "Складний випадок: триває реструктуризація")
    submit_form(page)
    assert "Строк надання послуги продовжено" in body_text(page)
    steps.shot("extended")
    _go(page, f"{live_url}/caseview/extend/{case_id}")
    page.fill("#reason", "Ще раз")
    submit_form(page)
    assert "стільки разів, скільки дозволяє програма" in body_text(page)
    _go(page, f"{live_url}/caseview/close/{case_id}")
    page.locator("#reason").select_option(value="goals_achieved")
    submit_form(page)
    assert "Випадок закрито" in body_text(page)
    with live_app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.status, case.closure_reason, case.extension_count) == (
            CaseStatus.closed,
            ClosureReason.goals_achieved,
            1,
        )
        assert case.follow_up_due_on == today + dt.timedelta(days=30)
    steps.shot("closed")

    # 5a. a follow-up call after closure, shown on the case page
    home = page.locator("a[data-toggle=tab][href='#Home']")
    if home.count():
        home.first.click()
    with page.expect_navigation():
        page.locator(".portal-case-follow-up").first.click()
    page.wait_for_load_state("networkidle")
    choose(page, "form", "Телефонна розмова")
    page.fill("#outcome", "Родина сплачує борг за графіком")
    steps.shot("follow_up_form")
    submit_form(page)
    assert page.url.startswith(case_page)
    assert "Повторний контакт зафіксовано" in body_text(page)
    steps.shot("follow_up_recorded")

    # 6. the month's figures count the family (counts only, no name)
    _go(page, f"{live_url}/cases/report/?month={today:%Y-%m}")
    text = body_text(page)
    assert FAMILY not in text
    assert page.inner_text(".portal-total-served") == "1"
    assert page.inner_text(".portal-total-new") == "1"
    assert page.inner_text(".portal-total-meetings") == "1"
    assert page.inner_text(".portal-total-closed") == "1"
    assert "Цілі плану досягнуто" in page.inner_text(".portal-case-closures")
    steps.shot("report")

    # 7. the same figures as a file: made in the background, the user lands on
    # the job's page and downloads it there
    with page.expect_navigation():
        page.click(".portal-case-report-file button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/jobs/" in page.url
    steps.shot("report_file_job")
    job_page = page.url
    download_link = page.locator("a[href$='/download']")
    for _attempt in range(30):  # the job runs on the server's worker thread
        if download_link.count():
            break
        page.wait_for_timeout(500)
        _go(page, job_page)
    assert page.locator(".portal-job-status.label-success").count() == 1
    steps.shot("report_file_ready")
    with page.expect_download() as arrived:
        download_link.first.click()
    assert arrived.value.suggested_filename.endswith(".xlsx")
    import io

    from openpyxl import load_workbook

    with open(arrived.value.path(), "rb") as fh:
        data = io.BytesIO(fh.read())
    cells = [
        [c for c in row if c is not None]
        for row in load_workbook(data).active.iter_rows(values_only=True)
    ]
    flat = " ".join(str(c) for row in cells for c in row)
    assert FAMILY not in flat and "Цілі плану досягнуто" in flat
