"""Fuzzing every web form, and the malformed inputs that once answered 500.

For every add and edit form of every registered ModelView the administrator
can open, Hypothesis posts the form as the page offers it with some fields
replaced: random text, invalid choices, huge numbers, NaN and infinities,
lone surrogates (as the bytes a browser could send), NUL characters, empty
values. No answer may be a 5xx, and a refused request (anything but a
redirect without an error message) must leave every row of every table as it
was: table contents are compared, not counts. Bounded and derandomized:
``FORM_FUZZ_EXAMPLES`` examples per form (default 4).
"""

from __future__ import annotations

import hashlib
import os
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask_appbuilder import ModelView
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.demo import seed_demo
from app.extensions import db

from .conftest import PASSWORD, running_app

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "4"))
#: Not the registers' data: the audit log and background jobs record what
#: happened (a refused request is audited too), sessions record who is online.
UNCOMPARED_TABLES = {"audit_log", "job", "portal_session"}
#: A field's value a browser never offers (the lone surrogate as the UTF-8-like
#: bytes of U+D800, which the server must decode without crashing).
NASTY = [
    "",
    " ",
    "bogus",
    "-1",
    "0",
    "99999999999999999999999",
    "-1e400",
    "1e400",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1e30",
    "3.1e+202",
    "\ud800",
    "a\x00b",
    "'; drop table x; --",
    "99.99.9999",
    "31.02.2025",
    "2025-13-45",
    "<script>x</script>",
    "Ї" * 300,
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # A 5xx must come back as a response to count, not as a raised exception.
    with running_app(tmp_path_factory, PROPAGATE_EXCEPTIONS=False) as app:
        with app.app_context():
            list(seed_demo(cases=20, password=PASSWORD, echo=lambda s: None))
        yield app


class FormFields(HTMLParser):
    """The fields of a page's main form, with the values the page gives them."""

    def __init__(self):
        super().__init__()
        self.fields, self.options, self.kinds = {}, {}, {}
        self._select = self._textarea = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = (
                attrs.get("id") not in ("delete_form", "action_form")
                and (attrs.get("method") or "").lower() == "post"
            )
        if not self._in_form or not attrs.get("name"):
            if tag == "option" and self._select:
                self._option(attrs)
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                self.options[name] = [attrs.get("value", "y"), ""]
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "y")
            elif kind not in ("submit", "button", "file"):
                self.fields[name] = attrs.get("value", "")
                self.kinds[name] = (
                    "text" if kind in ("text", "number", "email", "url", "tel") else kind
                )
        elif tag == "select":
            self._select = name
            self.fields[name], self.options[name], self.kinds[name] = "", [], "select"
        elif tag == "textarea":
            self._textarea = name
            self.fields[name], self.kinds[name] = "", "text"

    def _option(self, attrs):
        value = attrs.get("value", "")
        self.options[self._select].append(value)
        if "selected" in attrs:
            self.fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def parse_form(html: str) -> FormFields:
    parser = FormFields()
    parser.feed(html)
    return parser


def encode_form(fields: dict) -> bytes:
    """``application/x-www-form-urlencoded``, with a lone surrogate sent as the
    bytes it would be in (invalid) UTF-8 instead of failing to encode."""
    return "&".join(
        f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in fields.items()
    ).encode("ascii")


def table_digest(app) -> dict:
    """Per table, a hash of all its rows (every column).

    PostgreSQL hashes each table itself, all tables in one statement (the
    rows never cross the wire); SQLite's rows are read through the driver's
    own cursor, ordered by the key (the ORM's row objects and their repr,
    which also shortens long values, cost most of the fuzz's time)."""
    with app.app_context():
        tables = [
            (name, table)
            for name, table in sorted(db.metadata.tables.items())
            if name not in UNCOMPARED_TABLES
        ]
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            if db.engine.dialect.name == "postgresql":
                cursor.execute(
                    "SELECT "
                    + ", ".join(
                        f"(SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY "
                        f"{_order(table, 't.')}), '')) FROM \"{name}\" AS t)"
                        for name, table in tables
                    )
                )
                digest = dict(zip((name for name, _table in tables), cursor.fetchone()))
            else:
                digest = {}
                for name, table in tables:
                    cursor.execute(f'SELECT * FROM "{name}" ORDER BY {_order(table)}')
                    digest[name] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
            cursor.close()
            connection.rollback()
        finally:
            connection.close()
    return digest


def _order(table, prefix: str = "") -> str:
    return ", ".join(
        f'{prefix}"{column.name}"'
        for column in (list(table.primary_key.columns) or list(table.columns))
    )


def _changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def _danger_flashes(client) -> list[str]:
    """Error messages flashed (and not yet shown), taken out of the session."""
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", None) or []
    return [str(message) for category, message in flashes if category == "danger"]


def _last_key(app, view):
    """The newest row: never the signed-in administrator's own account (id 1),
    whose fuzzed edit would end the session."""
    model = view.datamodel.obj
    key = model.__mapper__.primary_key[0]
    with app.app_context():
        pk = db.session.scalar(sa.select(key).order_by(key.desc()).limit(1))
        db.session.remove()
    return pk


def _forms(app):
    """``(label, url)`` of every add and edit form of every registered ModelView."""
    for view in app.appbuilder.baseviews:
        if not isinstance(view, ModelView) or not view.route_base:
            continue
        name = view.__class__.__name__
        if f"{name}.add" in app.view_functions and "add" not in (view.exclude_route_methods or ()):
            yield f"{name}.add", f"{view.route_base}/add"
        if f"{name}.edit" in app.view_functions and "edit" not in (
            view.exclude_route_methods or ()
        ):
            pk = _last_key(app, view)
            if pk is not None:
                yield f"{name}.edit", f"{view.route_base}/edit/{pk}"


#: Put in every field at once, one post each (refused before any field reads them).
EVERY_FIELD = ["\ud800", "a\x00b", ""]
#: Put in one field at a time, the others keeping the page's valid values, so
#: that parsing, validators and the save path all meet them.
HUGE = "99999999999999999999999"
ONE_FIELD = {"select": ("bogus", HUGE), "text": ("nan", HUGE)}


def _mutations(fields: dict, options: dict):
    """A few fields of the page's own (valid) values replaced by nasty ones, so
    that the rest of the form is fine and the save path is reached too."""
    names = sorted(n for n in fields if n != "csrf_token")
    values = st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=30),
        st.sampled_from(sorted({o for n in names for o in options.get(n, [])}) or [""]),
    )
    return st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=3)


def test_every_form_survives_fuzzing_and_refusals_change_nothing(app, client_as):
    client = client_as("admin")
    failures, forms, posts, refused = [], 0, 0, 0
    for label, url in _forms(app):
        page = client.get(url)
        assert "/login" not in page.headers.get("Location", ""), f"signed out before {url}"
        if page.status_code != 200:
            continue  # a form the administrator cannot open (403/404) or is sent away from
        form = parse_form(page.text)
        if not form.fields:
            continue
        forms += 1
        state = {"fields": form.fields, "digest": table_digest(app)}

        # Defaults bind this form's url, label and state (B023): each closure is
        # called within its own iteration only.
        def post(values: dict, url=url, label=label, state=state) -> None:
            nonlocal posts, refused
            response = client.post(
                url, data=encode_form(values), content_type="application/x-www-form-urlencoded"
            )
            posts += 1
            errors = _danger_flashes(client)
            after = table_digest(app)
            accepted = (
                response.status_code == 302
                and not errors
                and "/login" not in response.headers.get("Location", "")
            )
            if response.status_code >= 500:
                failures.append(f"{label} -> {response.status_code}: {_short(values)}")
            elif not accepted:
                refused += 1
                changed = _changed(state["digest"], after)
                if changed:
                    failures.append(
                        f"{label} -> {response.status_code} (refused) but "
                        f"{changed} changed: {_short(values)}"
                    )
            elif label.endswith(".edit"):  # the record's new version is in the form now
                state["fields"] = parse_form(client.get(url).text).fields or state["fields"]
            state["digest"] = after

        for nasty in EVERY_FIELD:
            post(
                {
                    name: (value if name == "csrf_token" else nasty)
                    for name, value in form.fields.items()
                }
            )
        for name in sorted(form.fields):
            kind = form.kinds.get(name)
            for nasty in ONE_FIELD.get(kind, ()):
                post({**state["fields"], name: nasty})

        _fuzz(post, state, form)
    print(f"form fuzz: {forms} forms, {posts} posts, {refused} refused, {len(failures)} failures")
    assert failures == [], "\n".join(failures[:30])
    assert forms >= 20 and posts >= forms * (len(EVERY_FIELD) + 2)


def _fuzz(post, state: dict, form) -> None:
    """Hypothesis's mutations of one form, each posted with ``post``."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(changes=_mutations(form.fields, form.options))
    def probe(changes):
        post({**state["fields"], **changes})

    probe()


def _short(values: dict) -> str:
    return repr({k: v[:40] for k, v in values.items() if v})[:400]


# --- the malformed inputs the outside test found answering 500 -----------------------
def _centre_form(client, app):
    from app.centers.models import ResilienceCentre

    with app.app_context():
        pk = db.session.scalar(sa.select(ResilienceCentre.id).order_by(ResilienceCentre.id))
        db.session.remove()
    return pk, parse_form(client.get(f"/centreview/edit/{pk}").text).fields


#: Forms whose programme is a row of the shared programme reference (app.programmes).
PROGRAMME_REFERENCE_FORMS = {"/selectionroundview/add", "/courseview/add"}
PROGRAMME_REFERENCE_ERROR = "Такої програми немає: оберіть програму з довідника програм."


@pytest.mark.parametrize(
    "url, field",
    [
        ("/providerview/add", "kind"),
        ("/selectionroundview/add", "programme"),
        ("/courseview/add", "programme"),
        ("/caseview/add", "programme"),
        ("/householdmemberview/add", "category"),
        ("/needsassessmentview/add", "domain"),
        ("/planitemview/add", "measure"),
        ("/contactview/add", "form"),
        ("/referralview/add", "service"),
        ("/reviewview/add", "progress"),
    ],
)
def test_an_invalid_choice_is_a_field_error_with_the_form_kept(app, client_as, url, field):
    client = client_as("admin")
    form = parse_form(client.get(url).text)
    if field not in form.fields:
        pytest.fail(f"{url} has no {field} field")
    before = table_digest(app)
    response = client.post(url, data={**form.fields, field: "bogus", "name": "Кept value"})
    assert response.status_code == 200
    # A choice of the programme reference says which reference to choose from.
    expected = (
        PROGRAMME_REFERENCE_ERROR if url in PROGRAMME_REFERENCE_FORMS else "Недійсний варіант"
    )
    assert expected in response.text
    assert table_digest(app) == before


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e400", "1e30"])
def test_a_number_no_column_can_hold_is_refused(app, client_as, value):
    client = client_as("admin")
    pk, fields = _centre_form(client, app)
    before = table_digest(app)
    response = client.post(f"/centreview/edit/{pk}", data={**fields, "latitude": value})
    assert response.status_code == 400
    assert "скінченне число" in response.text
    assert table_digest(app) == before
    response = client.post(f"/centreview/edit/{pk}", data={**fields, "psychologists": "9" * 25})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "args",
    [
        "page_ProviderView=x",
        "psize_ProviderView=x",
        "page_ProviderView=-1",
        "page_ProviderView=99999999999999999999999",
        "psize_ProviderView=1.5",
    ],
)
def test_list_arguments_that_are_not_whole_numbers_are_refused(app, client_as, args):
    response = client_as("admin").get(f"/providerview/list/?{args}")
    assert response.status_code == 400
    assert "мають бути цілими числами" in response.text


def test_a_nul_character_and_a_huge_relation_key_are_refused(app, client_as):
    client = client_as("admin")
    pk, fields = _centre_form(client, app)
    before = table_digest(app)
    response = client.post(f"/centreview/edit/{pk}", data={**fields, "name": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.text
    response = client.post(
        f"/centreview/edit/{pk}", data={**fields, "provider": "99999999999999999999999"}
    )
    assert response.status_code == 200 and "Оберіть значення зі списку" in response.text
    assert table_digest(app) == before
    assert re.search(r"\bnot saved\b", response.text) is None
