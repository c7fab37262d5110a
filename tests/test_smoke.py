"""The app boots, people can sign in, anonymous requests are sent to login."""

from .conftest import jwt_headers, login, visible_text


def test_login_page_is_ukrainian(app):
    response = app.test_client().get("/login/")
    assert response.status_code == 200
    assert '<html lang="uk">' in response.text
    text = visible_text(response.text)
    assert "Увійти" in text and "Пароль" in text
    assert "Sign In" not in text and "Password" not in text


def test_login_and_home_show_ukrainian_menu(app):
    client = app.test_client()
    response = login(client, "admin")
    assert response.status_code == 302
    text = visible_text(client.get("/").text)
    for label in ("Довідники", "Області", "Територіальні громади", "Реєстри", "Вийти"):
        assert label in text
    assert "Ваші ролі: Адміністратор" in text


def test_wrong_password_is_refused(app):
    client = app.test_client()
    response = login(client, "admin", "wrong-password-123")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/oblastview/list/").status_code == 302


def test_anonymous_list_redirects_to_login(app):
    response = app.test_client().get("/providerview/list/")
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]


def test_api_requires_token_and_accepts_jwt(app):
    client = app.test_client()
    assert client.get("/api/v1/oblast/").status_code == 401
    response = client.get(
        "/api/v1/oblast/?q=(page_size:30)", headers=jwt_headers(client, "ministry")
    )
    assert response.status_code == 200
    assert response.json["count"] == 27


def test_language_can_be_switched_to_english(app):
    client = app.test_client()
    login(client, "admin")
    assert client.get("/lang/en").status_code == 302
    response = client.get("/oblastview/list/")
    assert '<html lang="en">' in response.text
    assert "Oblasts" in visible_text(response.text)


def test_every_role_can_open_own_profile(client_as):
    for username in ("ministry", "lviv", "trainer", "caseworker", "auditor"):
        response = client_as(username).get("/users/userinfo/")
        assert response.status_code == 200, username
        assert "Ваша інформація" in visible_text(response.text) or username in response.text
