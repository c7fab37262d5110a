"""Rule parity scenarios of the centres at work (issue #21): CTR-06 … CTR-18 of
docs/rules.md, in the form of tests/test_rule_parity.py (which collects them)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.centers.models import (
    DIRECTIONS,
    ApplicationStatus,
    CentreReport,
    CentreStaff,
    CentreStatus,
    CommunityApplication,
    ReportStatus,
    ResilienceCentre,
    StaffRole,
)
from app.extensions import db
from app.geography.models import Hromada
from app.providers.models import Specialist

TODAY = dt.date.today()
LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
_numbers = iter(range(1, 5000))


def _provider():
    from .test_rule_parity import provider

    return provider()


def _centre(status=CentreStatus.operating, provider=None):
    provider = provider or _provider()
    hromada = db.session.scalar(
        sa.select(Hromada)
        .where(Hromada.oblast_id == provider.oblast_id)
        .order_by(Hromada.id)
        .limit(1)
    )
    n = next(_numbers)
    item = ResilienceCentre(
        name=f"Центр правил {n}",
        provider_id=provider.id,
        hromada_id=hromada.id,
        oblast_id=hromada.oblast_id,
        address=f"вул. Правил, {n}",
        status=status,
        opened_on=dt.date(2026, 1, 5) if status == CentreStatus.operating else None,
        **({a: True for a in DIRECTIONS} if status == CentreStatus.operating else {}),
    )
    db.session.add(item)
    db.session.commit()
    return item


def _specialist(provider_id):
    item = Specialist(provider_id=provider_id, full_name=f"Фахівчиня Центру {next(_numbers)}")
    db.session.add(item)
    db.session.commit()
    return item


def _staffed_centre():
    c = _centre()
    s = _specialist(c.provider_id)
    db.session.add(
        CentreStaff(
            centre_id=c.id,
            specialist_id=s.id,
            role=StaffRole.psychologist,
            start_on=dt.date(2026, 1, 5),
        )
    )
    db.session.commit()
    return c, s


def _web_date(day):
    return day.strftime("%d.%m.%Y")


def _staff_requests(centre_id, specialist_id, start, end=None):
    web = {
        "centre": str(centre_id),
        "specialist": str(specialist_id),
        "role": "psychologist",
        "employment": "full",
        "start_on": _web_date(start),
    }
    api = {
        "centre": centre_id,
        "specialist": specialist_id,
        "role": "psychologist",
        "employment": "full",
        "start_on": start.isoformat(),
    }
    if end is not None:
        web["end_on"], api["end_on"] = _web_date(end), end.isoformat()
    return {
        "web": ("add", "/centrestaffview/add", web),
        "api": ("POST", "/api/v1/centre-staff/", api),
    }


def _ctr06():
    c = _centre()
    stranger = _specialist(_provider().id)
    return _staff_requests(c.id, stranger.id, TODAY)


def _ctr07():
    c = _centre()
    s = _specialist(c.provider_id)
    return _staff_requests(c.id, s.id, TODAY, TODAY - dt.timedelta(days=10))


def _ctr08():
    c = _centre(CentreStatus.preparing)
    return {
        "web": ("post", f"/centreview/action/open/{c.id}", {}),
        "api": ("POST", f"/api/v1/centre/{c.id}/open", {}),
    }


def _ctr09():
    c = _centre()
    return {
        "web": ("edit", f"/centreview/edit/{c.id}", {"dir_skills": ""}),
        "api": ("PUT", f"/api/v1/centre/{c.id}", {"dir_skills": False}),
    }


def _application(status=ApplicationStatus.submitted):
    hromada = db.session.scalar(sa.select(Hromada).order_by(Hromada.id).limit(1))
    item = CommunityApplication(
        hromada_id=hromada.id,
        oblast_id=hromada.oblast_id,
        contact_name="Контакт Громади",
        premises_address="вул. Заявки, 1",
        submitted_on=dt.date(2026, 10, 1),
        status=status,
    )
    db.session.add(item)
    db.session.commit()
    return item


def _ctr10():
    a = _application()
    return {
        "web": ("post", f"/communityapplicationview/action/reject/{a.id}", {"reason": ""}),
        "api": ("POST", f"/api/v1/centre-application/{a.id}/reject", {"reason": ""}),
    }


def _ctr11():
    a = _application(ApplicationStatus.rejected)
    return {
        "web": ("edit", f"/communityapplicationview/edit/{a.id}", {"population": "5000"}),
        "api": ("PUT", f"/api/v1/centre-application/{a.id}", {"population": 5000}),
    }


def _activity_requests(centre_id, facilitator_id, day, **counts):
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
    common = {"direction": "counselling", "kind": "group_session", "format": "group"}
    web = {
        "centre": str(centre_id),
        "facilitator": str(facilitator_id),
        "held_on": _web_date(day),
        **common,
        **{k: str(v) for k, v in values.items()},
    }
    api = {
        "centre": centre_id,
        "facilitator": facilitator_id,
        "held_on": day.isoformat(),
        **common,
        **values,
    }
    return {
        "web": ("add", "/centreactivityview/add", web),
        "api": ("POST", "/api/v1/centre-activity/", api),
    }


def _ctr12():
    c, s = _staffed_centre()
    return _activity_requests(c.id, s.id, LAST_MONTH, women=7)


def _ctr13():
    c, _s = _staffed_centre()
    outsider = _specialist(c.provider_id)
    return _activity_requests(c.id, outsider.id, LAST_MONTH)


def _ctr14():
    c, s = _staffed_centre()
    db.session.execute(
        sa.update(ResilienceCentre)
        .where(ResilienceCentre.id == c.id)
        .values(status=CentreStatus.closed)
    )
    db.session.commit()
    return _activity_requests(c.id, s.id, LAST_MONTH)


def _report(centre_id, status, month=LAST_MONTH):
    item = CentreReport(centre_id=centre_id, month=month, status=status, narrative="Звіт")
    db.session.add(item)
    db.session.commit()
    return item


def _ctr15():
    c, s = _staffed_centre()
    _report(c.id, ReportStatus.submitted)
    return _activity_requests(c.id, s.id, LAST_MONTH)


def _ctr16():
    c = _centre()
    r = _report(c.id, ReportStatus.accepted)
    return {
        "web": ("edit", f"/centrereportview/edit/{r.id}", {"narrative": "Інакше"}),
        "api": ("PUT", f"/api/v1/centre-report/{r.id}", {"narrative": "Інакше"}),
    }


def _ctr17():
    c = _centre()
    r = _report(c.id, ReportStatus.submitted)
    return {
        "web": ("post", f"/centrereportview/action/return_/{r.id}", {"reason": ""}),
        "api": ("POST", f"/api/v1/centre-report/{r.id}/return", {"reason": ""}),
    }


def _ctr18():
    c = _centre()
    r = _report(c.id, ReportStatus.draft, month=TODAY.replace(day=1))
    return {
        "web": ("post", f"/centrereportview/action/submit/{r.id}", {}),
        "api": ("POST", f"/api/v1/centre-report/{r.id}/submit", {}),
    }


def _ctr19():
    c = _centre()
    db.session.execute(
        sa.update(ResilienceCentre)
        .where(ResilienceCentre.id == c.id)
        .values(published=False, working_hours=None, phone=None, email=None)
    )
    db.session.commit()
    return {
        "web": ("post", f"/centreview/action/publish/{c.id}", {}),
        "api": ("POST", f"/api/v1/centre/{c.id}/publish", {}),
    }


def _ctr20():
    c = _centre()
    return {
        "web": ("edit", f"/centreview/edit/{c.id}", {"working_hours": "щодня вдень"}),
        "api": ("PUT", f"/api/v1/centre/{c.id}", {"working_hours": "щодня вдень"}),
    }


def _ctr21():
    c = _centre()
    return {
        "web": ("post", f"/centreview/action/suspend/{c.id}", {"reason": "  "}),
        "api": ("POST", f"/api/v1/centre/{c.id}/suspend", {"reason": ""}),
    }


SCENARIOS = {
    "CTR-06": _ctr06,
    "CTR-07": _ctr07,
    "CTR-08": _ctr08,
    "CTR-09": _ctr09,
    "CTR-10": _ctr10,
    "CTR-11": _ctr11,
    "CTR-12": _ctr12,
    "CTR-13": _ctr13,
    "CTR-14": _ctr14,
    "CTR-15": _ctr15,
    "CTR-16": _ctr16,
    "CTR-17": _ctr17,
    "CTR-18": _ctr18,
    "CTR-19": _ctr19,
    "CTR-20": _ctr20,
    "CTR-21": _ctr21,
}
