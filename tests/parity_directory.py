"""Rule parity scenarios of the service directory (docs/rules.md, «Service
directory», DIR-xx), collected by tests/test_rule_parity.py: each builds the
situation the rule forbids and names the web request and, where the rule has
one, the REST request."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.cases.models import Beneficiary, BeneficiaryCategory, Case, CaseStatus
from app.directory.models import (
    DirectoryEntry,
    EntryLevel,
    ProviderType,
    RecipientCategory,
    ServiceKind,
)
from app.directory.services import beneficiary_place
from app.extensions import db
from app.geography.models import Hromada

_numbers = iter(range(100, 1000))


def _one(stmt):
    value = db.session.scalar(stmt.limit(1))
    assert value is not None, f"the demo data has no row for {stmt}"
    return value


def _category(code) -> RecipientCategory:
    return db.session.scalar(sa.select(RecipientCategory).where(RecipientCategory.code == code))


def entry(
    level=EntryLevel.hromada, hromada_id=None, recipients=("veterans",), active=True, **kw
) -> DirectoryEntry:
    """A valid entry, written straight to the database."""
    n = next(_numbers)
    kind = db.session.get(
        ServiceKind,
        _one(
            sa.select(ServiceKind.id).where(ServiceKind.active.is_(True)).order_by(ServiceKind.id)
        ),
    )
    if level == EntryLevel.hromada and hromada_id is None:
        hromada_id = _one(sa.select(Hromada.id).order_by(Hromada.id))
    oblast_id = None
    if hromada_id is not None:
        oblast_id = db.session.scalar(sa.select(Hromada.oblast_id).where(Hromada.id == hromada_id))
    item = DirectoryEntry(
        title=f"Послуга правил {n}",
        kind=kind,
        level=level,
        hromada_id=hromada_id if level == EntryLevel.hromada else None,
        oblast_id=oblast_id if level != EntryLevel.national else None,
        provider_type=ProviderType.cnap,
        provider_name=f"ЦНАП {n}",
        in_person=True,
        address="вул. Правил, 1",
        phone="+380671234567",
        verified_on=dt.date.today(),
        active=active,
        recipients=[_category(c) for c in recipients],
        **kw,
    )
    db.session.add(item)
    db.session.commit()
    return item


def _edit(item, web: dict, api: dict) -> dict:
    return {
        "web": ("edit", f"/directory/entries/edit/{item.id}", web),
        "api": ("PUT", f"/api/v1/directory_entry/{item.id}", api),
    }


def _dir01():
    item = entry()
    return _edit(item, {"hromada": ""}, {"hromada": None})


def _dir02():
    item = entry()
    return _edit(item, {"level": "oblast", "oblast": ""}, {"level": "oblast", "oblast": None})


def _dir03():
    hromada_id = _one(sa.select(Hromada.id).order_by(Hromada.id))
    kind_id = _one(sa.select(ServiceKind.id).where(ServiceKind.active.is_(True)))
    values = {
        "title": "Нова послуга",
        "kind": kind_id,
        "level": "hromada",
        "hromada": hromada_id,
        "provider_type": "cnap",
        "provider_name": "ЦНАП",
        "address": "вул. Нова, 2",
        "in_person": True,
    }
    return {
        "web": (
            "add",
            "/directory/entries/add",
            {k: ("y" if v is True else str(v)) for k, v in values.items()},
        ),
        "api": ("POST", "/api/v1/directory_entry/", values),
    }


def _dir04():
    item = entry()
    return _edit(
        item,
        {"online_url": "", "phone": "", "address": ""},
        {"online_url": None, "phone": None, "address": None},
    )


def _dir05():
    item = entry()
    return _edit(item, {"online_url": "gov.ua/apply"}, {"online_url": "gov.ua/apply"})


def _dir06():
    item = entry()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    return _edit(
        item, {"verified_on": tomorrow.strftime("%d.%m.%Y")}, {"verified_on": tomorrow.isoformat()}
    )


def _dir07():
    item = entry()
    n = next(_numbers)
    retired = ServiceKind(code=f"retired_{n}", name=f"Вид, що вийшов з ужитку {n}", active=False)
    db.session.add(retired)
    db.session.commit()
    return _edit(item, {"kind": str(retired.id)}, {"kind": retired.id})


def open_case(category=BeneficiaryCategory.veteran) -> Case:
    """An open case whose beneficiary is of ``category`` (set straight in the database)."""
    case_id = _one(sa.select(Case.id).where(Case.status == CaseStatus.active).order_by(Case.id))
    db.session.execute(
        sa.update(Beneficiary).where(Beneficiary.case_id == case_id).values(category=category)
    )
    db.session.commit()
    return db.session.get(Case, case_id)


def _referral(case, entry_id=None, **extra) -> dict:
    today = dt.date.today().strftime("%d.%m.%Y")
    values = {
        "case": str(case.id),
        "service": "other",
        "referred_on": today,
        "status": "sent",
        **extra,
    }
    if entry_id is not None:
        values["entry"] = str(entry_id)
    return {"web": ("add", f"/referralview/add?case={case.id}", values)}


def _dir08():
    case = open_case()
    _hromada_id, oblast_id = beneficiary_place(case)
    elsewhere = _one(
        sa.select(Hromada.id).where(Hromada.oblast_id != oblast_id).order_by(Hromada.id)
    )
    item = entry(hromada_id=elsewhere, recipients=("veterans", "all_residents"))
    return _referral(case, item.id)


def _dir09():
    case = open_case(BeneficiaryCategory.veteran)
    item = entry(level=EntryLevel.national, recipients=("idp",))
    return _referral(case, item.id)


def _dir10():
    case = open_case()
    item = entry(level=EntryLevel.national, recipients=("all_residents",), active=False)
    return _referral(case, item.id)


def _dir11():
    case = open_case()
    return _referral(case, None, outcome="received", outcome_on="")


SCENARIOS = {
    "DIR-01": _dir01,
    "DIR-02": _dir02,
    "DIR-03": _dir03,
    "DIR-04": _dir04,
    "DIR-05": _dir05,
    "DIR-06": _dir06,
    "DIR-07": _dir07,
    "DIR-08": _dir08,
    "DIR-09": _dir09,
    "DIR-10": _dir10,
    "DIR-11": _dir11,
}
