"""The users list, a user's record and the profile page show text (#18): Так/Ні, «—»,
role names and Kyiv times, never «True», «None», «[Адміністратор]» or «[]»."""

from __future__ import annotations

import re

from .conftest import visible_text

RAW = re.compile(r"\bTrue\b|\bFalse\b|\bNone\b|\[\]|\[[^\]]*Адміністратор[^\]]*\]")


def _table(html: str) -> str:
    return visible_text(
        html.split('<div class="table-responsive">', 1)[-1] if "table-responsive" in html else html
    )


def test_users_list_shows_text_not_python_values(app, client_as):
    page = client_as("admin").get("/users/list/")
    assert page.status_code == 200
    text = _table(page.text)
    assert not RAW.search(text), RAW.search(text).group(0)
    assert "Так" in text and "Адміністратор" in text


def test_user_record_and_profile_show_text(app, client_as):
    client = client_as("admin")
    listing = client.get("/users/list/").text
    pk = re.search(r"/users/show/(\d+)", listing).group(1)
    for url in (f"/users/show/{pk}", "/users/userinfo/"):
        page = client.get(url)
        assert page.status_code == 200, url
        text = visible_text(page.text)
        found = RAW.search(text)
        assert found is None, (url, found and found.group(0))
    profile = visible_text(client_as("lviv").get("/users/userinfo/").text)
    assert "Регіональний" in profile or "адміністратор" in profile.lower()
    assert not RAW.search(profile)
