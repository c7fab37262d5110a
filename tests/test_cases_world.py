"""Shared set-up for the case-register tests, and the demo-seed tests.

``make_world(app)`` creates two approved providers A and B (and a draft one),
points the standard ``caseworker`` at A, adds ``cw_a2`` (A) and ``cw_b`` (B),
and returns their ids. ``new_case`` opens a case through the services and
moves it to the wanted status.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from app.cases import services
from app.cases.models import (
    Beneficiary,
    BeneficiaryCategory,
    Case,
    CaseStatus,
    ClosureReason,
    Contact,
    ContactForm,
    NeedDomain,
    NeedsAssessment,
    PlanItem,
    Priority,
    Programme,
)
from app.cli import create_user
from app.common.validators import rnokpp_check_digit
from app.demo import LVIV, DemoContext
from app.extensions import db
from app.geography.models import Oblast
from app.providers.models import Provider, ProviderKind, ProviderStatus
from app.security import roles

from .conftest import PASSWORD

NAME = "Петренко Марія Іванівна"
RNOKPP = "346719825" + str(rnokpp_check_digit("346719825"))
PHONE = "+380671234567"
ADDRESS = "м. Львів, вул. Секретна, 7"


def make_world(app) -> dict:
    with app.app_context():
        session = db.session
        oblast = session.scalar(select(Oblast.id).where(Oblast.code == LVIV))
        ids = {}
        for key, edrpou, status in (
            ("A", "11111111", ProviderStatus.approved),
            ("B", "22222222", ProviderStatus.approved),
            ("D", "33333333", ProviderStatus.draft),
        ):
            provider = Provider(
                name=f"Надавач {key}",
                kind=ProviderKind.ngo,
                edrpou=edrpou,
                oblast_id=oblast,
                status=status,
            )
            session.add(provider)
            session.flush()
            ids[key] = provider.id
        sm = app.appbuilder.sm
        sm.find_user(username="caseworker").provider_id = ids["A"]
        session.commit()
        for username, provider in (("cw_a2", "A"), ("cw_b", "B")):
            user = create_user(
                username, PASSWORD, roles.CASE_WORKER, first_name=username, last_name="Тест"
            )
            user.provider_id = ids[provider]
            session.commit()
        for username in ("caseworker", "cw_a2", "cw_b", "admin", "ministry"):
            ids[username] = sm.find_user(username=username).id
        return ids


def actor(app, username):
    return app.appbuilder.sm.find_user(username=username)


def new_case(
    app,
    username="caseworker",
    status=CaseStatus.intake,
    programme=Programme.family,
    name=NAME,
    today=None,
    contacts=(),
    form=ContactForm.visit,
) -> int:
    """Open a case as ``username`` and walk it to ``status``; returns its id."""
    today = today or services.kyiv_today()
    with app.app_context():
        session = db.session
        user = actor(app, username)
        case = Case(programme=programme, opened_on=today - dt.timedelta(days=60))
        beneficiary = Beneficiary(
            full_name=name,
            rnokpp=RNOKPP,
            phone=PHONE,
            address=ADDRESS,
            category=BeneficiaryCategory.family_member,
            notes="Конфіденційна нотатка",
        )
        services.open_case(session, case, beneficiary, user)
        session.flush()
        walk(session, case, user, status, today)
        for day in contacts:
            session.add(
                Contact(case_id=case.id, contact_on=day, form=form, summary="Зустріч із родиною")
            )
            services.refresh_contacts(session, case)
        session.commit()
        return case.id


def walk(session, case, user, status, today):
    order = [
        CaseStatus.intake,
        CaseStatus.assessment,
        CaseStatus.plan,
        CaseStatus.active,
        CaseStatus.review,
    ]
    if status == CaseStatus.closed:
        services.transition(session, case, "close", user, reason=ClosureReason.moved, today=today)
        return
    for target in order[1 : order.index(status) + 1]:
        if target == CaseStatus.assessment:
            services.transition(session, case, "start_assessment", user, today=today)
        elif target == CaseStatus.plan:
            session.add(
                NeedsAssessment(
                    case_id=case.id,
                    domain=NeedDomain.documents,
                    priority=Priority.high,
                    assessed_on=today,
                )
            )
            services.transition(session, case, "approve_plan", user, today=today)
        elif target == CaseStatus.active:
            session.add(
                PlanItem(
                    case_id=case.id, measure="documents_help", responsible="Фахівець", due_on=today
                )
            )
            services.record_agreement(session, case, user, today, today=today)
            services.record_contract(session, case, user, "Д-1", case.opened_on, today=today)
            services.transition(session, case, "activate", user, today=today)
        elif target == CaseStatus.review:
            services.transition(session, case, "start_review", user, today=today)


# --------------------------------------------------------------------------- demo seed
def test_demo_seed_is_batched_deterministic_and_idempotent(app):
    ids = make_world(app)
    lines = []
    with app.app_context():
        users = {"caseworker": actor(app, "caseworker")}
        ctx = DemoContext(
            session=db.session, rng=random.Random(1), cases=300, echo=lines.append, users=users
        )
        from app.cases import demo_seed

        demo_seed(ctx)
        db.session.commit()
        assert db.session.scalar(select(func.count(Case.id))) == 300
        assert db.session.scalar(select(func.count(Beneficiary.id))) == 300
        providers = set(db.session.scalars(select(Case.provider_id).distinct()))
        assert providers <= {ids["A"], ids["B"]}  # approved providers only
        numbers = db.session.scalars(select(Case.number)).all()
        assert len(set(numbers)) == 300
        assert all(n.split("-")[0] in ("СВ", "АР", "ЦЖ") for n in numbers)
        first = db.session.scalars(
            select(Beneficiary.full_name).order_by(Beneficiary.id).limit(5)
        ).all()
        progress = [line for line in lines if "%" in line]
        assert len(progress) == 10 and progress[-1].endswith("(100%)")
        # the counters continue after the seeded numbers
        user = actor(app, "caseworker")
        case = Case(programme=Programme.family, opened_on=services.kyiv_today())
        services.open_case(
            db.session,
            case,
            Beneficiary(full_name="Тест Тест", category=BeneficiaryCategory.other),
            user,
        )
        db.session.flush()
        assert case.number not in numbers
        db.session.rollback()

        # second run adds nothing
        ctx2 = DemoContext(
            session=db.session, rng=random.Random(1), cases=300, echo=lines.append, users=users
        )
        demo_seed(ctx2)
        assert db.session.scalar(select(func.count(Case.id))) == 300

        # deterministic: same seed, same names (re-run on a clean table)
        db.session.query(Contact).delete()
        db.session.query(NeedsAssessment).delete()
        db.session.query(PlanItem).delete()
        db.session.query(Beneficiary).delete()
        db.session.query(Case).delete()
        db.session.commit()
        demo_seed(
            DemoContext(
                session=db.session, rng=random.Random(1), cases=300, echo=lines.append, users=users
            )
        )
        again = db.session.scalars(
            select(Beneficiary.full_name).order_by(Beneficiary.id).limit(5)
        ).all()
        assert again == first
        db.session.rollback()
