"""Bulk loading of providers and centres for the benchmark (Core inserts, no ORM).

The domains' demo seeders create tens of providers and centres; national scale
is 2,000 providers and 5,000 centres per 1,000,000 cases.
"""

from __future__ import annotations

import random

from sqlalchemy import insert, select

from app.common.validators import edrpou_is_valid

WORDS = ["Надія", "Опора", "Світанок", "Родина", "Добробут", "Турбота", "Злагода", "Довіра",
         "Відродження", "Єднання", "Берегиня", "Джерело", "Крила", "Майбутнє", "Серце"]


def _edrpou(n: int) -> str:
    base = f"{40_000_000 + n * 10:08d}"[:7]
    for last in range(10):
        if edrpou_is_valid(base + str(last)):
            return base + str(last)
    raise ValueError(n)


def bulk_providers(session, count: int, seed: int = 7) -> None:
    from app.geography.models import Hromada
    from app.providers.models import Provider, ProviderKind, ProviderStatus

    rng = random.Random(seed)
    hromadas = session.execute(select(Hromada.id, Hromada.oblast_id)).all()
    rows = []
    for n in range(count):
        hromada_id, oblast_id = rng.choice(hromadas)
        rows.append(dict(name=f"ГО «{rng.choice(WORDS)} {n + 1}»", kind=rng.choice(list(ProviderKind)),
                         edrpou=_edrpou(n), oblast_id=oblast_id, hromada_id=hromada_id,
                         status=ProviderStatus.approved, version=1))
    for i in range(0, len(rows), 1000):
        session.execute(insert(Provider), rows[i:i + 1000])
    session.commit()


def bulk_centres(session, count: int, seed: int = 11) -> None:
    from app.centers.models import CentreStatus, ResilienceCentre
    from app.geography.models import Hromada
    from app.providers.models import Provider, ProviderStatus

    rng = random.Random(seed)
    providers = session.execute(select(Provider.id, Provider.oblast_id).where(
        Provider.status == ProviderStatus.approved)).all()
    by_oblast: dict[int, list[int]] = {}
    for hromada_id, oblast_id in session.execute(select(Hromada.id, Hromada.oblast_id)):
        by_oblast.setdefault(oblast_id, []).append(hromada_id)
    statuses = [CentreStatus.operating] * 6 + [CentreStatus.planned] * 3 + [CentreStatus.preparing]
    rows = []
    for n in range(count):
        provider_id, oblast_id = rng.choice(providers)
        rows.append(dict(name=f"Центр життєстійкості «{rng.choice(WORDS)}» №{n + 1}",
                         provider_id=provider_id, oblast_id=oblast_id,
                         hromada_id=rng.choice(by_oblast[oblast_id]),
                         address=f"вул. Центральна, {n + 1}", status=rng.choice(statuses),
                         version=1))
    for i in range(0, len(rows), 1000):
        session.execute(insert(ResilienceCentre), rows[i:i + 1000])
    session.commit()
