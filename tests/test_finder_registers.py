"""The quick search on the case register and the application list's round filter
(#18): a case worker finds a case by the person's name, phone or РНОКПП; the
ministry's de-identified list is searched by number only (a name typed there finds
nothing); applications are filtered by round."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.cases.models import Beneficiary, Case
from app.demo import seed_demo
from app.extensions import db
from app.security.models import PortalUser

from .conftest import PASSWORD


@pytest.fixture(scope="module")
def demo(app):
    with app.app_context():
        list(seed_demo(cases=30, password=PASSWORD, echo=lambda s: None))


def _case_of_the_worker(app):
    with app.app_context():
        worker = db.session.scalar(sa.select(PortalUser).where(PortalUser.username == "caseworker"))
        row = db.session.execute(
            sa.select(
                Case.id, Case.number, Beneficiary.full_name, Beneficiary.phone, Beneficiary.rnokpp
            )
            .join(Beneficiary, Beneficiary.case_id == Case.id)
            .where(
                Case.provider_id == worker.provider_id,
                Beneficiary.phone.isnot(None),
                Beneficiary.rnokpp.isnot(None),
            )
            .limit(1)
        ).one()
        return row


def _listed(html: str, view: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf"/{view}/show/(\d+)", html)}


def test_case_worker_finds_a_case_by_the_persons_name_phone_or_rnokpp(app, demo, client_as):
    case_id, number, full_name, phone, rnokpp = _case_of_the_worker(app)
    client = client_as("caseworker")
    surname = full_name.split()[0]
    for typed in (
        surname.lower(),
        phone[-9:],
        f"0{phone[-9:-7]} {phone[-7:-4]} {phone[-4:-2]} {phone[-2:]}",
        rnokpp,
        number[-6:],
    ):
        page = client.get("/caseview/list/", query_string={"q": typed, "psize_CaseView": 100})
        assert page.status_code == 200
        assert case_id in _listed(page.text, "caseview"), typed
    page = client.get("/caseview/list/", query_string={"q": "Неіснуюче Прізвище"})
    assert _listed(page.text, "caseview") == set()


def test_deidentified_list_is_searched_by_number_not_by_name(app, demo, client_as):
    case_id, number, full_name, _phone, _rnokpp = _case_of_the_worker(app)
    client = client_as("ministry")
    listing = client.get("/casedeidentifiedview/list/", query_string={"q": number})
    assert listing.status_code == 200
    found = re.findall(r"/casedeidentifiedview/show/(\d+)", listing.text)
    assert found, "the number finds the case"
    by_name = client.get("/casedeidentifiedview/list/", query_string={"q": full_name.split()[0]})
    assert re.findall(r"/casedeidentifiedview/show/(\d+)", by_name.text) == []


def test_applications_filter_by_round(app, demo, client_as):
    from app.selection.models import Application

    with app.app_context():
        round_id, count = db.session.execute(
            sa.select(Application.round_id, sa.func.count())
            .group_by(Application.round_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).one()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Application))
    assert total > count, "the demo has applications of more than one round"
    page = client_as("ministry").get(
        "/applicationview/list/",
        query_string={"_flt_0_round": round_id, "psize_ApplicationView": 100},
    )
    assert page.status_code == 200
    assert len(_listed(page.text, "applicationview")) == count
    chips = page.text.split("portal-chips")[1].split("</ul>")[0]
    assert "Конкурсний відбір" in chips
