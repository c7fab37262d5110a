"""Status-change endpoints read their JSON body field by field: a wrong type is
a 422 with a Ukrainian message naming the field, never a 500, and changes
nothing (an outside test crashed all of them with a list or a wrong type)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.cases.models import Case, CaseStatus
from app.centers.models import ResilienceCentre
from app.extensions import db
from app.providers.models import Provider
from app.selection.models import SelectionRound

from .conftest import jwt_headers
from .test_rule_parity import snapshot, world  # noqa: F401  (the seeded module world)

BAD_BODIES = [
    ("reason", [1, 2]),
    ("reason", {"a": 1}),
    ("reason", 5),
    ("reason", "x" * 2001),
    ("version", "перша"),
    ("version", 2**40),
    ("version", True),
    ("version", 1.5),
    ("to_provider_id", "2"),
    ("to_provider_id", -1),
    ("to_provider_id", 2**31),
    ("note", ["нотатка"]),
    ("protocol_date", "31.02.2026"),
    ("protocol_date", 20260101),
]


def _ids():
    first = lambda model: db.session.scalar(sa.select(model.id).order_by(model.id).limit(1))  # noqa: E731
    active = db.session.scalar(sa.select(Case.id).where(Case.status == CaseStatus.active).limit(1))
    return {
        "case": active,
        "provider": first(Provider),
        "centre": first(ResilienceCentre),
        "round": first(SelectionRound),
    }


def _endpoints(ids):
    """(url, the fields it reads)"""
    return [
        (f"/api/v1/case/{ids['case']}/transition/start_review", {"reason"}),
        (f"/api/v1/case/{ids['case']}/transition/close", {"reason"}),
        (f"/api/v1/case/{ids['case']}/transfer", {"to_provider_id", "reason"}),
        ("/api/v1/case_transfer/1/accept", {"note"}),
        ("/api/v1/case_transfer/1/reject", {"note"}),
        (f"/api/v1/provider/{ids['provider']}/approve", {"reason", "version"}),
        (f"/api/v1/centre/{ids['centre']}/suspend", {"reason"}),
        (
            f"/api/v1/selection_round/{ids['round']}/complete",
            {"reason", "version", "protocol_date"},
        ),
    ]


def test_wrong_types_are_refused_with_the_field_named(world):
    client = world.test_client()
    headers = jwt_headers(client, "admin")
    with world.app_context():
        ids = _ids()
        before = snapshot()
    checked = 0
    for url, reads in _endpoints(ids):
        whole = client.post(url, json=[{"reason": "x"}], headers=headers)
        assert whole.status_code == 422, (url, whole.status_code, whole.text)
        assert "JSON" in whole.json["message"] and "об" in whole.json["message"]
        for field, value in BAD_BODIES:
            if field not in reads:
                continue
            reply = client.post(url, json={field: value}, headers=headers)
            assert reply.status_code == 422, (url, field, value, reply.status_code, reply.text)
            assert f"«{field}»" in reply.json["message"], reply.json
            checked += 1
    assert checked >= 30
    with world.app_context():
        assert snapshot() == before


@pytest.mark.parametrize("reason", ["moved", None])
def test_a_reason_sent_with_any_case_transition_is_no_crash(world, reason):
    """Any transition sent with a valid closure reason used to crash (500)."""
    client = world.test_client()
    headers = jwt_headers(client, "admin")
    with world.app_context():
        case_id = _ids()["case"]
    reply = client.post(
        f"/api/v1/case/{case_id}/transition/no_such_step", json={"reason": reason}, headers=headers
    )
    assert reply.status_code == 404
    reply = client.post(
        f"/api/v1/case/{case_id}/transition/close", json={"reason": "bogus"}, headers=headers
    )
    assert reply.status_code == 422 and "«reason»" in reply.json["message"]
