"""Pages stay cheap: bounded SQL per list page, no whole-table dropdowns.

Statement counts (not timings) are the unit-test-sized guard against N+1:
a list page runs the same number of statements for 10 rows as for 100.
Timings live in bench/.
"""

import re

import pytest
from flask_appbuilder import ModelView

from .conftest import count_queries

MAX_LIST_STATEMENTS = 4  # user (with roles), count, page, audit row of a personal-data list
MAX_OPTIONS = 100


def _list_views(app):
    return [
        v
        for v in app.appbuilder.baseviews
        if isinstance(v, ModelView)
        and "can_read" in (v.base_permissions or [])
        and getattr(v, "class_permission_name", "") not in ("",)
    ]


def test_every_list_page_has_bounded_statements(app, client_as):
    client = client_as("admin")
    checked = 0
    for view in _list_views(app):
        name = view.__class__.__name__
        url = f"{view.route_base}/list/"
        counts = []
        for size in (10, 100):
            client.get(f"{url}?psize_{name}={size}")
            with count_queries(app) as statements:
                response = client.get(f"{url}?psize_{name}={size}")
            if response.status_code != 200:
                break
            counts.append(len(statements))
        if len(counts) < 2:
            continue
        checked += 1
        # The same statements at 10 and 100 rows; one fewer at 100 when that
        # page holds the whole list (a page that is not full needs no count).
        assert counts[0] - 1 <= counts[1] <= counts[0], (
            f"{name}: {counts} statements grow with page size (N+1)"
        )
        assert counts[0] <= MAX_LIST_STATEMENTS, f"{name}: {counts[0]} statements"
    assert checked >= 4


def _form_urls(app):
    for view in app.appbuilder.baseviews:
        if (
            isinstance(view, ModelView)
            and view.route_base
            and "can_write" in (view.base_permissions or [])
        ):
            yield f"{view.route_base}/add"
            yield f"{view.route_base}/list/"


@pytest.mark.parametrize("username", ["admin", "lviv"])
def test_no_select_renders_more_than_100_options(app, client_as, username):
    client = client_as(username)
    for url in sorted(set(_form_urls(app))):
        response = client.get(url)
        if response.status_code != 200:
            continue
        for select in re.findall(r"<select[^>]*>(.*?)</select>", response.text, re.S):
            options = select.count("<option")
            assert options <= MAX_OPTIONS, f"{url}: a select with {options} options"


def test_form_validators_do_not_pile_up_across_forms_and_apps(app, tmp_path_factory):
    """FAB appends its own validators to the view's ``validators_columns``
    lists; without a copy per form, every form and every app built in the
    process ran the EDRPOU uniqueness query (and the length check) once more."""
    from flask_appbuilder.validators import Unique
    from wtforms.validators import Length

    from .conftest import running_app

    with running_app(tmp_path_factory) as second:
        for current in (app, second):
            view = next(
                v for v in current.appbuilder.baseviews if type(v).__name__ == "ProviderView"
            )
            for form in (view.add_form, view.edit_form):
                validators = form.edrpou.kwargs["validators"]
                assert sum(isinstance(v, Unique) for v in validators) == 1, validators
                assert sum(isinstance(v, Length) for v in validators) == 1, validators
