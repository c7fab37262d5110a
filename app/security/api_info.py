"""``/api/v1/<resource>/_info``: field labels and descriptions, never the
translation catalogue's header.

FAB's ``ModelRestApi._get_field_info`` translates
``description_columns.get(name, "")`` with ``lazy_gettext``; gettext of the
empty string is, by the gettext convention, the catalogue's header
("Project-Id-Version: Flask-AppBuilder ..."), so every field without a
description was described by it. Here an absent label or description is not
translated: a field without a description has an empty one, a field without
a label is labelled by its name. Installed once, for every REST API of the
portal (FAB's own included), from ``app.security.register``.

FAB also documents ``add_columns`` and ``edit_columns`` of the answer as
objects, while it sends lists of field descriptions: the OpenAPI document now
says what is sent (schema-checking clients and the API fuzz test read it).
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.api import ModelRestApi
from flask_babel import gettext

from .. import fab_seam

_installed = False

_FIELDS_DOC = """                      add_columns:
                        type: object
                      edit_columns:
                        type: object
"""
_FIELD = """                        type: array
                        items:
                          type: object
                          properties:
                            name:
                              type: string
                            label:
                              type: string
                            description:
                              type: string
                            type:
                              type: string
                            required:
                              type: boolean
                            unique:
                              type: boolean
"""
_FIELDS_FIXED = (
    "                      add_columns:\n"
    + _FIELD
    + "                      edit_columns:\n"
    + _FIELD
)


def _text(value: object, fallback: str) -> str:
    if value is None or str(value) == "":
        return fallback
    if isinstance(value, str):
        return str(gettext(value))
    return str(value)  # a lazy string translates itself


def install() -> None:
    global _installed
    if _installed:
        return

    def adjust(api: Any, field: Any, info: dict[str, Any]) -> dict[str, Any]:
        info["label"] = _text(api.label_columns.get(field.name), field.name)
        info["description"] = _text(api.description_columns.get(field.name), "")
        return info

    fab_seam.wrap_field_info(adjust)
    info = ModelRestApi.info
    if info.__doc__ and _FIELDS_DOC in info.__doc__:
        info.__doc__ = info.__doc__.replace(_FIELDS_DOC, _FIELDS_FIXED)
    _installed = True
