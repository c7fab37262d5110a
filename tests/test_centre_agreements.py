"""A centre's page shows the service agreements it works under (#22: the award of a
lot creates the agreement; «the agreement's status visible on the centre»)."""

from __future__ import annotations

import sqlalchemy as sa

from app.demo import seed_demo
from app.extensions import db

from .conftest import PASSWORD, visible_text


def test_centre_page_shows_its_agreements(app, client_as):
    from app.selection.models import ServiceAgreement

    with app.app_context():
        list(seed_demo(cases=10, password=PASSWORD, echo=lambda s: None))
        from app.centers.models import ResilienceCentre

        agreement = db.session.scalar(sa.select(ServiceAgreement).limit(1))
        assert agreement is not None, "the demo awards a lot"
        # the agreement of a centre's lot names the centre (as the award does)
        agreement.centre_id = db.session.scalar(sa.select(ResilienceCentre.id).limit(1))
        db.session.commit()
        centre_id, number, status = agreement.centre_id, agreement.number, str(agreement.status)
    page = client_as("ministry").get(f"/centreview/show/{centre_id}")
    assert page.status_code == 200
    panel = page.text.split('id="centre-agreements"')[1].split("</table>")[0]
    assert number in panel and status in visible_text(panel)
