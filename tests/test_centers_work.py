"""A centre as a place of work (issue #21): staff from assignments, readiness to open
(refused on the web and the REST path with what is missing), community applications,
activities and visits rolled into the monthly report, its review, late reports."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.centers import services
from app.centers.models import (
    DIRECTIONS,
    ActivityFormat,
    ActivityKind,
    ApplicationStatus,
    CentreActivity,
    CentreReport,
    CentreStatus,
    CentreVisitDay,
    CommunityApplication,
    Direction,
    ReportStatus,
    ResilienceCentre,
    StaffRole,
)
from app.common.commands import commands_for
from app.demo import IVANO_FRANKIVSK, LVIV
from app.errors import UserError
from app.extensions import db
from app.providers.demo import demo_edrpou
from app.security.models import PortalUser

from .conftest import jwt_headers, visible_text
from .test_centers_fixtures import (
    EDRPOU_IF,
    EDRPOU_LVIV,
    assign,
    centre,
    first_hromada,
    make_ready,
    provider,
    specialist,
)

S = CentreStatus
TODAY = dt.date.today()
LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
ITEMS = ["selection", "staff", "certified", "agreement", "accessibility"]
_names = iter(range(1, 10000))


def _user(name):
    return db.session.scalar(select(PortalUser).where(PortalUser.username == name))


def _centre(app, status=S.preparing, skip=(), oblast=LVIV):
    with app.app_context():
        # a provider of its own: another test's selection win must not count here
        p = provider(demo_edrpou(5000 + next(_names)), oblast)
        item = centre(
            f"Центр роботи {next(_names)}",
            oblast,
            p,
            status=status,
            address=f"вул. Робоча, {next(_names)}",
        )
        make_ready(item, skip=skip)
        db.session.commit()
        return item.id


def _operating(app, opened=dt.date(2026, 4, 1)):
    """An operating centre opened through the service, with its staff."""
    pk = _centre(app)
    with app.test_request_context():
        item = db.session.get(ResilienceCentre, pk)
        services.open_centre(item, _user("lviv"), on=opened)
        db.session.commit()
    return pk


# --- 1. staff -------------------------------------------------------------------------------------
def test_staff_counts_come_from_assignments_not_typed_numbers(app, client_as):
    pk = _centre(app, skip=("staff",))
    with app.app_context():
        item = db.session.get(ResilienceCentre, pk)
        item.psychologists = 9  # the staffing plan, typed: never shown as staff
        p = item.provider
        assign(item, specialist(p), StaffRole.psychologist)
        assign(item, specialist(p), StaffRole.social_worker)
        gone = assign(item, specialist(p), StaffRole.social_worker, start=dt.date(2025, 1, 1))
        gone.end_on = dt.date(2025, 12, 31)
        db.session.commit()
        counts = services.staff_counts([pk])[pk]
        assert counts == {
            StaffRole.psychologist: 2,
            StaffRole.social_manager: 0,
            StaffRole.social_worker: 1,
        }
    page = client_as("lviv").get(f"/centreview/show/{pk}")
    text = visible_text(page.text)
    assert "Психолог: 2; Соціальний менеджер: 0; Соціальний працівник: 1" in text, text[-3000:]


def test_a_specialist_of_another_provider_is_not_assigned(app):
    pk = _centre(app, skip=("staff",))
    with app.test_request_context():
        item = db.session.get(ResilienceCentre, pk)
        stranger = specialist(provider(EDRPOU_IF, IVANO_FRANKIVSK))
        from app.centers.models import CentreStaff

        row = CentreStaff(
            centre=item, specialist=stranger, role=StaffRole.psychologist, start_on=TODAY
        )
        with pytest.raises(UserError) as refused:
            commands_for(row).check_create(row)
        assert "працювати в надавача" in str(refused.value)
        db.session.rollback()


# --- 2. readiness to open ------------------------------------------------------------------------
def test_a_ready_centre_opens_and_delivers_all_four_directions(app):
    pk = _centre(app)
    with app.test_request_context():
        item = db.session.get(ResilienceCentre, pk)
        assert all(i.ok for i in services.readiness(item))
        for attr in DIRECTIONS:
            setattr(item, attr, False)
        services.open_centre(item, _user("lviv"))
        db.session.commit()
        item = db.session.get(ResilienceCentre, pk)
        assert item.status == S.operating
        assert all(getattr(item, a) for a in DIRECTIONS)


@pytest.mark.parametrize("missing", ITEMS)
def test_opening_is_refused_naming_what_is_missing(app, missing):
    pk = _centre(app, skip=(missing,))
    with app.test_request_context():
        item = db.session.get(ResilienceCentre, pk)
        checklist = {i.key: i for i in services.readiness(item)}
        assert [k for k, i in checklist.items() if not i.ok] == [missing]
        with pytest.raises(UserError) as refused:
            services.open_centre(item, _user("lviv"))
        message = str(refused.value)
        db.session.rollback()
        assert "Центр ще не можна відкрити" in message
        assert checklist[missing].label in message
        assert all(checklist[k].label not in message for k in ITEMS if k != missing)
    with app.app_context():
        assert db.session.get(ResilienceCentre, pk).status == S.preparing


@pytest.mark.parametrize("missing", ITEMS)
def test_opening_is_refused_on_the_web_and_the_rest_path(app, client_as, missing):
    pk = _centre(app, skip=(missing,))
    web = client_as("lviv")
    page = web.post(f"/centreview/action/open/{pk}", follow_redirects=True)
    assert "Центр ще не можна відкрити" in visible_text(page.text)
    api = app.test_client()
    reply = api.post(f"/api/v1/centre/{pk}/open", json={}, headers=jwt_headers(api, "lviv"))
    assert reply.status_code == 400, reply.text
    assert "Центр ще не можна відкрити" in reply.json["message"]
    with app.app_context():
        assert db.session.get(ResilienceCentre, pk).status == S.preparing
    # the page shows the checklist with the missing item unticked and linked
    show = visible_text(web.get(f"/centreview/show/{pk}").text)
    assert "Готовність до відкриття" in show


def test_operating_centre_cannot_drop_a_direction(app):
    pk = _operating(app)
    with app.test_request_context():
        item = db.session.get(ResilienceCentre, pk)
        item.dir_skills = False
        with pytest.raises(UserError) as refused:
            commands_for(item).check_update(item)
        assert "усі чотири напрями" in str(refused.value)
        db.session.rollback()


def test_readiness_page_lists_planned_centres_and_what_they_lack(app, client_as):
    pk = _centre(app, status=S.planned, skip=("agreement",))
    with app.app_context():
        item = db.session.get(ResilienceCentre, pk)
        item.planned_open_on = dt.date(2027, 3, 1)
        name = item.name
        db.session.commit()
    text = visible_text(client_as("lviv").get("/centres/readiness/").text)
    assert name in text and "01.03.2027" in text
    assert "Угоду з громадою підписано" in text


# --- 4. community applications --------------------------------------------------------------------
def _application(app, **kw):
    with app.app_context():
        hromada = first_hromada(LVIV, 3)
        item = CommunityApplication(
            hromada_id=hromada.id,
            oblast_id=hromada.oblast_id,
            contact_name="Олена Громадська",
            population=24000,
            premises_address="вул. Громадська, 5",
            premises_area=180.5,
            rooms_individual=2,
            rooms_group=1,
            shelter=True,
            acc_entrance=True,
            acc_toilet=True,
            premises_owner="Сільська рада",
            benefactor_consent=True,
            social_passport=True,
            submitted_on=dt.date(2026, 9, 1),
            **kw,
        )
        db.session.add(item)
        db.session.commit()
        return item.id


def test_an_approved_application_creates_the_planned_centre_with_its_premises(app, client_as):
    pk = _application(app)
    with app.app_context():
        provider_id = provider(EDRPOU_LVIV, LVIV).id
        db.session.commit()
    client = client_as("lviv")
    page = client.post(
        f"/communityapplicationview/action/approve/{pk}",
        data={
            "provider": str(provider_id),
            "planned_open_on": "15.02.2027",
            "reason": "Відповідає",
            "name": "Центр життєстійкості громади-заявника",
        },
        follow_redirects=True,
    )
    assert "Центр життєстійкості громади-заявника" in visible_text(page.text)
    with app.app_context():
        application = db.session.get(CommunityApplication, pk)
        assert application.status == ApplicationStatus.approved
        item = db.session.get(ResilienceCentre, application.centre_id)
        assert item.status == S.planned
        assert item.planned_open_on == dt.date(2027, 2, 15)
        assert (
            item.address,
            item.premises_area,
            item.rooms_individual,
            item.rooms_group,
            item.shelter,
            item.premises_owner,
        ) == ("вул. Громадська, 5", 180.5, 2, 1, True, "Сільська рада")
        assert item.acc_entrance and item.acc_toilet and not item.acc_parking
        assert item.provider_id == provider_id and len(item.history) == 1


def test_a_decision_needs_a_reason_and_is_taken_once(app, client_as):
    pk = _application(app)
    api = app.test_client()
    headers = jwt_headers(api, "lviv")
    reply = api.post(
        f"/api/v1/centre-application/{pk}/reject", json={"reason": ""}, headers=headers
    )
    assert reply.status_code == 400 and "Зазначте підставу рішення" in reply.json["message"]
    reply = api.post(
        f"/api/v1/centre-application/{pk}/reject", json={"reason": "Немає укриття"}, headers=headers
    )
    assert reply.status_code == 200, reply.text
    reply = api.post(
        f"/api/v1/centre-application/{pk}/reject", json={"reason": "Ще раз"}, headers=headers
    )
    assert reply.status_code == 400 and "вже ухвалено" in reply.json["message"]
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(ResilienceCentre.id)).where(
                    ResilienceCentre.address == "вул. Громадська, 5"
                )
            )
            <= 1
        )


# --- 5-6. activities, visits, monthly report -----------------------------------------------------
def _activity(centre_id, day, **counts):
    from app.centers.models import CentreStaff

    facilitator = db.session.scalar(
        select(CentreStaff.specialist_id).where(CentreStaff.centre_id == centre_id).limit(1)
    )
    values = {
        "veterans": 2,
        "idp": 1,
        "others": 0,
        "women": 2,
        "men": 1,
        "children": 0,
        "adults": 3,
        "seniors": 0,
        **counts,
    }
    return CentreActivity(
        centre_id=centre_id,
        held_on=day,
        direction=Direction.support_groups,
        kind=ActivityKind.self_help_group,
        format=ActivityFormat.group,
        facilitator_id=facilitator,
        **values,
    )


def _save(item):
    from flask import g

    g.user = _user("admin")
    cmd = commands_for(item)
    cmd.create(item)
    db.session.add(item)
    db.session.commit()
    cmd.after_write(item)
    return item


def test_activity_counts_must_agree_and_the_facilitator_be_on_staff(app):
    pk = _operating(app)
    with app.test_request_context():
        with pytest.raises(UserError, match="однакового числа"):
            commands_for(CentreActivity).create(_activity(pk, LAST_MONTH, women=5))
        db.session.rollback()
        outsider = specialist(db.session.get(ResilienceCentre, pk).provider)
        item = _activity(pk, LAST_MONTH)
        item.facilitator_id = outsider.id
        with pytest.raises(UserError, match="призначений до центру"):
            commands_for(item).create(item)
        db.session.rollback()
        with pytest.raises(UserError, match="майбутньому"):
            commands_for(CentreActivity).create(_activity(pk, TODAY + dt.timedelta(days=2)))
        db.session.rollback()
    planned = _centre(app, status=S.planned)
    with app.test_request_context():
        with pytest.raises(UserError, match="працює"):
            commands_for(CentreActivity).create(_activity(planned, LAST_MONTH))
        db.session.rollback()


def test_activity_figures_roll_into_the_report_then_return_and_resubmit(app, client_as):
    pk = _operating(app)
    with app.test_request_context():
        _save(_activity(pk, LAST_MONTH))
        _save(
            _activity(
                pk,
                LAST_MONTH + dt.timedelta(days=3),
                veterans=0,
                idp=0,
                others=4,
                women=1,
                men=3,
                adults=2,
                seniors=2,
            )
        )
        _save(CentreVisitDay(centre_id=pk, day=LAST_MONTH, visits=17))
        _save(CentreVisitDay(centre_id=pk, day=LAST_MONTH + dt.timedelta(days=1), visits=8))
        report = CentreReport(
            centre_id=pk, month=LAST_MONTH + dt.timedelta(days=9), narrative="Група самодопомоги"
        )
        commands_for(report).create(report)
        db.session.add(report)
        db.session.commit()
        report_id = report.id
        assert report.month == LAST_MONTH
    figures = services.month_figures
    with app.app_context():
        got = figures(pk, LAST_MONTH)
        assert (got["visits"], got["activities"], got["participants"]) == (25, 2, 7)
        assert (got["veterans"], got["idp"], got["others"], got["seniors"]) == (2, 1, 4, 2)
        assert got["dir_support_groups"] == 2 and got["kind_self_help_group"] == 2
    worker = client_as("caseworker")
    with app.app_context():
        user = _user("caseworker")
        user.provider_id = db.session.get(ResilienceCentre, pk).provider_id
        db.session.commit()
    worker = client_as("caseworker")
    page = worker.post(f"/centrereportview/action/submit/{report_id}", follow_redirects=True)
    assert "Подано" in visible_text(page.text)
    with app.app_context():
        report = db.session.get(CentreReport, report_id)
        assert (report.status, report.visits, report.activities, report.participants) == (
            ReportStatus.submitted,
            25,
            2,
            7,
        )
    # the month is locked now
    with app.test_request_context():
        with pytest.raises(UserError, match="звітний місяць|Місяць уже"):
            commands_for(CentreActivity).create(_activity(pk, LAST_MONTH))
        db.session.rollback()
    # returned with a comment (a comment is required)
    api = app.test_client()
    headers = jwt_headers(api, "lviv")
    reply = api.post(
        f"/api/v1/centre-report/{report_id}/return", json={"reason": " "}, headers=headers
    )
    assert reply.status_code == 400 and "коментар" in reply.json["message"]
    reply = api.post(
        f"/api/v1/centre-report/{report_id}/return",
        json={"reason": "Додайте опис груп"},
        headers=headers,
    )
    assert reply.status_code == 200 and reply.json["status"] == "returned"
    # reopened: the log and the narrative can be corrected, then resubmitted
    with app.test_request_context():
        _save(_activity(pk, LAST_MONTH + dt.timedelta(days=5)))
    edit = worker.get(f"/centrereportview/edit/{report_id}")
    assert edit.status_code == 200
    with app.app_context():
        version = db.session.get(CentreReport, report_id).version
    saved = worker.post(
        f"/centrereportview/edit/{report_id}",
        data={"narrative": "Дві групи самодопомоги для ветеранів", "version": str(version)},
    )
    assert saved.status_code == 302
    reply = api.post(
        f"/api/v1/centre-report/{report_id}/submit", json={}, headers=jwt_headers(api, "caseworker")
    )
    assert reply.status_code == 200, reply.text
    reply = api.post(f"/api/v1/centre-report/{report_id}/accept", json={}, headers=headers)
    assert reply.status_code == 200 and reply.json["status"] == "accepted"
    with app.app_context():
        report = db.session.get(CentreReport, report_id)
        assert report.activities == 3 and report.participants == 10
        assert report.narrative == "Дві групи самодопомоги для ветеранів"
        assert report.review_comment == "Додайте опис груп"


def test_a_month_not_over_is_not_reported_and_late_reports_are_listed(app, client_as):
    pk = _operating(app, opened=dt.date(2026, 5, 1))
    with app.test_request_context():
        from flask import g

        g.user = _user("admin")
        report = CentreReport(centre_id=pk, month=TODAY)
        commands_for(report).create(report)
        db.session.add(report)
        db.session.flush()
        with pytest.raises(UserError, match="завершення"):
            services.submit_report(report, _user("admin"))
        db.session.rollback()
        name = db.session.get(ResilienceCentre, pk).name
        late = services.late_reports(services.scope_of(_user("lviv")), today=dt.date(2026, 12, 7))
        assert any(c.id == pk and m == dt.date(2026, 10, 1) for c, m, _r in late)
    text = visible_text(client_as("lviv").get("/centres/late-reports/").text)
    assert name in text


def test_a_case_worker_sees_only_their_providers_centre_records(app, client_as):
    pk = _operating(app)
    with app.test_request_context():
        _save(_activity(pk, LAST_MONTH))
    other = _centre(app, oblast=IVANO_FRANKIVSK)
    with app.app_context():
        user = _user("caseworker")
        user.provider_id = db.session.get(ResilienceCentre, other).provider_id
        db.session.commit()
    reply = app.test_client()
    headers = jwt_headers(reply, "caseworker")
    listing = reply.get("/api/v1/centre-activity/", headers=headers)
    assert listing.status_code == 200
    assert all(row["centre.id"] != pk for row in listing.json["result"])


def test_the_auditor_sees_staff_counts_but_no_specialists_names(app, client_as):
    pk = _centre(app)
    with app.app_context():
        from app.centers.models import CentreStaff

        names = [
            s.specialist.full_name
            for s in db.session.scalars(select(CentreStaff).where(CentreStaff.centre_id == pk))
        ]
    text = visible_text(client_as("auditor").get(f"/centreview/show/{pk}").text)
    assert "Психолог: 1" in text
    assert names and not [n for n in names if n in text]
    text = visible_text(client_as("lviv").get(f"/centreview/show/{pk}").text)
    assert all(n in text for n in names)
