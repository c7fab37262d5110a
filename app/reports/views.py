"""The map of resilience centres by oblast (operating and planned), scoped."""

from __future__ import annotations

from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..centers.models import CentreStatus, ResilienceCentre
from ..geography.models import Oblast
from ..security import roles
from ..security.scope import scoped
from .tilemap import TILES

TILE, GAP = 96, 6


def _shade(count: int, top: int) -> str:
    """Blue scale from pale (0) to the state blue (max)."""
    if not count:
        return "#eef2f7"
    t = 0.25 + 0.75 * count / max(top, 1)
    r, g, b = (int(238 + (0 - 238) * t), int(242 + (87 - 242) * t), int(247 + (184 - 247) * t))
    return f"#{r:02x}{g:02x}{b:02x}"


class CentreMapView(BaseView):
    route_base = "/reports/map"
    default_view = "index"
    class_permission_name = "CentreMap"
    method_permission_name = roles.METHOD_PERMISSIONS | {"index": "read"}

    @expose("/")
    @has_access
    def index(self):
        session = self.appbuilder.session
        stmt = scoped(
            select(ResilienceCentre.oblast_id, ResilienceCentre.status, func.count()).group_by(
                ResilienceCentre.oblast_id, ResilienceCentre.status
            ),
            ResilienceCentre,
        )
        counts: dict[int, dict] = {}
        for oblast_id, status, n in session.execute(stmt):
            counts.setdefault(oblast_id, {})[status] = n
        oblasts = session.execute(select(Oblast.id, Oblast.code, Oblast.title)).all()
        top = max((c.get(CentreStatus.operating, 0) for c in counts.values()), default=0)
        tiles = []
        for oblast_id, code, title in oblasts:
            if code not in TILES:
                continue
            col, row, short = TILES[code]
            c = counts.get(oblast_id, {})
            operating = c.get(CentreStatus.operating, 0)
            planned = c.get(CentreStatus.planned, 0) + c.get(CentreStatus.preparing, 0)
            tiles.append(
                dict(
                    x=col * (TILE + GAP),
                    y=row * (TILE + GAP),
                    short=short,
                    title=title,
                    operating=operating,
                    planned=planned,
                    fill=_shade(operating, top),
                    dark=operating > top / 2 and top,
                )
            )
        total = sum(t["operating"] for t in tiles)
        planned = sum(t["planned"] for t in tiles)
        return self.render_template(
            "reports/map.html",
            tiles=tiles,
            tile=TILE,
            width=8 * (TILE + GAP),
            height=5 * (TILE + GAP),
            total=total,
            planned=planned,
            title=_l("Map of centres"),
        )
