"""Demo data at national proportions: providers and centres for N cases.

The domains' demo seeders create tens of providers and centres, enough for the
README's demo. At national scale there are 2,000 providers and 5,000 centres
per 1,000,000 cases; :func:`top_up` adds the missing ones with Core bulk
inserts (no ORM, no audit rows: this is generated data), deterministically.
"""

from __future__ import annotations

import random

from sqlalchemy import insert, select

from .common.validators import edrpou_is_valid

#: Registers per 1,000,000 cases.
PROVIDERS_PER_MILLION = 2_000
CENTRES_PER_MILLION = 5_000

WORDS = [
    "Надія",
    "Опора",
    "Світанок",
    "Родина",
    "Добробут",
    "Турбота",
    "Злагода",
    "Довіра",
    "Відродження",
    "Єднання",
    "Берегиня",
    "Джерело",
    "Крила",
    "Майбутнє",
    "Серце",
]


def _edrpou(n: int) -> str:
    base = f"{40_000_000 + n * 10:08d}"[:7]
    for last in range(10):
        if edrpou_is_valid(base + str(last)):
            return base + str(last)
    raise ValueError(n)


def bulk_providers(session, count: int, start: int = 0, seed: int = 7) -> None:
    from .geography.models import Hromada
    from .providers.models import Provider, ProviderKind, ProviderStatus

    rng = random.Random(seed)
    hromadas = session.execute(select(Hromada.id, Hromada.oblast_id)).all()
    rows = []
    for n in range(start, start + count):
        hromada_id, oblast_id = rng.choice(hromadas)
        rows.append(
            dict(
                name=f"ГО «{rng.choice(WORDS)} {n + 1}»",
                kind=rng.choice(list(ProviderKind)),
                edrpou=_edrpou(n),
                oblast_id=oblast_id,
                hromada_id=hromada_id,
                status=ProviderStatus.approved,
                version=1,
            )
        )
    for i in range(0, len(rows), 1000):
        session.execute(insert(Provider), rows[i : i + 1000])
    session.commit()


def bulk_centres(session, count: int, start: int = 0, seed: int = 11) -> None:
    from .centers.models import CentreStatus, ResilienceCentre
    from .geography.models import Hromada
    from .providers.models import Provider, ProviderStatus

    rng = random.Random(seed)
    providers = session.execute(
        select(Provider.id, Provider.oblast_id).where(Provider.status == ProviderStatus.approved)
    ).all()
    by_oblast: dict[int, list[int]] = {}
    for hromada_id, oblast_id in session.execute(select(Hromada.id, Hromada.oblast_id)):
        by_oblast.setdefault(oblast_id, []).append(hromada_id)
    statuses = [CentreStatus.operating] * 6 + [CentreStatus.planned] * 3 + [CentreStatus.preparing]
    rows = []
    for n in range(start, start + count):
        provider_id, oblast_id = rng.choice(providers)
        rows.append(
            dict(
                name=f"Центр життєстійкості «{rng.choice(WORDS)}» №{n + 1}",
                provider_id=provider_id,
                oblast_id=oblast_id,
                hromada_id=rng.choice(by_oblast[oblast_id]),
                address=f"вул. Центральна, {n + 1}",
                status=rng.choice(statuses),
                version=1,
            )
        )
    for i in range(0, len(rows), 1000):
        session.execute(insert(ResilienceCentre), rows[i : i + 1000])
    session.commit()


def top_up(session, cases: int, echo=print) -> None:
    """Add providers and centres up to the national proportions for ``cases``."""
    from sqlalchemy import func

    from .centers.models import ResilienceCentre
    from .providers.models import Provider

    for model, per_million, load in (
        (Provider, PROVIDERS_PER_MILLION, bulk_providers),
        (ResilienceCentre, CENTRES_PER_MILLION, bulk_centres),
    ):
        target = cases * per_million // 1_000_000
        have = session.scalar(select(func.count()).select_from(model)) or 0
        if target > have:
            load(session, target - have, start=have)
            echo(
                f"{model.__tablename__}: {target - have} added for {cases} cases "
                f"({per_million} per 1,000,000)."
            )
