"""The audit log: one row per change with old -> new values, logins and exports; read-only."""

from sqlalchemy import select

from app.audit.models import AuditAction, AuditLog
from app.extensions import db
from app.geography.models import Oblast
from app.providers.models import Provider, ProviderKind

from .conftest import login


def _rows(app, **filters):
    with app.app_context():
        stmt = select(AuditLog).filter_by(**filters).order_by(AuditLog.id)
        return db.session.scalars(stmt).all()


def test_edit_writes_exactly_one_row_with_old_and_new(app, client_as):
    with app.app_context():
        oblast = db.session.scalar(select(Oblast).where(Oblast.code == "UA46000000000026241"))
        provider = Provider(
            name="ГО «Старе ім’я»", kind=ProviderKind.ngo, edrpou="37567866", oblast_id=oblast.id
        )
        db.session.add(provider)
        db.session.commit()
        pk, version, oblast_id = provider.id, provider.version, oblast.id
    before = len(_rows(app, entity="Provider", entity_id=str(pk)))
    client = client_as("lviv")
    response = client.post(
        f"/providerview/edit/{pk}",
        data={
            "name": "ГО «Нове ім’я»",
            "kind": "ngo",
            "edrpou": "37567866",
            "oblast": str(oblast_id),
            "legal_form": "other_form",
            "version": str(version),
        },
    )
    assert response.status_code == 302
    rows = _rows(app, entity="Provider", entity_id=str(pk))
    assert len(rows) == before + 1
    row = rows[-1]
    assert row.action == AuditAction.update and row.username == "lviv"
    assert row.changes == {"name": ["ГО «Старе ім’я»", "ГО «Нове ім’я»"]}


def test_stale_edit_is_refused_with_conflict_message(app, client_as):
    with app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.edrpou == "37567866"))
        pk, stale, oblast_id = provider.id, provider.version - 1, provider.oblast_id
    response = client_as("ministry").post(
        f"/providerview/edit/{pk}",
        data={
            "name": "ГО «Перезапис»",
            "kind": "ngo",
            "edrpou": "37567866",
            "oblast": str(oblast_id),
            "version": str(stale),
        },
    )
    assert response.status_code == 200
    assert "змінив інший користувач" in response.text
    assert 'value="ГО «Перезапис»"' in response.text
    with app.app_context():
        assert db.session.get(Provider, pk).name == "ГО «Нове ім’я»"


def test_logins_are_logged(app):
    client = app.test_client()
    login(client, "auditor", "wrong-password-123")
    login(client, "auditor")
    rows = _rows(app, username="auditor")
    actions = [r.action for r in rows]
    assert AuditAction.login_failed in actions and AuditAction.login in actions
    unknown = app.test_client()
    login(unknown, "nobody-here", "whatever-password")
    failed = _rows(app, action=AuditAction.login_failed)
    assert any((r.details or {}).get("username") == "nobody-here" for r in failed)


def test_sign_in_and_out_are_logged_once_each(app):
    """The security layer announces them (app.security.signals); the audit
    package records each once, for this app only, however many apps the
    process has built."""
    before = {
        a: len(_rows(app, action=AuditAction[a], username="trainer")) for a in ("login", "logout")
    }
    client = app.test_client()
    login(client, "trainer")
    client.get("/logout/")
    after = {
        a: len(_rows(app, action=AuditAction[a], username="trainer")) for a in ("login", "logout")
    }
    assert after == {"login": before["login"] + 1, "logout": before["logout"] + 1}


def test_exports_are_logged(app, client_as):
    client_as("ministry").get("/providerview/export/csv?_flt_0_name=ГО")
    rows = _rows(app, action=AuditAction.export, username="ministry")
    assert rows and rows[-1].entity == "Provider"
    assert rows[-1].details["format"] == "csv"
    assert rows[-1].details["query"].startswith("_flt_0_name=")


def test_audit_log_cannot_be_written_by_anyone(app, client_as):
    with app.app_context():
        count = db.session.query(AuditLog).count()
        some_id = db.session.scalar(select(AuditLog.id).limit(1))
    for username in ("admin", "auditor"):
        client = client_as(username)
        assert client.get("/auditlogview/list/").status_code == 200
        assert client.post("/auditlogview/add", data={"username": "x"}).status_code == 403
        assert client.post(f"/auditlogview/edit/{some_id}", data={}).status_code == 403
        assert client.post(f"/auditlogview/delete/{some_id}").status_code == 403
    assert client_as("ministry").get("/auditlogview/list/").status_code == 403
    with app.app_context():
        assert db.session.get(AuditLog, some_id) is not None
        assert db.session.query(AuditLog).count() >= count


def test_passwords_are_masked_in_the_log(app):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user(
            "masked",
            "M",
            "K",
            "m@example.org",
            sm.find_role("Аудитор"),
            password="Secret-Phrase-4-Audit",
        )
        row = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.entity == "PortalUser", AuditLog.action == "create")
            .order_by(AuditLog.id.desc())
        ).first()
        assert row.changes["password"] == [None, "***"]
        assert row.entity_id == str(sm.find_user(username="masked").id), "creates carry their key"
        assert "Secret-Phrase-4-Audit" not in str(row.changes)
