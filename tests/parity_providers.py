"""Rule parity scenarios of the provider register (issue #22): PRV-08 … of
docs/rules.md, in the form of tests/test_rule_parity.py (which collects them)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.geography.models import Hromada
from app.providers.demo import demo_edrpou, demo_rnokpp
from app.providers.models import EligibilityCriterion, Provider, ProviderStatus

_numbers = iter(range(9000, 9900))


def _provider(status=ProviderStatus.approved):
    from .test_rule_parity import provider

    return provider(status=status)


def _oblast():
    return db.session.scalar(sa.select(Hromada.oblast_id).limit(1))


def _add(**fields):
    """A new provider through the add form and POST /api/v1/provider/."""
    oblast_id = _oblast()
    web = {"name": "Новий надавач", "kind": "ngo", "oblast": str(oblast_id)}
    api = {"name": "Новий надавач", "kind": "ngo", "oblast": oblast_id}
    for key, value in fields.items():
        web[key], api[key] = value, value
    return {"web": ("add", "/providerview/add", web), "api": ("POST", "/api/v1/provider/", api)}


def _prv04():
    taken = db.session.scalar(
        sa.select(Provider.edrpou)
        .where(Provider.edrpou.is_not(None))
        .order_by(Provider.id)
        .limit(1)
    )
    return _add(edrpou=taken)


def _prv05():
    valid = demo_edrpou(next(_numbers))
    return _add(edrpou=valid[:7] + str((int(valid[7]) + 1) % 10))


def _prv08():
    """A sole proprietor with an РНОКПП whose check digit is wrong."""
    valid = demo_rnokpp(next(_numbers))
    return _add(legal_form="sole_proprietor", rnokpp=valid[:9] + str((int(valid[9]) + 1) % 10))


def _prv09():
    """A sole proprietor given an ЄДРПОУ instead of an РНОКПП."""
    return _add(legal_form="sole_proprietor", edrpou=demo_edrpou(next(_numbers)))


def _prv10():
    p = _provider()
    bad = "UA213223130000026007233566002"  # one digit changed: mod-97 fails
    return {
        "web": ("edit", f"/providerview/edit/{p.id}", {"iban": bad}),
        "api": ("PUT", f"/api/v1/provider/{p.id}", {"iban": bad}),
    }


def _prv11():
    """Approval with an eligibility criterion not met."""
    p = _provider(status=ProviderStatus.submitted)
    return {
        "web": ("post", f"/providerview/action/approve/{p.id}", {"version": p.version}),
        "api": ("POST", f"/api/v1/provider/{p.id}/approve", {"version": p.version}),
    }


def _prv12():
    p = _provider(status=ProviderStatus.submitted)
    criterion = db.session.scalar(
        sa.select(EligibilityCriterion.id).order_by(EligibilityCriterion.id).limit(1)
    )
    return {
        "web": (
            "post",
            f"/providerview/check/{p.id}",
            {"criterion_id": str(criterion), "met": "y", "evidence": " "},
        ),
        "api": (
            "POST",
            f"/api/v1/provider/{p.id}/check",
            {"criterion_id": criterion, "met": True, "evidence": " "},
        ),
    }


def _prv13():
    """An act of a provider whose changed key data awaits the ministry's check."""
    import datetime as dt
    from decimal import Decimal

    from app.selection.models import ActStatus, RoundStatus, ServiceAct, ServiceAgreement

    from .parity_selection import _application, _lot, _round

    today = dt.date.today()
    rnd = _round(RoundStatus.completed)
    lot = _lot(rnd)
    a = _application(rnd)
    # A won proposal, as an agreement's is (scenarios picking "some application of
    # the demo" then read a complete one).
    from app.selection.models import Decision

    a.decision = Decision.winner
    agreement = ServiceAgreement(
        number=f"ДП-ЗМ-{next(_numbers)}",
        lot_id=lot.id,
        application_id=a.id,
        provider_id=a.provider_id,
        signed_on=today.replace(day=1),
        starts_on=today.replace(day=1),
        ends_on=today + dt.timedelta(days=300),
        amount=Decimal("50000"),
    )
    db.session.add(agreement)
    db.session.flush()
    act = ServiceAct(
        agreement_id=agreement.id,
        month=today.replace(day=1),
        amount=Decimal("1000"),
        services_summary="Консультації",
        status=ActStatus.submitted,
    )
    db.session.add(act)
    p = db.session.get(Provider, a.provider_id)
    p.changes_pending, p.changes_fields = True, "iban"
    db.session.commit()
    return {
        "web": ("post", f"/serviceactview/action/accept/{act.id}", {"version": str(act.version)}),
        "api": ("POST", f"/api/v1/selection_act/{act.id}/accept", {"version": act.version}),
    }


def _prv14():
    """Confirming changes of key data that nobody made."""
    p = _provider()
    return {
        "web": ("post", f"/providerview/confirm-changes/{p.id}", {"version": p.version}),
        "api": ("POST", f"/api/v1/provider/{p.id}/confirm_changes", {"version": p.version}),
    }


SCENARIOS = {
    "PRV-04": _prv04,
    "PRV-05": _prv05,
    "PRV-08": _prv08,
    "PRV-09": _prv09,
    "PRV-10": _prv10,
    "PRV-11": _prv11,
    "PRV-12": _prv12,
    "PRV-13": _prv13,
    "PRV-14": _prv14,
}
