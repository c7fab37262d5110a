"""Built-in roles' expressions fit FAB's tables on PostgreSQL.

FAB stores each builtin role's regular expressions as rows
(``ab_view_menu.name`` VARCHAR(250), ``ab_permission.name`` VARCHAR(100));
a longer one fails on PostgreSQL at every start (SQLite does not check), so
no role's permissions are synced and every sign-in fails.
"""

import re

from app.security.roles import PERMISSION_NAME_MAX, VIEW_MENU_NAME_MAX, _exact_chunks


def test_every_role_expression_fits_the_tables(app):
    for role, entries in app.config["FAB_ROLES"].items():
        for resources, permissions in entries:
            assert len(resources) <= VIEW_MENU_NAME_MAX, (role, resources)
            assert len(permissions) <= PERMISSION_NAME_MAX, (role, permissions)


def test_chunks_match_exactly_the_names_given():
    names = [f"Resource{n:03d}" for n in range(60)]
    chunks = _exact_chunks(names, 100)
    assert len(chunks) > 1 and all(len(c) <= 100 for c in chunks)
    matched = [n for n in names if any(re.match(c, n) for c in chunks)]
    assert matched == names
    assert not any(re.match(c, "Resource0001") or re.match(c, "Resource") for c in chunks)
