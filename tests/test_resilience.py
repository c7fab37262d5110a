"""When the database goes away the portal says so in Ukrainian (503) and
recovers by itself when it comes back; nothing is half-written."""

import os
import shutil

import pytest

from .conftest import login, make_app, visible_text


@pytest.fixture()
def sqlite_app(tmp_path_factory):
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("simulated by moving the SQLite file; PostgreSQL outage is not simulated")
    return make_app(tmp_path_factory)


def test_database_outage_gives_ukrainian_503_and_recovers(sqlite_app):
    app = sqlite_app
    client = app.test_client()
    login(client, "ministry")
    assert client.get("/providerview/list/").status_code == 200

    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    shutil.move(path, path + ".away")
    os.makedirs(path)  # a directory where the file was: the database cannot be opened
    try:
        response = client.get("/providerview/list/")
        assert response.status_code == 503
        text = visible_text(response.text)
        assert "Сервіс тимчасово недоступний" in text
        assert "Traceback" not in response.text and "sqlite" not in response.text.lower()
        api = client.get("/api/v1/oblast/", headers={"Authorization": "Bearer x"})
        assert api.status_code in (401, 503)
    finally:
        os.rmdir(path)
        shutil.move(path + ".away", path)
    # Back again: the next request works without a restart (a new connection).
    assert client.get("/providerview/list/").status_code == 200
