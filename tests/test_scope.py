"""The one scope mechanism: who reaches which rows, on every path, failing closed."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.geography.models import Oblast
from app.providers.models import Provider, ProviderKind
from app.security import roles
from app.security.models import PortalUser
from app.security.scope import scope_of, scoped

from .conftest import jwt_headers, visible_text

LVIV, FRANKIVSK = "UA46000000000026241", "UA26000000000069363"


@pytest.fixture(scope="module")
def providers(app):
    with app.app_context():
        ids = {}
        for code, name, edrpou in (
            (LVIV, "ГО «Львівська підтримка»", "37567866"),
            (FRANKIVSK, "ГО «Прикарпатська опора»", "00032945"),
        ):
            oblast = db.session.scalar(select(Oblast).where(Oblast.code == code))
            provider = Provider(
                name=name, kind=ProviderKind.ngo, edrpou=edrpou, oblast_id=oblast.id
            )
            db.session.add(provider)
            db.session.flush()
            ids[code] = provider.id
        worker = db.session.scalar(select(PortalUser).where(PortalUser.username == "caseworker"))
        worker.provider_id = ids[LVIV]
        db.session.commit()
        return ids


def test_scope_of_each_role(app, providers):
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(PortalUser))}
        for name in ("admin", "ministry", "trainer", "auditor"):
            assert scope_of(users[name]).national, name
        lviv = scope_of(users["lviv"])
        assert not lviv.national and lviv.oblast_id == users["lviv"].oblast_id
        assert lviv.provider_id is None
        worker = scope_of(users["caseworker"])
        assert worker.provider_id == providers[LVIV] and worker.oblast_id is None


def test_scoped_query_per_role(app, providers):
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(PortalUser))}

        def names(username):
            stmt = scoped(select(Provider.id), Provider, scope_of(users[username]))
            return set(db.session.scalars(stmt))

        assert names("ministry") >= set(providers.values())
        assert names("lviv") == {providers[LVIV]}
        assert names("frankivsk") == {providers[FRANKIVSK]}
        assert names("caseworker") == {providers[LVIV]}


def test_confined_user_without_scope_sees_nothing(app, providers, client_as):
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.add_user(
            "nooblast",
            "Без",
            "Області",
            "no@example.org",
            sm.find_role(roles.REGIONAL_ADMIN),
            password="Another-Long-Pass-77",
        )
        assert scope_of(user).oblast_id is None
        assert db.session.scalars(scoped(select(Provider), Provider, scope_of(user))).all() == []
    client = app.test_client()
    client.post("/login/", data={"username": "nooblast", "password": "Another-Long-Pass-77"})
    text = visible_text(client.get("/providerview/list/").text)
    assert "Львівська підтримка" not in text and "Прикарпатська" not in text


def test_out_of_scope_record_is_refused_on_every_path(app, providers, client_as):
    other = providers[FRANKIVSK]
    client = client_as("lviv")
    assert "Прикарпатська" not in client.get("/providerview/list/").text
    assert client.get(f"/providerview/show/{other}").status_code == 404
    assert client.get(f"/providerview/edit/{other}").status_code == 404
    assert client.post(f"/providerview/edit/{other}", data={"name": "X"}).status_code == 404
    assert client.post(f"/providerview/delete/{other}").status_code == 404
    assert "Прикарпатська" not in client.get("/providerview/export/csv").data.decode("utf-8-sig")
    headers = jwt_headers(client, "lviv")
    assert client.get(f"/api/v1/provider/{other}", headers=headers).status_code == 404
    assert (
        client.put(f"/api/v1/provider/{other}", json={"name": "X"}, headers=headers).status_code
        == 404
    )
    assert client.delete(f"/api/v1/provider/{other}", headers=headers).status_code == 404
    listing = client.get("/api/v1/provider/", headers=headers).json
    assert {row["id"] for row in listing["result"]} == {providers[LVIV]}
    assert client.get("/lookup/provider?q=Прикарп").json["results"] == []
    with app.app_context():
        assert db.session.get(Provider, other).name == "ГО «Прикарпатська опора»"


def test_record_cannot_be_moved_out_of_scope(app, providers, client_as):
    client = client_as("lviv")
    with app.app_context():
        frankivsk_oblast = db.session.scalar(select(Oblast.id).where(Oblast.code == FRANKIVSK))
    response = client.post(
        "/providerview/add",
        data={
            "name": "ГО «Чужа»",
            "kind": "ngo",
            "edrpou": "00032129",
            "oblast": str(frankivsk_oblast),
        },
    )
    assert response.status_code == 200
    # The oblast outside the scope is not even a valid choice in the form;
    # the API below has no such form and is stopped by the scope check itself.
    # (FAB's relation field reports an unknown id as a missing value.)
    text = visible_text(response.text)
    assert any(
        message in text
        for message in (
            "Це поле є обов'язковим",
            "Недопустиме значення",
            "поза межами свого доступу",
        )
    )
    assert 'value="ГО «Чужа»"' in response.text, "the form keeps what was typed"
    with app.app_context():
        assert db.session.scalar(select(Provider).where(Provider.edrpou == "00032129")) is None
    headers = jwt_headers(client, "lviv")
    response = client.post(
        "/api/v1/provider/",
        headers=headers,
        json={"name": "ГО «Чужа»", "kind": "ngo", "edrpou": "00032129", "oblast": frankivsk_oblast},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Provider).where(Provider.edrpou == "00032129")) is None


def test_lookup_of_hromadas_is_scoped_and_paged(client_as):
    lviv = client_as("lviv").get("/lookup/hromada?q=").json
    assert all("Львівська область" in r["text"] for r in lviv["results"])
    assert len(lviv["results"]) == 20 and lviv["pagination"]["more"] is True
    national = client_as("ministry").get("/lookup/hromada?q=Жовк").json
    assert [r["text"] for r in national["results"]] == [
        "Жовківська територіальна громада (Львівська область)"
    ]
    assert client_as("ministry").get("/lookup/nonexistent").status_code == 404
