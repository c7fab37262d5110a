"""The providers domain's home-page dashboard: its cards and charts, registered
with the home page by this package's ``register()`` (``app.home.register_dashboard``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..extensions import get_appbuilder


def _status_and_changes(scope) -> dict:
    """``{(status, changes pending): count}``: one grouped statement (shared
    figure) serves the status cards, the chart and the re-check card."""
    from ..home import grouped_counts
    from .models import Provider

    return grouped_counts(scope, Provider, Provider.status, Provider.changes_pending)


def _status_counts(scope) -> dict:
    counts: dict = {}
    for (status, _pending), n in _status_and_changes(scope).items():
        counts[status] = counts.get(status, 0) + n
    return counts


def home_cards(scope) -> list[dict]:
    """Counters for the home page, within the user's scope."""
    from flask_appbuilder.models.sqla.filters import FilterEqual

    from ..home import can_read, list_url
    from .models import ProviderStatus

    if not can_read("Provider"):
        return []
    # Approval is the work of ministry staff (they decide) and regional
    # administrators (they submit their oblast's providers), not of trainers
    # or case workers, who read providers for other reasons.
    if not (scope.oblast_id or get_appbuilder().sm.has_access("can_approve", "Provider")):
        return []
    counts = _status_counts(scope)
    return [
        {
            "label": _l("Providers awaiting approval"),
            "value": counts.get(ProviderStatus.submitted, 0),
            "url": list_url("ProviderView", ("status", FilterEqual, "submitted")),
        },
        {
            "label": _l("Approved providers"),
            "value": counts.get(ProviderStatus.approved, 0),
            "url": list_url("ProviderView", ("status", FilterEqual, "approved")),
        },
    ] + _changes_card(scope)


def _changes_card(scope) -> list[dict]:
    """Ministry staff: providers whose key data changed after the approval (re-check)."""
    from flask_appbuilder.models.sqla.filters import FilterEqual

    from ..home import list_url

    if not get_appbuilder().sm.has_access("can_approve", "Provider"):
        return []
    count = sum(n for (_status, pending), n in _status_and_changes(scope).items() if pending)
    return [
        {
            "label": _l("Providers' changes of key data awaiting a check"),
            "value": count or 0,
            "url": list_url("ProviderView", ("changes_pending", FilterEqual, "y")),
        }
    ]


def home_charts(scope) -> list:
    """Providers by status. Not for a provider's own staff: their scope is one provider."""
    from flask import url_for
    from flask_babel import gettext as _

    from ..home import COLOURS, can_read, enum_chart
    from .models import ProviderStatus as S

    if not can_read("Provider") or scope.provider_id:
        return []
    colours = {
        S.draft: COLOURS["grey"],
        S.submitted: COLOURS["sand"],
        S.approved: COLOURS["green"],
        S.rejected: COLOURS["rose"],
        S.suspended: COLOURS["wine"],
    }
    url = url_for("ProviderView.list")
    return [
        enum_chart(
            "providers",
            _("Providers by status"),
            S,
            _status_counts(scope),
            series_label=_("Providers"),
            category=_("Status"),
            colours=colours,
            order=20,
            url=lambda m: f"{url}?_flt_0_status={m.name}",
        )
    ]
