"""The audit log read in the users' words (#18): the object as its register names it,
the record by its name, each change as «поле: було → стало» with Ukrainian labels."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditAction, AuditLog
from app.centers.models import CentreStatus
from app.demo import LVIV
from app.extensions import db

from .conftest import jwt_headers, visible_text
from .test_centers_fixtures import EDRPOU_LVIV, centre, provider


def _last_update(app, pk):
    with app.app_context():
        return db.session.scalar(
            select(AuditLog.id)
            .where(
                AuditLog.entity == "ResilienceCentre",
                AuditLog.entity_id == str(pk),
                AuditLog.action == AuditAction.update,
            )
            .order_by(AuditLog.id.desc())
            .limit(1)
        )


def test_audit_entry_reads_as_field_was_became(app, client_as):
    with app.app_context():
        item = centre(
            "Центр журналу змін",
            LVIV,
            provider(EDRPOU_LVIV, LVIV),
            status=CentreStatus.operating,
            shelter=False,
        )
        db.session.commit()
        pk = item.id
    api = app.test_client()
    headers = jwt_headers(api, "lviv")
    version = api.get(f"/api/v1/centre/{pk}", headers=headers).json["result"]["version"]
    reply = api.put(
        f"/api/v1/centre/{pk}", json={"shelter": True, "version": version}, headers=headers
    )
    assert reply.status_code == 200, reply.text
    entry = _last_update(app, pk)
    assert entry is not None
    page = client_as("auditor").get(f"/auditlogview/show/{entry}")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Центр життєстійкості: Центр журналу змін" in text
    # the field by its Ukrainian label, values as Ні → Так (not False/True)
    assert "Укриття" in text or "укриття" in text, text[:2000]
    assert "Ні Так" in text
    assert "True" not in text and "False" not in text and "{" not in text
    # the list names the object as its register does
    listing = visible_text(client_as("auditor").get("/auditlogview/list/").text)
    assert "Центр життєстійкості" in listing and "ResilienceCentre" not in listing


def test_every_model_has_a_ukrainian_object_label(app):
    """An audit entry of any table names its object in Ukrainian (a register's title
    or :data:`app.audit.reading.OBJECT_LABELS`), never the class name."""
    from app.audit.reading import object_label

    with app.test_request_context(headers={"Accept-Language": "uk"}):
        unnamed = sorted(
            mapper.class_.__name__
            for mapper in db.Model.registry.mappers
            if object_label(mapper.class_.__name__) == mapper.class_.__name__
        )
    assert unnamed == []
    with app.test_request_context(headers={"Accept-Language": "uk"}):
        assert object_label("PortalUser") == "Користувач"  # not FAB's «Перегляд користувача»
