"""Finding things on a register (#18): the quick-search box, "contains" as the
default filter, active filters as removable chips, Ukrainian alphabetical order."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.centers.models import CentreStatus, ResilienceCentre
from app.collation import ukrainian_sort_key
from app.demo import LVIV
from app.extensions import db

from .conftest import visible_text
from .test_centers_fixtures import EDRPOU_LVIV, centre, provider

NAMES = [
    "Центр життєстійкості Пустомитівської громади",
    "Центр життєстійкості Ґалаґанівки",
    "Центр життєстійкості Єлизаветівки",
    "Центр життєстійкості Іршави",
    "Центр життєстійкості Їжакевичів",
    "Центр життєстійкості Яблунева",
    "Центр життєстійкості Жовкви",
    "Центр життєстійкості Гадяча",
    "Центр життєстійкості Ивани",
    "Центр життєстійкості Двір 50%_",
]


@pytest.fixture(scope="module")
def centres(app):
    with app.app_context():
        p = provider(EDRPOU_LVIV, LVIV)
        ids = {}
        for i, name in enumerate(NAMES):
            ids[name] = centre(
                name, LVIV, p, status=CentreStatus.planned, offset=i, external_code=f"ЛВ-{i:03d}"
            ).id
        db.session.commit()
        return ids


def _names(html: str) -> list[str]:
    if "</thead>" not in html:
        return []
    body = html.split("</thead>", 1)[1].split("</table>", 1)[0]
    return re.findall(r"<td[^>]*>(Центр життєстійкості [^<]+)</td>", body)


def test_ukrainian_sort_key_places_g_ye_i_yi():
    words = ["Яблуня", "Їжак", "Ґава", "Іній", "Єнот", "Гай", "Ирій", "Дім", "Жук", "Зима"]
    assert sorted(words, key=ukrainian_sort_key) == [
        "Гай",
        "Ґава",
        "Дім",
        "Єнот",
        "Жук",
        "Зима",
        "Ирій",
        "Іній",
        "Їжак",
        "Яблуня",
    ]


def test_centres_sorted_by_name_in_ukrainian_order(app, centres, client_as):
    client = client_as("lviv")
    page = client.get(
        "/centreview/list/?_flt_0_name=життєстійкості&psize_CentreView=100"
        "&_oc_CentreView=name&_od_CentreView=asc"
    )
    listed = [n for n in _names(page.text) if n in NAMES]
    assert listed == sorted(NAMES, key=ukrainian_sort_key), listed
    page = client.get(
        "/centreview/list/?psize_CentreView=100&_oc_CentreView=name&_od_CentreView=desc"
    )
    listed = [n for n in _names(page.text) if n in NAMES]
    assert listed == sorted(NAMES, key=ukrainian_sort_key, reverse=True)


def test_quick_search_finds_a_part_of_the_name_in_any_case(app, centres, client_as):
    client = client_as("lviv")
    page = client.get("/centreview/list/?q=пустомит")
    assert page.status_code == 200
    assert _names(page.text) == ["Центр життєстійкості Пустомитівської громади"]
    # the search is shown as a removable chip, and the box keeps the text
    assert 'value="пустомит"' in page.text
    chip = re.search(r'<li class="portal-chip">(.*?)</li>', page.text, re.S).group(1)
    assert "Пошук містить «пустомит»" in visible_text(chip)
    assert 'href="/centreview/list/"' in chip
    # codes too (any of the register's text columns), and % and _ are literal
    assert _names(client.get("/centreview/list/?q=лв-003").text) == ["Центр життєстійкості Іршави"]
    assert _names(client.get("/centreview/list/?q=50%25_").text) == [
        "Центр життєстійкості Двір 50%_"
    ]
    assert _names(client.get("/centreview/list/?q=жодного такого").text) == []


def test_quick_search_keeps_the_scope(app, centres, client_as):
    """A regional administrator of another oblast finds none of these centres."""
    page = client_as("frankivsk").get("/centreview/list/?q=Пустомит")
    assert page.status_code == 200
    assert _names(page.text) == []
    assert "Записів не знайдено" in visible_text(page.text)


def test_name_filter_defaults_to_contains(app, client_as):
    page = client_as("lviv").get("/centreview/list/")
    # FAB's search form offers a column's filters in order: the first is the default
    options = re.search(r'"name":\s*\[([^\]]*)\]', page.text)
    assert options is not None, "the search widget's filter catalogue is on the page"
    import json

    assert json.loads(f"[{options.group(1)}]")[0] == "Містить"


def test_active_filter_is_a_chip_that_removes_it(app, centres, client_as):
    client = client_as("lviv")
    page = client.get("/centreview/list/?_flt_0_name=Жовкв&q=центр")
    chips = re.findall(r'<li class="portal-chip">(.*?)</li>', page.text, re.S)
    assert len(chips) == 2
    texts = [visible_text(c) for c in chips]
    assert any("Жовкв" in t and "Назва центру" in t for t in texts), texts
    removal = re.search(r'href="([^"]+)"', [c for c in chips if "Жовкв" in c][0]).group(1)
    assert "_flt_0_name" not in removal and "q=" in removal
    assert "Скинути всі фільтри" in page.text


def test_api_lists_are_unchanged_by_the_quick_search(app, centres):
    """The REST API has its own filters (FAB's ``q``); the box is a web feature."""
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(ResilienceCentre))
    assert count >= len(NAMES)


def test_quick_search_reaches_the_community_raion_and_provider(app, centres, client_as):
    from app.centers.models import ResilienceCentre
    from app.geography.models import Hromada

    with app.app_context():
        item = db.session.get(ResilienceCentre, centres["Центр життєстійкості Жовкви"])
        hromada = db.session.get(Hromada, item.hromada_id)
        community, raion = hromada.title, hromada.raion.title if hromada.raion else None
        provider_name = item.provider.name
    client = client_as("lviv")
    assert "Центр життєстійкості Жовкви" in _names(
        client.get(f"/centreview/list/?q={community[:6]}").text
    )
    if raion:
        found = _names(client.get(f"/centreview/list/?q={raion[:7]}").text)
        assert "Центр життєстійкості Жовкви" in found
    assert set(NAMES) <= set(
        _names(client.get(f"/centreview/list/?psize_CentreView=100&q={provider_name[:10]}").text)
    )


def test_centres_filter_by_community_and_provider_pickers(app, centres, client_as):
    from app.centers.models import ResilienceCentre

    with app.app_context():
        item = db.session.get(ResilienceCentre, centres["Центр життєстійкості Іршави"])
        hromada_id, provider_id = item.hromada_id, item.provider_id
    client = client_as("lviv")
    page = client.get(f"/centreview/list/?_flt_0_hromada={hromada_id}")
    assert page.status_code == 200
    assert "Центр життєстійкості Іршави" in _names(page.text)
    assert "Центр життєстійкості Жовкви" not in _names(page.text)
    chip = re.search(r'<li class="portal-chip">(.*?)</li>', page.text, re.S).group(1)
    assert "Територіальна громада" in visible_text(chip)
    page = client.get(f"/centreview/list/?psize_CentreView=100&_flt_0_provider={provider_id}")
    assert set(NAMES) <= set(_names(page.text))
    # the pickers search on the server, within the user's scope
    reply = client.get("/lookup/centre_filter_oblast?q=Льв")
    assert reply.status_code == 200 and [r["text"] for r in reply.json["results"]]
    assert client_as("frankivsk").get("/lookup/centre_filter_oblast?q=Льв").json["results"] == []


def test_python_and_sqlite_order_follow_icu_ukrainian():
    """The key SQLite's collation and Python sorts use orders as PostgreSQL's ICU «uk»
    does: symbols, digits, Cyrillic in Ukrainian order, then Latin."""
    words = ["Яблуня", "Їжак", "Abc", "Ґава", "=HYP", "Іній", "12", "Гай", "Ирій"]
    assert sorted(words, key=ukrainian_sort_key) == [
        "=HYP",
        "12",
        "Гай",
        "Ґава",
        "Ирій",
        "Іній",
        "Їжак",
        "Яблуня",
        "Abc",
    ]
