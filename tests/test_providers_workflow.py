"""Provider approval workflow: every transition per role and source state,
actions (single and bulk), REST endpoints, history, optimistic locking."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.cli import create_user
from app.demo import IVANO_FRANKIVSK, LVIV, oblast_id
from app.errors import ConflictError, NotPermitted, OutOfScope, TransitionNotAllowed
from app.extensions import db
from app.providers import services
from app.providers.demo import demo_edrpou
from app.providers.models import Provider, ProviderKind, ProviderStatus, ProviderStatusChange
from app.security import roles

from .conftest import PASSWORD, jwt_headers, visible_text

S = ProviderStatus
CONFLICT_UK = "його змінив інший користувач"
_counter = iter(range(5000, 9000))


def make_provider(status=S.draft, oblast=LVIV, name=None) -> int:
    n = next(_counter)
    provider = Provider(
        name=name or f"Тестовий надавач {n}",
        kind=ProviderKind.ngo,
        edrpou=demo_edrpou(n),
        oblast_id=oblast_id(db.session, oblast),
        status=status,
    )
    db.session.add(provider)
    db.session.commit()
    return provider.id


def user(username):
    return db.session.scalar(
        sa.select(roles_user_model()).where(roles_user_model().username == username)
    )


def roles_user_model():
    from app.security.models import PortalUser

    return PortalUser


def get(pk) -> Provider:
    db.session.expire_all()
    return db.session.get(Provider, pk)


@pytest.fixture(scope="module", autouse=True)
def second_officer(app):
    with app.app_context():
        create_user(
            "ministry2", PASSWORD, roles.MINISTRY, first_name="Друга", last_name="Посадовиця"
        )


# --- service matrix ------------------------------------------------------------------

ROLE_USERS = ("admin", "ministry", "lviv", "frankivsk", "trainer", "caseworker", "auditor")
ALLOWED_ROLES = {
    "submit": {"admin", "lviv", "frankivsk", "caseworker"},  # frankivsk: role yes, scope no
    "approve": {"admin", "ministry"},
    "reject": {"admin", "ministry"},
    "suspend": {"admin", "ministry"},
    "reinstate": {"admin", "ministry"},
    "archive": {"admin", "ministry"},
}
SOURCE = {
    "submit": {S.draft},
    "approve": {S.submitted},
    "reject": {S.submitted},
    "suspend": {S.approved},
    "reinstate": {S.suspended},
    "archive": set(S) - {S.archived},
}
TARGET = {
    "submit": S.submitted,
    "approve": S.approved,
    "reject": S.rejected,
    "suspend": S.suspended,
    "reinstate": S.approved,
    "archive": S.archived,
}


def test_every_transition_per_role_and_source_state(app):
    """252 cases: 7 roles x 6 transitions x 6 source states, on a Lviv provider."""
    with app.app_context():
        checked = 0
        for username in ROLE_USERS:
            for name in services.TRANSITIONS:
                for source in S:
                    pk = make_provider(status=source)
                    actor = user(username)
                    if username == "caseworker":
                        actor.provider_id = pk
                    provider = db.session.get(Provider, pk)
                    expected_ok = (
                        username in ALLOWED_ROLES[name]
                        and username != "frankivsk"
                        and source in SOURCE[name]
                    )
                    try:
                        services.transition(name, provider, actor, reason="Підстава")
                    except NotPermitted:
                        outcome = "role"
                    except OutOfScope:
                        outcome = "scope"
                    except TransitionNotAllowed:
                        outcome = "state"
                    else:
                        outcome = "ok"
                    if expected_ok:
                        assert outcome == "ok", (username, name, source)
                        assert provider.status == TARGET[name]
                        change = db.session.scalar(
                            sa.select(ProviderStatusChange).where(
                                ProviderStatusChange.provider_id == pk
                            )
                        )
                        assert (
                            change.from_status,
                            change.to_status,
                            change.changed_by_fk,
                            change.reason,
                        ) == (source, TARGET[name], actor.id, "Підстава")
                    elif username not in ALLOWED_ROLES[name]:
                        assert outcome == "role", (username, name, source, outcome)
                    elif username == "frankivsk":
                        assert outcome == "scope"
                    else:
                        assert outcome == "state", (username, name, source, outcome)
                        assert provider.status == source
                    db.session.rollback()
                    if username == "caseworker":
                        user("caseworker").provider_id = None
                    db.session.commit()
                    checked += 1
        assert checked == 7 * 6 * 6


def test_regional_admin_submits_own_oblast_only(app):
    with app.app_context():
        pk = make_provider(oblast=IVANO_FRANKIVSK)
        with pytest.raises(OutOfScope):
            services.submit(get(pk), user("lviv"))
        db.session.rollback()
        services.submit(get(pk), user("frankivsk"))
        db.session.commit()
        assert get(pk).status == S.submitted
        with pytest.raises(OutOfScope):
            services.submit(get(pk), user("lviv"))
        db.session.rollback()
        with pytest.raises(NotPermitted):
            services.approve(get(pk), user("frankivsk"))
        db.session.rollback()
        assert get(pk).status == S.submitted


def test_reject_and_suspend_need_a_reason(app):
    with app.app_context():
        pk = make_provider(status=S.submitted)
        with pytest.raises(services.ReasonRequired):
            services.reject(get(pk), user("ministry"), reason="   ")
        db.session.rollback()
        assert get(pk).status == S.submitted
        pk2 = make_provider(status=S.approved)
        with pytest.raises(services.ReasonRequired):
            services.suspend(get(pk2), user("ministry"))
        db.session.rollback()
        assert get(pk2).status == S.approved


# --- optimistic locking ----------------------------------------------------------------


def test_service_refuses_decision_on_a_stale_copy(app):
    """Officer B loaded the provider before officer A's approval was committed."""
    with app.app_context():
        pk = make_provider(status=S.submitted)
        stale = db.session.get(Provider, pk)
        assert stale.version == 1
        # Officer A commits through another connection.
        with db.engine.begin() as conn:
            conn.execute(
                sa.update(Provider.__table__)
                .where(Provider.__table__.c.id == pk)
                .values(status="approved", version=2)
            )
        with pytest.raises(ConflictError):
            services.reject(stale, user("ministry2"), reason="Неповні документи")
        db.session.rollback()
        provider = get(pk)
        assert provider.status == S.approved and provider.version == 2
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ProviderStatusChange)
                .where(ProviderStatusChange.provider_id == pk)
            )
            == 0
        )


def test_version_check_in_update_catches_a_race_after_the_lock(app, monkeypatch):
    """If the row changes between the lock and the UPDATE (cannot happen on PostgreSQL
    with FOR UPDATE; SQLite serialises writers), ``WHERE version = :seen`` still refuses."""
    with app.app_context():
        pk = make_provider(status=S.submitted)
        provider = db.session.get(Provider, pk)
        real_lock = services._lock

        def lock_then_other_officer_commits(item):
            row = real_lock(item)
            db.session.commit()  # release SQLite's write lock, as a concurrent commit would
            with db.engine.begin() as conn:
                conn.execute(
                    sa.update(Provider.__table__)
                    .where(Provider.__table__.c.id == pk)
                    .values(status="rejected", version=2)
                )
            return row

        monkeypatch.setattr(services, "_lock", lock_then_other_officer_commits)
        with pytest.raises(ConflictError):
            services.approve(provider, user("ministry"))
        db.session.rollback()
        assert get(pk).status == S.rejected


def _version_on_show(client, pk) -> str:
    html = client.get(f"/providerview/show/{pk}").text
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "show page has no workflow form"
    return match.group(1)


def test_two_officers_decide_at_once_one_wins(app, client_as):
    with app.app_context():
        pk = make_provider(status=S.submitted)
    officer_a, officer_b = client_as("ministry"), client_as("ministry2")
    version_a, version_b = _version_on_show(officer_a, pk), _version_on_show(officer_b, pk)
    assert version_a == version_b
    first = officer_a.post(
        f"/providerview/action/approve/{pk}", data={"version": version_a}, follow_redirects=True
    )
    assert "Статус змінено" in visible_text(first.text)
    second = officer_b.post(
        f"/providerview/action/reject/{pk}",
        data={"version": version_b, "reason": "Неповні документи"},
        follow_redirects=True,
    )
    assert CONFLICT_UK in visible_text(second.text)
    with app.app_context():
        provider = get(pk)
        assert provider.status == S.approved
        changes = db.session.scalars(
            sa.select(ProviderStatusChange).where(ProviderStatusChange.provider_id == pk)
        ).all()
        assert [(c.from_status, c.to_status) for c in changes] == [(S.submitted, S.approved)]
        assert changes[0].changed_by_fk == user("ministry").id


def test_api_two_officers_one_gets_409(app):
    with app.app_context():
        pk = make_provider(status=S.submitted)
    client = app.test_client()
    a, b = jwt_headers(client, "ministry"), jwt_headers(client, "ministry2")
    version = client.get(f"/api/v1/provider/{pk}", headers=a).json["result"]["version"]
    ok = client.post(
        f"/api/v1/provider/{pk}/reject",
        headers=a,
        json={"version": version, "reason": "Неповні документи"},
    )
    assert ok.status_code == 200 and ok.json["status"] == "rejected"
    late = client.post(f"/api/v1/provider/{pk}/approve", headers=b, json={"version": version})
    assert late.status_code == 409
    assert CONFLICT_UK in late.json["message"]
    with app.app_context():
        assert get(pk).status == S.rejected


def test_edit_form_on_stale_copy_is_refused_and_input_kept(app, client_as):
    with app.app_context():
        pk = make_provider(status=S.draft, name="Надавач для редагування")
    client = client_as("lviv")
    html = client.get(f"/providerview/edit/{pk}").text
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', html).group(1)
    with app.app_context():
        services.submit(get(pk), user("lviv"))
        db.session.commit()
    with app.app_context():
        ob = oblast_id(db.session, LVIV)
        edrpou = get(pk).edrpou
    response = client.post(
        f"/providerview/edit/{pk}",
        data={
            "name": "Нова назва від застарілої копії",
            "kind": "ngo",
            "edrpou": edrpou,
            "oblast": str(ob),
            "version": version,
        },
    )
    assert response.status_code == 200
    text = visible_text(response.text)
    assert CONFLICT_UK in text
    assert "Нова назва від застарілої копії" in response.text
    with app.app_context():
        assert get(pk).name == "Надавач для редагування"


# --- HTTP actions -----------------------------------------------------------------------


def test_single_actions_through_the_workflow(app, client_as):
    with app.app_context():
        pk = make_provider(status=S.draft)
    lviv, ministry = client_as("lviv"), client_as("ministry")
    assert lviv.post(f"/providerview/action/submit/{pk}").status_code == 302
    assert lviv.post(f"/providerview/action/approve/{pk}").status_code == 403
    r = ministry.post(f"/providerview/action/approve/{pk}", follow_redirects=True)
    assert "Статус змінено" in visible_text(r.text)
    r = ministry.post(f"/providerview/action/suspend/{pk}", follow_redirects=True)
    assert "Зазначте підставу" in visible_text(r.text)
    ministry.post(f"/providerview/action/suspend/{pk}", data={"reason": "Скарга"})
    with app.app_context():
        assert get(pk).status == S.suspended
        assert get(pk).status_reason == "Скарга"
    ministry.post(f"/providerview/action/reinstate/{pk}")
    page = visible_text(ministry.get(f"/providerview/show/{pk}").text)
    assert "Історія змін статусу" in page
    for label in ("Чернетка → Подано на затвердження", "Скарга"):
        assert label in page
    with app.app_context():
        assert get(pk).status == S.approved
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ProviderStatusChange)
                .where(ProviderStatusChange.provider_id == pk)
            )
            == 4
        )


def test_bulk_approve_and_all_or_nothing_reject(app, client_as):
    with app.app_context():
        pks = [make_provider(status=S.submitted) for _ in range(3)]
        draft = make_provider(status=S.draft)
    ministry = client_as("ministry")
    r = ministry.post("/providerview/action_post", data={"action": "approve", "rowid": pks[:2]})
    assert r.status_code == 302
    with app.app_context():
        assert [get(pk).status for pk in pks] == [S.approved, S.approved, S.submitted]
    # One row in the wrong state: nothing changes, the message names it.
    r = ministry.post(
        "/providerview/action_post",
        follow_redirects=True,
        data={"action": "reject", "rowid": [pks[2], draft], "reason": "Дублікат"},
    )
    assert "не дозволений" in visible_text(r.text)
    with app.app_context():
        assert get(pks[2]).status == S.submitted and get(draft).status == S.draft
    r = ministry.post(
        "/providerview/action_post",
        follow_redirects=True,
        data={"action": "reject", "rowid": [pks[2]]},
    )
    assert "Зазначте підставу" in visible_text(r.text)
    ministry.post(
        "/providerview/action_post",
        data={"action": "reject", "rowid": [pks[2]], "reason": "Дублікат"},
    )
    with app.app_context():
        assert get(pks[2]).status == S.rejected


def test_caseworker_submits_own_provider_only(app, client_as):
    with app.app_context():
        own, other = make_provider(), make_provider()
        user("caseworker").provider_id = own
        db.session.commit()
    try:
        client = client_as("caseworker")
        assert client.post(f"/providerview/action/submit/{own}").status_code == 302
        assert client.post(f"/providerview/action/submit/{other}").status_code == 404
        assert client.post(f"/providerview/action/approve/{own}").status_code == 403
        assert client.get(f"/providerview/edit/{own}").status_code == 403
        with app.app_context():
            assert get(own).status == S.submitted and get(other).status == S.draft
    finally:
        with app.app_context():
            user("caseworker").provider_id = None
            db.session.commit()


def test_api_transitions_per_role(app):
    with app.app_context():
        pk = make_provider(status=S.draft)
    client = app.test_client()
    lviv, ministry, trainer = (jwt_headers(client, u) for u in ("lviv", "ministry", "trainer"))
    assert client.post(f"/api/v1/provider/{pk}/approve", headers=ministry).status_code == 409
    assert client.post(f"/api/v1/provider/{pk}/submit", headers=trainer).status_code == 403
    assert client.post(f"/api/v1/provider/{pk}/approve", headers=lviv).status_code == 403
    assert client.post(f"/api/v1/provider/{pk}/nonsense", headers=lviv).status_code == 404
    r = client.post(f"/api/v1/provider/{pk}/submit", headers=lviv, json={})
    assert r.status_code == 200 and r.json["status"] == "submitted"
    r = client.post(f"/api/v1/provider/{pk}/reject", headers=ministry, json={})
    assert r.status_code == 400 and "Зазначте підставу" in r.json["message"]
    r = client.post(
        f"/api/v1/provider/{pk}/reject",
        headers=ministry,
        json={"reason": "Невідповідність статуту"},
    )
    assert r.status_code == 200
    history = client.get(f"/api/v1/provider/{pk}/history", headers=lviv).json["result"]
    assert [(h["from"], h["to"], h["by"]) for h in history] == [
        ("submitted", "rejected", "ministry"),
        ("draft", "submitted", "lviv"),
    ]
    assert history[0]["reason"] == "Невідповідність статуту"
    assert client.post(f"/api/v1/provider/{pk}/submit").status_code == 401


def test_transition_is_in_the_audit_log(app):
    from app.audit.models import AuditLog

    with app.app_context():
        pk = make_provider(status=S.submitted)
    client = app.test_client()
    client.post(f"/api/v1/provider/{pk}/approve", headers=jwt_headers(client, "ministry"))
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditLog).where(AuditLog.entity == "Provider", AuditLog.entity_id == str(pk))
        ).all()
        transition = [r for r in rows if r.action.name == "transition"]
        assert transition and transition[0].details["to"] == "approved"
        assert transition[0].username == "ministry"


def test_show_page_offers_only_allowed_transitions(app, client_as):
    with app.app_context():
        pk = make_provider(status=S.submitted)
    ministry = visible_text(client_as("ministry").get(f"/providerview/show/{pk}").text)
    assert "Затвердити" in ministry and "Відхилити" in ministry
    assert "Подати на затвердження" not in ministry
    lviv = visible_text(client_as("lviv").get(f"/providerview/show/{pk}").text)
    assert "Затвердити" not in lviv
    assert "Зараз вам недоступні зміни статусу" in lviv


def test_api_transition_with_absurd_id_is_404(app):
    client = app.test_client()
    headers = jwt_headers(client, "admin")
    for url in (
        "/api/v1/provider/99999999999999999999999/approve",
        "/api/v1/provider/99999999999999999999999/history",
        "/api/v1/selection_round/99999999999999999999999/cancel",
        "/api/v1/selection_round/99999999999999999999999/results",
    ):
        method = client.get if url.endswith(("history", "results")) else client.post
        assert method(url, headers=headers).status_code == 404, url
