"""The offline map of centres: every oblast drawn, counts equal the scoped data."""

import re

import pytest

from app.centers.models import CentreStatus
from app.extensions import db
from app.reports.tilemap import TILES

from .test_centers_fixtures import centre, provider

LVIV, FRANKIVSK = "UA46000000000026241", "UA26000000000069363"


@pytest.fixture(scope="module")
def centres(app):
    with app.app_context():
        lviv_provider = provider("37567866", LVIV)
        frankivsk_provider = provider("00032945", FRANKIVSK)
        centre("ЦЖ Львів 1", LVIV, lviv_provider)
        centre("ЦЖ Львів 2", LVIV, lviv_provider, offset=1)
        centre("ЦЖ Львів план", LVIV, lviv_provider, status=CentreStatus.planned, offset=2)
        centre("ЦЖ Франківськ", FRANKIVSK, frankivsk_provider)
        db.session.commit()


def _tile_counts(html: str) -> dict[str, int]:
    titles = re.findall(r"<title>([^:<]+): працюють (\d+)", html)
    return {name.strip(): int(n) for name, n in titles}


def test_map_draws_all_27_units_without_external_resources(client_as, centres):
    html = client_as("ministry").get("/reports/map/").text
    counts = _tile_counts(html)
    assert len(counts) == len(TILES) == 27
    assert counts["Львівська область"] == 2 and counts["Івано-Франківська область"] == 1
    assert "+1 заплановано" in html
    assert "http://" not in html.split("<svg", 1)[1] and "https://" not in html.split("<svg", 1)[1]


def test_map_numbers_respect_scope(client_as, centres):
    counts = _tile_counts(client_as("lviv").get("/reports/map/").text)
    assert counts["Львівська область"] == 2
    assert counts["Івано-Франківська область"] == 0


def test_map_is_not_for_case_workers_or_trainers(client_as):
    assert client_as("trainer").get("/reports/map/").status_code == 403
    assert client_as("caseworker").get("/reports/map/").status_code == 403
