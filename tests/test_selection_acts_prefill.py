"""Monthly acts of services drafted from the portal's data (SEL-19): the centre's
activity log and visit tally, the case register's cases and meetings of the
month; the same draft on the web form and through REST; figures not given
through REST are filled, a correction is kept, a wrong figure refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.cases.models import Case, Contact
from app.centers.models import (
    ActivityFormat,
    ActivityKind,
    CentreActivity,
    CentreVisitDay,
    Direction,
)
from app.extensions import db
from app.providers.models import Specialist
from app.selection import services
from app.selection.models import (
    AgreementStatus,
    ProposalLot,
    RoundStatus,
    SelectionRound,
    ServiceAct,
    ServiceAgreement,
)

from .conftest import jwt_headers, visible_text
from .test_selection_as_run import lots, make_provider, make_round, propose

TODAY = dt.date.today()
#: The month of the act: last month (an act covers a month already delivered).
MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
BEFORE = (MONTH - dt.timedelta(days=1)).replace(day=1)
AFTER = TODAY.replace(day=1)
IDS: dict = {}
_numbers = iter(range(700000, 799999))


def _case(programme, provider_id, opened_on, closed_on=None, centre_id=None) -> int:
    case = Case(
        number=f"ТЕСТ-{next(_numbers)}",
        programme=programme,
        provider_id=provider_id,
        centre_id=centre_id,
        opened_on=opened_on,
        closed_on=closed_on,
    )
    db.session.add(case)
    db.session.flush()
    return case.id


def _contact(case_id, day, form):
    db.session.add(Contact(case_id=case_id, contact_on=day, form=form))


def _activity(centre_id, day, facilitator, **counts):
    db.session.add(
        CentreActivity(
            centre_id=centre_id,
            held_on=day,
            direction=Direction.support_groups,
            kind=ActivityKind.self_help_group,
            format=ActivityFormat.group,
            facilitator_id=facilitator,
            **counts,
        )
    )


def _agreement(rnd, provider, lot, centre_id, amount="120000") -> int:
    application = propose(rnd, provider, [(lot, amount)])
    db.session.execute(
        sa.update(ProposalLot)
        .where(ProposalLot.application_id == application.id)
        .values(decision="winner")
    )
    agreement = ServiceAgreement(
        number=f"ДП-АКТ-{next(_numbers)}",
        lot_id=lot.id,
        application_id=application.id,
        provider_id=provider.id,
        centre_id=centre_id,
        signed_on=BEFORE,
        starts_on=BEFORE,
        ends_on=BEFORE + dt.timedelta(days=365),
        amount=Decimal(amount),
        status=AgreementStatus.active,
    )
    db.session.add(agreement)
    db.session.flush()
    return agreement.id


@pytest.fixture(scope="module", autouse=True)
def world(app):
    from app.cli import create_user
    from app.security import roles
    from app.security.models import PortalUser

    from .conftest import PASSWORD

    with app.app_context():
        if (
            db.session.scalar(sa.select(PortalUser.id).where(PortalUser.username == "ministry2"))
            is None
        ):
            create_user(
                "ministry2", PASSWORD, roles.MINISTRY, first_name="Друга", last_name="Членкиня"
            )
        provider = make_provider(rep="rep_acts")
        other = make_provider(rep="rep_acts_other")
        facilitator = db.session.scalar(
            sa.select(Specialist.id).where(Specialist.provider_id == provider.id)
        )
        # A centre round: the agreement of its centre lot.
        rnd = make_round(status=RoundStatus.completed)
        centre_lot = lots(rnd)[1]
        centre_id = centre_lot.centre_id
        IDS["centre_agreement"] = _agreement(rnd, provider, centre_lot, centre_id)
        # The centre's month: two activities (10 participants), 25 visits; outside it:
        # an activity of the month before and visits of this month.
        _activity(
            centre_id,
            MONTH + dt.timedelta(days=2),
            facilitator,
            veterans=3,
            idp=2,
            others=1,
            women=4,
            men=2,
        )
        _activity(centre_id, MONTH + dt.timedelta(days=9), facilitator, veterans=4)
        _activity(centre_id, BEFORE, facilitator, veterans=50)
        db.session.add(CentreVisitDay(centre_id=centre_id, day=MONTH, visits=17))
        db.session.add(
            CentreVisitDay(centre_id=centre_id, day=MONTH + dt.timedelta(days=1), visits=8)
        )
        db.session.add(CentreVisitDay(centre_id=centre_id, day=AFTER, visits=99))
        # Cases of the centre programme at the centre: one open all month, one opened in
        # it, one closed before it, one of another provider (not counted).
        open_case = _case("centre", provider.id, BEFORE, centre_id=centre_id)
        _case("centre", provider.id, MONTH + dt.timedelta(days=5), centre_id=centre_id)
        _case(
            "centre",
            provider.id,
            BEFORE,
            closed_on=MONTH - dt.timedelta(days=1),
            centre_id=centre_id,
        )
        _case("centre", other.id, MONTH, centre_id=centre_id)
        _contact(open_case, MONTH + dt.timedelta(days=3), "visit")  # a meeting
        _contact(open_case, MONTH + dt.timedelta(days=4), "phone")  # not a meeting
        _contact(open_case, BEFORE, "visit")  # another month
        # A servicemen round without a centre: the case register only.
        srv = make_round(status=RoundStatus.completed)
        db.session.execute(
            sa.update(SelectionRound)
            .where(SelectionRound.id == srv.id)
            .values(programme="servicemen")
        )
        IDS["servicemen_agreement"] = _agreement(srv, provider, lots(srv)[0], None, amount="60000")
        serviceman = _case("servicemen", provider.id, BEFORE)
        _case("family", provider.id, MONTH)  # another programme: not counted
        _contact(serviceman, MONTH + dt.timedelta(days=1), "online")
        _contact(serviceman, MONTH + dt.timedelta(days=8), "office")
        _contact(serviceman, MONTH + dt.timedelta(days=9), "phone")
        db.session.commit()


CENTRE_FIGURES = {
    "activities": 2,
    "participants": 10,
    "visits": 25,
    "cases_served": 2,
    "cases_opened": 1,
    "meetings": 1,
}
SERVICEMEN_FIGURES = {
    "activities": None,
    "participants": None,
    "visits": None,
    "cases_served": 1,
    "cases_opened": 0,
    "meetings": 2,
}


def test_figures_of_the_month_from_the_activity_log_and_the_case_register(app):
    with app.app_context():
        centre = db.session.get(ServiceAgreement, IDS["centre_agreement"])
        assert services.act_figures(centre, MONTH) == CENTRE_FIGURES
        servicemen = db.session.get(ServiceAgreement, IDS["servicemen_agreement"])
        assert services.act_figures(servicemen, MONTH) == SERVICEMEN_FIGURES
        # An empty month is zero, not missing.
        assert services.act_figures(servicemen, AFTER)["meetings"] == 0
        draft = services.prefill_act(centre, MONTH.strftime("%Y-%m"))
        # 120 000 UAH over the agreement's 13 calendar months.
        assert draft["amount"] == Decimal("9230.77")
        assert (
            "проведено заходів: 2, їх учасників: 10; звернень без запису: 25"
            in draft["services_summary"]
        )
        assert "проведено зустрічей: 1" in draft["services_summary"]


def test_rest_draft_for_the_own_agreement_only_and_a_bad_month_refused(app):
    client = app.test_client()
    rep = jwt_headers(client, "rep_acts")
    url = f"/api/v1/selection_act/prefill?agreement={IDS['servicemen_agreement']}"
    r = client.get(f"{url}&month={MONTH:%Y-%m}", headers=rep)
    assert r.status_code == 200, r.json
    result = r.json["result"]
    assert {k: result[k] for k in SERVICEMEN_FIGURES} == SERVICEMEN_FIGURES
    assert result["month"] == MONTH.isoformat() and result["amount"] == "4615.38"
    r = client.get(f"{url}&month=березень", headers=rep)
    assert r.status_code == 400 and "у форматі РРРР-ММ" in r.json["message"]
    other = jwt_headers(client, "rep_acts_other")
    assert client.get(f"{url}&month={MONTH:%Y-%m}", headers=other).status_code == 404


def test_web_form_comes_pre_filled_and_saves_the_figures(app, client_as):
    client = client_as("rep_acts")
    agreement_page = visible_text(
        client.get(f"/serviceagreementview/show/{IDS['centre_agreement']}").get_data(as_text=True)
    )
    assert "Скласти акт за даними порталу" in agreement_page
    page = client.get(
        f"/serviceactview/add?agreement={IDS['centre_agreement']}&month={MONTH:%Y-%m}"
    ).get_data(as_text=True)
    for name, value in CENTRE_FIGURES.items():
        assert f'name="{name}"' in page and f'value="{value}"' in page, name
    assert "проведено заходів: 2" in page and 'value="9230.77"' in page
    from .test_rule_parity import form_values

    form = form_values(page)
    form["participants"] = "11"  # the provider corrects a figure
    r = client.post("/serviceactview/add", data=form)
    assert r.status_code == 302, visible_text(r.get_data(as_text=True))[:600]
    with app.app_context():
        act = db.session.scalar(
            sa.select(ServiceAct).where(ServiceAct.agreement_id == IDS["centre_agreement"])
        )
        assert act.month == MONTH and act.amount == Decimal("9230.77")
        assert (act.activities, act.participants, act.visits, act.meetings) == (2, 11, 25, 1)
    # The ministry sees the figures on the act.
    shown = visible_text(
        client_as("ministry").get(f"/serviceactview/show/{act.id}").get_data(as_text=True)
    )
    assert "Проведено заходів" in shown and "Учасників заходів" in shown


def test_rest_act_without_figures_gets_them_and_a_wrong_figure_is_refused(app):
    client = app.test_client()
    rep = jwt_headers(client, "rep_acts")
    body = {
        "agreement": IDS["servicemen_agreement"],
        "month": MONTH.isoformat(),
        "amount": "4000",
        "services_summary": "Супровід військовослужбовців",
    }
    r = client.post("/api/v1/selection_act/", headers=rep, json={**body, "meetings": -1})
    assert r.status_code in (400, 422) and "від 0 до 10 000 000" in str(r.json["message"])
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(ServiceAct.id).where(
                    ServiceAct.agreement_id == IDS["servicemen_agreement"]
                )
            )
            is None
        )
    r = client.post("/api/v1/selection_act/", headers=rep, json=body)
    assert r.status_code == 201, r.json
    shown = client.get(f"/api/v1/selection_act/{r.json['id']}", headers=rep).json["result"]
    assert {k: shown[k] for k in SERVICEMEN_FIGURES} == SERVICEMEN_FIGURES
