"""Optimistic locking covers every model a person can edit (issue #16).

The walk goes over the registered views and APIs, so a new register with an
edit form or a writable API fails here until its model has a version column.
"""

from flask_appbuilder import ModelRestApi, ModelView

#: Flask-AppBuilder's own security tables (users, roles, groups): their forms
#: and tables are FAB's, edited by the administrator alone.
FAB_SECURITY_MODELS = {"PortalUser", "Role", "Group", "Permission", "PermissionView", "ViewMenu"}


def _editable_models(app):
    found = {}
    for view in app.appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if datamodel is None:
            continue
        perms = set(view.base_permissions or [])
        if isinstance(view, ModelView):
            writable = bool(perms & {"can_write", "can_edit"}) and bool(view.edit_columns)
        elif isinstance(view, ModelRestApi):
            writable = bool(perms & {"can_write", "can_put"}) and bool(view.edit_columns)
        else:
            continue
        if writable:
            found.setdefault(datamodel.obj, []).append(type(view).__name__)
    return found


def test_every_editable_model_has_a_version_column(app):
    models = _editable_models(app)
    assert len(models) >= 15, sorted(m.__name__ for m in models)
    missing = {
        m.__name__: views
        for m, views in models.items()
        if m.__name__ not in FAB_SECURITY_MODELS and "version" not in m.__table__.columns
    }
    assert missing == {}


def test_version_column_is_the_mappers_version_counter(app):
    """A column named version that SQLAlchemy does not check would lock nothing."""
    for model in _editable_models(app):
        if model.__name__ in FAB_SECURITY_MODELS:
            continue
        assert model.__mapper__.version_id_col is model.__table__.c.version, model.__name__


# --- the REST API and the form carry the version --------------------------------------

from app.extensions import db  # noqa: E402
from app.providers.models import Specialist  # noqa: E402

from .conftest import jwt_headers, login, visible_text  # noqa: E402
from .test_rule_parity import form_values  # noqa: E402

CONFLICT_UK = "його змінив інший користувач"


def _specialist(app) -> int:
    from .test_providers_workflow import make_provider

    with app.app_context():
        provider_id = make_provider()
        item = Specialist(provider_id=provider_id, full_name="Оксана Версійна")
        db.session.add(item)
        db.session.commit()
        return item.id


def _stored(app, pk):
    with app.app_context():
        db.session.expire_all()
        row = db.session.get(Specialist, pk)
        return row.full_name, row.version


def test_api_put_checks_the_version_it_is_sent(app):
    pk = _specialist(app)
    client = app.test_client()
    headers = jwt_headers(client, "admin")
    got = client.get(f"/api/v1/specialist/{pk}", headers=headers)
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    ok = client.put(
        f"/api/v1/specialist/{pk}",
        headers=headers,
        json={"version": 1, "full_name": "Оксана Перша"},
    )
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] == '"2"'
    assert _stored(app, pk) == ("Оксана Перша", 2)
    stale = client.put(
        f"/api/v1/specialist/{pk}",
        headers=headers,
        json={"version": 1, "full_name": "Оксана Друга"},
    )
    assert stale.status_code == 409 and CONFLICT_UK in stale.json["message"]
    by_header = client.put(
        f"/api/v1/specialist/{pk}",
        json={"full_name": "Оксана Третя"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert by_header.status_code == 409 and CONFLICT_UK in by_header.json["message"]
    bad = client.put(
        f"/api/v1/specialist/{pk}",
        headers=headers,
        json={"version": "перша", "full_name": "Оксана Четверта"},
    )
    assert bad.status_code == 422
    assert _stored(app, pk) == ("Оксана Перша", 2)
    current = client.put(
        f"/api/v1/specialist/{pk}",
        json={"full_name": "Оксана П'ята"},
        headers={**headers, "If-Match": '"2"'},
    )
    assert current.status_code == 200 and _stored(app, pk) == ("Оксана П'ята", 3)


def test_openapi_documents_the_version_of_a_put(app):
    client = app.test_client()
    spec = client.get("/api/v1/_openapi", headers=jwt_headers(client, "admin")).json
    schemas = spec["components"]["schemas"]
    put_schema = next(v for k, v in schemas.items() if k.startswith("SpecialistApi.put"))
    assert "version" in put_schema["properties"]


def test_two_people_editing_one_form_the_second_is_refused(app):
    """Both load version 1; the first save wins, the second sees the conflict
    message and the first one's data stays."""
    pk = _specialist(app)
    first, second = app.test_client(), app.test_client()
    login(first, "admin")
    login(second, "admin")
    forms = [form_values(c.get(f"/specialistview/edit/{pk}").text) for c in (first, second)]
    assert forms[0]["version"] == ["1"] == forms[1]["version"]
    forms[0]["full_name"] = ["Оксана Перша"]
    forms[1]["full_name"] = ["Оксана Друга"]
    assert first.post(f"/specialistview/edit/{pk}", data=forms[0]).status_code == 302
    refused = second.post(f"/specialistview/edit/{pk}", data=forms[1], follow_redirects=True)
    assert CONFLICT_UK in visible_text(refused.text)
    assert _stored(app, pk) == ("Оксана Перша", 2)
