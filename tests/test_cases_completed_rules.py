"""The case register's remaining rules (issue #20, second part), each through
the web and the REST path: the contract with the recipient where the
programme requires it, the supervisor's approval of agreed plans where the
provider sets it, the follow-up after closure and its list, referrals in
REST, the programme as a foreign key, the deadline cards of the home page."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from app.cases import services
from app.cases.models import (
    Case,
    CaseFollowUp,
    CaseProviderSetting,
    CaseStatus,
    ClosureReason,
    PlanItem,
    Programme,
    Referral,
)
from app.extensions import db
from app.programmes.models import Programme as ProgrammeRow

from .conftest import jwt_headers, visible_text
from .test_cases_world import actor, make_world, new_case

TODAY = services.kyiv_today()


@pytest.fixture(scope="module")
def world(app):
    return make_world(app)


def _plan_case(app, programme=Programme.family, username="caseworker") -> int:
    """A case at the plan stage with an item and the family's agreement
    (recorded by ``username``), no contract."""
    case_id = new_case(app, username=username, status=CaseStatus.plan, programme=programme)
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.add(
            PlanItem(
                case_id=case_id, measure="documents_help", responsible="Фахівець", due_on=TODAY
            )
        )
        db.session.flush()
        services.record_agreement(db.session, case, actor(app, username), TODAY)
        db.session.commit()
    return case_id


def _get(app, case_id, *columns):
    with app.app_context():
        case = db.session.get(Case, case_id)
        return tuple(getattr(case, c) for c in columns)


def _ua(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


# --------------------------------------------------------------------------- contract
CONTRACT_REFUSAL = "Програма цього випадку вимагає договору з отримувачем послуги"


def test_accompaniment_waits_for_the_contract_on_web_and_rest(app, world, client_as):
    client = client_as("caseworker")
    headers = jwt_headers(client, "caseworker")
    web_case, api_case = _plan_case(app), _plan_case(app)
    response = client.post(f"/caseview/action/activate/{web_case}", follow_redirects=True)
    assert CONTRACT_REFUSAL in visible_text(response.text)
    reply = client.post(f"/api/v1/case/{api_case}/transition/activate", headers=headers)
    assert reply.status_code == 409 and CONTRACT_REFUSAL in reply.json["message"]
    assert _get(app, web_case, "status") == _get(app, api_case, "status") == (CaseStatus.plan,)

    # a contract dated in the future, or without its date, is refused; nothing is stored
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client.post(
        f"/caseview/contract/{web_case}",
        data={"contract_number": "Д-17", "contract_on": _ua(tomorrow)},
        follow_redirects=True,
    )
    assert "Дата договору не може бути в майбутньому" in visible_text(response.text)
    reply = client.post(
        f"/api/v1/case/{api_case}/contract", headers=headers, json={"contract_number": "Д-18"}
    )
    assert reply.status_code == 400 and "і номер, і дату договору" in reply.json["message"]
    assert (
        _get(app, web_case, "contract_number") == _get(app, api_case, "contract_number") == (None,)
    )

    # recorded (the web form lands on the case page), accompaniment starts
    response = client.post(
        f"/caseview/contract/{web_case}",
        data={"contract_number": " Д-17 ", "contract_on": _ua(TODAY)},
    )
    assert response.status_code == 302 and response.location.endswith(f"/caseview/show/{web_case}")
    reply = client.post(
        f"/api/v1/case/{api_case}/contract",
        headers=headers,
        json={"contract_number": "Д-18", "contract_on": TODAY.isoformat()},
    )
    assert reply.status_code == 200 and reply.json["contract_number"] == "Д-18"
    assert _get(app, web_case, "contract_number", "contract_on") == ("Д-17", TODAY)
    response = client.post(f"/caseview/action/activate/{web_case}", follow_redirects=True)
    assert CONTRACT_REFUSAL not in visible_text(response.text)
    reply = client.post(f"/api/v1/case/{api_case}/transition/activate", headers=headers)
    assert reply.status_code == 200, reply.text
    assert _get(app, web_case, "status") == _get(app, api_case, "status") == (CaseStatus.active,)


def test_the_contract_is_also_edited_with_the_case_and_checked_there(app, world, client_as):
    client = client_as("caseworker")
    headers = jwt_headers(client, "caseworker")
    case_id = _plan_case(app)
    with app.app_context():
        version = db.session.get(Case, case_id).version
    reply = client.put(
        f"/api/v1/case/{case_id}",
        headers=headers,
        json={
            "contract_on": (TODAY + dt.timedelta(days=3)).isoformat(),
            "contract_number": "Д-1",
            "version": version,
        },
    )
    assert reply.status_code == 400 and "Дата договору" in reply.json["message"]
    reply = client.put(
        f"/api/v1/case/{case_id}",
        headers=headers,
        json={"contract_on": TODAY.isoformat(), "contract_number": "Д-1", "version": version},
    )
    assert reply.status_code == 200, reply.text
    assert _get(app, case_id, "contract_number") == ("Д-1",)


def test_a_programme_without_the_contract_rule_and_the_ministry_turning_it_on(
    app, world, client_as
):
    centre = _plan_case(app, programme=Programme.centre)
    worker = client_as("caseworker")
    assert worker.post(f"/caseview/action/activate/{centre}").status_code == 302
    assert _get(app, centre, "status") == (CaseStatus.active,)
    # the ministry requires a contract for the centres: it applies at once
    ministry = client_as("ministry")
    with app.app_context():
        row = db.session.scalar(select(ProgrammeRow).where(ProgrammeRow.code == "centre"))
        pk, version = row.id, row.version
    reply = ministry.put(
        f"/api/v1/programme/{pk}",
        headers=jwt_headers(ministry, "ministry"),
        json={"requires_contract": True, "version": version},
    )
    assert reply.status_code == 200, reply.text
    other = _plan_case(app, programme=Programme.centre)
    reply = worker.post(
        f"/api/v1/case/{other}/transition/activate", headers=jwt_headers(worker, "caseworker")
    )
    assert reply.status_code == 409 and CONTRACT_REFUSAL in reply.json["message"]
    with app.app_context():
        db.session.execute(
            update(ProgrammeRow).where(ProgrammeRow.id == pk).values(requires_contract=False)
        )
        db.session.commit()


# --------------------------------------------------------------------------- approval
APPROVAL_REFUSAL = "Ваш надавач вимагає затвердження погодженого плану керівником"
AUTHOR_REFUSAL = "План затверджує колега, а не його автор"


@pytest.fixture()
def approval_required(app, world, client_as):
    """Ministry staff require the approval for provider A (REST)."""
    ministry = client_as("ministry")
    reply = ministry.post(
        "/api/v1/case_provider_setting/",
        headers=jwt_headers(ministry, "ministry"),
        json={"provider": world["A"], "plan_approval_required": True},
    )
    assert reply.status_code == 201, reply.text
    yield reply.json["id"]
    with app.app_context():
        db.session.execute(CaseProviderSetting.__table__.delete())
        db.session.commit()


def _with_contract(app, case_id):
    with app.app_context():
        db.session.execute(
            update(Case).where(Case.id == case_id).values(contract_number="Д-5", contract_on=TODAY)
        )
        db.session.commit()
    return case_id


def test_plans_need_a_colleagues_approval_where_the_provider_sets_it(
    app, world, client_as, approval_required
):
    author = client_as("caseworker")
    colleague = client_as("cw_a2")
    web_case = _with_contract(app, _plan_case(app))
    api_case = _with_contract(app, _plan_case(app))
    # accompaniment refused until approved
    response = author.post(f"/caseview/action/activate/{web_case}", follow_redirects=True)
    assert APPROVAL_REFUSAL in visible_text(response.text)
    reply = author.post(
        f"/api/v1/case/{api_case}/transition/activate", headers=jwt_headers(author, "caseworker")
    )
    assert reply.status_code == 409 and APPROVAL_REFUSAL in reply.json["message"]
    # the author may not approve their own plan
    response = author.post(f"/caseview/plan-approval/{web_case}", follow_redirects=True)
    assert AUTHOR_REFUSAL in visible_text(response.text)
    reply = author.post(
        f"/api/v1/case/{api_case}/plan_approval", headers=jwt_headers(author, "caseworker")
    )
    assert reply.status_code == 409 and AUTHOR_REFUSAL in reply.json["message"]
    assert _get(app, web_case, "plan_approved_on") == (None,)
    # another provider's worker does not even find the case
    other = client_as("cw_b")
    assert (
        other.post(
            f"/api/v1/case/{api_case}/plan_approval", headers=jwt_headers(other, "cw_b")
        ).status_code
        == 404
    )
    # a colleague of the same provider approves (web lands on the case page)
    response = colleague.post(f"/caseview/plan-approval/{web_case}", follow_redirects=True)
    assert "План затверджено." in visible_text(response.text)
    reply = colleague.post(
        f"/api/v1/case/{api_case}/plan_approval", headers=jwt_headers(colleague, "cw_a2")
    )
    assert reply.status_code == 200 and reply.json["plan_approved_by_fk"] == world["cw_a2"]
    assert _get(app, web_case, "plan_approved_on", "plan_approved_by_fk") == (TODAY, world["cw_a2"])
    assert author.post(f"/caseview/action/activate/{web_case}").status_code == 302
    reply = author.post(
        f"/api/v1/case/{api_case}/transition/activate", headers=jwt_headers(author, "caseworker")
    )
    assert reply.status_code == 200, reply.text
    assert _get(app, web_case, "status") == (CaseStatus.active,)
    # a new version of the plan (the agreement recorded again) needs a new approval
    reply = author.post(
        f"/api/v1/case/{api_case}/agreement",
        headers=jwt_headers(author, "caseworker"),
        json={"agreed_on": TODAY.isoformat()},
    )
    assert reply.status_code == 200
    assert _get(app, api_case, "plan_approved_on", "plan_version") == (None, 2)


def test_without_the_setting_no_approval_is_asked(app, world, client_as):
    case_id = _with_contract(app, _plan_case(app))
    client = client_as("caseworker")
    assert client.post(f"/caseview/action/activate/{case_id}").status_code == 302
    assert _get(app, case_id, "status") == (CaseStatus.active,)


def test_the_setting_is_kept_by_ministry_staff_and_read_by_the_providers_workers(
    app, world, client_as, approval_required
):
    worker = client_as("caseworker")
    assert "Надавач A" in visible_text(worker.get("/cases/provider-settings/list/").text)
    # a case worker reads but does not change it
    assert worker.get(f"/cases/provider-settings/edit/{approval_required}").status_code in (
        302,
        403,
    )
    reply = worker.put(
        f"/api/v1/case_provider_setting/{approval_required}",
        headers=jwt_headers(worker, "caseworker"),
        json={"plan_approval_required": False},
    )
    assert reply.status_code in (401, 403)
    # another provider's worker does not see provider A's setting
    assert "Надавач A" not in visible_text(
        client_as("cw_b").get("/cases/provider-settings/list/").text
    )
    # ministry staff turn it off through the web form
    ministry = client_as("ministry")
    page = ministry.get(f"/cases/provider-settings/edit/{approval_required}")
    assert page.status_code == 200
    with app.app_context():
        version = db.session.get(CaseProviderSetting, approval_required).version
    response = ministry.post(
        f"/cases/provider-settings/edit/{approval_required}", data={"version": str(version)}
    )
    assert response.status_code == 302, visible_text(response.text)[:1000]
    with app.app_context():
        assert (
            db.session.get(CaseProviderSetting, approval_required).plan_approval_required is False
        )


# --------------------------------------------------------------------------- follow-up
def _closed(app, days_ago: int) -> int:
    case_id = new_case(app, status=CaseStatus.active)
    with app.app_context():
        case = db.session.get(Case, case_id)
        services.transition(
            db.session,
            case,
            "close",
            actor(app, "caseworker"),
            reason=ClosureReason.moved,
            today=TODAY - dt.timedelta(days=days_ago),
        )
        db.session.commit()
    return case_id


def test_closing_sets_the_follow_up_due_date_from_the_programme(app, world):
    case_id = _closed(app, 0)
    assert _get(app, case_id, "follow_up_due_on") == (TODAY + dt.timedelta(days=30),)
    centre = new_case(app, programme=Programme.centre)
    with app.app_context():
        case = db.session.get(Case, centre)
        services.transition(
            db.session, case, "close", actor(app, "caseworker"), reason=ClosureReason.moved
        )
        db.session.commit()
    assert _get(app, centre, "follow_up_due_on") == (None,)  # the centres set no follow-up
    # reopening drops the due date
    with app.app_context():
        services.transition(
            db.session, db.session.get(Case, case_id), "reopen", actor(app, "caseworker")
        )
        db.session.commit()
    assert _get(app, case_id, "follow_up_due_on") == (None,)


def test_follow_up_is_recorded_after_closure_on_web_and_rest(app, world, client_as):
    client = client_as("caseworker")
    headers = jwt_headers(client, "caseworker")
    open_case = new_case(app, status=CaseStatus.active)
    response = client.post(
        f"/caseview/follow-up/{open_case}",
        data={"follow_up_on": _ua(TODAY), "form": "phone", "outcome": "Усе гаразд"},
        follow_redirects=True,
    )
    assert "Повторний контакт фіксують після закриття випадку" in visible_text(response.text)
    reply = client.post(
        f"/api/v1/case/{open_case}/follow_up",
        headers=headers,
        json={"form": "phone", "outcome": "Усе гаразд"},
    )
    assert reply.status_code == 409 and "після закриття" in reply.json["message"]

    web_case, api_case = _closed(app, 26), _closed(app, 27)
    listed = visible_text(client.get("/cases/follow-up-due/list/").text)
    numbers = {c: _get(app, c, "number")[0] for c in (web_case, api_case)}
    assert numbers[web_case] in listed and numbers[api_case] in listed
    # a date before the closure, or no outcome, is refused; nothing is stored
    response = client.post(
        f"/caseview/follow-up/{web_case}",
        data={
            "follow_up_on": _ua(TODAY - dt.timedelta(days=40)),
            "form": "phone",
            "outcome": "Так",
        },
        follow_redirects=True,
    )
    assert "не може бути в майбутньому або раніше закриття" in visible_text(response.text)
    reply = client.post(
        f"/api/v1/case/{api_case}/follow_up",
        headers=headers,
        json={"form": "visit", "outcome": "  "},
    )
    assert reply.status_code == 400 and "опишіть його результат" in reply.json["message"]
    with app.app_context():
        assert (
            db.session.scalar(
                select(CaseFollowUp.id).where(CaseFollowUp.case_id.in_([web_case, api_case]))
            )
            is None
        )
    # recorded: the web form lands on the case page, which lists it
    response = client.post(
        f"/caseview/follow-up/{web_case}",
        data={"follow_up_on": _ua(TODAY), "form": "phone", "outcome": "Родина справляється"},
    )
    assert response.status_code == 302
    assert "Родина справляється" in visible_text(client.get(response.location).text)
    reply = client.post(
        f"/api/v1/case/{api_case}/follow_up",
        headers=headers,
        json={"follow_up_on": TODAY.isoformat(), "form": "visit", "outcome": "Візит, усе добре"},
    )
    assert reply.status_code == 201, reply.text
    assert _get(app, api_case, "follow_up_done_on", "status") == (TODAY, CaseStatus.closed)
    listed = visible_text(client.get("/cases/follow-up-due/list/").text)
    assert numbers[web_case] not in listed and numbers[api_case] not in listed
    found = client.get(
        f"/api/v1/case_follow_up/?q=(filters:!((col:case_id,opr:eq,value:{api_case})))",
        headers=headers,
    )
    assert found.status_code == 200 and found.json["result"][0]["outcome"] == "Візит, усе добре"
    # another provider's worker neither lists nor records it
    other = client_as("cw_b")
    assert numbers[web_case] not in visible_text(other.get("/cases/follow-up-due/list/").text)
    assert (
        other.post(
            f"/api/v1/case/{api_case}/follow_up",
            headers=jwt_headers(other, "cw_b"),
            json={"form": "visit", "outcome": "x"},
        ).status_code
        == 404
    )


# --------------------------------------------------------------------------- referrals
def test_referrals_in_rest_follow_the_web_rules_and_scope(app, world, client_as):
    client = client_as("caseworker")
    headers = jwt_headers(client, "caseworker")
    case_id = new_case(app, status=CaseStatus.active)
    reply = client.post(
        "/api/v1/case_referral/",
        headers=headers,
        json={
            "case": case_id,
            "service": "legal_aid",
            "organisation": "Центр БПД",
            "referred_on": TODAY.isoformat(),
        },
    )
    assert reply.status_code == 201, reply.text
    listed = client.get(f"/api/v1/case_referral/{reply.json['id']}", headers=headers)
    assert listed.status_code == 200 and listed.json["result"]["organisation"] == "Центр БПД"
    # another provider's worker: not found, not added to
    other = client_as("cw_b")
    assert (
        other.get(
            f"/api/v1/case_referral/{reply.json['id']}", headers=jwt_headers(other, "cw_b")
        ).status_code
        == 404
    )
    assert other.post(
        "/api/v1/case_referral/",
        headers=jwt_headers(other, "cw_b"),
        json={"case": case_id, "service": "legal_aid", "referred_on": TODAY.isoformat()},
    ).status_code in (400, 403, 404, 422)
    # a closed case's records are read-only (CAS-06), as on the web
    closed = _closed(app, 1)
    reply = client.post(
        "/api/v1/case_referral/",
        headers=headers,
        json={"case": closed, "service": "legal_aid", "referred_on": TODAY.isoformat()},
    )
    assert reply.status_code == 409 and "Випадок закрито" in reply.json["message"]
    with app.app_context():
        assert db.session.scalar(select(Referral.id).where(Referral.case_id == closed)) is None


# --------------------------------------------------------------------------- programme key
def test_the_case_programme_is_a_key_of_the_programme_reference(app, world):
    keys = list(Case.__table__.c.programme.foreign_keys)
    assert [k.target_fullname for k in keys] == ["programme.code"]
    with app.app_context():
        codes = set(db.session.scalars(select(ProgrammeRow.code)))
    assert {p.name for p in Programme} <= codes


# --------------------------------------------------------------------------- home page
def test_deadline_cards_for_each_reader(app, world, client_as):
    _closed(app, 25)  # a follow-up due within the week
    worker = visible_text(client_as("caseworker").get("/").text)
    for label in (
        "Оцінку потреб прострочено",
        "Строк надання послуги спливає протягом 14 днів",
        "Повторний контакт після закриття: настав строк",
    ):
        assert label in worker
    ministry = client_as("ministry").get("/").text
    assert "/cases/deidentified/follow-up-due/list/" in ministry
    assert "/cases/follow-up-due/" not in ministry
    lviv = client_as("lviv").get("/").text
    assert "Повторний контакт після закриття: настав строк" in visible_text(lviv)
    assert "/cases/deidentified/" not in lviv and "/cases/follow-up-due/" not in lviv


def test_a_providers_representative_sets_only_their_own_provider(app, world, client_as):
    from app.cli import create_user
    from app.security import roles

    from .conftest import PASSWORD

    with app.app_context():
        rep = create_user(
            "rep_b", PASSWORD, roles.PROVIDER_REP, first_name="Представниця", last_name="Б"
        )
        rep.provider_id = world["B"]
        db.session.commit()
    client = client_as("rep_b")
    headers = jwt_headers(client, "rep_b")
    # provider A is not theirs: refused, nothing stored
    reply = client.post(
        "/api/v1/case_provider_setting/",
        headers=headers,
        json={"provider": world["A"], "plan_approval_required": True},
    )
    assert reply.status_code == 403 and "Ваша роль не дозволяє" in reply.json["message"]
    with app.app_context():
        assert db.session.scalar(select(CaseProviderSetting.id)) is None
    # their own provider, through the web form
    response = client.post(
        "/cases/provider-settings/add",
        data={"provider": str(world["B"]), "plan_approval_required": "y"},
    )
    assert response.status_code == 302, visible_text(response.text)[:1000]
    with app.app_context():
        rows = db.session.execute(
            select(CaseProviderSetting.provider_id, CaseProviderSetting.plan_approval_required)
        ).all()
        assert rows == [(world["B"], True)]
        assert services.plan_approval_required(db.session, world["B"]) is True
        assert services.plan_approval_required(db.session, world["A"]) is False
        db.session.execute(CaseProviderSetting.__table__.delete())
        db.session.commit()
