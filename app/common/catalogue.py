"""The Ukrainian catalogue: extraction, update, compile and completeness check.

FAB ships no Ukrainian catalogue, so ``translations/uk/LC_MESSAGES/messages.po``
carries FAB's own msgids (from its Python code and Jinja templates) as well as
ours. Flask-Babel merges FAB's translation directory with ours, ours winning.
Done with Babel's API rather than shelling out to ``pybabel``, so errors are
raised, not printed and ignored.
"""

from __future__ import annotations

import os

import flask_appbuilder
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP_DIR = os.path.join(ROOT, "app")
FAB_DIR = os.path.dirname(flask_appbuilder.__file__)
PO_PATH = os.path.join(ROOT, "translations", "uk", "LC_MESSAGES", "messages.po")
MO_PATH = PO_PATH[:-3] + ".mo"

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "__": None,
    "N_": None,
    "lazy_formatter_gettext": (1,),
    "translate": None,  # app.common.i18n.translate: gettext through the request's catalogue
}
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"encoding": "utf-8"}}


def extract() -> Catalog:
    """All msgids the running portal can show: ours and FAB's."""
    template = Catalog(project="Opora", charset="utf-8")
    for source in (APP_DIR, FAB_DIR):
        for filename, lineno, message, comments, context in extract_from_dir(
            source, METHOD_MAP, OPTIONS, KEYWORDS
        ):
            if "/migrations/" in filename:
                continue
            template.add(
                message,
                None,
                [(os.path.relpath(os.path.join(source, filename), ROOT), lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def load_po(path: str = PO_PATH) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, locale="uk")


def update_catalogue() -> int:
    """Merge new msgids into the .po (no fuzzy guessing); return how many are new."""
    template = extract()
    catalog = load_po() if os.path.exists(PO_PATH) else Catalog(locale="uk")
    before = {m.id for m in catalog if m.id}
    catalog.update(template, no_fuzzy_matching=True)
    with open(PO_PATH, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True)
    return len({m.id for m in catalog if m.id} - before)


def compile_catalogue() -> None:
    with open(MO_PATH, "wb") as fh:
        write_mo(fh, load_po())


def _untranslated(message: Message) -> bool:
    if isinstance(message.string, (list, tuple)):
        return any(not s for s in message.string)
    return not message.string


def check_catalogue() -> list[str]:
    """Every problem that would show English (or nothing) to a Ukrainian user."""
    catalog = load_po()
    problems = []
    for message in extract():
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        key = message.id if isinstance(message.id, str) else message.id[0]
        if translated is None:
            problems.append(f"missing: {key!r} ({message.locations[0][0]})")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        elif _untranslated(translated):
            problems.append(f"untranslated: {key!r}")
    return problems
