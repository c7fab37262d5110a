"""Rule parity: every rule of docs/rules.md refused alike on the web and the REST path.

The rule tables are the source: each row's ID must have a scenario here and
each scenario a row. A scenario builds the situation the rule forbids and names
the request of each path; the test sends both and expects, for each, the
row's Ukrainian refusal in what the user (or the client) reads, no success
status, and the database's domain tables unchanged row for row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.cases.models import Case, CaseStatus
from app.centers.models import CentreStatus, ResilienceCentre
from app.demo import seed_demo
from app.extensions import db
from app.geography.models import Hromada
from app.providers.demo import demo_edrpou
from app.providers.models import Provider, ProviderKind, ProviderStatus, Specialist
from app.security.models import PortalUser
from app.selection.models import Application, RoundStatus, SelectionRound
from app.training.models import Course, Workshop, WorkshopStatus

from .conftest import PASSWORD, jwt_headers, login, visible_text

DOCS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "docs", "rules.md")
ROW = re.compile(r"^\| ([A-Z]{3}-\d\d) \| (.+?) \| (.+?) \| (.+?) \| (.+?) \|$")
#: Only the registers' own tables are compared (sessions, audit and jobs change
#: with every request by design).
DOMAIN_TABLES = (
    "provider",
    "specialist",
    "centre",
    "selection_",
    "training_",
    "case_",
    "geo_",
    "directory_",
    "programme",
    "military_unit",
)


def rule_rows() -> dict[str, dict]:
    rows = {}
    with open(DOCS, encoding="utf-8") as fh:
        for line in fh:
            match = ROW.match(line.strip())
            if match:
                rid, rule, refusal, command, paths = match.groups()
                rows[rid] = {
                    "rule": rule,
                    "refusal": refusal.rstrip("."),
                    "paths": paths,
                    "command": command,
                }
    return rows


RULES = rule_rows()


# --- reading the database and the pages ------------------------------------------------
def snapshot() -> str:
    """A digest of every row of the domain tables (contents, not counts)."""
    digest = hashlib.sha256()
    for name, table in sorted(db.metadata.tables.items()):
        if not name.startswith(DOMAIN_TABLES):
            continue
        pk = list(table.primary_key.columns)
        for row in db.session.execute(sa.select(table).order_by(*pk)):
            digest.update(repr(tuple(row)).encode())
    db.session.rollback()
    return digest.hexdigest()


class FormReader(HTMLParser):
    """The values a browser would submit for the page's main form."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None
        self._first_option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value") or "y")
            else:
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select:
            if "selected" in a:
                self.values[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html: str) -> dict:
    reader = FormReader()
    reader.feed(html)
    return {k: v for k, v in reader.values.items() if v}


# --- the world --------------------------------------------------------------------------
_numbers = iter(range(7000, 9000))


@pytest.fixture(scope="module")
def world(app):
    with app.app_context():
        list(seed_demo(cases=40, password=PASSWORD, echo=lambda s: None))
    return app


def _one(stmt):
    value = db.session.scalar(stmt.limit(1))
    assert value is not None, f"the demo data has no row for {stmt}"
    return value


def provider(status=ProviderStatus.approved, **kw) -> Provider:
    n = next(_numbers)
    oblast_id = _one(sa.select(Hromada.oblast_id))
    item = Provider(
        name=f"Надавач правил {n}",
        kind=ProviderKind.ngo,
        edrpou=demo_edrpou(n),
        oblast_id=oblast_id,
        status=status,
        **kw,
    )
    db.session.add(item)
    db.session.commit()
    return item


def hromada_outside(oblast_id) -> int:
    return _one(sa.select(Hromada.id).where(Hromada.oblast_id != oblast_id))


def centre(status) -> ResilienceCentre:
    item = db.session.get(
        ResilienceCentre, _one(sa.select(ResilienceCentre.id).order_by(ResilienceCentre.id))
    )
    if item.status != status:
        db.session.execute(
            sa.update(ResilienceCentre).where(ResilienceCentre.id == item.id).values(status=status)
        )
        db.session.commit()
    return item


def round_in(status) -> SelectionRound:
    rnd = db.session.get(
        SelectionRound, _one(sa.select(SelectionRound.id).order_by(SelectionRound.id))
    )
    db.session.execute(
        sa.update(SelectionRound).where(SelectionRound.id == rnd.id).values(status=status)
    )
    db.session.commit()
    return rnd


def application_of_round(status) -> Application:
    rnd = _one(sa.select(Application.round_id))
    db.session.execute(
        sa.update(SelectionRound).where(SelectionRound.id == rnd).values(status=status)
    )
    db.session.commit()
    return db.session.get(
        Application, _one(sa.select(Application.id).where(Application.round_id == rnd))
    )


def workshop(status) -> Workshop:
    item = db.session.get(Workshop, _one(sa.select(Workshop.id).order_by(Workshop.id)))
    db.session.execute(sa.update(Workshop).where(Workshop.id == item.id).values(status=status))
    db.session.commit()
    return item


def case(status) -> Case:
    item = db.session.get(Case, _one(sa.select(Case.id).where(Case.status == status)))
    return item


def other_providers_user(case_item) -> int:
    return _one(
        sa.select(PortalUser.id).where(
            PortalUser.provider_id.is_not(None), PortalUser.provider_id != case_item.provider_id
        )
    )


# --- scenarios: ID -> () -> {"web": request, "api": request} ------------------------------
# A web request is ("edit", url, overrides), ("add", url, values) or ("post", url, data);
# a REST request is (method, url, json).
def _prv01():
    p = db.session.get(Provider, _one(sa.select(Case.provider_id)))
    return {
        "web": ("post", f"/providerview/delete/{p.id}", {}),
        "api": ("DELETE", f"/api/v1/provider/{p.id}", None),
    }


def _prv02():
    p = provider()
    other = hromada_outside(p.oblast_id)
    return {
        "web": ("edit", f"/providerview/edit/{p.id}", {"hromada": str(other)}),
        "api": ("PUT", f"/api/v1/provider/{p.id}", {"hromada": other}),
    }


def _prv03():
    p = provider(status=ProviderStatus.archived)
    return {
        "web": ("edit", f"/providerview/edit/{p.id}", {"head_name": "Нова Особа"}),
        "api": ("PUT", f"/api/v1/provider/{p.id}", {"head_name": "Нова Особа"}),
    }


def _prv_add(edrpou):
    oblast_id = _one(sa.select(Hromada.oblast_id))
    return {
        "web": (
            "add",
            "/providerview/add",
            {"name": "Новий надавач", "kind": "ngo", "edrpou": edrpou, "oblast": str(oblast_id)},
        ),
        "api": (
            "POST",
            "/api/v1/provider/",
            {"name": "Новий надавач", "kind": "ngo", "edrpou": edrpou, "oblast": oblast_id},
        ),
    }


def _prv04():
    return _prv_add(_one(sa.select(Provider.edrpou)))


def _prv05():
    valid = demo_edrpou(next(_numbers))
    return _prv_add(valid[:7] + str((int(valid[7]) + 1) % 10))


def _prv06():
    p = provider()
    return {
        "web": ("post", f"/providerview/action/approve/{p.id}", {"version": p.version}),
        "api": ("POST", f"/api/v1/provider/{p.id}/approve", {"version": p.version}),
    }


def _prv07():
    p = provider()
    return {
        "web": ("post", f"/providerview/action/suspend/{p.id}", {"reason": ""}),
        "api": ("POST", f"/api/v1/provider/{p.id}/suspend", {"reason": ""}),
    }


def _ctr01():
    c = centre(CentreStatus.operating)
    draft = provider(status=ProviderStatus.draft)
    return {
        "web": ("edit", f"/centreview/edit/{c.id}", {"provider": str(draft.id)}),
        "api": ("PUT", f"/api/v1/centre/{c.id}", {"provider": draft.id}),
    }


def _ctr02():
    c = centre(CentreStatus.operating)
    return {
        "web": ("edit", f"/centreview/edit/{c.id}", {"latitude": "60.5"}),
        "api": ("PUT", f"/api/v1/centre/{c.id}", {"latitude": 60.5}),
    }


def _ctr03():
    c = centre(CentreStatus.closed)
    return {
        "web": ("edit", f"/centreview/edit/{c.id}", {"phone": "+380671234567"}),
        "api": ("PUT", f"/api/v1/centre/{c.id}", {"phone": "+380671234567"}),
    }


def _ctr04():
    c = centre(CentreStatus.operating)
    return {
        "web": ("post", f"/centreview/delete/{c.id}", {}),
        "api": ("DELETE", f"/api/v1/centre/{c.id}", None),
    }


def _ctr05():
    c = centre(CentreStatus.operating)
    return {
        "web": ("post", f"/centreview/action/resume/{c.id}", {}),
        "api": ("POST", f"/api/v1/centre/{c.id}/resume", {}),
    }


def _sel01():
    rnd = round_in(RoundStatus.announced)
    late = rnd.announced_on - dt.timedelta(days=3)
    return {
        "web": (
            "edit",
            f"/selectionroundview/edit/{rnd.id}",
            {"deadline": late.strftime("%d.%m.%Y")},
        ),
        "api": ("PUT", f"/api/v1/selection_round/{rnd.id}", {"deadline": late.isoformat()}),
    }


def _sel02():
    rnd = round_in(RoundStatus.completed)
    return {
        "web": ("edit", f"/selectionroundview/edit/{rnd.id}", {"title": "Інша назва"}),
        "api": ("PUT", f"/api/v1/selection_round/{rnd.id}", {"title": "Інша назва"}),
    }


def _sel03():
    rnd = round_in(RoundStatus.evaluating)
    return {
        "web": ("post", f"/selectionroundview/delete/{rnd.id}", {}),
        "api": ("DELETE", f"/api/v1/selection_round/{rnd.id}", None),
    }


def _sel04():
    rnd = round_in(RoundStatus.accepting)
    draft = provider(status=ProviderStatus.draft)
    if rnd.oblast_id is not None:
        db.session.execute(
            sa.update(Provider).where(Provider.id == draft.id).values(oblast_id=rnd.oblast_id)
        )
        db.session.commit()
    today = dt.date.today()
    return {
        "web": (
            "add",
            "/applicationview/add",
            {
                "round": str(rnd.id),
                "provider": str(draft.id),
                "submitted_on": today.strftime("%d.%m.%Y"),
            },
        ),
        "api": (
            "POST",
            "/api/v1/selection_application/",
            {"round": rnd.id, "provider": draft.id, "submitted_on": today.isoformat()},
        ),
    }


def _sel05():
    a = application_of_round(RoundStatus.evaluating)
    return {
        "web": ("post", f"/applicationview/delete/{a.id}", {}),
        "api": ("DELETE", f"/api/v1/selection_application/{a.id}", None),
    }


def _sel06():
    a = application_of_round(RoundStatus.completed)
    return {
        "web": ("edit", f"/applicationview/edit/{a.id}", {"notes": "Зміна"}),
        "api": ("PUT", f"/api/v1/selection_application/{a.id}", {"notes": "Зміна"}),
    }


def _sel07():
    from app.selection.models import Score

    a = application_of_round(RoundStatus.evaluating)
    db.session.execute(sa.delete(Score).where(Score.application_id == a.id))
    db.session.commit()
    rnd = db.session.get(SelectionRound, a.round_id)
    return {
        "web": (
            "post",
            f"/selectionroundview/action/complete/{rnd.id}",
            {"protocol_number": "7-к", "protocol_date": "01.12.2026"},
        ),
        "api": (
            "POST",
            f"/api/v1/selection_round/{rnd.id}/complete",
            {"protocol_number": "7-к", "protocol_date": "2026-12-01"},
        ),
    }


def _trn01():
    return {
        "web": (
            "add",
            "/courseview/add",
            {
                "title": "Нова програма",
                "programme": "resilience_centres",
                "hours": "0",
                "completion_hours": "1",
            },
        ),
        "api": (
            "POST",
            "/api/v1/training-course/",
            {
                "title": "Нова програма",
                "programme": "resilience_centres",
                "hours": 0,
                "completion_hours": 1,
            },
        ),
    }


def _trn02():
    course = db.session.get(Course, _one(sa.select(Course.id)))
    more = str(int(course.hours) + 5)
    return {
        "web": ("edit", f"/courseview/edit/{course.id}", {"completion_hours": more}),
        "api": ("PUT", f"/api/v1/training-course/{course.id}", {"completion_hours": int(more)}),
    }


def _trn03():
    w = workshop(WorkshopStatus.planned)
    early = w.start_date - dt.timedelta(days=1)
    return {
        "web": ("edit", f"/workshopview/edit/{w.id}", {"end_date": early.strftime("%d.%m.%Y")}),
        "api": ("PUT", f"/api/v1/training-workshop/{w.id}", {"end_date": early.isoformat()}),
    }


def _trn04():
    w = workshop(WorkshopStatus.running)
    return {
        "web": ("post", f"/workshopview/delete/{w.id}", {}),
        "api": ("DELETE", f"/api/v1/training-workshop/{w.id}", None),
    }


def _trn05():
    w = workshop(WorkshopStatus.finished)
    return {
        "web": ("edit", f"/workshopview/edit/{w.id}", {"place": "Інше місце"}),
        "api": ("PUT", f"/api/v1/training-workshop/{w.id}", {"place": "Інше місце"}),
    }


def _cas01():
    worker = db.session.scalar(sa.select(PortalUser).where(PortalUser.username == "caseworker"))
    colleague = worker.id
    c = db.session.get(
        Case,
        _one(
            sa.select(Case.id).where(
                Case.provider_id == worker.provider_id, Case.status != CaseStatus.intake
            )
        ),
    )
    db.session.execute(sa.update(Case).where(Case.id == c.id).values(status=CaseStatus.closed))
    db.session.commit()
    return {
        "web": ("edit", f"/caseview/edit/{c.id}", {"assigned_worker": str(colleague)}),
        "api": ("PUT", f"/api/v1/case/{c.id}", {"assigned_worker_id": colleague}),
    }


def _cas02():
    c = case(CaseStatus.active)
    stranger = other_providers_user(c)
    return {
        "web": ("edit", f"/caseview/edit/{c.id}", {"assigned_worker": str(stranger)}),
        "api": ("PUT", f"/api/v1/case/{c.id}", {"assigned_worker_id": stranger}),
    }


def _cas03():
    c = case(CaseStatus.active)
    return {
        "web": ("post", f"/caseview/delete/{c.id}", {}),
        "api": ("DELETE", f"/api/v1/case/{c.id}", None),
    }


def _cas04():
    c = case(CaseStatus.active)
    draft = provider(status=ProviderStatus.draft)
    return {
        "web": (
            "post",
            f"/caseview/transfer/{c.id}",
            {"to_provider": str(draft.id), "reason": "Переїзд"},
        ),
        "api": (
            "POST",
            f"/api/v1/case/{c.id}/transfer",
            {"to_provider_id": draft.id, "reason": "Переїзд"},
        ),
    }


def _cas05():
    draft = provider(status=ProviderStatus.draft)
    today = dt.date.today()
    return {
        "web": (
            "add",
            "/caseview/add",
            {
                "provider": str(draft.id),
                "programme": "family",
                "opened_on": today.strftime("%d.%m.%Y"),
                "b_full_name": "Олена Тестова",
                "b_category": "difficult_family",
            },
        )
    }


def _cas06():
    c = case(CaseStatus.closed)
    return {
        "web": (
            "add",
            "/contactview/add",
            {
                "case": str(c.id),
                "contact_on": dt.date.today().strftime("%d.%m.%Y"),
                "form": "visit",
                "summary": "Зустріч",
            },
        )
    }


def _all01():
    p = provider(status=ProviderStatus.draft)
    db.session.add(Specialist(provider_id=p.id, full_name="Фахівчиня Правил"))
    db.session.commit()
    return {
        "web": ("post", f"/providerview/delete/{p.id}", {}),
        "api": ("DELETE", f"/api/v1/provider/{p.id}", None),
    }


def _all02():
    p = provider()
    stale = p.version
    db.session.execute(sa.update(Provider).where(Provider.id == p.id).values(version=stale + 1))
    db.session.commit()
    return {
        "web": (
            "edit",
            f"/providerview/edit/{p.id}",
            {"version": str(stale), "head_name": "Інша Особа"},
        ),
        "api": ("PUT", f"/api/v1/provider/{p.id}", {"version": stale, "head_name": "Інша Особа"}),
    }


SCENARIOS = {
    "PRV-01": _prv01,
    "PRV-02": _prv02,
    "PRV-03": _prv03,
    "PRV-04": _prv04,
    "PRV-05": _prv05,
    "PRV-06": _prv06,
    "PRV-07": _prv07,
    "CTR-01": _ctr01,
    "CTR-02": _ctr02,
    "CTR-03": _ctr03,
    "CTR-04": _ctr04,
    "CTR-05": _ctr05,
    "SEL-01": _sel01,
    "SEL-02": _sel02,
    "SEL-03": _sel03,
    "SEL-04": _sel04,
    "SEL-05": _sel05,
    "SEL-06": _sel06,
    "SEL-07": _sel07,
    "TRN-01": _trn01,
    "TRN-02": _trn02,
    "TRN-03": _trn03,
    "TRN-04": _trn04,
    "TRN-05": _trn05,
    "CAS-01": _cas01,
    "CAS-02": _cas02,
    "CAS-03": _cas03,
    "CAS-04": _cas04,
    "CAS-05": _cas05,
    "CAS-06": _cas06,
    "ALL-01": _all01,
    "ALL-02": _all02,
}


def _more_scenarios() -> dict:
    """Scenarios of other domains' rules, kept beside their tests: every module
    ``tests/parity_<domain>.py`` has a ``SCENARIOS`` dict of the same form."""
    import importlib
    import pkgutil

    found = {}
    for info in pkgutil.iter_modules([os.path.dirname(__file__)]):
        if info.name.startswith("parity_"):
            module = importlib.import_module(f"{__package__}.{info.name}")
            found.update(module.SCENARIOS)
    return found


SCENARIOS.update(_more_scenarios())


def test_every_rule_row_has_a_scenario_and_every_scenario_a_row():
    assert len(RULES) >= 30
    assert set(RULES) == set(SCENARIOS)
    for rid, row in RULES.items():
        assert row["paths"].startswith("web"), rid
        assert row["refusal"] and row["command"].startswith("`"), rid


def _send_web(client, request_):
    kind, url, data = request_
    if kind == "post":
        return client.post(url, data=data, follow_redirects=True)
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    values = form_values(page.text)
    values.update({k: [v] for k, v in data.items()})
    return client.post(url, data=values, follow_redirects=True)


@pytest.mark.parametrize("rule_id", sorted(SCENARIOS))
def test_rule_is_refused_alike_on_every_path(world, rule_id):
    row = RULES[rule_id]
    refusal = row["refusal"]
    with world.app_context():
        requests = SCENARIOS[rule_id]()
        db.session.remove()
    web = world.test_client()
    assert login(web, "admin").status_code == 302
    with world.app_context():
        before = snapshot()
    response = _send_web(web, requests["web"])
    assert response.status_code < 500, (rule_id, response.status_code)
    assert refusal in visible_text(response.text), (
        rule_id,
        "web",
        visible_text(response.text)[:3000],
    )
    with world.app_context():
        assert snapshot() == before, (rule_id, "web path changed the data")
    if not row["paths"].startswith("web, REST"):
        assert "api" not in requests
        return
    api = world.test_client()
    method, url, body = requests["api"]
    reply = api.open(url, method=method, json=body, headers=jwt_headers(api, "admin"))
    assert reply.status_code in (400, 403, 409, 422), (rule_id, reply.status_code, reply.text)
    assert refusal in str(reply.json.get("message")), (rule_id, "REST", reply.json)
    with world.app_context():
        assert snapshot() == before, (rule_id, "REST path changed the data")
