"""Service directory (issue #25): one base of the services servicemen, veterans
and their families can get, per community, oblast-wide and national; kept by
the communities' own editors, reviewed by regional administrators, classified
by ministry staff; referred into from the case register; searchable by the
public at ``/public/services/``."""

from __future__ import annotations

import click
from flask_babel import lazy_gettext as _l

from . import permissions
from .demo import demo_seed  # noqa: F401  (called by app.demo)


def register(appbuilder) -> None:
    from ..home import register_dashboard
    from . import dashboard

    register_dashboard(dashboard)
    from ..common.lookup import register_lookup
    from ..geography.models import Oblast
    from .models import DirectoryEntry, EntryHromada
    from .public import PublicServiceView
    from .views import (
        DirectoryEntryApi,
        DirectoryEntryView,
        DirectoryReportView,
        RecipientCategoryView,
        ServiceKindApi,
        ServiceKindView,
        StaleEntryView,
        entry_label,
        referral_offer,
    )

    register_lookup(
        "directory_hromada",
        EntryHromada,
        resource=permissions.ENTRY,
        search=[EntryHromada.title, EntryHromada.code],
        order_by=EntryHromada.title,
    )
    register_lookup(
        "directory_oblast",
        Oblast,
        resource=permissions.ENTRY,
        search=[Oblast.title, Oblast.code],
        order_by=Oblast.title,
    )
    # The referral's service picker (app.cases ReferralView): for a known case,
    # only services valid for its beneficiary (the command refuses any other).
    register_lookup(
        "directory_entry",
        DirectoryEntry,
        resource=permissions.ENTRY,
        search=[DirectoryEntry.title, DirectoryEntry.provider_name],
        order_by=DirectoryEntry.title,
        label=entry_label,
        offer=referral_offer,
    )

    appbuilder.add_api(DirectoryEntryApi)
    appbuilder.add_api(ServiceKindApi)
    category = dict(
        category="Directory", category_label=_l("Service directory"), category_icon="fa-map-signs"
    )
    DirectoryEntryView.list_template = "directory/list.html"
    StaleEntryView.list_template = "directory/list.html"
    appbuilder.add_view(
        DirectoryEntryView, permissions.ENTRY, label=_l("Services"), icon="fa-list", **category
    )
    appbuilder.add_view_no_menu(StaleEntryView)
    appbuilder.add_view(
        ServiceKindView, permissions.KIND, label=_l("Kinds of service"), icon="fa-tags", **category
    )
    appbuilder.add_view(
        RecipientCategoryView,
        permissions.CATEGORY,
        label=_l("Categories of recipients"),
        icon="fa-users",
        **category,
    )
    appbuilder.add_view(
        DirectoryReportView,
        permissions.REPORT,
        label=_l("Gaps and referrals"),
        icon="fa-th",
        **category,
    )
    appbuilder.add_view_no_menu(PublicServiceView)
    from flask import current_app

    current_app.cli.add_command(directory_cli)


@click.group("directory", help="Service directory (issue #25).")
def directory_cli():
    pass


@directory_cli.command("assign-editor")
@click.option("--username", required=True)
@click.option("--hromada-code", required=True, help="KATOTTG code of the community")
def assign_editor(username, hromada_code):
    """Make a user the hromada editor of a community (role + scope)."""
    from flask import current_app
    from sqlalchemy import select

    from ..extensions import db
    from ..geography.models import Hromada
    from ..security import roles

    sm = current_app.appbuilder.sm
    user = sm.find_user(username=username)
    if user is None:
        raise click.ClickException(f"No such user: {username}")
    hromada_id = db.session.scalar(select(Hromada.id).where(Hromada.code == hromada_code))
    if hromada_id is None:
        raise click.ClickException(f"No such community: {hromada_code}")
    role = sm.find_role(roles.HROMADA_EDITOR)
    if role not in user.roles:
        user.roles.append(role)
    user.hromada_id = hromada_id
    db.session.commit()
    click.echo(f"{username}: {roles.HROMADA_EDITOR}, {hromada_code}")
