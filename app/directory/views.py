"""Views and REST API of the service directory; its gaps and referral figures.

Rules are the commands of ``services.py`` (PortalModelView / PortalRestApi call
them); scope is ``DirectoryEntry.scope_clause``. Nothing here decides.
"""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import BooleanField
from wtforms.validators import Email, Optional

from ..common import fields
from ..common.export import ExportMixin
from ..common.i18n import short_date
from ..common.listing import BoundedCountInterface, PortalInterface
from ..common.lookup import AjaxSelectField, AjaxSelectWidget
from ..common.views import PortalModelView, PortalRestApi
from ..security import roles
from ..security.scope import SCOPE_FILTER, current_scope
from . import permissions, services
from .models import DirectoryEntry, RecipientCategory, ServiceKind, stale_before

LABELS = {
    "title": _l("Service"),
    "kind": _l("Kind of service"),
    "kind.name": _l("Kind of service"),
    "level": _l("Where it is offered"),
    "oblast": _l("Oblast"),
    "oblast.title": _l("Oblast"),
    "hromada": _l("Territorial community"),
    "hromada.title": _l("Territorial community"),
    "recipients": _l("Who may receive it"),
    "provider_type": _l("Who provides it"),
    "provider_name": _l("Provider (name)"),
    "description": _l("What the service is"),
    "how_to_apply": _l("How to apply"),
    "documents": _l("Documents needed"),
    "online_url": _l("Apply online (link)"),
    "in_person": _l("Apply in person"),
    "address": _l("Address"),
    "hours": _l("Working hours"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "languages": _l("Languages"),
    "barrier_free": _l("Barrier-free"),
    "accessibility": _l("Accessibility"),
    "responsible": _l("Responsible for the entry"),
    "verified_on": _l("Last verified"),
    "verified_by": _l("Verified by"),
    "active": _l("Offered now"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}

DESCRIPTIONS = {
    "level": _l("A community's service, one for the whole oblast, or a national one."),
    "hromada": _l("For a community's service. A hromada editor's own community is filled in."),
    "oblast": _l(
        "For an oblast-wide service (a community's service takes the oblast of its community)."
    ),
    "how_to_apply": _l("The steps, in plain words: where to come or write, what happens next."),
    "responsible": _l("Position and department of the person who keeps this entry up to date."),
    "verified_on": _l(
        "When the entry was last checked with the provider; entries not "
        "checked for 6 months are flagged."
    ),
    "active": _l(
        "Untick when the service is no longer offered (the entry stays for the "
        "referrals that name it)."
    ),
}

ENTRY_PERMISSIONS = ["can_read", "can_write", "can_export"]
ACTION_PERMISSIONS = {"verify": "write"}

EDIT_COLUMNS = [
    "title",
    "kind",
    "level",
    "hromada",
    "oblast",
    "recipients",
    "provider_type",
    "provider_name",
    "description",
    "how_to_apply",
    "documents",
    "online_url",
    "in_person",
    "address",
    "hours",
    "phone",
    "email",
    "languages",
    "barrier_free",
    "accessibility",
    "responsible",
    "verified_on",
    "active",
]


def verified_cell(value):
    """The last-verified date, flagged when older than six months."""
    if not value:
        return ""
    if value < stale_before():
        return Markup(
            '<span class="label label-warning portal-stale" title="%s">%s · %s</span>'
            % (
                escape(_("Not verified for 6 months")),
                escape(short_date(value)),
                escape(_("check it")),
            )
        )
    return short_date(value)


def _blank(value):
    return "" if value is None else value


class StaleFilter(BaseFilter):
    """Entries in service that were not verified for six months."""

    name = _l("Not verified for 6 months")
    arg_name = None

    def apply(self, query, value):
        return query.filter(services.stale_clause())


class DirectoryEntryView(ExportMixin, PortalModelView):
    datamodel = BoundedCountInterface(DirectoryEntry)
    class_permission_name = permissions.ENTRY
    base_permissions = ENTRY_PERMISSIONS
    method_permission_name = {**roles.METHOD_PERMISSIONS, **ACTION_PERMISSIONS}
    route_base = "/directory/entries"
    list_title = _l("Service directory")
    show_title = _l("Service")
    add_title = _l("Add a service")
    edit_title = _l("Edit a service")
    label_columns = LABELS
    description_columns = DESCRIPTIONS
    list_columns = [
        "title",
        "kind.name",
        "level",
        "hromada.title",
        "oblast.title",
        "provider_name",
        "verified_on",
    ]
    add_columns = EDIT_COLUMNS
    edit_columns = EDIT_COLUMNS
    show_fieldsets = [
        (
            _l("Service"),
            {
                "fields": [
                    "title",
                    "kind",
                    "description",
                    "recipients",
                    "level",
                    "hromada",
                    "oblast",
                    "active",
                ]
            },
        ),
        (_l("Who provides it"), {"fields": ["provider_type", "provider_name"]}),
        (
            _l("How to apply"),
            {
                "fields": [
                    "how_to_apply",
                    "documents",
                    "online_url",
                    "in_person",
                    "address",
                    "hours",
                    "phone",
                    "email",
                    "languages",
                    "barrier_free",
                    "accessibility",
                ]
            },
        ),
        (
            _l("Upkeep"),
            {"fields": ["responsible", "verified_on", "verified_by", "created_on", "changed_on"]},
        ),
    ]
    search_columns = [
        "title",
        "kind",
        "level",
        "provider_type",
        "provider_name",
        "verified_on",
        "active",
        "oblast",
    ]
    validators_columns = {
        "email": [Optional(), Email(message=services.EMAIL_INVALID)],
    }
    add_form_extra_fields = edit_form_extra_fields = {
        # The portal's one phone parser (any usual spelling, stored +380XXXXXXXXX).
        "phone": fields.PHONE.form(LABELS["phone"]),
        "hromada": AjaxSelectField(
            _l("Territorial community"),
            lookup="directory_hromada",
            description=DESCRIPTIONS["hromada"],
        ),
        "oblast": AjaxSelectField(
            _l("Oblast"), lookup="directory_oblast", description=DESCRIPTIONS["oblast"]
        ),
        # non-null flags: FAB would make an unticked box "required"
        "in_person": BooleanField(LABELS["in_person"], default=True),
        "barrier_free": BooleanField(LABELS["barrier_free"]),
        "active": BooleanField(LABELS["active"], default=True, description=DESCRIPTIONS["active"]),
    }
    export_columns = [
        "title",
        "kind.name",
        "level",
        "oblast.title",
        "hromada.title",
        "provider_type",
        "provider_name",
        "how_to_apply",
        "documents",
        "online_url",
        "address",
        "hours",
        "phone",
        "email",
        "languages",
        "accessibility",
        "responsible",
        "verified_on",
        "active",
    ]
    order_columns = ["title", "verified_on", "provider_name"]
    base_order = ("title", "asc")
    formatters_columns = {
        "verified_on": verified_cell,
        "recipients": lambda v: ", ".join(str(x) for x in v or []),
        **{
            c: _blank
            for c in (
                "hromada.title",
                "oblast.title",
                "documents",
                "hromada",
                "oblast",
                "verified_by",
                "online_url",
                "address",
                "hours",
                "phone",
                "email",
                "languages",
                "accessibility",
                "responsible",
                "how_to_apply",
                "description",
            )
        },
    }

    @action(
        "verify",
        _l("Mark as verified today"),
        confirmation=None,
        icon="fa-check",
        single=True,
        multiple=True,
    )
    def verify(self, items):
        items = items if isinstance(items, list) else [items]
        count = services.mark_verified(items, g.user)
        self.datamodel.session.commit()
        flash(_("Marked as verified today: %(count)s service(s).", count=count), "success")
        if len(items) == 1 and request.view_args and request.view_args.get("pk"):
            return redirect(url_for(".show", pk=items[0].id))
        return redirect(url_for(".list"))

    def _action_redirect(self):
        return redirect(url_for(".list"))


class StaleEntryView(DirectoryEntryView):
    """The entries to check: in service and not verified for six months."""

    route_base = "/directory/stale"
    list_title = _l("Services not verified for 6 months")
    base_filters = [SCOPE_FILTER, ["id", StaleFilter, None]]
    base_order = ("verified_on", "asc")


class DirectoryEntryApi(PortalRestApi):
    list_outer_default_load = True
    show_outer_default_load = True
    resource_name = "directory_entry"
    class_permission_name = permissions.ENTRY
    base_permissions = ENTRY_PERMISSIONS
    method_permission_name = {**roles.METHOD_PERMISSIONS, **ACTION_PERMISSIONS}
    datamodel = PortalInterface(DirectoryEntry)
    label_columns = LABELS
    list_columns = [
        "id",
        "title",
        "kind.id",
        "kind.name",
        "level",
        "oblast.id",
        "oblast.title",
        "hromada.id",
        "hromada.title",
        "provider_type",
        "provider_name",
        "verified_on",
        "active",
    ]
    show_columns = list_columns + [
        "recipients.id",
        "recipients.name",
        "description",
        "how_to_apply",
        "documents",
        "online_url",
        "in_person",
        "address",
        "hours",
        "phone",
        "email",
        "languages",
        "barrier_free",
        "accessibility",
        "responsible",
        "version",
    ]
    show_select_columns = [
        c for c in show_columns if not c.startswith(("hromada.", "oblast.", "recipients."))
    ]
    list_select_columns = [c for c in list_columns if not c.startswith(("hromada.", "oblast."))]
    add_columns = EDIT_COLUMNS
    edit_columns = EDIT_COLUMNS
    search_columns = ["title", "kind", "level", "hromada", "oblast", "verified_on", "active"]


CLASSIFIER_LABELS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "description": _l("Description"),
    "sort_order": _l("Order in lists"),
    "active": _l("In use"),
}


class ServiceKindView(PortalModelView):
    datamodel = PortalInterface(ServiceKind)
    class_permission_name = permissions.KIND
    route_base = "/directory/kinds"
    list_title = _l("Kinds of service")
    show_title = _l("Kind of service")
    add_title = _l("Add a kind of service")
    edit_title = _l("Edit a kind of service")
    label_columns = CLASSIFIER_LABELS
    list_columns = ["name", "code", "sort_order", "active"]
    add_columns = ["code", "name", "description", "sort_order", "active"]
    edit_columns = ["name", "description", "sort_order", "active"]
    show_columns = add_columns
    search_columns = ["name", "code", "active"]
    add_form_extra_fields = edit_form_extra_fields = {
        "active": BooleanField(CLASSIFIER_LABELS["active"], default=True)
    }
    order_columns = ["name", "sort_order"]
    base_order = ("sort_order", "asc")
    formatters_columns = {"description": _blank}


class ServiceKindApi(PortalRestApi):
    resource_name = "directory_service_kind"
    class_permission_name = permissions.KIND
    datamodel = PortalInterface(ServiceKind)
    label_columns = CLASSIFIER_LABELS
    list_columns = ["id", "code", "name", "sort_order", "active"]
    show_columns = list_columns + ["description", "version"]
    add_columns = ["code", "name", "description", "sort_order", "active"]
    edit_columns = ["name", "description", "sort_order", "active"]
    search_columns = ["name", "code", "active"]


class RecipientCategoryView(PortalModelView):
    datamodel = PortalInterface(RecipientCategory)
    class_permission_name = permissions.CATEGORY
    route_base = "/directory/categories"
    list_title = _l("Categories of recipients")
    show_title = _l("Category of recipients")
    add_title = _l("Add a category of recipients")
    edit_title = _l("Edit a category of recipients")
    label_columns = CLASSIFIER_LABELS
    list_columns = ["name", "code", "sort_order"]
    add_columns = ["code", "name", "sort_order"]
    edit_columns = ["name", "sort_order"]
    show_columns = add_columns
    search_columns = ["name", "code"]
    order_columns = ["name", "sort_order"]
    base_order = ("sort_order", "asc")


# --------------------------------------------------------------------------- referral picker
class EntryPickerWidget(AjaxSelectWidget):
    """The referral's service picker asks only for the services valid for the
    referral's case (its beneficiary's community and category) when the page
    knows the case: an add form opened from the case page, or an edit form."""

    def __call__(self, field, **kwargs):
        html = super().__call__(field, **kwargs)
        case_id = _case_of_request()
        if not case_id:
            return html
        base = url_for("LookupView.search", name=field.lookup_name)
        return Markup(
            str(html).replace(
                f'data-lookup-url="{base}"', f'data-lookup-url="{base}?case={int(case_id)}"', 1
            )
        )


def _case_of_request():
    import re

    case_id = request.args.get("case") or next(
        (v for k, v in request.args.items() if re.fullmatch(r"_flt_\d+_case", k)), None
    )
    if (
        case_id is None
        and request.view_args
        and request.view_args.get("pk")
        and request.endpoint == "ReferralView.edit"
    ):
        from ..cases.models import Referral
        from ..security.scope import scoped

        case_id = g_session().scalar(
            scoped(select(Referral.case_id), Referral).where(
                Referral.id == int(request.view_args["pk"])
            )
        )
    try:
        return int(case_id) if case_id is not None else None
    except (TypeError, ValueError):
        return None


def g_session():
    from ..extensions import db

    return db.session


class EntryPickerField(AjaxSelectField):
    widget = EntryPickerWidget()


def referral_offer():
    """What the referral picker offers: active services; for a known case, only
    those valid for its beneficiary (the command checks the pick anyway)."""
    from ..cases.models import Case
    from ..security.scope import scoped

    case_id = _case_of_request()
    if case_id:
        case = g_session().scalars(scoped(select(Case), Case).where(Case.id == case_id)).first()
        if case is not None:
            return services.valid_for_case_clause(case)
    return DirectoryEntry.active.is_(True)


def entry_label(entry) -> str:
    place = (
        entry.hromada.title
        if entry.hromada is not None
        else (entry.oblast.title if entry.oblast is not None else str(entry.level))
    )
    return f"{entry.title} — {entry.provider_name} ({place})"


# --------------------------------------------------------------------------- reports
class DirectoryReportView(BaseView):
    """Gaps (communities x kinds without a service) and referral figures."""

    route_base = "/directory/report"
    default_view = "gaps"
    class_permission_name = permissions.REPORT
    method_permission_name = {"gaps": "read", "referrals": "read"}

    def _oblasts(self):
        from ..collation import ukrainian_sort_key
        from ..geography.models import Oblast
        from ..security.scope import scoped

        rows = g_session().execute(scoped(select(Oblast.id, Oblast.title), Oblast)).all()
        return sorted(rows, key=lambda r: ukrainian_sort_key(r[1]))

    def _chosen_oblast(self, oblasts):
        scope = current_scope()
        if scope.oblast_id:
            return scope.oblast_id
        wanted = request.args.get("oblast", type=int)
        ids = {r[0] for r in oblasts}
        return wanted if wanted in ids else None

    @expose("/gaps/")
    @has_access
    def gaps(self):
        oblasts = self._oblasts()
        oblast_id = self._chosen_oblast(oblasts)
        kinds, rows, wide = ([], [], {})
        if oblast_id is not None:
            kinds, rows, wide = services.gaps(g_session(), oblast_id)
        missing = sum(1 for _h, _t, counts in rows for k in kinds if not counts.get(k.id))
        return self.render_template(
            "directory/gaps.html",
            title=_("Gaps in the service directory"),
            oblasts=oblasts,
            oblast_id=oblast_id,
            kinds=kinds,
            rows=rows,
            wide=wide,
            missing=missing,
            fixed_oblast=bool(current_scope().oblast_id),
        )

    @expose("/referrals/")
    @has_access
    def referrals(self):
        oblast_id = current_scope().oblast_id
        rows = services.referral_stats(g_session(), oblast_id)
        return self.render_template(
            "directory/referrals.html", title=_("Referrals into the service directory"), rows=rows
        )
