"""The auditor finds no personal data anywhere: every page, export and API answer.

The fields the issue names hold a beneficiary's name and РНОКПП: the
beneficiary itself, a plan item's "responsible", a transfer's reason and
decision note, a household member, a specialist and a training guest; the
audit log holds their creation (masked when written), an older row written
before ``CaseTransfer.reason`` was declared personal (masked when shown), and
an export event whose search was a name. The auditor then walks every page
reachable from the menu and the link graph, every export and every REST
answer, and none may contain the name or the number. The same walk as the
administrator finds them (the crawl reaches where the data is).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import deque
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from app.audit.models import AuditLog
from app.cases import services
from app.cases.models import BeneficiaryCategory, Case, CaseStatus, HouseholdMember, PlanItem
from app.extensions import db
from app.providers.models import Provider, Specialist
from app.training.models import Course, Participant, TrainingProgramme, Workshop

from .conftest import jwt_headers, login
from .test_cases_world import RNOKPP, actor, make_world, new_case

SURNAME = "Кривошапка"
NAME = f"{SURNAME} Олена Степанівна"
SECRET = f"{NAME}, РНОКПП {RNOKPP}"
NEEDLES = (SURNAME, RNOKPP)
MAX_PAGES = 700
SKIP = re.compile(
    r"/(?:logout|lang)/|/export/|/download|/static/|/swagger|/api/|"
    r"/action|/delete/|/edit/|/add|/upload|/end/"
)


@pytest.fixture(scope="module")
def world(app):
    ids = make_world(app)
    case_id = new_case(app, status=CaseStatus.active, name=NAME)
    with app.app_context():
        session = db.session
        worker = actor(app, "caseworker")
        case = session.get(Case, case_id)
        session.add(
            PlanItem(
                case_id=case_id,
                measure="documents_help",
                responsible=SECRET,
                due_on=dt.date.today(),
            )
        )
        session.add(
            HouseholdMember(
                case_id=case_id,
                full_name=NAME,
                rnokpp=RNOKPP,
                relation=SECRET,
                category=BeneficiaryCategory.family_member,
            )
        )
        transfer = services.request_transfer(
            session, case, session.get(Provider, ids["B"]), worker, reason=SECRET
        )
        session.flush()
        services.reject_transfer(session, transfer, actor(app, "cw_b"), note=SECRET)
        session.add(
            Specialist(provider_id=ids["A"], full_name=NAME, position=SECRET, phone="+380671112233")
        )
        course = Course(
            title="Курс для перевірки",
            programme=TrainingProgramme.family,
            hours=Decimal(8),
            completion_hours=Decimal(6),
        )
        session.add(course)
        session.flush()
        workshop = Workshop(
            course_id=course.id,
            start_date=dt.date.today(),
            end_date=dt.date.today(),
            capacity=10,
            place="Львів",
        )
        session.add(workshop)
        session.flush()
        session.add(
            Participant(workshop_id=workshop.id, guest_name=NAME, guest_organisation=SECRET)
        )
        session.commit()
        # Rows written before the declaration: clear values in the log.
        session.execute(
            insert(AuditLog.__table__),
            [
                dict(
                    ts=dt.datetime.utcnow(),
                    action="update",
                    entity="CaseTransfer",
                    entity_id=str(transfer.id),
                    changes={"reason": [None, SECRET]},
                    details=None,
                    user_id=worker.id,
                    username="caseworker",
                    ip="127.0.0.1",
                ),
                dict(
                    ts=dt.datetime.utcnow(),
                    action="export",
                    entity="Case",
                    entity_id=None,
                    changes=None,
                    details={"format": "csv", "query": f"_flt_0_beneficiary.full_name={SURNAME}"},
                    user_id=worker.id,
                    username="caseworker",
                    ip="127.0.0.1",
                ),
            ],
        )
        session.commit()
        ids["transfer"] = transfer.id
    return ids


def _texts(response) -> str:
    if response.headers.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return " ".join(
            str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
        )
    return response.get_data(as_text=True)


def crawl(app, username) -> dict[str, str]:
    """Every page reachable as ``username`` (links and argument-free routes),
    every export the pages offer, every REST answer: url -> text."""
    client = app.test_client()
    assert login(client, username).status_code == 302
    seen: dict[str, str] = {}
    queue = deque(["/"])
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not SKIP.search(rule.rule):
            queue.append(rule.rule)
    exports: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = _texts(response) if response.status_code == 200 else ""
        if response.status_code != 200 or "html" not in response.headers.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="(/[^"#]*)"', seen[url]):
            href = href.replace("&amp;", "&")
            if "/export/" in href:
                exports.add(href.split("?")[0])
            elif not SKIP.search(href) and href not in seen:
                queue.append(href)
    for url in sorted(exports):
        for fmt in ("csv", "xlsx"):
            target = re.sub(r"/export/\w+$", f"/export/{fmt}", url)
            response = client.get(target)
            seen[target] = _texts(response) if response.status_code == 200 else ""
    api = app.test_client()
    headers = jwt_headers(api, username)
    resources = sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if re.fullmatch(r"/api/v1/[\w-]+/", rule.rule)
        }
        - {"/api/v1/menu/"}
    )
    for url in resources:
        listing = api.get(url + "?q=(page_size:100)", headers=headers)
        seen[url] = listing.get_data(as_text=True)
        if listing.status_code == 200:
            for pk in (listing.json.get("ids") or [])[:30]:
                item = api.get(f"{url}{pk}", headers=headers)
                seen[f"{url}{pk}"] = item.get_data(as_text=True)
    return seen


def _leaks(pages: dict[str, str]) -> list[str]:
    return sorted(url for url, text in pages.items() if any(n in text for n in NEEDLES))


def test_auditor_finds_no_personal_data_on_any_page_export_or_api_answer(app, world):
    pages = crawl(app, "auditor")
    audit_pages = [u for u, text in pages.items() if "/auditlogview/show/" in u and text]
    assert len(audit_pages) >= 5, "the crawl must reach the audit records"
    assert any("/auditlogview/export/" in u and text for u, text in pages.items())
    assert "/auditlogview/list/" in pages and len(pages) > 60
    assert _leaks(pages) == []


def test_the_data_is_there_for_the_administrator(app, world):
    """The walk is not blind: as the administrator it finds the values."""
    pages = crawl(app, "admin")
    assert _leaks(pages), "the administrator's crawl should find the personal data"


def test_auditor_sees_masked_values_in_the_legacy_audit_row(app, world):
    client = app.test_client()
    login(client, "auditor")
    with app.app_context():
        row = db.session.scalar(
            select(AuditLog.id).where(
                AuditLog.entity == "CaseTransfer",
                AuditLog.username == "caseworker",
                AuditLog.action == "update",
            )
        )
    page = client.get(f"/auditlogview/show/{row}").get_data(as_text=True)
    assert "***" in page and SURNAME not in page
    admin = app.test_client()
    login(admin, "admin")
    assert SURNAME in admin.get(f"/auditlogview/show/{row}").get_data(as_text=True)


def test_new_audit_rows_hold_no_personal_values(app, world):
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(
                AuditLog.entity.in_(
                    ["CaseTransfer", "PlanItem", "HouseholdMember", "Specialist", "Participant"]
                ),
                AuditLog.username.is_(None),
            )
        ).all()
        assert rows
        for row in rows:
            assert not any(n in str(row.changes) for n in NEEDLES), (row.entity, row.changes)
