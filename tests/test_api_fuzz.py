"""Fuzzing the REST API from its own OpenAPI document (schemathesis).

Every operation gets a bounded number of generated requests (valid and
invalid paths, queries and bodies) as an administrator, who may call all of
them. No request may end in a 5xx: bad input must be answered 400/404/422
with a message. Bounded in examples per operation so CI stays fast.
"""

import os

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from app.extensions import db

from .conftest import jwt_headers

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
#: FAB's own auth endpoints are exercised by the login tests; fuzzing them only
#: trips the lockout of the test users.
SKIP = ("/api/v1/security/",)


def _row_counts(app) -> tuple:
    """Row count of every table except the audit log, in one statement."""
    with app.app_context():
        tables = [t for name, t in sorted(db.metadata.tables.items()) if name != "audit_log"]
        query = sa.select(*[sa.select(sa.func.count()).select_from(t).scalar_subquery()
                            for t in tables])
        return tuple(db.session.execute(query).one())


def test_no_operation_answers_5xx(app):
    client = app.test_client()
    headers = jwt_headers(client, "admin")
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(SKIP) or "{version}" in operation.path:
            continue
        operations += 1

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), derandomize=True)
        @given(case=operation.as_strategy())
        def probe(case):
            before = _row_counts(app)
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{operation.label} -> {response.status_code}: "
                                f"path={case.path_parameters} query={case.query} "
                                f"body={str(case.body)[:200]}")
            elif response.status_code in (400, 404, 405, 409, 422):
                # A refused request must leave the data as it was (audit rows aside).
                if _row_counts(app) != before:
                    failures.append(f"{operation.label} -> {response.status_code} but data "
                                    f"changed: body={str(case.body)[:200]}")

        probe()
    assert operations >= 5
    assert failures == [], "\n".join(failures[:20])
