"""Optimistic locking covers every model a person can edit (issue #16).

The walk goes over the registered views and APIs, so a new register with an
edit form or a writable API fails here until its model has a version column.
"""

from flask_appbuilder import ModelRestApi, ModelView

#: Flask-AppBuilder's own security tables (users, roles, groups): their forms
#: and tables are FAB's, edited by the administrator alone.
FAB_SECURITY_MODELS = {"PortalUser", "Role", "Group", "Permission", "PermissionView",
                       "ViewMenu"}


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
    missing = {m.__name__: views for m, views in models.items()
               if m.__name__ not in FAB_SECURITY_MODELS
               and "version" not in m.__table__.columns}
    assert missing == {}


def test_version_column_is_the_mappers_version_counter(app):
    """A column named version that SQLAlchemy does not check would lock nothing."""
    for model in _editable_models(app):
        if model.__name__ in FAB_SECURITY_MODELS:
            continue
        assert model.__mapper__.version_id_col is model.__table__.c.version, model.__name__
