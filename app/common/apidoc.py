"""OpenAPI text of the portal's own endpoints (FAB reads it from docstrings).

The status-change endpoints of every register share one shape: a scoped
record's key in the path, an optional JSON body, the new status back, the same
error responses. :func:`transition_doc` writes that description once, and
:func:`record_rows_doc` that of a GET returning rows that belong to a record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml
from flask import Flask, Response

from ..extensions import get_appbuilder

_REF = {code: {"$ref": f"#/components/responses/{code}"} for code in (400, 401, 403, 404)}
_TYPES: dict[str, dict[str, Any]] = {
    "date": {"type": "string", "format": "date"},
    "strings": {"type": "array", "items": {"type": "string"}},
}


def _schema(kind: str) -> dict[str, Any]:
    return dict(_TYPES.get(kind, {"type": kind}))


_PK = {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}


def record_rows_doc(summary: str) -> str:
    """Docstring of a GET ``/<pk>/...`` answering ``{"result": [objects]}``."""
    operation = {
        "summary": summary,
        "parameters": [_PK],
        "responses": {
            200: {
                "description": summary,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "result": {"type": "array", "items": {"type": "object"}}
                            },
                        }
                    }
                },
            },
            **{code: ref for code, ref in _REF.items() if code != 400},
        },
    }
    text: str = yaml.safe_dump({"get": operation}, allow_unicode=True, sort_keys=False)
    return f"{summary}\n---\n" + text


def transition_doc(
    summary: str,
    *,
    names: list[str] | None = None,
    body: dict[str, str] | None = None,
    returns: dict[str, str] | None = None,
    ok: str = "The new status",
    conflict: str = "Not allowed from the current status",
) -> str:
    """Docstring of a POST ``/<pk>[/<name>]`` status change.

    ``names``: the values of a ``<name>`` path part; ``body``/``returns``: extra
    JSON properties (name -> type) of the request and of the 200 answer, whose
    ``id`` and ``status`` are always there.
    """
    parameters = [_PK]
    if names:
        parameters.append(
            {
                "in": "path",
                "name": "name",
                "required": True,
                "schema": {"type": "string", "enum": list(names)},
            }
        )
    answer = {"id": "integer", "status": "string", **(returns or {})}
    operation: dict[str, Any] = {"summary": summary, "parameters": parameters}
    if body:
        operation["requestBody"] = {
            "required": False,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {k: _schema(v) for k, v in body.items()},
                    }
                }
            },
        }
    operation["responses"] = {
        200: {
            "description": ok,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {k: _schema(v) for k, v in answer.items()},
                    }
                }
            },
        },
        **_REF,
        409: {"description": conflict},
    }
    text: str = yaml.safe_dump({"post": operation}, allow_unicode=True, sort_keys=False)
    return f"{summary}\n---\n" + text


# --- the whole document: what the portal really answers ------------------------------
#: ``message`` is a sentence, or for a refused body ``{field: [sentences]}``.
_ERROR = {
    "type": "object",
    "properties": {"message": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
}
_ERRORS = {
    400: "Malformed input: query arguments, the Rison q argument or the JSON body "
    "cannot be read, or a rule refuses the request",
    401: "Not signed in, or the token has expired or was revoked",
    403: "The role does not allow this, or the record would fall outside the user's scope",
    404: "No such record, or it is outside the user's scope",
    405: "The path, with a malformed key, names another operation's address that does "
    "not take this method",
    409: "The record changed since it was read (stale version), or its status does not "
    "allow this change",
    422: "The values are not valid (the message names the fields)",
    500: "Fatal error",
}
#: Every operation can be refused as malformed, unauthenticated, forbidden or not
#: found; writes also as conflicting or invalid.
_READ_CODES = (400, 401, 403, 404)
_WRITE_CODES = (*_READ_CODES, 409, 422)
_KEY = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
_METHODS = ("get", "put", "post", "delete", "patch")


def conform_spec(
    spec: dict[str, Any], decimals: dict[str, set[str]] | None = None
) -> dict[str, Any]:
    """FAB's generated OpenAPI document, corrected to what the API answers.

    * every error response is ``{"message": text or {field: [texts]}}`` (FAB
      documents a string; a refused body names its fields);
    * every operation documents the refusals the portal gives on it: 400
      (the input guard, malformed arguments), 401, 403 (role, scope), 404,
      405 where a malformed path key lands on another operation's address,
      and for writes 409 (stale version, status rule) and 422 (invalid values);
    * keys are integers: ``ids`` of a list and ``id`` of a created record
      (FAB documents strings); ``_info``'s ``add_columns``/``edit_columns``
      are lists of field descriptions (FAB documents objects); a menu's
      children include ``"-"`` separators;
    * a decimal column (``decimals``: component name -> property names,
      :func:`decimal_properties`) is answered as a string ("12.50", Flask's
      JSON of a ``Decimal``) and accepted as a number or a string.
    """
    responses = spec.setdefault("components", {}).setdefault("responses", {})
    for code, description in _ERRORS.items():
        responses[str(code)] = {
            "description": description,
            "content": {"application/json": {"schema": _ERROR}},
        }
    schemas = spec["components"].get("schemas") or {}
    for name, properties in (decimals or {}).items():
        for prop in properties:
            declared = (schemas.get(name, {}).get("properties") or {}).get(prop)
            if declared is not None and declared.get("type") == "number":
                extra = {k: v for k, v in declared.items() if k not in ("type", "format")}
                declared.clear()
                declared.update({"anyOf": [{"type": "number"}, {"type": "string"}], **extra})
    for path, item in (spec.get("paths") or {}).items():
        for method, operation in item.items():
            if method not in _METHODS or not isinstance(operation, dict):
                continue
            documented = operation.setdefault("responses", {})
            codes = _READ_CODES if method == "get" else _WRITE_CODES
            if "{" in path:
                codes = (*codes, 405)
            for code in codes:
                if str(code) not in documented and code not in documented:
                    documented[str(code)] = {"$ref": f"#/components/responses/{code}"}
            for answer in documented.values():
                for media in (answer.get("content") or {}).values():
                    _fix_schema(media.get("schema"), path)
    return spec


def _fix_schema(schema: object, path: str) -> None:
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties") or {}
    if ((properties.get("ids") or {}).get("items") or {}).get("type") == "string":
        properties["ids"]["items"] = dict(_KEY)
    if (properties.get("id") or {}).get("type") == "string":
        properties["id"] = {**{k: v for k, v in properties["id"].items() if k != "type"}, **_KEY}
    for name in ("add_columns", "edit_columns"):
        if properties.get(name) == {"type": "object"}:
            properties[name] = {"type": "array", "items": {"type": "object"}}
    if path.endswith("/menu/"):
        result = (properties.get("result") or {}).get("items") or {}
        children = (result.get("properties") or {}).get("childs") or {}
        if children.get("items") == {"type": "object"}:
            children["items"] = {"anyOf": [{"type": "object"}, {"type": "string"}]}


def decimal_properties(apis: Iterable[Any]) -> dict[str, set[str]]:
    """``{component name: {property}}`` of the decimal columns in the schemas FAB
    names after each ModelRestApi (``CourseApi.post``, ``CentreApi.get.Hromada``)."""
    from sqlalchemy import Float, Numeric

    def decimal_columns(model: Any) -> set[str]:
        return {
            column.key
            for column in model.__table__.columns
            if isinstance(column.type, Numeric)
            and not isinstance(column.type, Float)
            and column.type.asdecimal
        }

    found: dict[str, set[str]] = {}
    for api in apis:
        model = getattr(getattr(api, "datamodel", None), "obj", None)
        if model is None or not hasattr(model, "__table__"):
            continue
        models = {mapper.class_.__name__: mapper.class_ for mapper in model.registry.mappers}
        prefix = type(api).__name__
        for part in ("get", "get_list", "post", "put"):
            found[f"{prefix}.{part}"] = decimal_columns(model)
            for name, related in models.items():
                if hasattr(related, "__table__"):
                    found[f"{prefix}.{part}.{name}"] = decimal_columns(related)
    return {name: props for name, props in found.items() if props}


def init_openapi_conformance(app: Flask) -> None:
    """Serve FAB's ``/api/<version>/_openapi`` through :func:`conform_spec`.

    FAB builds the document in its ``OpenApi`` view from every API's
    docstrings and marshmallow schemas, with no hook for a whole-document
    change; its JSON answer is rewritten here, once per response.
    """
    import json

    from flask import request

    @app.after_request
    def _conform(response: Response) -> Response:
        if request.endpoint == "OpenApi.get" and response.status_code == 200 and response.is_json:
            decimals = decimal_properties(get_appbuilder().baseviews)
            spec = conform_spec(response.get_json(), decimals)
            response.set_data(json.dumps(spec))
        return response
