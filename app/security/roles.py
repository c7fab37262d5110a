"""Built-in roles as code.

Roles are FAB *builtin* roles (``FAB_ROLES``): their permissions live here, in
review-able code, not in database rows an administrator could drift. Each
domain package states what each role may do with its resources in
``<domain>/permissions.py``::

    GRANTS = {MINISTRY: {"Provider": {READ, WRITE, "can_approve"}}}
    MENU_CATEGORIES = {"Provider": "Registries"}

Views and APIs of a resource share one ``class_permission_name`` and map FAB's
methods onto ``can_read`` / ``can_write`` (:data:`METHOD_PERMISSIONS`), so a
grant names what a person may *do*, not FAB's method names. Menu access is
derived: a role that can read a resource sees its menu item and category.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from types import ModuleType

from flask_babel import lazy_gettext as _l

ADMIN = "Адміністратор"
MINISTRY = "Працівник міністерства"
REGIONAL_ADMIN = "Регіональний адміністратор"
TRAINER = "Тренер"
CASE_WORKER = "Фахівець надавача"
AUDITOR = "Аудитор"
#: Keeps the service directory of one community (app.directory); scoped to its hromada.
HROMADA_EDITOR = "Редактор громади"
#: A provider's own representative: keeps the provider's card and documents and
#: submits its proposals (app.providers, app.selection); scoped to the provider.
PROVIDER_REP = "Представник надавача"

#: Every built-in role except the administrator, in the order of docs/roles.md.
PORTAL_ROLES = (MINISTRY, REGIONAL_ADMIN, TRAINER, CASE_WORKER, AUDITOR)
#: Roles of a community's own staff (not of docs/roles.md): they get only what
#: their domain's GRANTS name, self-service included (app/directory/permissions.py).
COMMUNITY_ROLES = (HROMADA_EDITOR,)
#: Roles of a provider's own staff besides the case worker (issue #22).
PROVIDER_ROLES = (PROVIDER_REP,)
ALL_ROLES = (ADMIN, *PORTAL_ROLES, *COMMUNITY_ROLES, *PROVIDER_ROLES)

#: Roles whose reach is national; other roles are confined to their scope.
NATIONAL_ROLES = frozenset({ADMIN, MINISTRY, TRAINER, AUDITOR})

READ = "can_read"
WRITE = "can_write"
EXPORT = "can_export"
MENU = "menu_access"

#: FAB method name -> permission suffix (``can_`` is prepended by FAB).
METHOD_PERMISSIONS = {
    # ModelView
    "list": "read",
    "show": "read",
    "add": "write",
    "edit": "write",
    "delete": "write",
    "download": "read",
    # ModelRestApi
    "get_list": "read",
    "get": "read",
    "info": "read",
    "post": "write",
    "put": "write",
    # exports are a permission of their own (app.common.export)
    "export": "export",
}

ROLE_DESCRIPTIONS = {
    ADMIN: _l("Everything, including user management"),
    MINISTRY: _l("Approves providers, runs selections, reads all centres and trainings"),
    REGIONAL_ADMIN: _l("Registers centres and submits providers of own oblast"),
    TRAINER: _l("Courses, workshops and attendance"),
    CASE_WORKER: _l("Case register of own provider"),
    AUDITOR: _l("Reads everything non-personal and the audit log"),
    HROMADA_EDITOR: _l("Service directory of own territorial community"),
    PROVIDER_REP: _l("Card, documents and proposals of own provider"),
}


def merge_grants(modules: Iterable[ModuleType]) -> dict[str, dict[str, set[str]]]:
    """Union the ``GRANTS`` of the given domain modules' ``permissions``."""
    merged: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for module in modules:
        perms = getattr(module, "permissions", None)
        for role, resources in getattr(perms, "GRANTS", {}).items():
            if role not in ALL_ROLES:
                raise ValueError(f"unknown role {role!r} in {module.__name__}")
            for resource, names in resources.items():
                merged[role][resource] |= set(names)
    return merged


def menu_categories(modules: Iterable[ModuleType]) -> dict[str, str]:
    """Resource (menu item name) -> menu category name, from all domains."""
    result: dict[str, str] = {}
    for module in modules:
        perms = getattr(module, "permissions", None)
        result.update(getattr(perms, "MENU_CATEGORIES", {}))
    return result


def _exact(names: Iterable[str]) -> str:
    return "^(?:" + "|".join(re.escape(n) for n in sorted(names)) + ")$"


#: FAB keeps each builtin role's regular expressions as rows of its own tables
#: (``ab_view_menu.name`` is VARCHAR(250), ``ab_permission.name`` VARCHAR(100)):
#: a longer expression fails on PostgreSQL (SQLite does not check lengths).
VIEW_MENU_NAME_MAX = 250
PERMISSION_NAME_MAX = 100


def _exact_chunks(names: Iterable[str], limit: int) -> list[str]:
    """``_exact`` split into as few expressions as fit ``limit`` characters each."""
    chunks: list[str] = []
    current: list[str] = []
    for name in sorted(set(names)):
        if current and len(_exact([*current, name])) > limit:
            chunks.append(_exact(current))
            current = []
        current.append(name)
    if current:
        chunks.append(_exact(current))
    return chunks


def build_fab_roles(modules: Iterable[ModuleType]) -> dict[str, list[list[str]]]:
    """Build the ``FAB_ROLES`` config from the domain grants.

    Regexes are anchored at both ends: FAB matches with ``re.match``, which
    anchors only the start, so "Case" would otherwise also grant "CaseNote".
    """
    modules = list(modules)
    grants = merge_grants(modules)
    categories = menu_categories(modules)
    roles: dict[str, list[list[str]]] = {ADMIN: [[".*", ".*"]]}
    for role in (*PORTAL_ROLES, *COMMUNITY_ROLES, *PROVIDER_ROLES):
        entries: list[list[str]] = []
        menus: set[str] = set()
        for resource, names in sorted(grants.get(role, {}).items()):
            for permissions in _exact_chunks(names, PERMISSION_NAME_MAX):
                entries.append([_exact([resource]), permissions])
            if READ in names:
                menus.add(resource)
                if resource in categories:
                    menus.add(categories[resource])
        for resources in _exact_chunks(menus, VIEW_MENU_NAME_MAX):
            entries.append([resources, _exact([MENU])])
        roles[role] = entries
    return roles
