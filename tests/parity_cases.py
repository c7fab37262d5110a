"""Rule parity scenarios of the case register's programme rules and of the
programme reference (docs/rules.md, «Case register» CAS-05.. and
«Programmes» PRG-xx), collected by tests/test_rule_parity.py: each builds the
situation the rule forbids on the demo data and names the web request and
the REST request."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.cases.models import (
    Beneficiary,
    Case,
    CaseProviderSetting,
    CaseStatus,
    MilitaryUnit,
    NeedsAssessment,
    PlanItem,
    Programme,
    ServiceStage,
)
from app.common.validators import RNOKPP_EPOCH, rnokpp_check_digit
from app.extensions import db
from app.geography.models import Hromada
from app.programmes.models import Programme as ProgrammeRow
from app.programmes.models import ProgrammeMeasure
from app.providers.demo import demo_edrpou
from app.providers.models import Provider, ProviderKind, ProviderStatus
from app.security.models import PortalUser

_numbers = iter(range(9100, 9900))
TODAY = dt.date.today()
TOMORROW = TODAY + dt.timedelta(days=1)


def _one(stmt):
    value = db.session.scalar(stmt.limit(1))
    assert value is not None, f"the demo data has no row for {stmt}"
    return value


def _ua(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def open_case(programme=Programme.family, status=None, **where) -> Case:
    stmt = sa.select(Case.id).where(Case.programme == programme, Case.status != CaseStatus.closed)
    if status is not None:
        stmt = stmt.where(Case.status == status)
    for column, value in where.items():
        stmt = stmt.where(getattr(Case, column) == value)
    return db.session.get(Case, _one(stmt.order_by(Case.id)))


def draft_provider() -> Provider:
    n = next(_numbers)
    oblast_id = _one(sa.select(Hromada.oblast_id))
    item = Provider(
        name=f"Чернетка правил {n}",
        kind=ProviderKind.ngo,
        edrpou=demo_edrpou(n),
        oblast_id=oblast_id,
        status=ProviderStatus.draft,
    )
    db.session.add(item)
    db.session.commit()
    return item


def _edit_case(case, web, api):
    return {
        "web": ("edit", f"/caseview/edit/{case.id}", web),
        "api": ("PUT", f"/api/v1/case/{case.id}", api),
    }


def _transition(case, name, data):
    if name == "close":
        web = ("post", f"/caseview/close/{case.id}", data)
    else:
        web = ("post", f"/caseview/action/{name}/{case.id}", data)
    return {"web": web, "api": ("POST", f"/api/v1/case/{case.id}/transition/{name}", data)}


def _beneficiary_edit(web, api, with_rnokpp=False):
    stmt = (
        sa.select(Beneficiary.id)
        .join(Case, Case.id == Beneficiary.case_id)
        .where(Case.status != CaseStatus.closed)
    )
    if with_rnokpp:
        stmt = stmt.where(Beneficiary.rnokpp.is_not(None), Beneficiary.birth_date.is_not(None))
    pk = _one(stmt.order_by(Beneficiary.id))
    return {
        "web": ("edit", f"/beneficiaryview/edit/{pk}", web),
        "api": ("PUT", f"/api/v1/case_beneficiary/{pk}", api),
    }


# --- the case register -------------------------------------------------------------------
def _cas05():
    draft = draft_provider()
    hromada = _one(sa.select(Hromada.id).order_by(Hromada.id))
    return {
        "web": (
            "add",
            "/caseview/add",
            {
                "provider": str(draft.id),
                "programme": "family",
                "opened_on": _ua(TODAY),
                "b_full_name": "Олена Тестова",
                "b_category": "difficult_family",
                "b_hromada": str(hromada),
            },
        ),
        "api": (
            "POST",
            "/api/v1/case/open",
            {
                "provider_id": draft.id,
                "programme": "family",
                "opened_on": TODAY.isoformat(),
                "full_name": "Олена Тестова",
                "category": "difficult_family",
            },
        ),
    }


def _cas06():
    case = db.session.get(Case, _one(sa.select(Case.id).where(Case.status == CaseStatus.closed)))
    return {
        "web": (
            "add",
            "/contactview/add",
            {"case": str(case.id), "contact_on": _ua(TODAY), "form": "visit", "summary": "Зустріч"},
        ),
        "api": (
            "POST",
            "/api/v1/case_contact/",
            {
                "case": case.id,
                "contact_on": TODAY.isoformat(),
                "form": "visit",
                "summary": "Зустріч",
            },
        ),
    }


def _cas07():
    case = open_case(Programme.family)
    values = {"measure": "mobilisation_assistance", "responsible": "Фахівець", "goal": "Мета"}
    return {
        "web": ("add", "/planitemview/add", {**values, "case": str(case.id), "due_on": _ua(TODAY)}),
        "api": (
            "POST",
            "/api/v1/case_plan_item/",
            {**values, "case": case.id, "due_on": TODAY.isoformat()},
        ),
    }


def _cas08():
    return _beneficiary_edit({"rnokpp": "0000000000"}, {"rnokpp": "0000000000"})


def _cas09():
    first_nine = f"{(TODAY - RNOKPP_EPOCH).days + 400:05d}0012"
    code = first_nine + str(rnokpp_check_digit(first_nine))
    return _beneficiary_edit(
        {"rnokpp": code, "birth_date": ""}, {"rnokpp": code, "birth_date": None}
    )


def _cas10():
    return _beneficiary_edit(
        {"birth_date": "01.01.1931"}, {"birth_date": "1931-01-01"}, with_rnokpp=True
    )


def _cas11():
    case = open_case(Programme.family)
    db.session.execute(
        sa.update(Case)
        .where(Case.id == case.id)
        .values(status=CaseStatus.plan, plan_agreed_on=None)
    )
    db.session.commit()
    if not db.session.scalar(sa.select(PlanItem.id).where(PlanItem.case_id == case.id)):
        db.session.add(
            PlanItem(
                case_id=case.id, measure="documents_help", responsible="Фахівець", due_on=TODAY
            )
        )
        db.session.commit()
    return _transition(case, "activate", {})


def _cas12():
    case = open_case(Programme.family, extension_count=0)
    return {
        "web": ("post", f"/caseview/extend/{case.id}", {"reason": ""}),
        "api": ("POST", f"/api/v1/case/{case.id}/extend", {"reason": ""}),
    }


def _cas13():
    case = open_case(Programme.family)
    db.session.execute(sa.update(Case).where(Case.id == case.id).values(extension_count=1))
    db.session.commit()
    return {
        "web": ("post", f"/caseview/extend/{case.id}", {"reason": "Складний випадок"}),
        "api": ("POST", f"/api/v1/case/{case.id}/extend", {"reason": "Складний випадок"}),
    }


def _cas14():
    case = open_case(Programme.family)
    values = {"assessor": "Фахівчиня", "participants": "Родина"}
    return {
        "web": (
            "add",
            "/assessmentactview/add",
            {**values, "case": str(case.id), "assessed_on": _ua(TOMORROW)},
        ),
        "api": (
            "POST",
            "/api/v1/case_assessment/",
            {**values, "case": case.id, "assessed_on": TOMORROW.isoformat()},
        ),
    }


def _cas15():
    case = open_case(Programme.family)
    return _edit_case(
        case, {"application_on": _ua(TOMORROW)}, {"application_on": TOMORROW.isoformat()}
    )


def _cas16():
    return _transition(open_case(Programme.family), "close", {"reason": "serviceman_killed"})


def _cas17():
    case = open_case(Programme.servicemen)
    db.session.execute(
        sa.update(Case).where(Case.id == case.id).values(service_stage=ServiceStage.service)
    )
    db.session.commit()
    return _transition(case, "close", {"reason": "veterans_specialist"})


def _unit(provider_id) -> MilitaryUnit:
    unit = MilitaryUnit(
        number=f"В{next(_numbers)}", name="Частина правил", provider_id=provider_id, active=True
    )
    db.session.add(unit)
    db.session.commit()
    return unit


def _cas18():
    case = open_case(Programme.servicemen)
    other = _one(
        sa.select(Provider.id).where(
            Provider.status == ProviderStatus.approved, Provider.id != case.provider_id
        )
    )
    unit = _unit(other)
    return _edit_case(case, {"military_unit": str(unit.id)}, {"military_unit_id": unit.id})


def _cas19():
    case = open_case(Programme.family)
    return _edit_case(case, {"service_stage": "service"}, {"service_stage": "service"})


def _cas20():
    draft = draft_provider()
    number = f"В{next(_numbers)}"
    return {
        "web": ("add", "/cases/military-units/add", {"number": number, "provider": str(draft.id)}),
        "api": ("POST", "/api/v1/military_unit/", {"number": number, "provider": draft.id}),
    }


def _cas21():
    case = open_case(Programme.family)
    need = _one(sa.select(NeedsAssessment.id).where(NeedsAssessment.case_id != case.id))
    values = {"measure": "documents_help", "responsible": "Фахівець"}
    return {
        "web": (
            "add",
            "/planitemview/add",
            {**values, "case": str(case.id), "need": str(need), "due_on": _ua(TODAY)},
        ),
        "api": (
            "POST",
            "/api/v1/case_plan_item/",
            {**values, "case": case.id, "need": need, "due_on": TODAY.isoformat()},
        ),
    }


def _agreed_plan(contract: bool, author=None) -> Case:
    """A family case at the plan stage with an item and the family's agreement."""
    case = open_case(Programme.family)
    db.session.execute(
        sa.update(Case)
        .where(Case.id == case.id)
        .values(
            status=CaseStatus.plan,
            plan_agreed_on=TODAY,
            plan_agreed_by_fk=author,
            plan_approved_on=None,
            contract_number="Д-1" if contract else None,
            contract_on=case.opened_on if contract else None,
        )
    )
    db.session.commit()
    if not db.session.scalar(sa.select(PlanItem.id).where(PlanItem.case_id == case.id)):
        db.session.add(
            PlanItem(
                case_id=case.id, measure="documents_help", responsible="Фахівець", due_on=TODAY
            )
        )
        db.session.commit()
    return case


def _cas22():
    return _transition(_agreed_plan(contract=False), "activate", {})


def _cas23():
    case = open_case(Programme.family)
    return _edit_case(
        case,
        {"contract_number": "Д-1", "contract_on": _ua(TOMORROW)},
        {"contract_number": "Д-1", "contract_on": TOMORROW.isoformat()},
    )


def _cas24():
    case = _agreed_plan(contract=True)
    if not db.session.scalar(
        sa.select(CaseProviderSetting.id).where(CaseProviderSetting.provider_id == case.provider_id)
    ):
        db.session.add(
            CaseProviderSetting(provider_id=case.provider_id, plan_approval_required=True)
        )
        db.session.commit()
    return _transition(case, "activate", {})


def _cas25():
    admin = _one(sa.select(PortalUser.id).where(PortalUser.username == "admin"))
    case = _agreed_plan(contract=True, author=admin)
    return {
        "web": ("post", f"/caseview/plan-approval/{case.id}", {}),
        "api": ("POST", f"/api/v1/case/{case.id}/plan_approval", {}),
    }


def _cas26():
    case = open_case(Programme.family)
    values = {"form": "phone", "outcome": "Родина справляється"}
    return {
        "web": ("post", f"/caseview/follow-up/{case.id}", {**values, "follow_up_on": _ua(TODAY)}),
        "api": (
            "POST",
            f"/api/v1/case/{case.id}/follow_up",
            {**values, "follow_up_on": TODAY.isoformat()},
        ),
    }


# --- the programme reference ---------------------------------------------------------------
def _programme(code) -> ProgrammeRow:
    return db.session.scalar(sa.select(ProgrammeRow).where(ProgrammeRow.code == code))


def _edit_programme(code, web, api):
    item = _programme(code)
    return {
        "web": ("edit", f"/programmes/edit/{item.id}", web),
        "api": ("PUT", f"/api/v1/programme/{item.id}", api),
    }


def _prg01():
    return _edit_programme("family", {"meeting_forms": ""}, {"meeting_forms": ""})


def _prg02():
    return _edit_programme("family", {"meeting_interval_days": "0"}, {"meeting_interval_days": 0})


def _prg03():
    return _edit_programme(
        "servicemen",
        {"max_extensions": "1", "extension_months": "3"},
        {"max_extensions": 1, "extension_months": 3},
    )


def _prg04():
    item = _programme("centre")
    return {
        "web": ("post", f"/programmes/delete/{item.id}", {}),
        "api": ("DELETE", f"/api/v1/programme/{item.id}", None),
    }


def _prg05():
    item = _programme("family")
    values = {"group_name": "Діти", "code": "Шкільне", "name": "Шкільне приладдя"}
    return {
        "web": ("add", "/programmes/measures/add", {**values, "programme": str(item.id)}),
        "api": ("POST", "/api/v1/programme_measure/", {**values, "programme_code": "family"}),
    }


def _prg06():
    pk = _one(sa.select(ProgrammeMeasure.id).order_by(ProgrammeMeasure.id))
    return {
        "web": ("post", f"/programmes/measures/delete/{pk}", {}),
        "api": ("DELETE", f"/api/v1/programme_measure/{pk}", None),
    }


SCENARIOS = {
    "CAS-05": _cas05,
    "CAS-06": _cas06,
    "CAS-07": _cas07,
    "CAS-08": _cas08,
    "CAS-09": _cas09,
    "CAS-10": _cas10,
    "CAS-11": _cas11,
    "CAS-12": _cas12,
    "CAS-13": _cas13,
    "CAS-14": _cas14,
    "CAS-15": _cas15,
    "CAS-16": _cas16,
    "CAS-17": _cas17,
    "CAS-18": _cas18,
    "CAS-19": _cas19,
    "CAS-20": _cas20,
    "CAS-21": _cas21,
    "CAS-22": _cas22,
    "CAS-23": _cas23,
    "CAS-24": _cas24,
    "CAS-25": _cas25,
    "CAS-26": _cas26,
    "PRG-01": _prg01,
    "PRG-02": _prg02,
    "PRG-03": _prg03,
    "PRG-04": _prg04,
    "PRG-05": _prg05,
    "PRG-06": _prg06,
}
