"""The five journeys of the portal's people, in Chromium, step by step (#18).

Each step asserts where the user is (the URL) and what they see, and leaves a
screenshot in ``test-artifacts/e2e/<journey>/NN-<step>.png`` (kept by CI as an
artefact; look at them). The journeys share one portal and one database, in this
order: the auditor's journey reads what the others changed.

1. A regional administrator registers a centre, edits it, and suspends an
   operating centre with a reason.
2. Ministry staff approve a provider and finalise a selection round.
3. A trainer records a whole group's attendance and finishes the workshop.
4. A case worker opens a case, adds a plan item and a contact, and transfers it.
5. An auditor reads the audit log.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.demo import LVIV
from app.extensions import db
from app.geography.models import Hromada, Oblast

from .conftest import ARTIFACTS, sign_in

EDRPOU_LVIV = "37567866"
PROVIDER = "ГО «Опора Львівщини»"
NEW_CENTRE = "Центр життєстійкості Жовківської громади"
OPERATING_CENTRE = "Центр життєстійкості Городоцької громади"
COURSE = "Перша психологічна допомога (маршрут)"
SPECIALISTS = ("Андрієнко Марія Іванівна", "Бондар Олег Петрович", "Вакуленко Ірина Степанівна")
SUBMITTED = "БФ «Надія Галичини»"
CRITERIA = ("Запис у Реєстрі надавачів соціальних послуг", "Фахівці з профільною освітою")
ROUND = "Відбір надавачів для центрів Львівщини (маршрут)"
FAMILY_PROVIDER = "ГО «Родина поруч»"
FAMILY = "Мельник Оксана Василівна"


# --------------------------------------------------------------------------- the steps
class Journey:
    """Steps of one person's journey: after each, the URL, the text and a screenshot."""

    def __init__(self, page, name: str):
        self.page, self.name, self.number = page, name, 0
        self.folder = os.path.join(ARTIFACTS, "e2e", name)
        os.makedirs(self.folder, exist_ok=True)

    def step(self, title: str, url: str, sees=(), not_sees=()) -> str:
        """Check the page the user is on now; returns its visible text."""
        page = self.page
        page.wait_for_load_state("networkidle")
        self.number += 1
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        page.screenshot(
            path=os.path.join(self.folder, f"{self.number:02d}-{slug}.png"), full_page=True
        )
        assert re.search(url, page.url), f"step {self.number} ({title}): at {page.url}"
        text = page.inner_text("body")
        for expected in sees:
            assert expected in text, f"step {self.number} ({title}): no «{expected}»"
        for unexpected in not_sees:
            assert unexpected not in text, f"step {self.number} ({title}): «{unexpected}»"
        assert page.console_errors == [], page.console_errors
        return text

    def click(self, locator):
        with self.page.expect_navigation():
            locator.click()

    def menu(self, category: str, item: str):
        self.page.locator("a.dropdown-toggle", has_text=category).first.click()
        link = self.page.locator("ul.dropdown-menu a:visible").filter(
            has_text=re.compile(rf"^\s*{re.escape(item)}\s*$")
        )
        self.click(link.first)

    def pick(self, field_id: str, typed: str, option_text: str):
        """A server-searched picker (select2), typed into as a person would."""
        page = self.page
        page.click(f"#{field_id} + .select2 .select2-selection")
        page.locator(".select2-container--open .select2-search__field").fill(typed)
        option = page.locator(
            ".select2-container--open .select2-results__option", has_text=option_text
        )
        option.first.wait_for(timeout=5000)
        option.first.click()

    def save(self, label: str = "Зберегти"):
        self.click(self.page.locator("form button[type=submit]", has_text=label).first)


def _oblast(code) -> Oblast:
    return db.session.scalar(select(Oblast).where(Oblast.code == code))


def _id_in(url: str) -> int:
    return int(re.search(r"/show/(\d+)", url).group(1))


@pytest.fixture(scope="module")
def world(live_app):
    """An approved Lviv provider with three specialists, an operating centre it runs,
    and the trainer's running workshop (sessions yesterday and today) of the three."""
    from app.centers.models import DIRECTIONS, CentreStatus, ResilienceCentre
    from app.providers.models import Provider, ProviderKind, ProviderStatus, Specialist
    from app.security.models import PortalUser
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
            select(Hromada).where(Hromada.oblast_id == lviv.id, Hromada.title.like("Городоцька%"))
        )
        provider = Provider(
            name=PROVIDER,
            short_name="Опора Львівщини",
            kind=ProviderKind.ngo,
            edrpou=EDRPOU_LVIV,
            oblast_id=lviv.id,
            status=ProviderStatus.approved,
        )
        db.session.add(provider)
        db.session.flush()
        specialists = [
            Specialist(provider_id=provider.id, full_name=name, position="Психолог")
            for name in SPECIALISTS
        ]
        db.session.add_all(specialists)
        operating = ResilienceCentre(
            name=OPERATING_CENTRE,
            provider_id=provider.id,
            hromada_id=hromada.id,
            oblast_id=lviv.id,
            address="м. Городок, вул. Львівська, 2",
            status=CentreStatus.operating,
            opened_on=dt.date(2026, 3, 2),
            latitude=49.785342,
            longitude=23.647713,
            phone="+380322000000",
            **{attr: True for attr in DIRECTIONS},
        )
        db.session.add(operating)
        yesterday = dt.date.today() - dt.timedelta(days=1)
        course = Course(
            title=COURSE,
            programme=TrainingProgramme.resilience_centres,
            hours=Decimal(8),
            completion_hours=Decimal(6),
        )
        db.session.add(course)
        db.session.flush()
        workshop = Workshop(
            course_id=course.id,
            start_date=yesterday,
            end_date=dt.date.today(),
            online=False,
            place="м. Львів, вул. Городоцька, 15",
            capacity=10,
            status=WorkshopStatus.running,
        )
        workshop.trainers.append(
            db.session.scalar(select(PortalUser).where(PortalUser.username == "trainer"))
        )
        db.session.add(workshop)
        db.session.flush()
        sessions = [
            TrainingSession(
                workshop_id=workshop.id,
                day=yesterday + dt.timedelta(n),
                hours=Decimal(4),
                topic=f"День {n + 1}",
            )
            for n in range(2)
        ]
        db.session.add_all(sessions)
        db.session.add_all(
            [Participant(workshop_id=workshop.id, specialist_id=s.id) for s in specialists]
        )
        selection = _selection_world(provider, lviv)
        family_provider = Provider(
            name=FAMILY_PROVIDER,
            kind=ProviderKind.ngo,
            edrpou="14360570",
            oblast_id=lviv.id,
            status=ProviderStatus.approved,
        )
        db.session.add(family_provider)
        db.session.flush()
        db.session.scalar(
            select(PortalUser).where(PortalUser.username == "caseworker")
        ).provider_id = family_provider.id
        community = db.session.scalar(
            select(Hromada.title).where(
                Hromada.oblast_id == lviv.id, Hromada.title.like("Львівська%")
            )
        )
        db.session.commit()
        return {
            "provider": provider.id,
            "operating": operating.id,
            "workshop": workshop.id,
            "days": [s.day for s in sessions],
            "family_provider": family_provider.id,
            "community": community,
            **selection,
        }


def _selection_world(provider, lviv) -> dict:
    """A provider submitted for approval against the ministry's two criteria, and a
    round under evaluation whose one proposal is screened and scored by both members."""
    from app.cli import create_user
    from app.providers.models import (
        EligibilityCriterion,
        LegalForm,
        Provider,
        ProviderKind,
        ProviderStatus,
    )
    from app.security import roles
    from app.security.models import PortalUser
    from app.selection.models import (
        Application,
        CommissionMember,
        Criterion,
        Programme,
        RoundStatus,
        Score,
        SelectionRound,
    )

    create_user(
        "ministry2", "Journey-pass-2026!", roles.MINISTRY, first_name="Друга", last_name="Членкиня"
    )
    submitted = Provider(
        name=SUBMITTED,
        kind=ProviderKind.charity,
        edrpou="00032945",
        legal_form=LegalForm.charitable_organisation,
        oblast_id=lviv.id,
        status=ProviderStatus.submitted,
    )
    db.session.add(submitted)
    db.session.add_all(
        [EligibilityCriterion(name=name, position=n) for n, name in enumerate(CRITERIA, 1)]
    )
    rnd = SelectionRound(
        title=ROUND,
        programme=Programme.resilience_centres,
        oblast_id=lviv.id,
        announced_on=dt.date.today() - dt.timedelta(30),
        deadline=dt.date.today() - dt.timedelta(5),
        status=RoundStatus.evaluating,
        winners_count=1,
        reserve_count=0,
        pass_mark=Decimal("10"),
        appeal_days=5,
    )
    db.session.add(rnd)
    db.session.flush()
    criteria = [
        Criterion(round_id=rnd.id, name=name, weight=Decimal(w), max_score=10, position=n)
        for n, (name, w) in enumerate((("Досвід роботи", 3), ("Кадри", 1)), 1)
    ]
    db.session.add_all(criteria)
    members = [
        db.session.scalar(select(PortalUser).where(PortalUser.username == u))
        for u in ("ministry", "ministry2")
    ]
    db.session.add_all([CommissionMember(round_id=rnd.id, user_id=m.id) for m in members])
    application = Application(
        round_id=rnd.id,
        provider_id=provider.id,
        submitted_on=rnd.deadline,
        eligible=True,
        screening_reason=None,
    )
    db.session.add(application)
    db.session.flush()
    db.session.add_all(
        [
            Score(application_id=application.id, criterion_id=c.id, member_id=m.id, value=8)
            for c in criteria
            for m in members
        ]
    )
    return {"submitted": submitted.id, "round": rnd.id, "application": application.id}


# ------------------------------------------------------------- 1. regional administrator
def test_regional_administrator_registers_edits_and_suspends_a_centre(
    page, live_url, live_app, world
):
    from app.centers.models import CentreStatus, ResilienceCentre

    j = Journey(page, "1-regional-administrator")
    sign_in(page, live_url, "lviv")
    j.step("home", r"/$", sees=["Центри"])

    j.menu("Реєстри", "Центри життєстійкості")
    j.step("centre list", r"/centreview/list/", sees=[OPERATING_CENTRE])

    j.click(page.locator("a:has(> span.sr-only:text-is('Додати'))").first)
    j.step("registration form", r"/centreview/add", sees=["Зареєструвати центр життєстійкості"])

    page.fill("#name", NEW_CENTRE)
    j.pick("hromada", "Жовк", "Жовківська")
    page.fill("#address", "м. Жовква, площа Вічева, 1")
    page.fill("#latitude", "50.055123")
    page.fill("#longitude", "23.971456")
    j.pick("provider", "Опора", PROVIDER)
    j.save()
    # Saving lands on the new centre's page (not on the home page or the list).
    text = j.step(
        "saved: the centre's page",
        r"/centreview/show/\d+",
        sees=[NEW_CENTRE, "Запланований", "Жовківська"],
    )
    new_id = _id_in(page.url)
    assert "50.055123" in text and "23.971456" in text

    j.click(page.locator("a.portal-edit-record"))
    j.step("edit form", rf"/centreview/edit/{new_id}", sees=["Редагування центру життєстійкості"])
    page.fill("#phone", "067 123 45 67")
    j.save()
    text = j.step(
        "edited: back on the centre's page", rf"/centreview/show/{new_id}$", sees=[NEW_CENTRE]
    )
    assert "50.055123" in text and "23.971456" in text  # coordinates not rounded
    with live_app.app_context():
        centre = db.session.get(ResilienceCentre, new_id)
        assert (centre.latitude, centre.longitude) == (50.055123, 23.971456)
        assert centre.phone and centre.phone.replace(" ", "").endswith("671234567")

    # Only the status changes allowed now are offered: a planned centre is prepared or closed.
    offered = page.locator("form.portal-status-change button").all_inner_texts()
    assert offered == ["Розпочати підготовку", "Закрити центр"], offered
    j.click(page.locator("form.portal-status-change button", has_text="Розпочати підготовку"))
    j.step(
        "preparing: the centre's page with the result",
        rf"/centreview/show/{new_id}$",
        sees=["Готується до відкриття"],
    )

    # The operating centre, found by a part of its name in the quick search.
    j.menu("Реєстри", "Центри життєстійкості")
    page.fill("#portal-q", "городоц")
    j.click(page.locator(".portal-quick-search button[type=submit]"))
    text = j.step(
        "quick search with its chip",
        r"/centreview/list/\?q=",
        sees=[OPERATING_CENTRE, "Пошук містить «городоц»"],
        not_sees=[NEW_CENTRE],
    )
    j.click(
        page.locator("table tr", has_text=OPERATING_CENTRE).locator(
            "a:has(> span.sr-only:text-is('Переглянути'))"
        )
    )
    j.step(
        "operating centre",
        rf"/centreview/show/{world['operating']}$",
        sees=[OPERATING_CENTRE, "Працює"],
        not_sees=["Відновити роботу"],
    )

    # Suspending asks for the reason; without it the browser does not send the form.
    page.locator("form.portal-status-change button", has_text="Призупинити").click()
    assert page.locator("#reason-suspend:invalid").count() == 1
    page.fill("#reason-suspend", "Ремонт укриття після обстрілу")
    j.click(page.locator("form.portal-status-change button", has_text="Призупинити"))
    text = j.step(
        "suspended with the reason",
        rf"/centreview/show/{world['operating']}$",
        sees=["Призупинено", "Ремонт укриття після обстрілу"],
        not_sees=["Призупинити роботу центру"],
    )
    with live_app.app_context():
        centre = db.session.get(ResilienceCentre, world["operating"])
        assert centre.status == CentreStatus.suspended
        assert centre.status_reason == "Ремонт укриття після обстрілу"


# ------------------------------------------------------------------------ 2. ministry
def test_ministry_approves_a_provider_by_criteria_and_finalises_a_round(
    page, live_url, live_app, world
):
    from app.providers.models import Provider, ProviderStatus
    from app.selection.models import Application, Decision, RoundStatus, SelectionRound

    j = Journey(page, "2-ministry")
    sign_in(page, live_url, "ministry")
    j.step("home", r"/$")
    j.menu("Реєстри", "Надавачі послуг")
    j.step("providers", r"/providerview/list/", sees=[SUBMITTED, "Подано на затвердження"])
    j.click(
        page.locator("table tr", has_text=SUBMITTED).locator(
            "a:has(> span.sr-only:text-is('Переглянути'))"
        )
    )
    j.step(
        "provider page",
        rf"/providerview/show/{world['submitted']}$",
        sees=[SUBMITTED, "Критерії відповідності", *CRITERIA],
    )

    # Approval waits for the criteria: refused, on the same page, naming what is missing.
    approve = page.locator(
        ".portal-workflow form", has=page.locator("button", has_text="Затвердити")
    )
    j.click(approve.locator("button", has_text="Затвердити"))
    j.step(
        "approval refused: criteria not assessed",
        rf"/providerview/show/{world['submitted']}",
        sees=["не можна затвердити", CRITERIA[0]],
    )
    for name in CRITERIA:
        row = page.locator("#eligibility tr", has_text=name)
        row.locator("input[name=met]").check()
        row.locator("input[name=evidence]").fill(f"Перевірено: {name.lower()}")
        j.click(row.locator("button[type=submit]"))
        j.step(
            f"criterion met: {name[:20]}",
            rf"/providerview/show/{world['submitted']}",
            sees=[f"Перевірено: {name.lower()}"],
        )
    j.click(page.locator(".portal-workflow form button", has_text="Затвердити"))
    j.step(
        "approved: the provider's page with the result",
        rf"/providerview/show/{world['submitted']}",
        sees=["Затверджено"],
    )
    with live_app.app_context():
        assert db.session.get(Provider, world["submitted"]).status == ProviderStatus.approved

    # The round under evaluation: every member has scored, so it is finalised.
    j.menu("Конкурсний відбір", "Конкурсні відбори")
    j.step("rounds", r"/selectionroundview/list/", sees=[ROUND])
    j.click(
        page.locator("table tr", has_text=ROUND).locator(
            "a:has(> span.sr-only:text-is('Переглянути'))"
        )
    )
    j.step(
        "round page",
        rf"/selectionroundview/show/{world['round']}$",
        sees=[ROUND, "Оцінювання", "Оприлюднити результати й протокол"],
    )
    form = page.locator(".portal-workflow form", has_text="Оприлюднити результати й протокол")
    assert form.get_attribute("data-confirm"), "finalising warns that scores are then fixed"
    form.locator("input[name=protocol_number]").fill("21-к")
    form.locator("input[name=protocol_date]").click()
    page.locator(".datepicker-days").wait_for()
    page.keyboard.type(dt.date.today().strftime("%d.%m.%Y"))
    page.click(".portal-workflow .panel-heading")  # closes the date picker
    page.once("dialog", lambda dialog: dialog.accept())
    j.click(form.locator("button[type=submit]"))
    j.step(
        "results published: the round page with the result",
        rf"/selectionroundview/show/{world['round']}",
        sees=["Результати оприлюднено: оскарження"],
    )
    with live_app.app_context():
        assert db.session.get(SelectionRound, world["round"]).status == RoundStatus.appeals
        assert db.session.get(Application, world["application"]).decision == Decision.winner


# ------------------------------------------------------------------------ 3. trainer
def test_trainer_records_the_group_attendance_and_finishes_the_workshop(
    page, live_url, live_app, world
):
    from app.training.models import Certificate, Participant, Workshop, WorkshopStatus

    j = Journey(page, "3-trainer")
    sign_in(page, live_url, "trainer")
    j.step("home", r"/$")
    j.menu("Навчання", "Воркшопи")
    j.step("workshops", r"/workshopview/list/", sees=[COURSE, "Триває"])
    j.click(
        page.locator("table tr", has_text=COURSE).locator(
            "a:has(> span.sr-only:text-is('Переглянути'))"
        )
    )
    j.step("workshop page", rf"/workshopview/show/{world['workshop']}", sees=[COURSE])

    j.click(page.locator("a", has_text="Позначити відвідування"))
    j.step("group attendance form", rf"/attendance/{world['workshop']}", sees=list(SPECIALISTS))
    d1, d2 = (d.strftime("%d.%m.%Y") for d in world["days"])
    a, b, c = SPECIALISTS
    for name in SPECIALISTS:
        for day in (d1, d2):
            page.get_by_label(f"{name}, {day}", exact=True).select_option(label="Присутній")
    page.get_by_label(f"{c}, {d2}", exact=True).select_option(label="Відсутній")
    j.click(page.locator("button[type=submit]", has_text="Зберегти відвідування"))
    j.step(
        "attendance saved, shown as saved",
        rf"/attendance/{world['workshop']}",
        sees=["Відвідування групи збережено."],
    )
    assert (
        page.get_by_label(f"{c}, {d2}", exact=True).evaluate(
            "el => el.options[el.selectedIndex].text"
        )
        == "Відсутній"
    )

    j.click(page.locator("a", has_text="Повернутися до воркшопу"))
    j.step("back on the workshop", rf"/workshopview/show/{world['workshop']}", sees=[COURSE])
    # Finishing cannot be undone: the button is a dangerous one and asks to confirm.
    finish = page.locator("form[data-confirm] button.btn-danger", has_text="Завершити")
    assert finish.count() == 1
    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.accept()))
    j.click(finish)
    assert messages and "свідоцтва" in messages[0] and "лише адміністратор" in messages[0]
    j.step(
        "finished: the workshop page with the result",
        rf"/workshopview/show/{world['workshop']}",
        sees=["Завершено"],
        not_sees=["Позначити відвідування"],
    )
    with live_app.app_context():
        workshop = db.session.get(Workshop, world["workshop"])
        assert workshop.status == WorkshopStatus.finished
        holders = db.session.scalars(
            select(Certificate)
            .join(Certificate.participant)
            .where(Participant.workshop_id == workshop.id)
        ).all()
        # 8 h held for two, 4 h for the third (6 h needed): two certificates.
        assert len(holders) == 2


# ------------------------------------------------------------------------ 4. case worker
def test_case_worker_opens_a_case_adds_a_plan_item_and_a_contact_and_transfers_it(
    page, live_url, live_app, world
):
    from app.cases.models import Case, CaseTransfer, TransferStatus
    from app.cases.services import kyiv_today

    from .test_case_journey import _date
    from .test_e2e_flows import choose

    j = Journey(page, "4-case-worker")
    today = kyiv_today()
    sign_in(page, live_url, "caseworker")
    j.step("home", r"/$")
    j.menu("Випадки", "Реєстр випадків")
    j.step("cases", r"/caseview/list/")
    j.click(page.locator("a:has(> span.sr-only:text-is('Додати'))").first)
    j.step("open a case: the form", r"/caseview/add")
    choose(page, "programme", "Асистент родини")
    _date(page, "application_on", today - dt.timedelta(days=1))
    choose(page, "intake_source", "Центр надання адміністративних послуг")
    page.fill("#b_full_name", FAMILY)
    page.locator("#b_category").select_option(value="family_missing")
    choose(page, "b_sex", "Жіноча")
    j.pick("b_hromada", "Львівська", world["community"])
    _date(page, "b_consent_on", today)
    page.fill("#b_consent_document", "Згода № 17")
    j.save()
    text = j.step("opened: the case's page", r"/caseview/show/\d+", sees=[FAMILY, FAMILY_PROVIDER])
    case_id = _id_in(page.url)
    with live_app.app_context():
        number = db.session.get(Case, case_id).number
    assert number in text

    def workflow(label):
        home = page.locator("a[data-toggle=tab][href='#Home']")
        if home.count():
            home.first.click()
        j.click(page.locator(".portal-case-workflow button", has_text=label).first)

    workflow("Розпочати оцінювання потреб")
    j.step("assessing: the case's page", rf"/caseview/show/{case_id}", sees=["Оцінювання"])
    page.goto(f"{live_url}/assessmentactview/add?_flt_0_case={case_id}")
    _date(page, "assessed_on", today)
    page.fill("#assessor", "Фахівчиня із супроводу")
    page.fill("#participants", "Мати, двоє дітей")
    page.fill("#summary", "Борги за комунальні послуги")
    j.save()
    j.step("assessment act saved: the case's page on its tab", rf"/caseview/show/{case_id}#\w+")
    page.goto(f"{live_url}/needsassessmentview/add?_flt_0_case={case_id}")
    choose(page, "domain", "Борги")
    choose(page, "priority", "Високий")
    _date(page, "assessed_on", today)
    j.save()
    j.step("need saved: the case's page on its tab", rf"/caseview/show/{case_id}#\w+")
    page.goto(f"{live_url}/caseview/show/{case_id}")
    workflow("Скласти план")
    j.step("planning: the case's page", rf"/caseview/show/{case_id}")

    # A plan item: saved, the user is on the case's page, on the plan's tab.
    page.goto(f"{live_url}/planitemview/add?_flt_0_case={case_id}")
    page.locator("#measure").select_option(value="debt_restructuring")
    page.fill("#goal", "Реструктуризувати борг за опалення")
    page.fill("#expected_result", "Графік погашення погоджено")
    page.fill("#responsible", "Фахівчиня із супроводу")
    _date(page, "due_on", today + dt.timedelta(days=30))
    j.save()
    j.step(
        "plan item saved: the case's plan tab",
        rf"/caseview/show/{case_id}#PlanItemView",
        sees=["Реструктуризувати борг за опалення"],
    )

    # A contact: saved, the user is on the case's contacts tab.
    page.goto(f"{live_url}/contactview/add?_flt_0_case={case_id}")
    _date(page, "contact_on", today)
    choose(page, "form", "Візит додому")
    page.fill("#summary", "Зустріч з родиною вдома")
    j.save()
    j.step(
        "contact saved: the case's contacts tab",
        rf"/caseview/show/{case_id}#ContactView",
        sees=["Візит додому", today.strftime("%d.%m.%Y")],
    )

    # The transfer to another (approved) provider: asked on its own form, lands on the case.
    page.goto(f"{live_url}/caseview/show/{case_id}")
    home = page.locator("a[data-toggle=tab][href='#Home']")
    if home.count():
        home.first.click()
    j.click(page.locator("a", has_text="Передати іншому надавачеві"))
    j.step("transfer form", rf"/caseview/transfer/{case_id}", sees=[number])
    j.pick("to_provider", "Опора", "Опора Львівщини")
    page.fill("#reason", "Родина переїхала до громади, де працює інший надавач")
    j.save()
    j.step(
        "transfer requested: the case's page with the result",
        rf"/caseview/show/{case_id}",
        sees=["Запит на передання надіслано"],
    )
    with live_app.app_context():
        transfer = db.session.scalar(select(CaseTransfer).where(CaseTransfer.case_id == case_id))
        assert transfer.status == TransferStatus.requested
        assert transfer.to_provider_id == world["provider"]


# ------------------------------------------------------------------------ 5. auditor
def test_auditor_reads_the_audit_log(page, live_url, live_app, world):
    j = Journey(page, "5-auditor")
    sign_in(page, live_url, "auditor")
    j.step("home", r"/$")
    page.goto(f"{live_url}/auditlogview/list/")
    j.step(
        "audit log",
        r"/auditlogview/list/",
        sees=["Журнал аудиту"],
        not_sees=["ResilienceCentre", "CentreStatusChange", "Attendance", "{"],
    )
    # What the Lviv administrator did: the quick search by the user's name.
    page.fill("#portal-q", "lviv")
    j.click(page.locator(".portal-quick-search button[type=submit]"))
    text = j.step(
        "the administrator's entries",
        r"/auditlogview/list/\?q=lviv",
        sees=["Пошук містить «lviv»", "Центр життєстійкості", "Змінено"],
        not_sees=["ResilienceCentre"],
    )
    assert "trainer" not in text
    # The centre edited in the first journey: its entry reads «поле: було → стало».
    row = page.locator("table tr", has_text="Центр життєстійкості").filter(has_text="Змінено").first
    j.click(row.locator("a:has(> span.sr-only:text-is('Переглянути'))"))
    text = j.step(
        "audit entry",
        r"/auditlogview/show/\d+",
        sees=["Центр життєстійкості:", "Поле", "Було", "Стало"],
        not_sees=["True", "None", "{", " Fk", "_"],
    )
