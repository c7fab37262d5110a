"""Demo data of providers and selection: deterministic, idempotent, scoped home cards."""

from __future__ import annotations

import random

import sqlalchemy as sa

from app.demo import IVANO_FRANKIVSK, LVIV, DemoContext, oblast_id
from app.extensions import db
from app.providers import demo_seed as providers_seed
from app.providers.models import Provider, ProviderStatus, ProviderStatusChange, Specialist
from app.security.models import PortalUser
from app.selection import demo_seed as selection_seed
from app.selection.models import Application, RoundStatus, Score, SelectionRound

from .conftest import visible_text

MODELS = (Provider, ProviderStatusChange, Specialist, SelectionRound, Application, Score)


def _seed():
    users = {u.username: u for u in db.session.scalars(sa.select(PortalUser))}
    ctx = DemoContext(
        session=db.session, rng=random.Random(20251123), cases=0, echo=lambda s: None, users=users
    )
    providers_seed(ctx)
    selection_seed(ctx)
    db.session.commit()


def _counts():
    return [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in MODELS]


def test_demo_seed_is_idempotent_and_complete(app):
    with app.app_context():
        _seed()
        first = _counts()
        snapshot = sorted(
            db.session.execute(
                sa.select(
                    Provider.id,
                    Provider.edrpou,
                    Provider.name,
                    Provider.status,
                    Provider.hromada_id,
                )
            ).all()
        )
        _seed()
        assert _counts() == first
        assert (
            sorted(
                db.session.execute(
                    sa.select(
                        Provider.id,
                        Provider.edrpou,
                        Provider.name,
                        Provider.status,
                        Provider.hromada_id,
                    )
                ).all()
            )
            == snapshot
        )
        providers, _history, specialists, rounds, applications, scores = first
        # 30 organisations and one sole proprietor (ФОП), identified by an РНОКПП.
        assert providers == 31 and specialists >= 30 and rounds == 3
        # The round with lots was awarded: agreements, one accepted monthly act.
        from app.selection.models import ServiceAgreement

        assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceAgreement)) >= 1
        from app.providers.models import SoleProprietor

        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Provider)
                .join(SoleProprietor)
                .where(Provider.edrpou.is_(None))
            )
            == 1
        )
        assert applications > 0 and scores > 0
        statuses = set(db.session.scalars(sa.select(Provider.status)))
        assert statuses == set(ProviderStatus) - {ProviderStatus.archived}
        for code in (LVIV, IVANO_FRANKIVSK):
            assert (
                db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Provider)
                    .where(Provider.oblast_id == oblast_id(db.session, code))
                )
                > 0
            )
        assert {r.status for r in db.session.scalars(sa.select(SelectionRound))} == {
            RoundStatus.completed,
            RoundStatus.evaluating,
        }
        caseworker = db.session.scalar(
            sa.select(PortalUser).where(PortalUser.username == "caseworker")
        )
        own = db.session.get(Provider, caseworker.provider_id)
        assert own.status == ProviderStatus.approved
        assert own.oblast_id == oblast_id(db.session, LVIV)


def test_demo_is_visible_per_scope(app, client_as):
    text = visible_text(client_as("caseworker").get("/providerview/list/").text)
    assert "Кількість записів: 1" in text
    home = visible_text(client_as("ministry").get("/").text)
    for label in (
        "Надавачі, що очікують затвердження",
        "Затверджені надавачі",
        "Відбори на етапі оцінювання",
    ):
        assert label in home
    results = visible_text(client_as("lviv").get("/selectionroundview/list/").text)
    assert "Відбір надавачів для центрів життєстійкості Львівської області" in results
