"""Public directory of operating resilience centres (no login).

What a citizen or a veteran uses to find help near home: operating centres only,
searchable by oblast, community and service, with address, working hours,
contacts and services. No personal data and no internal fields (statuses,
staff, provider codes, who changed what). Pages are cacheable: an anonymous
visitor who has no session gets ``Cache-Control: public`` and no cookie.

The view is deliberately public (no ``@has_access``); its endpoints are listed
in :data:`PUBLIC_ENDPOINTS` for the route-walk test's allow-list.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, current_app, make_response, request, session
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import noload, selectinload

from ..collation import ukrainian_sort_key
from ..geography.models import Hromada, Oblast
from .models import ACCESSIBILITY, SERVICES, CentreStatus, OpeningHours, ResilienceCentre

PUBLIC_ENDPOINTS = frozenset({"PublicCentreView.index", "PublicCentreView.detail"})
PAGE_SIZE = 20
#: The offline map: pins of the matching centres drawn from their coordinates on an
#: equirectangular frame of Ukraine (44–53° N, 22–41° E), no tiles, nothing fetched.
MAX_PINS = 2000
MAP_SIZE = (760, 460)


def _pin(pk, name, lat, lon):
    width, height = MAP_SIZE
    return {
        "id": pk,
        "name": name,
        "x": round((lon - 22) / 19 * width, 1),
        "y": round((53 - lat) / 9 * height, 1),
    }


MAX_PAGE = 500
CACHE_SECONDS = 300


def _operating():
    """Operating centres whose entry has been reviewed and published."""
    return (
        select(ResilienceCentre)
        .options(
            noload(ResilienceCentre.provider),
            noload(ResilienceCentre.history),
            selectinload(ResilienceCentre.hours),
        )
        .where(
            ResilienceCentre.status == CentreStatus.operating, ResilienceCentre.published.is_(True)
        )
    )


def _open_on(weekday: int, at=None):
    """Centres with a span of working hours on ``weekday`` (at time ``at``)."""
    clause = OpeningHours.weekday == weekday
    if at is not None:
        clause = clause & (OpeningHours.opens <= at) & (OpeningHours.closes > at)
    return ResilienceCentre.id.in_(select(OpeningHours.centre_id).where(clause))


class PublicCentreView(BaseView):
    route_base = "/public/centres"
    default_view = "index"
    base_permissions: list = []

    def _db_session(self):
        return self.appbuilder.session

    @expose("/")
    def index(self):
        args = request.args
        oblast_id = args.get("oblast", type=int)
        hromada_term = (args.get("hromada") or "").strip()[:100]
        service = args.get("service") or ""
        term = (args.get("q") or "").strip()[:100]
        barrier_free = args.get("barrier_free") == "1"
        open_now = args.get("open_now") == "1"
        saturday = args.get("saturday") == "1"
        page = max(1, min(args.get("page", 1, type=int), MAX_PAGE))

        stmt = _operating()
        if oblast_id:
            stmt = stmt.where(ResilienceCentre.oblast_id == oblast_id)
        if hromada_term:
            stmt = stmt.where(
                ResilienceCentre.hromada_id.in_(
                    select(Hromada.id).where(
                        or_(Hromada.title.ilike(f"%{hromada_term}%"), Hromada.code == hromada_term)
                    )
                )
            )
        if service in SERVICES:
            stmt = stmt.where(getattr(ResilienceCentre, service).is_(True))
        else:
            service = ""
        if term:
            stmt = stmt.where(
                or_(
                    ResilienceCentre.name.ilike(f"%{term}%"),
                    ResilienceCentre.address.ilike(f"%{term}%"),
                )
            )
        if barrier_free:
            stmt = stmt.where(ResilienceCentre.barrier_free.is_(True))
        if saturday:
            stmt = stmt.where(_open_on(5))
        if open_now:
            from .services import kyiv_now

            now = kyiv_now()
            stmt = stmt.where(_open_on(now.weekday(), now.time().replace(microsecond=0)))
        session = self._db_session()
        total = session.scalar(
            select(func.count()).select_from(
                stmt.with_only_columns(ResilienceCentre.id).order_by(None).subquery()
            )
        )
        centres = session.scalars(
            stmt.order_by(ResilienceCentre.name, ResilienceCentre.id)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        pins = [
            _pin(*row)
            for row in session.execute(
                stmt.with_only_columns(
                    ResilienceCentre.id,
                    ResilienceCentre.name,
                    ResilienceCentre.latitude,
                    ResilienceCentre.longitude,
                )
                .where(
                    ResilienceCentre.latitude.is_not(None), ResilienceCentre.longitude.is_not(None)
                )
                .order_by(None)
                .limit(MAX_PINS)
            )
        ]
        oblasts = sorted(
            session.execute(select(Oblast.id, Oblast.title)).all(),
            key=lambda row: ukrainian_sort_key(row[1]),
        )
        pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
        query = {k: v for k, v in args.items() if k != "page"}
        prev_query = urlencode({**query, "page": page - 1}) if page > 1 else ""
        next_query = urlencode({**query, "page": page + 1}) if page < pages else ""
        html = self.render_template(
            "centers/public_list.html",
            title=_l("Find a resilience centre"),
            centres=centres,
            total=total,
            page=page,
            pages=pages,
            oblasts=oblasts,
            services=SERVICES,
            accessibility=ACCESSIBILITY,
            prev_query=prev_query,
            next_query=next_query,
            pins=pins,
            map_size=MAP_SIZE,
            filters={
                "oblast": oblast_id,
                "hromada": hromada_term,
                "service": service,
                "q": term,
                "barrier_free": barrier_free,
                "open_now": open_now,
                "saturday": saturday,
            },
        )
        return self._public(html)

    @expose("/<int:pk>")
    def detail(self, pk):
        centre = self._db_session().scalars(_operating().where(ResilienceCentre.id == pk)).first()
        if centre is None:
            abort(404)
        html = self.render_template(
            "centers/public_detail.html",
            title=centre.name,
            centre=centre,
            services=SERVICES,
            accessibility=ACCESSIBILITY,
        )
        return self._public(html)

    @staticmethod
    def _public(html):
        response = make_response(html)
        if current_user.is_authenticated:
            return response  # staff: the session policy sends no-store
        cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
        if cookie not in request.cookies:
            # Nothing to remember for a first-time anonymous visitor: do not start a
            # session (FAB stores the default locale in it), so shared caches may keep
            # the page.
            session.clear()
            session.modified = False
            response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        else:
            response.headers["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
        response.vary.add("Cookie")
        return response
