"""Ukrainian by default: a complete catalogue and no English leftovers on pages."""

import re

import pytest

from app.common.catalogue import check_catalogue, extract, load_po

from .conftest import visible_text

#: FAB's default English strings that must never reach a Ukrainian page.
FAB_ENGLISH = [
    "Search",
    "Add Filter",
    "Record Count",
    "Add a new record",
    "Show record",
    "Edit record",
    "Delete record",
    "Actions",
    "Security",
    "Logout",
    "List Users",
    "Save",
    "Back",
    "User confirmation needed",
    "Are you sure you want to delete this item?",
    "No records found",
    "Select",
    "Cancel",
    "Starts with",
    "Equal to",
    "Previous",
    "Next",
    "Refresh",
    "Home",
]


def test_catalogue_is_complete():
    problems = check_catalogue()
    assert problems == [], "\n".join(problems[:50])


def test_catalogue_carries_fab_msgids():
    catalog = load_po()
    template = extract()
    fab_ids = [
        m.id for m in template if m.id and any("flask_appbuilder" in loc[0] for loc in m.locations)
    ]
    assert len(fab_ids) > 140
    for msgid in ("Search", "Add Filter", "Record Count", "List Users", "Sign In", "Password"):
        assert catalog.get(msgid) is not None and catalog.get(msgid).string


def test_catalogue_placeholders_match():
    catalog = load_po()
    pattern = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
    for message in catalog:
        if not message.id or not message.string or isinstance(message.id, (list, tuple)):
            continue
        assert sorted(pattern.findall(message.id)) == sorted(pattern.findall(message.string)), (
            message.id
        )


def _english_leftovers(text: str) -> list[str]:
    return [
        word for word in FAB_ENGLISH if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/oblastview/list/",
        "/hromadaview/list/",
        "/providerview/list/",
        "/providerview/add",
        "/users/list/",
        "/users/add",
        "/roles/list/",
        "/auditlogview/list/",
    ],
)
def test_pages_have_no_english_leftovers(client_as, url):
    response = client_as("admin").get(url)
    assert response.status_code == 200
    assert '<html lang="uk">' in response.text
    text = visible_text(response.text)
    assert _english_leftovers(text) == [], url


def test_list_and_form_labels_are_ukrainian(client_as):
    client = client_as("admin")
    text = visible_text(client.get("/providerview/list/").text)
    for label in ("Надавачі соціальних послуг", "Повна назва", "Код ЄДРПОУ", "Статус", "Пошук"):
        assert label in text
    form = visible_text(client.get("/providerview/add").text)
    for label in ("Додати надавача", "Організаційна форма", "Територіальна громада", "Зберегти"):
        assert label in form


def test_enum_values_and_dates_are_ukrainian(client_as, app):
    import datetime as dt

    from app.extensions import db
    from app.geography.models import Oblast
    from app.providers.models import Provider, ProviderKind

    with app.app_context():
        oblast = db.session.query(Oblast).filter_by(code="UA46000000000026241").one()
        provider = Provider(
            name="БФ «Світанок»", kind=ProviderKind.charity, edrpou="00032129", oblast_id=oblast.id
        )
        db.session.add(provider)
        db.session.commit()
        provider.created_on = dt.datetime(2025, 3, 7, 9, 30)
        db.session.commit()
        pk = provider.id
    text = visible_text(client_as("admin").get(f"/providerview/show/{pk}").text)
    assert "Благодійний фонд" in text and "Чернетка" in text
    assert re.search(r"07\.03\.2025 1[01]:30", text), "dates are dd.mm.yyyy in Kyiv time"


def test_wtforms_validation_messages_are_ukrainian(client_as):
    response = client_as("admin").post("/providerview/add", data={"name": ""})
    assert "Це поле є обов'язковим" in visible_text(
        response.text
    ) or "Це поле обов" in visible_text(response.text)


def test_catalogue_is_looked_up_once_per_request_and_follows_a_language_switch(app):
    """RequestCachedDomain: one catalogue per request, yet ``refresh()`` and
    ``force_locale`` switch the language at once."""
    from flask import session
    from flask_babel import force_locale, get_translations, gettext, lazy_gettext, refresh

    from app.common.i18n import translate

    with app.test_request_context("/"):
        assert gettext("Search") == "Пошук" and str(lazy_gettext("Search")) == "Пошук"
        assert get_translations() is get_translations()
        with force_locale("en"):
            assert gettext("Search") == "Search" and translate("Search") == "Search"
        assert gettext("Search") == "Пошук"
        session["locale"] = "en"
        refresh()
        assert gettext("Search") == "Search" and str(lazy_gettext("Search")) == "Search"
        assert translate("Search") == "Search"
