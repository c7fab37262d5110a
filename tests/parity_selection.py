"""Rule parity scenarios of competitive selection as it is run (issue #22):
SEL-08 … SEL-23 of docs/rules.md, in the form of tests/test_rule_parity.py
(which collects them; it signs in as the administrator on both paths)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.geography.models import Hromada
from app.providers.models import ProviderStatus, Specialist
from app.security.models import PortalUser
from app.selection.models import (
    Appeal,
    Application,
    CommissionMember,
    ConflictDeclaration,
    Criterion,
    Lot,
    LotKind,
    Programme,
    RoundStatus,
    SelectionRound,
    ServiceAgreement,
)

TODAY = dt.date.today()
_numbers = iter(range(1, 5000))


def _provider(status=ProviderStatus.approved):
    from .test_rule_parity import provider

    return provider(status=status)


def _admin_id():
    return db.session.scalar(sa.select(PortalUser.id).where(PortalUser.username == "admin"))


def _round(status, programme=Programme.centre, **kw):
    """A national round with one criterion and the administrator on its commission."""
    rnd = SelectionRound(
        title=f"Відбір правил {next(_numbers)}",
        programme=programme,
        announced_on=dt.date(2026, 1, 1),
        deadline=dt.date(2026, 2, 1),
        status=status,
        **kw,
    )
    db.session.add(rnd)
    db.session.flush()
    db.session.add(Criterion(round_id=rnd.id, name="Досвід", weight=Decimal(1), max_score=10))
    db.session.add(CommissionMember(round_id=rnd.id, user_id=_admin_id()))
    db.session.commit()
    return rnd


def _lot(rnd, limit="100000"):
    hromada = db.session.scalar(sa.select(Hromada.id).order_by(Hromada.id).limit(1))
    lot = Lot(
        round_id=rnd.id,
        number=next(_numbers),
        kind=LotKind.hromada,
        hromada_id=hromada,
        budget_limit=Decimal(limit),
    )
    db.session.add(lot)
    db.session.commit()
    return lot


def _application(rnd, provider=None, eligible=True):
    provider = provider or _provider()
    a = Application(
        round_id=rnd.id,
        provider_id=provider.id,
        submitted_on=dt.date(2026, 1, 5),
        eligible=eligible,
    )
    db.session.add(a)
    db.session.commit()
    return a


def _sel08():
    rnd = _round(RoundStatus.announced)
    web = {"round": str(rnd.id), "number": "1", "kind": "military_unit", "unit_name": "А0001"}
    api = {"round": rnd.id, "number": 1, "kind": "military_unit", "unit_name": "А0001"}
    return {"web": ("add", "/lotview/add", web), "api": ("POST", "/api/v1/selection_lot/", api)}


def _proposal_lot_requests(application, lot, budget):
    return {
        "web": (
            "add",
            "/proposallotview/add",
            {"application": str(application.id), "lot": str(lot.id), "budget": budget},
        ),
        "api": (
            "POST",
            "/api/v1/selection_proposal_lot/",
            {"application": application.id, "lot": lot.id, "budget": budget},
        ),
    }


def _sel09():
    rnd = _round(RoundStatus.accepting)
    return _proposal_lot_requests(_application(rnd, eligible=None), _lot(rnd), "150000")


def _sel10():
    rnd = _round(RoundStatus.accepting)
    a = _application(rnd, eligible=None)
    stranger = Specialist(provider_id=_provider().id, full_name="Фахівчиня Чужа")
    db.session.add(stranger)
    db.session.commit()
    return {
        "web": (
            "add",
            "/teammemberview/add",
            {"application": str(a.id), "specialist": str(stranger.id)},
        ),
        "api": (
            "POST",
            "/api/v1/selection_team_member/",
            {"application": a.id, "specialist": stranger.id},
        ),
    }


def _sel11():
    a = _application(_round(RoundStatus.evaluating), eligible=None)
    return {
        "web": ("post", f"/applicationview/screen/{a.id}", {"eligible": "n", "reason": ""}),
        "api": ("POST", f"/api/v1/selection_application/{a.id}/screen", {"eligible": False}),
    }


def _score_requests(a):
    criterion = db.session.scalar(sa.select(Criterion.id).where(Criterion.round_id == a.round_id))
    return {
        "web": ("post", f"/applicationview/scores/{a.id}", {f"score_{criterion}": "5"}),
        "api": (
            "POST",
            f"/api/v1/selection_application/{a.id}/scores",
            {"scores": {str(criterion): 5}},
        ),
    }


def _sel12():
    return _score_requests(_application(_round(RoundStatus.evaluating), eligible=None))


def _sel13():
    a = _application(_round(RoundStatus.evaluating))
    db.session.add(
        ConflictDeclaration(
            application_id=a.id, member_id=_admin_id(), note="Член наглядової ради надавача"
        )
    )
    db.session.commit()
    return _score_requests(a)


def _sel14():
    rnd = _round(RoundStatus.evaluating)
    _application(rnd, eligible=None)
    return {
        "web": (
            "post",
            f"/selectionroundview/action/complete/{rnd.id}",
            {"protocol_number": "8-к", "protocol_date": "01.12.2026"},
        ),
        "api": (
            "POST",
            f"/api/v1/selection_round/{rnd.id}/complete",
            {"protocol_number": "8-к", "protocol_date": "2026-12-01"},
        ),
    }


def _sel15():
    rnd = _round(RoundStatus.appeals, appeal_until=TODAY - dt.timedelta(days=1))
    a = _application(rnd)
    return {
        "web": ("post", f"/applicationview/appeal/{a.id}", {"grounds": "Не згодні"}),
        "api": ("POST", f"/api/v1/selection_application/{a.id}/appeal", {"grounds": "Не згодні"}),
    }


def _sel16():
    rnd = _round(RoundStatus.appeals, appeal_until=TODAY - dt.timedelta(days=1))
    a = _application(rnd)
    db.session.add(Appeal(application_id=a.id, filed_on=TODAY, grounds="Оцінка занижена"))
    db.session.commit()
    return {
        "web": ("post", f"/selectionroundview/action/award/{rnd.id}", {}),
        "api": ("POST", f"/api/v1/selection_round/{rnd.id}/award", {}),
    }


def _sel17():
    rnd = _round(RoundStatus.completed)
    lot = _lot(rnd)
    a = _application(rnd)
    agreement = ServiceAgreement(
        number=f"ДП-П-{next(_numbers)}",
        lot_id=lot.id,
        application_id=a.id,
        provider_id=a.provider_id,
        signed_on=TODAY.replace(day=1),
        starts_on=TODAY.replace(day=1),
        ends_on=TODAY + dt.timedelta(days=300),
        amount=Decimal("50000"),
    )
    db.session.add(agreement)
    db.session.commit()
    month = TODAY.replace(day=1)
    return {
        "web": (
            "add",
            "/serviceactview/add",
            {
                "agreement": str(agreement.id),
                "month": month.strftime("%d.%m.%Y"),
                "amount": "60000",
                "services_summary": "Консультації",
            },
        ),
        "api": (
            "POST",
            "/api/v1/selection_act/",
            {
                "agreement": agreement.id,
                "month": month.isoformat(),
                "amount": "60000",
                "services_summary": "Консультації",
            },
        ),
    }


def _sel18():
    rnd = _round(RoundStatus.accepting)
    lot = _lot(rnd)
    suspended = _provider(status=ProviderStatus.suspended)
    a = _application(rnd, provider=suspended, eligible=None)
    return _proposal_lot_requests(a, lot, "1000")


def _sel19():
    """An act with a negative figure."""
    rnd = _round(RoundStatus.completed)
    lot = _lot(rnd)
    a = _application(rnd)
    agreement = ServiceAgreement(
        number=f"ДП-Ф-{next(_numbers)}",
        lot_id=lot.id,
        application_id=a.id,
        provider_id=a.provider_id,
        signed_on=TODAY.replace(day=1),
        starts_on=TODAY.replace(day=1),
        ends_on=TODAY + dt.timedelta(days=300),
        amount=Decimal("50000"),
    )
    db.session.add(agreement)
    db.session.commit()
    month = TODAY.replace(day=1)
    return {
        "web": (
            "add",
            "/serviceactview/add",
            {
                "agreement": str(agreement.id),
                "month": month.strftime("%d.%m.%Y"),
                "amount": "1000",
                "services_summary": "Консультації",
                "meetings": "-3",
            },
        ),
        "api": (
            "POST",
            "/api/v1/selection_act/",
            {
                "agreement": agreement.id,
                "month": month.isoformat(),
                "amount": "1000",
                "services_summary": "Консультації",
                "meetings": -3,
            },
        ),
    }


def _sel20():
    """A round of a programme that is not in the programme reference."""
    web = {
        "title": "Відбір невідомої програми",
        "programme": "nosuch",
        "announced_on": "01.03.2026",
        "deadline": "01.04.2026",
        "winners_count": "1",
        "reserve_count": "0",
    }
    api = {
        "title": "Відбір невідомої програми",
        "programme": "nosuch",
        "announced_on": "2026-03-01",
        "deadline": "2026-04-01",
    }
    return {
        "web": ("add", "/selectionroundview/add", web),
        "api": ("POST", "/api/v1/selection_round/", api),
    }


def _sel21():
    """A criterion with a negative weight."""
    rnd = _round(RoundStatus.announced)
    return {
        "web": (
            "post",
            f"/selectionroundview/criterion/{rnd.id}",
            {"name": "Досвід", "weight": "-1"},
        ),
        "api": (
            "POST",
            f"/api/v1/selection_round/{rnd.id}/criterion",
            {"name": "Досвід", "weight": -1},
        ),
    }


def _sel22():
    """Removing a criterion once the evaluation has started."""
    rnd = _round(RoundStatus.evaluating)
    criterion = rnd.criteria[0].id
    return {
        "web": ("post", f"/selectionroundview/criterion/{rnd.id}/{criterion}/delete", {}),
        "api": ("DELETE", f"/api/v1/selection_round/{rnd.id}/criterion/{criterion}", None),
    }


def _sel23():
    """Removing a commission member of a cancelled round."""
    rnd = _round(RoundStatus.cancelled)
    member = rnd.commission[0].id
    return {
        "web": ("post", f"/selectionroundview/member/{rnd.id}/{member}/delete", {}),
        "api": ("DELETE", f"/api/v1/selection_round/{rnd.id}/commission/{member}", None),
    }


def _trn06():
    """A course of an inactive programme."""
    from app.programmes.models import Programme as ProgrammeRow

    code = f"closed_{next(_numbers)}"
    db.session.add(
        ProgrammeRow(
            code=code, name=f"Закрита програма {code}", meeting_forms="visit", active=False
        )
    )
    db.session.commit()
    return {
        "web": (
            "add",
            "/courseview/add",
            {
                "title": "Курс закритої програми",
                "programme": code,
                "hours": "8",
                "completion_hours": "6",
            },
        ),
        "api": (
            "POST",
            "/api/v1/training-course/",
            {
                "title": "Курс закритої програми",
                "programme": code,
                "hours": 8,
                "completion_hours": 6,
            },
        ),
    }


SCENARIOS = {
    "SEL-08": _sel08,
    "SEL-09": _sel09,
    "SEL-10": _sel10,
    "SEL-11": _sel11,
    "SEL-12": _sel12,
    "SEL-13": _sel13,
    "SEL-14": _sel14,
    "SEL-15": _sel15,
    "SEL-16": _sel16,
    "SEL-17": _sel17,
    "SEL-18": _sel18,
    "SEL-19": _sel19,
    "SEL-20": _sel20,
    "SEL-21": _sel21,
    "SEL-22": _sel22,
    "SEL-23": _sel23,
    "TRN-06": _trn06,
}
