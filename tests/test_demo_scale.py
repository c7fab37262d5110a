"""`flask seed-demo --cases N`: national proportions of providers and centres,
deterministic, and nothing added twice."""

from sqlalchemy import func, select

from app.centers.models import ResilienceCentre
from app.common.validators import edrpou_is_valid
from app.demo_scale import top_up
from app.extensions import db
from app.providers.models import Provider


def _counts():
    return (
        db.session.scalar(select(func.count()).select_from(Provider)),
        db.session.scalar(select(func.count()).select_from(ResilienceCentre)),
    )


def test_top_up_follows_the_national_proportions_and_is_idempotent(app):
    with app.app_context():
        top_up(db.session, 100_000, echo=lambda m: None)
        assert _counts() == (200, 500)
        top_up(db.session, 100_000, echo=lambda m: None)
        assert _counts() == (200, 500)
        top_up(db.session, 150_000, echo=lambda m: None)
        assert _counts() == (300, 750)
        codes = db.session.scalars(select(Provider.edrpou)).all()
        assert len(set(codes)) == len(codes) and all(edrpou_is_valid(c) for c in codes)
        # every centre's hromada lies in its oblast, and its provider exists
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ResilienceCentre)
                .where(ResilienceCentre.provider_id.notin_(select(Provider.id)))
            )
            == 0
        )


def test_seed_demo_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--cases", "40", "--password", "Demo-Password-2025!"])
    assert result.exit_code == 0, result.output
    assert "Cases: 40/40 (100%)" in result.output and "Demo users" in result.output
    again = runner.invoke(args=["portal", "seed-demo", "--cases", "40"])
    assert again.exit_code == 0, again.output
    assert "already" in again.output
