"""Shared data builders for the centre tests (no tests here)."""

from __future__ import annotations

from sqlalchemy import select

from app.centers.models import CentreStatus, ResilienceCentre
from app.demo import IVANO_FRANKIVSK, LVIV
from app.extensions import db
from app.geography.models import Hromada, Oblast
from app.providers.models import Provider, ProviderKind, ProviderStatus

#: Valid EDRPOU codes used by the fixtures.
EDRPOU_LVIV = "37567866"
EDRPOU_IF = "14360570"
EDRPOU_DRAFT = "00032945"
EDRPOU_UNKNOWN = "00032129"


def first_hromada(oblast_code: str, offset: int = 0) -> Hromada:
    oblast = db.session.scalar(select(Oblast).where(Oblast.code == oblast_code))
    return db.session.scalars(select(Hromada).where(Hromada.oblast_id == oblast.id)
                              .order_by(Hromada.code).offset(offset).limit(1)).first()


def provider(edrpou: str, oblast_code: str, status=ProviderStatus.approved, name=None):
    found = db.session.scalar(select(Provider).where(Provider.edrpou == edrpou))
    if found:
        return found
    oblast = db.session.scalar(select(Oblast).where(Oblast.code == oblast_code))
    found = Provider(name=name or f"ГО «Тест {edrpou}»", kind=ProviderKind.ngo, edrpou=edrpou,
                     oblast_id=oblast.id, status=status)
    db.session.add(found)
    db.session.flush()
    return found


def centre(name, oblast_code, provider_obj, status=CentreStatus.operating, offset=0, **kw):
    hromada = first_hromada(oblast_code, offset)
    item = ResilienceCentre(name=name, provider=provider_obj, hromada=hromada,
                            oblast_id=hromada.oblast_id, address=kw.pop("address", "вул. Тестова, 1"),
                            status=status, **kw)
    db.session.add(item)
    db.session.flush()
    return item


def base_data(app) -> dict:
    """Two approved providers, a draft one, and one operating centre in Lviv and in
    Ivano-Frankivsk oblasts. Returns their ids."""
    with app.app_context():
        p_lviv = provider(EDRPOU_LVIV, LVIV, name="ГО «Опора Львів»")
        p_if = provider(EDRPOU_IF, IVANO_FRANKIVSK, name="БФ «Карпати разом»")
        p_draft = provider(EDRPOU_DRAFT, LVIV, status=ProviderStatus.draft,
                           name="ГО «Чернетка»")
        c_lviv = centre("Центр життєстійкості Львівщини", LVIV, p_lviv,
                        working_hours="Пн–Пт 09:00–18:00", phone="+380671234567",
                        dir_psychoeducation=True, svc_legal_aid=True, psychologists=3,
                        social_workers=2, external_code="LV-1")
        c_if = centre("Прикарпатський таємний центр", IVANO_FRANKIVSK, p_if,
                      external_code="IF-1", psychologists=4)
        db.session.commit()
        return {"p_lviv": p_lviv.id, "p_if": p_if.id, "p_draft": p_draft.id,
                "c_lviv": c_lviv.id, "c_if": c_if.id,
                "h_lviv": c_lviv.hromada_id, "h_if": c_if.hromada_id}


def get_centre(app, pk) -> ResilienceCentre | None:
    with app.app_context():
        item = db.session.get(ResilienceCentre, pk)
        if item is not None:
            db.session.expunge(item)
        return item
