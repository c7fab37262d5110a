"""One clock on every page (issue #18): times are stored in UTC and shown in
Kyiv time, and the page says so once. The outside test saw 05:11 in «Статус
змінено» and 03:11 in «Історія змін статусу» for the same event."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from app.extensions import db
from app.providers.models import ProviderStatusChange

from .conftest import visible_text
from .test_providers_workflow import make_provider


def test_a_status_change_shows_one_kyiv_time_everywhere(app, client_as):
    with app.app_context():
        pk = make_provider()
    client = client_as("lviv")
    assert client.post(f"/providerview/action/submit/{pk}").status_code == 302
    with app.app_context():
        utc = db.session.scalar(
            sa.select(ProviderStatusChange.changed_on).where(ProviderStatusChange.provider_id == pk)
        )
    kyiv = utc.replace(tzinfo=dt.UTC).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Kyiv"))
    text = visible_text(client.get(f"/providerview/show/{pk}").text)
    shown = kyiv.strftime("%d.%m.%Y %H:%M")
    assert text.count(shown) >= 2, (shown, re.findall(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", text))
    assert (
        utc.strftime("%H:%M") == kyiv.strftime("%H:%M")
        or utc.strftime("%d.%m.%Y %H:%M") not in text
    )
    assert "Час зазначено за Києвом (Europe/Kyiv)." in text
