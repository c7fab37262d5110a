"""Case register rules without HTTP: numbering, lifecycle, contact deadlines, transfers."""

from __future__ import annotations

import datetime as dt
import os
import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.cases import services
from app.cases.models import (
    Beneficiary,
    BeneficiaryCategory,
    Case,
    CaseStatus,
    CaseTransfer,
    ClosureReason,
    Contact,
    ContactForm,
    NeedDomain,
    NeedsAssessment,
    PlanItem,
    Priority,
    Programme,
    TransferStatus,
)
from app.errors import NotPermitted, TransitionNotAllowed, UserError
from app.extensions import db
from app.providers.models import Provider, ProviderStatus

from .test_cases_world import actor, make_world, new_case

TODAY = dt.date(2025, 6, 10)


@pytest.fixture(scope="module")
def world(app):
    return make_world(app)


def _case(app, case_id):
    return db.session.get(Case, case_id)


# --------------------------------------------------------------------------- numbering
def test_numbers_have_programme_prefix_year_and_no_gaps(app, world):
    with app.app_context():
        user = actor(app, "caseworker")
        numbers = []
        for programme in (
            Programme.family,
            Programme.family,
            Programme.servicemen,
            Programme.centre,
            Programme.family,
        ):
            case = Case(programme=programme, opened_on=dt.date(2024, 5, 1))
            services.open_case(
                db.session,
                case,
                Beneficiary(full_name="Тест", category=BeneficiaryCategory.other),
                user,
            )
            db.session.flush()
            numbers.append(case.number)
        db.session.commit()
    assert numbers == [
        "АР-2024-000001",
        "АР-2024-000002",
        "СВ-2024-000001",
        "ЦЖ-2024-000001",
        "АР-2024-000003",
    ]


def test_rolled_back_case_gives_its_number_back(app, world):
    with app.app_context():
        user = actor(app, "caseworker")
        case = Case(programme=Programme.servicemen, opened_on=dt.date(2023, 1, 5))
        services.open_case(
            db.session,
            case,
            Beneficiary(full_name="Тест", category=BeneficiaryCategory.serviceman),
            user,
        )
        db.session.flush()
        assert case.number == "СВ-2023-000001"
        db.session.rollback()
        case = Case(programme=Programme.servicemen, opened_on=dt.date(2023, 2, 5))
        services.open_case(
            db.session,
            case,
            Beneficiary(full_name="Тест", category=BeneficiaryCategory.serviceman),
            user,
        )
        db.session.commit()
        assert case.number == "СВ-2023-000001"


def test_case_worker_always_opens_cases_of_own_provider(app, world):
    with app.app_context():
        user = actor(app, "caseworker")
        case = Case(programme=Programme.family, opened_on=TODAY, provider_id=world["B"])
        services.open_case(
            db.session,
            case,
            Beneficiary(full_name="Тест", category=BeneficiaryCategory.other),
            user,
        )
        db.session.flush()
        assert case.provider_id == world["A"]
        assert case.assigned_worker_id == world["caseworker"]
        assert case.status == CaseStatus.intake
        db.session.rollback()


@pytest.mark.parametrize("username", ["ministry", "auditor", "lviv", "trainer"])
def test_other_roles_cannot_open_cases(app, world, username):
    with app.app_context():
        case = Case(programme=Programme.family, opened_on=TODAY, provider_id=world["A"])
        with pytest.raises(NotPermitted):
            services.open_case(
                db.session,
                case,
                Beneficiary(full_name="Тест", category=BeneficiaryCategory.other),
                actor(app, username),
            )
        db.session.rollback()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; set TEST_DATABASE_URL to run",
)
def test_concurrent_creation_gives_unique_gapless_numbers(app, world):
    threads_n, per_thread = 8, 5
    barrier = threading.Barrier(threads_n)
    errors, numbers = [], []

    def work():
        try:
            with app.app_context():
                user = actor(app, "caseworker")
                barrier.wait(timeout=30)
                for _ in range(per_thread):
                    case = Case(programme=Programme.centre, opened_on=dt.date(2022, 3, 3))
                    services.open_case(
                        db.session,
                        case,
                        Beneficiary(full_name="Тест", category=BeneficiaryCategory.other),
                        user,
                    )
                    db.session.commit()
                    numbers.append(case.number)
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    expected = [f"ЦЖ-2022-{i:06d}" for i in range(1, threads_n * per_thread + 1)]
    assert sorted(numbers) == expected
    with app.app_context():
        stored = db.session.scalars(
            select(Case.number).where(Case.number.like("ЦЖ-2022-%")).order_by(Case.number)
        ).all()
    assert stored == expected


# --------------------------------------------------------------------------- lifecycle
EXPECTED_TARGET = {
    "start_assessment": {CaseStatus.intake: CaseStatus.assessment},
    "approve_plan": {CaseStatus.assessment: CaseStatus.plan},
    "activate": {CaseStatus.plan: CaseStatus.active},
    "start_review": {CaseStatus.active: CaseStatus.review},
    "resume": {CaseStatus.review: CaseStatus.active},
    "revise_plan": {CaseStatus.review: CaseStatus.plan},
    "close": {s: CaseStatus.closed for s in CaseStatus if s != CaseStatus.closed},
    "reopen": {CaseStatus.closed: CaseStatus.assessment},
}


@pytest.mark.parametrize("name", list(EXPECTED_TARGET))
@pytest.mark.parametrize("status", list(CaseStatus))
def test_transition_allowed_only_from_its_states(app, world, name, status):
    case_id = new_case(app, status=status, today=TODAY)
    with app.app_context():
        case = _case(app, case_id)
        # satisfy the content preconditions so that only the state decides
        db.session.add(
            NeedsAssessment(
                case_id=case.id, domain=NeedDomain.health, priority=Priority.low, assessed_on=TODAY
            )
        )
        db.session.add(
            PlanItem(case_id=case.id, measure="inform_health", responsible="Фахівець", due_on=TODAY)
        )
        case.plan_agreed_on = case.plan_agreed_on or TODAY
        case.contract_number, case.contract_on = "Д-1", case.opened_on
        db.session.flush()
        target = EXPECTED_TARGET[name].get(status)
        user = actor(app, "caseworker")
        if target is None:
            with pytest.raises(TransitionNotAllowed):
                services.transition(
                    db.session, case, name, user, reason=ClosureReason.moved, today=TODAY
                )
            db.session.rollback()
            assert _case(app, case_id).status == status
        else:
            services.transition(
                db.session, case, name, user, reason=ClosureReason.moved, today=TODAY
            )
            db.session.commit()
            assert _case(app, case_id).status == target
            assert _case(app, case_id).status_changed_by_fk == world["caseworker"]


@pytest.mark.parametrize(
    "username,allowed",
    [
        ("caseworker", True),
        ("cw_a2", True),
        ("admin", True),
        ("cw_b", False),
        ("ministry", False),
        ("auditor", False),
        ("lviv", False),
        ("trainer", False),
    ],
)
def test_transition_roles(app, world, username, allowed):
    case_id = new_case(app, today=TODAY)
    with app.app_context():
        case = _case(app, case_id)
        if allowed:
            services.transition(
                db.session, case, "start_assessment", actor(app, username), today=TODAY
            )
            db.session.commit()
            assert _case(app, case_id).status == CaseStatus.assessment
            assert _case(app, case_id).assessment_on == TODAY
        else:
            with pytest.raises(NotPermitted):
                services.transition(
                    db.session, case, "start_assessment", actor(app, username), today=TODAY
                )
            db.session.rollback()
            assert _case(app, case_id).status == CaseStatus.intake


def test_content_preconditions(app, world):
    case_id = new_case(app, status=CaseStatus.assessment, today=TODAY)
    with app.app_context():
        case, user = _case(app, case_id), actor(app, "caseworker")
        with pytest.raises(TransitionNotAllowed, match="потреб|need"):
            services.transition(db.session, case, "approve_plan", user, today=TODAY)
        db.session.rollback()
    case_id = new_case(app, status=CaseStatus.plan, today=TODAY)
    with app.app_context():
        case = _case(app, case_id)
        db.session.query(PlanItem).filter_by(case_id=case_id).delete()
        with pytest.raises(TransitionNotAllowed):
            services.transition(db.session, case, "activate", actor(app, "caseworker"), today=TODAY)
        db.session.rollback()


def test_closing_needs_reason_and_goals_only_after_review(app, world):
    case_id = new_case(app, status=CaseStatus.active, today=TODAY)
    with app.app_context():
        case, user = _case(app, case_id), actor(app, "caseworker")
        with pytest.raises(UserError):
            services.transition(db.session, case, "close", user, today=TODAY)
        with pytest.raises(TransitionNotAllowed):
            services.transition(
                db.session, case, "close", user, reason=ClosureReason.goals_achieved, today=TODAY
            )
        db.session.rollback()
        case = _case(app, case_id)
        services.transition(db.session, case, "start_review", user, today=TODAY)
        services.transition(
            db.session, case, "close", user, reason=ClosureReason.goals_achieved, today=TODAY
        )
        db.session.commit()
        case = _case(app, case_id)
        assert (case.status, case.closure_reason, case.closed_on) == (
            CaseStatus.closed,
            ClosureReason.goals_achieved,
            TODAY,
        )
        later = TODAY + dt.timedelta(days=30)
        services.transition(db.session, case, "reopen", user, today=later)
        db.session.commit()
        case = _case(app, case_id)
        assert case.status == CaseStatus.assessment
        assert case.closure_reason is None and case.closed_on is None
        assert case.reopened_on == later and case.reopen_count == 1


def test_closed_case_refuses_new_records(app, world):
    case_id = new_case(app, status=CaseStatus.closed, today=TODAY)
    with app.app_context():
        case = _case(app, case_id)
        with pytest.raises(services.CaseClosed):
            services.check_contact(
                Contact(contact_on=TODAY, form=ContactForm.phone), case, today=TODAY
            )
        with pytest.raises(services.CaseClosed):
            services.check_plan_item(PlanItem(measure="documents_help"), case)


def test_plan_measure_must_be_in_programme_catalogue(app, world):
    case_id = new_case(app, programme=Programme.centre, today=TODAY)
    with app.app_context():
        case = _case(app, case_id)
        with pytest.raises(services.MeasureNotInCatalogue):
            services.check_plan_item(PlanItem(measure="mobilisation_assistance"), case)
        services.check_plan_item(PlanItem(measure="support_group"), case)
    # the servicemen programme lists family consultations and informing on education
    case_id = new_case(app, programme=Programme.servicemen, today=TODAY)
    with app.app_context():
        case = _case(app, case_id)
        for code in ("family_consultation", "inform_education"):
            services.check_plan_item(PlanItem(measure=code), case)


# --------------------------------------------------------------------------- contact deadlines
def test_kyiv_today_uses_kyiv_calendar_day():
    utc = dt.UTC
    # winter, UTC+2
    assert services.kyiv_today(dt.datetime(2025, 3, 1, 21, 59, tzinfo=utc)) == dt.date(2025, 3, 1)
    assert services.kyiv_today(dt.datetime(2025, 3, 1, 22, 0, tzinfo=utc)) == dt.date(2025, 3, 2)
    # summer, UTC+3; naive datetimes are taken as UTC
    assert services.kyiv_today(dt.datetime(2025, 7, 1, 20, 59)) == dt.date(2025, 7, 1)
    assert services.kyiv_today(dt.datetime(2025, 7, 1, 21, 0)) == dt.date(2025, 7, 2)
    kyiv = dt.datetime(2025, 7, 2, 0, 30, tzinfo=ZoneInfo("Europe/Kyiv"))
    assert services.kyiv_today(kyiv) == dt.date(2025, 7, 2)


def _ids(app, clause):
    return set(db.session.scalars(select(Case.id).where(clause)))


def test_overdue_boundary_day_14_vs_15(app, world):
    contact_day = dt.date(2025, 6, 1)
    case_id = new_case(
        app, status=CaseStatus.active, today=dt.date(2025, 5, 20), contacts=[contact_day]
    )
    with app.app_context():
        case = _case(app, case_id)
        assert case.last_contact_on == contact_day and case.contact_count == 1
        assert case.next_contact_due == contact_day + dt.timedelta(days=14)
        day14 = contact_day + dt.timedelta(days=14)
        day15 = contact_day + dt.timedelta(days=15)
        assert not services.is_overdue(case, today=day14)
        assert services.is_overdue(case, today=day15)
        assert case_id not in _ids(app, services.overdue_clause(day14))
        assert case_id in _ids(app, services.overdue_clause(day15))
        # due within 7 days: from day 7 (due = today + 7) to day 14 (due = today)
        assert case_id not in _ids(app, services.due_soon_clause(contact_day + dt.timedelta(6)))
        assert case_id in _ids(app, services.due_soon_clause(contact_day + dt.timedelta(7)))
        assert case_id in _ids(app, services.due_soon_clause(day14))
        assert case_id not in _ids(app, services.due_soon_clause(day15))


def test_overdue_in_kyiv_time_zone(app, world):
    contact_day = dt.date(2025, 1, 1)
    case_id = new_case(
        app, status=CaseStatus.active, today=dt.date(2024, 12, 20), contacts=[contact_day]
    )
    with app.app_context():
        case = _case(app, case_id)
        # 15.01 22:30 UTC is already 16.01 (day 15) in Kyiv: overdue there, not in UTC
        instant = dt.datetime(2025, 1, 15, 22, 30, tzinfo=dt.UTC)
        assert services.is_overdue(case, today=services.kyiv_today(instant))
        assert not services.is_overdue(case, today=instant.date())


def test_deadline_follows_meetings_in_every_open_stage(app, world):
    activated = dt.date(2025, 2, 1)
    case_id = new_case(app, status=CaseStatus.active, today=activated)
    with app.app_context():
        case = _case(app, case_id)
        # no meeting yet: the clock runs from the opening (60 days before)
        assert case.next_contact_due == case.opened_on + dt.timedelta(days=14)
        db.session.add(
            Contact(case_id=case_id, contact_on=dt.date(2025, 2, 10), form=ContactForm.visit)
        )
        services.refresh_contacts(db.session, case)
        assert case.next_contact_due == dt.date(2025, 2, 24)
        # a phone call is a contact, not a meeting: the clock does not move
        db.session.add(
            Contact(case_id=case_id, contact_on=dt.date(2025, 2, 20), form=ContactForm.phone)
        )
        services.refresh_contacts(db.session, case)
        assert case.last_contact_on == dt.date(2025, 2, 20)
        assert case.next_contact_due == dt.date(2025, 2, 24)
        # the review stage keeps the clock running
        services.transition(
            db.session, case, "start_review", actor(app, "caseworker"), today=dt.date(2025, 2, 21)
        )
        assert case.next_contact_due == dt.date(2025, 2, 24)
        assert services.is_overdue(case, today=dt.date(2025, 2, 25))
        db.session.flush()
        assert case_id in _ids(app, services.overdue_clause(dt.date(2025, 2, 25)))
        services.transition(
            db.session,
            case,
            "close",
            actor(app, "caseworker"),
            reason=ClosureReason.moved,
            today=dt.date(2025, 2, 22),
        )
        assert case.next_contact_due is None
        db.session.rollback()


def test_meeting_rules_come_from_the_programme_table(app, world):
    from app.programmes.models import Programme as ProgrammeRow

    case_id = new_case(
        app,
        status=CaseStatus.active,
        programme=Programme.servicemen,
        today=dt.date(2025, 4, 1),
        contacts=[dt.date(2025, 3, 20)],
        form=ContactForm.online,
    )
    with app.app_context():
        assert _case(app, case_id).next_contact_due is None  # no rule seeded
        row = db.session.scalar(select(ProgrammeRow).where(ProgrammeRow.code == "servicemen"))
        row.meeting_interval_days, row.meeting_forms = 30, "visit,office"
        try:
            services.recompute_all_due(db.session, "servicemen")
            case = _case(app, case_id)
            # online does not count as a meeting now: the clock runs from the opening
            assert case.last_meeting_on is None
            assert case.next_contact_due == case.opened_on + dt.timedelta(days=30)
            row.meeting_forms = "visit,office,online"
            services.recompute_all_due(db.session, "servicemen")
            assert _case(app, case_id).next_contact_due == dt.date(2025, 4, 19)
        finally:
            db.session.rollback()


def test_contact_date_rules(app, world):
    case_id = new_case(app, status=CaseStatus.active, today=TODAY)
    with app.app_context():
        case = _case(app, case_id)
        with pytest.raises(UserError):
            services.check_contact(
                Contact(contact_on=TODAY + dt.timedelta(days=1)), case, today=TODAY
            )
        with pytest.raises(UserError):
            services.check_contact(
                Contact(contact_on=case.opened_on - dt.timedelta(days=1)), case, today=TODAY
            )


# --------------------------------------------------------------------------- transfers
def test_transfer_rules(app, world):
    case_id = new_case(app, status=CaseStatus.active, today=TODAY)
    with app.app_context():
        case, sender = _case(app, case_id), actor(app, "caseworker")
        session = db.session
        with pytest.raises(services.TransferRefused):
            services.request_transfer(session, case, session.get(Provider, world["A"]), sender)
        with pytest.raises(services.TransferRefused):  # draft provider
            services.request_transfer(session, case, session.get(Provider, world["D"]), sender)
        with pytest.raises(NotPermitted):  # the receiving side cannot push a case to itself
            services.request_transfer(
                session, case, session.get(Provider, world["B"]), actor(app, "cw_b")
            )
        transfer = services.request_transfer(
            session, case, session.get(Provider, world["B"]), sender, reason="Переїзд"
        )
        with pytest.raises(services.TransferRefused):  # one pending transfer at a time
            services.request_transfer(session, case, session.get(Provider, world["B"]), sender)
        session.commit()
        assert _case(app, case_id).provider_id == world["A"]  # still the sender's
        with pytest.raises(NotPermitted):  # the sender cannot accept
            services.accept_transfer(session, transfer, sender)
        services.accept_transfer(session, transfer, actor(app, "cw_b"))
        session.commit()
        case = _case(app, case_id)
        assert case.provider_id == world["B"]
        assert case.assigned_worker_id == world["cw_b"] and case.centre_id is None
        transfer = session.get(CaseTransfer, transfer.id)
        assert transfer.status == TransferStatus.accepted
        assert transfer.decided_by_fk == world["cw_b"]
        with pytest.raises(TransitionNotAllowed):
            services.reject_transfer(session, transfer, actor(app, "cw_b"))
        # the old provider's case worker can no longer act on the case
        with pytest.raises(NotPermitted):
            services.transition(session, case, "start_review", sender, today=TODAY)
        session.rollback()


def test_a_provider_suspended_after_the_request_cannot_accept(app, world):
    case_id = new_case(app, status=CaseStatus.active, today=TODAY)
    with app.app_context():
        session = db.session
        case, sender = _case(app, case_id), actor(app, "caseworker")
        transfer = services.request_transfer(
            session, case, session.get(Provider, world["B"]), sender, reason="Переїзд"
        )
        session.commit()
        session.get(Provider, world["B"]).status = ProviderStatus.suspended
        session.commit()
        try:
            with pytest.raises(services.TransferRefused):
                services.accept_transfer(session, transfer, actor(app, "cw_b"))
            session.rollback()
            assert _case(app, case_id).provider_id == world["A"]
            assert session.get(CaseTransfer, transfer.id).status == TransferStatus.requested
        finally:
            session.get(Provider, world["B"]).status = ProviderStatus.approved
            services.cancel_transfer(session, session.get(CaseTransfer, transfer.id), sender)
            session.commit()


def test_only_an_approved_provider_opens_cases(app, world):
    """A draft provider opened АР-2026-000002 in the outside test."""
    with app.app_context():
        session = db.session
        case = Case(programme=Programme.family, provider_id=world["D"])
        with pytest.raises(UserError) as refused:
            services.open_case(
                session,
                case,
                Beneficiary(
                    full_name="Олена Тестова", category=BeneficiaryCategory.difficult_family
                ),
                actor(app, "admin"),
            )
        assert "доки його не затверджено" in str(refused.value)
        session.rollback()
