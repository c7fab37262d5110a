"""Fuzzing the REST API from its own OpenAPI document (schemathesis).

Every operation gets a bounded number of generated requests (valid and
invalid paths, queries and bodies) as an administrator, who may call all of
them. No request may end in a 5xx, every answer must conform to the document
(a documented status code, a documented content type, a body matching the
documented schema), and a refused request must leave the data as it was.
Bounded in examples per operation (``FUZZ_EXAMPLES``) so CI stays fast.
"""

from __future__ import annotations

import collections
import os

import pytest
from hypothesis import HealthCheck, given, settings

from .conftest import jwt_headers
from .test_form_fuzz import table_digest

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
#: FAB's own auth endpoints are exercised by the login tests; fuzzing them only
#: trips the lockout of the test users (and logs the fuzzing token out).
SKIP = ("/api/v1/security/",)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _table_digest(app) -> dict:
    """The contents of every table except the audit log's and the sessions'
    (rows, not counts): :func:`tests.test_form_fuzz.table_digest`."""
    return table_digest(app)


def _failure_kind(failure) -> str:
    return getattr(failure, "title", None) or type(failure).__name__


def _failures_of(exc) -> list:
    return list(getattr(exc, "exceptions", None) or [exc])


def test_every_operation_answers_as_documented_and_never_5xx(app):
    client = app.test_client()
    headers = jwt_headers(client, "admin")
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    stats = collections.Counter()
    server_errors, nonconforming, changed = [], collections.defaultdict(list), []
    state = {"digest": _table_digest(app)}  # the data as the next request finds it

    def fuzz(operation) -> None:
        """Hypothesis's cases of one operation (a function, so the probe binds
        this operation, not the loop's variable)."""

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        @given(case=operation.as_strategy())
        def probe(case):
            writes = case.method.upper() != "GET"
            before = state["digest"]
            response = case.call(headers=headers)
            stats["cases"] += 1
            if response.status_code >= 500:
                stats["5xx"] += 1
                server_errors.append(
                    f"{operation.label} -> {response.status_code}: "
                    f"path={case.path_parameters} query={case.query} "
                    f"body={str(case.body)[:200]}"
                )
                if writes:
                    state["digest"] = _table_digest(app)
                return
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # the checks that failed
                for failure in _failures_of(exc):
                    key = f"{operation.label}: {_failure_kind(failure)}"
                    nonconforming[key].append(
                        f"{response.status_code} {str(failure)[:300]} | path={case.path_parameters} "
                        f"query={case.query} "
                        f"body={str(case.body)[:120]}"
                    )
            if writes:
                state["digest"] = _table_digest(app)
                # A refused request leaves the data as it was (audit rows aside).
                if response.status_code >= 400 and state["digest"] != before:
                    changed.append(
                        f"{operation.label} -> {response.status_code} but data "
                        f"changed: body={str(case.body)[:200]}"
                    )
            if "/session/" in operation.path and case.method.upper() == "DELETE":
                # It may have ended the fuzzing token's own session: sign in again.
                headers.update(jwt_headers(client, "admin"))
                state["digest"] = _table_digest(app)  # the sign-in counts in ab_user

        probe()

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(SKIP):
            continue
        stats["operations"] += 1
        fuzz(operation)
    report = [f"{key} ({len(items)}x): {items[0]}" for key, items in sorted(nonconforming.items())]
    print(
        f"schemathesis: {stats['operations']} operations, {stats['cases']} cases, "
        f"{stats['5xx']} 5xx, {sum(map(len, nonconforming.values()))} nonconforming "
        f"responses in {len(nonconforming)} operation/check pairs"
    )
    assert stats["operations"] >= 50 and stats["cases"] >= stats["operations"]
    assert server_errors == [], "\n".join(server_errors[:20])
    assert changed == [], "\n".join(changed[:20])
    assert report == [], "\n".join(report[:60])


# --- the malformed inputs the outside test found answering 500 -----------------------
@pytest.fixture()
def api(app):
    client = app.test_client()
    return client, jwt_headers(client, "admin")


@pytest.mark.parametrize(
    "q",
    [
        "(((",
        "3.1e+202",
        "3.1e 202",
        "[1,2]",
        "(" * 5000,
        "(filters:!((col:name,opr:ct,value:'a\x00b')))",
    ],
)
def test_a_malformed_rison_argument_is_a_400_with_a_message(app, api, q):
    client, headers = api
    response = client.get("/api/v1/provider/", query_string={"q": q}, headers=headers)
    assert response.status_code == 400, response.text
    assert (
        response.json["message"]
        and "Аргумент q" in response.json["message"]
        or "NUL" in response.json["message"]
    )


def test_integers_beyond_64_bits_in_filters_and_bodies_are_refused(app, api):
    client, headers = api
    big = 2**70
    response = client.get(
        "/api/v1/provider/",
        headers=headers,
        query_string={"q": f"(filters:!((col:name,opr:eq,value:{big})))"},
    )
    assert response.status_code == 400 and "завелике" in response.json["message"]
    before = _table_digest(app)
    response = client.post(
        "/api/v1/centre/", headers=headers, json={"name": "x", "provider": big, "hromada": 1}
    )
    assert response.status_code == 422 and "завелике" in response.json["message"]
    assert _table_digest(app) == before


@pytest.mark.parametrize(
    "raw, words",
    [
        ('{"name": "\\ud800"}', "сурогат"),
        ('{"name": NaN}', "скінченними"),
        ('{"name": Infinity}', "скінченними"),
        ('{"name": "a\\u0000b"}', "NUL"),
        ("[" * 100_000 + "]" * 100_000, "JSON"),
        ('{"name": ', "JSON"),
    ],
)
def test_bodies_no_column_can_hold_are_refused_with_a_message(app, api, raw, words):
    client, headers = api
    before = _table_digest(app)
    for method, url in (("post", "/api/v1/provider/"), ("put", "/api/v1/provider/1")):
        response = getattr(client, method)(
            url, data=raw, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code in (400, 422), response.text
        assert words in response.json["message"]
    assert _table_digest(app) == before


def test_the_openapi_document_names_the_refusals_and_integer_keys(app, api):
    client, headers = api
    spec = client.get("/api/v1/_openapi", headers=headers).json
    operation = spec["paths"]["/api/v1/provider/{pk}"]["put"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(map(str, operation["responses"]))
    message = spec["components"]["responses"]["422"]["content"]["application/json"]
    assert {"type": "object"} in message["schema"]["properties"]["message"]["anyOf"]


def test_a_multipart_part_without_a_readable_name_is_not_a_500(app, api):
    """Found by the fuzzing above: a part named «\\r» reached the input guard as None."""
    client, headers = api
    body = b'--b\r\nContent-Disposition: form-data; name="\r"\r\n\r\nnull\r\n--b--\r\n'
    response = client.post(
        "/api/v1/provider/1/documents",
        data=body,
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code < 500, response.text
    assert response.status_code in (400, 404, 422), response.status_code
