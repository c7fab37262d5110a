"""Geography reference views and the administrator setting a user's scope."""

from sqlalchemy import select

from app.extensions import db
from app.geography.models import Oblast
from app.security import roles
from app.security.models import PortalUser

from .conftest import PASSWORD, login, visible_text


def test_all_27_top_level_units_with_ukrainian_names(app):
    with app.app_context():
        titles = set(db.session.scalars(select(Oblast.title)))
    assert len(titles) == 27
    for title in (
        "Вінницька область",
        "Львівська область",
        "Івано-Франківська область",
        "Автономна Республіка Крим",
        "м. Київ",
        "м. Севастополь",
    ):
        assert title in titles


def test_geography_views_are_read_only_with_search(client_as):
    client = client_as("trainer")
    text = visible_text(client.get("/hromadaview/list/?_flt_0_title=Жовк").text)
    assert "Жовківська територіальна громада" in text and "Львівський район" in text
    assert "Бродівська" not in text
    assert client.get("/hromadaview/add").status_code == 403
    assert client.post("/oblastview/delete/1").status_code == 403


def test_admin_sets_user_scope_in_the_form(app, client_as):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user(
            "newregional",
            "Олег",
            "Бондар",
            "oleh@example.org",
            sm.find_role(roles.REGIONAL_ADMIN),
            password=PASSWORD,
        )
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "newregional"))
        oblast = db.session.scalar(select(Oblast).where(Oblast.code == "UA46000000000026241"))
        pk, role_id, oblast_id = user.id, sm.find_role(roles.REGIONAL_ADMIN).id, oblast.id
    admin = client_as("admin")
    form = admin.get(f"/users/edit/{pk}").text
    assert "Область (межі доступу)" in visible_text(form)
    response = admin.post(
        f"/users/edit/{pk}",
        data={
            "first_name": "Олег",
            "last_name": "Бондар",
            "username": "newregional",
            "email": "oleh@example.org",
            "active": "y",
            "roles": [str(role_id)],
            "oblast": str(oblast_id),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(PortalUser, pk).oblast_id == oblast_id
    client = app.test_client()
    login(client, "newregional")
    hromadas = client.get("/lookup/hromada?q=").json["results"]
    assert hromadas and all("Львівська область" in h["text"] for h in hromadas)
