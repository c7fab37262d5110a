"""Every page has its own <title> and exactly one <h1> (#19): tabs, history and screen
readers tell pages apart, and a screen-reader user finds the page's heading."""

from __future__ import annotations

import re

import pytest

from app.demo import seed_demo

from .conftest import PASSWORD

LINK = re.compile(r'href="(/[^"#?]*)"')


@pytest.fixture(scope="module")
def demo(app):
    with app.app_context():
        list(seed_demo(cases=20, password=PASSWORD, echo=lambda s: None))


def _page_type(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


def _pages(client) -> list[str]:
    home = client.get("/").text
    menu = home.split('class="navbar', 1)[1].split("</nav>", 1)[0]
    lists = sorted(
        {p for p in LINK.findall(menu) if not p.startswith(("/logout", "/lang/", "/login"))}
    )
    pages, seen = ["/"], {"/"}
    for path in lists:
        pages.append(path)
        seen.add(_page_type(path))
        html = client.get(path).text
        for found in LINK.findall(html):
            kind = _page_type(found)
            if kind not in seen and re.search(r"/(show|edit)/\d+$|/add$", found):
                seen.add(kind)
                pages.append(found)
    return pages


@pytest.mark.parametrize("username", ["admin", "caseworker"])
def test_every_page_has_its_own_title_and_one_h1(app, demo, client_as, username):
    client = client_as(username)
    problems, checked = [], 0
    for path in _pages(client):
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        checked += 1
        html = response.text
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        h1s = re.findall(r"<h1\b", html)
        if title in ("Опора", "") or not title.endswith("Опора"):
            problems.append(f"{path}: title «{title}»")
        if len(h1s) != 1:
            problems.append(f"{path}: {len(h1s)} <h1>")
    assert checked >= 20, checked
    assert problems == [], "\n".join(problems)


def test_a_record_page_names_the_record_in_its_title(app, demo, client_as):
    client = client_as("admin")
    listing = client.get("/centreview/list/").text
    pk = re.search(r"/centreview/show/(\d+)", listing).group(1)
    html = client.get(f"/centreview/show/{pk}").text
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", html, re.S).group(1)
    name = h1.split(": ", 1)[1].strip()
    assert title.strip() == f"{name} — Центр життєстійкості — Опора"
