"""Public search of the service directory (no login): «Що я можу отримати в
своїй громаді?» — pick a community and a category, get the services with how
to apply. Beside the public directory of resilience centres
(``app/centers/public.py``), built the same way: no ``@has_access``, listed in
:data:`PUBLIC_ENDPOINTS`, cacheable for anonymous visitors, no session started.
Only what the public should read: no verification data, no who-changed-what.
Printable (a print stylesheet drops the form and the menu) and narrow-screen
friendly (one column of cards).
"""

from __future__ import annotations

import time

from flask import abort, current_app, request
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..centers.public import PublicCentreView
from ..collation import ukrainian_sort_key
from ..geography.models import Hromada, Oblast
from . import services
from .models import EntryLevel, ProviderType, RecipientCategory, ServiceKind

PUBLIC_ENDPOINTS = frozenset({"PublicServiceView.index"})
#: The form's choices (oblasts, communities, categories, kinds) are kept this
#: long per process: reference data, read by every search.
CHOICES_SECONDS = 60
_cache: dict = {}


def _cached(key, load):
    """``load()``, kept ``CHOICES_SECONDS`` per process (not under TESTING: test
    modules recreate their databases under the same address)."""
    if current_app.testing:
        return load()
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is None or now - hit[0] > CHOICES_SECONDS:
        hit = (now, load())
        _cache[key] = hit
    return hit[1]


def _choices(session):
    def load():
        oblasts = sorted(
            session.execute(select(Oblast.id, Oblast.title)).all(),
            key=lambda r: ukrainian_sort_key(r[1]),
        )
        categories = session.execute(
            select(RecipientCategory.id, RecipientCategory.name).order_by(
                RecipientCategory.sort_order
            )
        ).all()
        kinds = session.execute(
            select(ServiceKind.id, ServiceKind.name)
            .where(ServiceKind.active.is_(True))
            .order_by(ServiceKind.sort_order)
        ).all()
        return oblasts, categories, kinds

    return _cached(("choices", _engine_key(session)), load)


def _hromadas(session, oblast_id):
    return _cached(
        ("hromadas", _engine_key(session), oblast_id),
        lambda: sorted(
            session.execute(
                select(Hromada.id, Hromada.title).where(Hromada.oblast_id == oblast_id)
            ).all(),
            key=lambda r: ukrainian_sort_key(r[1]),
        ),
    )


def _engine_key(session):
    return str(session.get_bind().url)


class PublicServiceView(BaseView):
    route_base = "/public/services"
    default_view = "index"
    base_permissions: list = []

    @expose("/")
    def index(self):
        args = request.args
        session = self.appbuilder.session
        oblast_id = args.get("oblast", type=int)
        hromada_id = args.get("hromada", type=int)
        category_id = args.get("category", type=int)
        kind_id = args.get("kind", type=int)
        for value in (oblast_id, hromada_id, category_id, kind_id):
            if value is not None and not 0 < value < 2**31:
                abort(404)
        hromada = None
        if hromada_id:
            hromada = session.execute(
                select(Hromada.id, Hromada.title, Hromada.oblast_id).where(Hromada.id == hromada_id)
            ).first()
            if hromada is not None and hromada.oblast_id != oblast_id:
                oblast_id = hromada.oblast_id
        oblasts, categories, kinds = _choices(session)
        hromadas = _hromadas(session, oblast_id) if oblast_id else []
        found = (
            services.public_search(
                session, hromada.id, category_id, kind_id, oblast_id=hromada.oblast_id
            )
            if hromada is not None
            else {}
        )
        sections = [(level, found.get(level, [])) for level in EntryLevel] if found else []
        html = self.render_template(
            "directory/public.html",
            title=_l("What can I get in my community?"),
            oblasts=oblasts,
            hromadas=hromadas,
            categories=categories,
            kinds=kinds,
            hromada=hromada,
            sections=sections,
            total=sum(len(entries) for _level, entries in sections),
            provider_types={t: t.label for t in ProviderType},
            filters={
                "oblast": oblast_id,
                "hromada": hromada.id if hromada else None,
                "category": category_id,
                "kind": kind_id,
            },
        )
        return PublicCentreView._public(html)
