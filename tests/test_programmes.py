"""Programme reference (issue #20): seeded programmes and catalogues, edited by
ministry staff on the web and through REST (audited), read by everyone else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditLog
from app.extensions import db
from app.programmes import services
from app.programmes.models import Programme

from .conftest import jwt_headers, visible_text


def _programme(app, code):
    with app.app_context():
        row = db.session.scalar(select(Programme).where(Programme.code == code))
        return {
            c: getattr(row, c)
            for c in (
                "id",
                "code",
                "name",
                "meeting_forms",
                "meeting_interval_days",
                "term_months",
                "max_extensions",
                "extension_months",
                "assessment_deadline_working_days",
                "version",
            )
        }


def test_seed_carries_the_three_programmes_and_the_pilots_measures(app):
    with app.app_context():
        codes = set(db.session.scalars(select(Programme.code)))
        assert codes == {"servicemen", "family", "centre"}
        servicemen = {m.code: m for m in services.catalogue("servicemen")}
        assert {"family_consultation", "inform_education"} <= set(servicemen)
        assert len(servicemen) >= 10
        assert len({m.group_name for m in servicemen.values()}) == 6
        family = {m.code for m in services.catalogue("family")}
        assert {
            "employment_search",
            "debt_restructuring",
            "child_rehabilitation",
            "educational_activities",
            "psychosocial_consultation",
            "housing_help",
        } <= family
    family = _programme(app, "family")
    assert family["meeting_interval_days"] == 14
    assert family["meeting_forms"] == "visit,office"
    assert family["term_months"] == 6 and family["max_extensions"] == 1
    assert family["assessment_deadline_working_days"] == 5


def test_ministry_edits_the_rules_on_the_web_and_it_is_audited(app, client_as):
    family = _programme(app, "family")
    client = client_as("ministry")
    page = client.get(f"/programmes/edit/{family['id']}")
    assert page.status_code == 200
    assert 'type="checkbox"' in page.text and 'value="online"' in page.text
    response = client.post(
        f"/programmes/edit/{family['id']}",
        data={
            "name": family["name"],
            "meeting_forms": ["visit", "office", "online"],
            "meeting_interval_days": "14",
            "term_months": "6",
            "extension_months": "3",
            "max_extensions": "1",
            "review_interval_days": "90",
            "assessment_deadline_working_days": "5",
            "active": "y",
            "version": family["version"],
        },
        follow_redirects=True,
    )
    assert response.status_code == 200, response.text
    assert _programme(app, "family")["meeting_forms"] == "visit,online,office"
    with app.app_context():
        entry = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.entity == "Programme", AuditLog.action == "update")
            .order_by(AuditLog.id.desc())
        ).first()
        assert entry is not None and entry.changes["meeting_forms"] == [
            "visit,office",
            "visit,online,office",
        ]
    # put it back for the other tests of the module
    response = client.post(
        f"/programmes/edit/{family['id']}",
        data={
            "name": family["name"],
            "meeting_forms": ["visit", "office"],
            "meeting_interval_days": "14",
            "term_months": "6",
            "extension_months": "3",
            "max_extensions": "1",
            "review_interval_days": "90",
            "assessment_deadline_working_days": "5",
            "active": "y",
            "version": family["version"] + 1,
        },
        follow_redirects=True,
    )
    assert _programme(app, "family")["meeting_forms"] == "visit,office"


def test_ministry_edits_through_rest_and_bad_values_are_refused(app, client_as):
    client = client_as("ministry")
    headers = jwt_headers(client, "ministry")
    servicemen = _programme(app, "servicemen")
    url = f"/api/v1/programme/{servicemen['id']}"
    refused = client.put(url, json={"meeting_forms": "visit,letter"}, headers=headers)
    assert refused.status_code == 400
    assert "форму контакту" in refused.json["message"]
    refused = client.put(url, json={"meeting_interval_days": 0}, headers=headers)
    assert refused.status_code == 400 and "від 1 до 366" in refused.json["message"]
    refused = client.put(url, json={"max_extensions": 2}, headers=headers)
    assert refused.status_code == 400 and "строк" in refused.json["message"]
    assert _programme(app, "servicemen") == servicemen
    ok = client.put(url, json={"meeting_interval_days": 30}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert _programme(app, "servicemen")["meeting_interval_days"] == 30
    ok = client.put(url, json={"meeting_interval_days": None}, headers=headers)
    assert ok.status_code == 200


def test_measures_added_by_the_ministry_and_retired_not_deleted(app, client_as):
    client = client_as("ministry")
    headers = jwt_headers(client, "ministry")
    created = client.post(
        "/api/v1/programme_measure/",
        json={
            "programme_code": "family",
            "group_name": "Діти",
            "code": "school_supplies",
            "name": "Допомога зі шкільним приладдям",
            "active": True,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    with app.app_context():
        assert "school_supplies" in {m.code for m in services.catalogue("family")}
    bad = client.post(
        "/api/v1/programme_measure/",
        json={"programme_code": "family", "group_name": "Діти", "code": "Шкільне", "name": "x"},
        headers=headers,
    )
    assert bad.status_code == 400 and "латинськ" in bad.json["message"]
    refused = client.delete(f"/api/v1/programme_measure/{pk}", headers=headers)
    assert refused.status_code == 400 and "неактивним" in refused.json["message"]
    retired = client.put(f"/api/v1/programme_measure/{pk}", json={"active": False}, headers=headers)
    assert retired.status_code == 200
    with app.app_context():
        assert "school_supplies" not in {m.code for m in services.catalogue("family")}
        assert "school_supplies" in {
            m.code for m in services.catalogue("family", include_inactive=True)
        }


@pytest.mark.parametrize("user", ["caseworker", "lviv", "trainer", "auditor"])
def test_other_roles_read_but_do_not_edit(app, client_as, user):
    family = _programme(app, "family")
    client = client_as(user)
    page = client.get("/programmes/list/")
    assert page.status_code == 200 and "Асистент родини" in visible_text(page.text)
    assert client.get(f"/programmes/edit/{family['id']}").status_code in (302, 403)
    headers = jwt_headers(client, user)
    assert client.get("/api/v1/programme/", headers=headers).status_code == 200
    put = client.put(
        f"/api/v1/programme/{family['id']}", json={"meeting_interval_days": 1}, headers=headers
    )
    assert put.status_code in (401, 403)
    assert _programme(app, "family") == family


def test_a_programme_is_never_deleted(app, client_as):
    client = client_as("ministry")
    family = _programme(app, "family")
    response = client.delete(
        f"/api/v1/programme/{family['id']}", headers=jwt_headers(client, "ministry")
    )
    assert response.status_code == 400
    assert _programme(app, "family") == family
