"""OpenAPI text of the portal's own endpoints (FAB reads it from docstrings).

The status-change endpoints of every register share one shape: a scoped
record's key in the path, an optional JSON body, the new status back, the same
error responses. :func:`transition_doc` writes that description once, and
:func:`record_rows_doc` that of a GET returning rows that belong to a record.
"""

from __future__ import annotations

import yaml

_REF = {code: {"$ref": f"#/components/responses/{code}"} for code in (400, 401, 403, 404)}
_TYPES = {"date": {"type": "string", "format": "date"},
          "strings": {"type": "array", "items": {"type": "string"}}}


def _schema(kind: str) -> dict:
    return dict(_TYPES.get(kind, {"type": kind}))


_PK = {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}


def record_rows_doc(summary: str) -> str:
    """Docstring of a GET ``/<pk>/...`` answering ``{"result": [objects]}``."""
    operation = {"summary": summary, "parameters": [_PK], "responses": {
        200: {"description": summary, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"result": {
                "type": "array", "items": {"type": "object"}}}}}}},
        **{code: ref for code, ref in _REF.items() if code != 400}}}
    return f"{summary}\n---\n" + yaml.safe_dump({"get": operation}, allow_unicode=True,
                                                 sort_keys=False)


def transition_doc(summary: str, *, names: list[str] | None = None,
                   body: dict[str, str] | None = None, returns: dict[str, str] | None = None,
                   ok: str = "The new status",
                   conflict: str = "Not allowed from the current status") -> str:
    """Docstring of a POST ``/<pk>[/<name>]`` status change.

    ``names``: the values of a ``<name>`` path part; ``body``/``returns``: extra
    JSON properties (name -> type) of the request and of the 200 answer, whose
    ``id`` and ``status`` are always there.
    """
    parameters = [_PK]
    if names:
        parameters.append({"in": "path", "name": "name", "required": True,
                           "schema": {"type": "string", "enum": list(names)}})
    answer = {"id": "integer", "status": "string", **(returns or {})}
    operation: dict = {"summary": summary, "parameters": parameters}
    if body:
        operation["requestBody"] = {"required": False, "content": {"application/json": {
            "schema": {"type": "object",
                       "properties": {k: _schema(v) for k, v in body.items()}}}}}
    operation["responses"] = {
        200: {"description": ok, "content": {"application/json": {"schema": {
            "type": "object", "properties": {k: _schema(v) for k, v in answer.items()}}}}},
        **_REF, 409: {"description": conflict}}
    return f"{summary}\n---\n" + yaml.safe_dump({"post": operation}, allow_unicode=True,
                                                 sort_keys=False)
