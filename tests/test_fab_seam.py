"""The seam to FAB's internals holds (issue #23).

* **Grep test**: no module of ``app/`` but ``app/fab_seam.py`` reads,
  overrides or imports a private name of Flask-AppBuilder or Flask-Babel.
* **Contract test**: the installed FAB and Flask-Babel versions, and a
  fingerprint of every upstream function, class and template the seam (and the
  portal's owned template copies) depends on, match ``tests/fab_contract.json``.
  Bumping either library fails here with the list of items to re-check; after
  re-checking them, ``python -m tests.test_fab_seam --write`` records the new
  fingerprints.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.metadata
import inspect
import json
import pathlib
import re
import sys

import flask_appbuilder
import flask_babel

ROOT = pathlib.Path(__file__).resolve().parents[1]
APP = ROOT / "app"
SEAM_MODULE = APP / "fab_seam.py"
CONTRACT = pathlib.Path(__file__).with_name("fab_contract.json")
FAB_TEMPLATES = pathlib.Path(flask_appbuilder.__file__).parent / "templates"
OWNED_TEMPLATES = APP / "templates"


# --------------------------------------------------------------------------- grep
def _upstream_private_names() -> tuple[set[str], set[str]]:
    """(private attribute and method names of FAB's and Flask-Babel's classes,
    private module-level names of those packages)."""
    members: set[str] = set()
    module_level: set[str] = set()
    for package in (flask_appbuilder, flask_babel):
        for path in pathlib.Path(package.__file__).parent.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and _private(node.name):
                    module_level.add(node.name)
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(
                            item.name
                        ):
                            members.add(item.name)
                elif (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.ctx, ast.Store)
                    and _private(node.attr)
                ):
                    members.add(node.attr)
    return members, module_level


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_"


def private_uses(path: pathlib.Path, members: set[str], module_level: set[str]) -> list[str]:
    """Every read, override or import of an upstream private name in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in members:
            found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if (
                    isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and item.name in members
                ):
                    found.append(f"{item.lineno}: def {item.name} (overrides FAB)")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
            "flask_appbuilder",
            "flask_babel",
        ):
            found.extend(
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if _private(alias.name)
            )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in members | module_level
        ):
            found.append(f"{node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
    return found


def test_no_private_fab_name_outside_the_seam():
    members, module_level = _upstream_private_names()
    assert {
        "_add",
        "_base_filters",
        "_get_list_widget",
        "_has_view_access",
        "_apply_inner_all",
    } <= members  # the scan sees what it is meant to see
    assert "_get_current_context" in module_level
    offenders = {}
    for path in sorted(APP.rglob("*.py")):
        if path == SEAM_MODULE:
            continue
        uses = private_uses(path, members, module_level)
        if uses:
            offenders[str(path.relative_to(ROOT))] = uses
    assert not offenders, (
        "Private FAB/Flask-Babel names used outside app/fab_seam.py "
        f"(move them into the seam, with a SEAM entry): {json.dumps(offenders, indent=1)}"
    )


def test_the_grep_finds_a_private_use(tmp_path):
    """The scan is not blind: a module reading FAB's privates is reported."""
    members, module_level = _upstream_private_names()
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from flask_babel import _get_current_context\n"
        "class V(ModelView):\n"
        "    def _get_list_widget(self, filters):\n"
        "        return self.datamodel.get(1, self._base_filters)\n",
        encoding="utf-8",
    )
    uses = private_uses(sample, members, module_level)
    assert sorted(uses) == [
        "1: import _get_current_context",
        "3: def _get_list_widget (overrides FAB)",
        "4: ._base_filters",
    ]


def test_the_seam_uses_only_what_it_declares():
    """Every private name the seam touches belongs to an item of ``SEAM``."""
    from app.fab_seam import SEAM

    members, module_level = _upstream_private_names()
    declared = " ".join(item.upstream + " " + item.why for item in SEAM)
    used = {
        re.search(r"(_[A-Za-z]\w*)", use.split(": ", 1)[1]).group(1)
        for use in private_uses(SEAM_MODULE, members, module_level)
    }
    assert {"_add", "_base_filters", "_get_current_context"} <= used
    missing = sorted(name for name in used if name not in declared)
    assert not missing, f"fab_seam.py uses privates no SEAM item names: {missing}"


# --------------------------------------------------------------------------- contract
def _resolve(dotted: str):
    """The upstream object. Import FAB's modules only after the portal's app
    exists (the tests take the ``app`` fixture): importing
    ``flask_appbuilder.security.sqla.manager`` before the portal's user model
    is defined breaks the mapper configuration of the process."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = inspect.getattr_static(obj, attr)
        return obj
    raise ImportError(dotted)


def _source_of(obj) -> str:
    """The upstream source (through the portal's wrappers, to FAB's original)."""
    obj = inspect.unwrap(obj) if callable(obj) else obj
    for candidate in (
        obj,
        getattr(obj, "func", None),
        getattr(obj, "fget", None),
        getattr(obj, "__func__", None),
    ):
        if candidate is None:
            continue
        try:
            return inspect.getsource(candidate)
        except (TypeError, OSError):
            continue
    raise TypeError(f"no source for {obj!r}")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def owned_template_copies() -> list[str]:
    """Our templates that replace a FAB template of the same path."""
    return sorted(
        str(path.relative_to(OWNED_TEMPLATES))
        for path in OWNED_TEMPLATES.rglob("*.html")
        if (FAB_TEMPLATES / path.relative_to(OWNED_TEMPLATES)).is_file()
    )


def current_contract() -> dict:
    from app.fab_seam import SEAM

    return {
        "versions": {
            name: importlib.metadata.version(name) for name in ("Flask-AppBuilder", "Flask-Babel")
        },
        "code": {item.upstream: _digest(_source_of(_resolve(item.upstream))) for item in SEAM},
        "templates": {
            name: _digest((FAB_TEMPLATES / name).read_text(encoding="utf-8"))
            for name in owned_template_copies()
        },
    }


def contract_changes(recorded: dict, current: dict) -> list[str]:
    """What differs between the recorded contract and the installed libraries."""
    changes = []
    for name, version in current["versions"].items():
        if recorded["versions"].get(name) != version:
            changes.append(f"{name}: {recorded['versions'].get(name)} -> {version}")
    for section in ("code", "templates"):
        for key in sorted(set(recorded[section]) | set(current[section])):
            if recorded[section].get(key) != current[section].get(key):
                changes.append(f"re-check {section} {key}")
    return changes


def test_fab_contract_holds(app):  # resolved once the portal's models are loaded
    recorded = json.loads(CONTRACT.read_text(encoding="utf-8"))
    changes = contract_changes(recorded, current_contract())
    assert not changes, (
        "Flask-AppBuilder or Flask-Babel changed under the seam. Re-check each item "
        "(app/fab_seam.py SEAM, and the owned template copies in app/templates), "
        "then record: python -m tests.test_fab_seam --write\n" + "\n".join(changes)
    )


def test_contract_fails_on_a_changed_fingerprint(app):
    """A fingerprint changed by hand (as a FAB release would) is reported by name."""
    recorded = json.loads(CONTRACT.read_text(encoding="utf-8"))
    tampered = json.loads(json.dumps(recorded))
    tampered["code"]["flask_appbuilder.views.ModelView._add"] = "0" * 16
    tampered["templates"][next(iter(tampered["templates"]))] = "0" * 16
    tampered["versions"]["Flask-AppBuilder"] = "5.2.9"
    changes = contract_changes(tampered, current_contract())
    assert "re-check code flask_appbuilder.views.ModelView._add" in changes
    assert any(c.startswith("re-check templates ") for c in changes)
    assert any(c.startswith("Flask-AppBuilder: 5.2.9 -> ") for c in changes)
    assert len(changes) == 3, changes


def test_every_seam_item_resolves_upstream(app):
    from app.fab_seam import SEAM

    assert len(SEAM) >= 20
    for item in SEAM:
        assert _source_of(_resolve(item.upstream)), item.upstream
        assert len(item.why) > 20, item.upstream


if __name__ == "__main__":  # python -m tests.test_fab_seam --write
    if "--write" not in sys.argv:
        sys.exit("usage: python -m tests.test_fab_seam --write")
    CONTRACT.write_text(
        json.dumps(current_contract(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"written {CONTRACT}")


def test_architecture_doc_lists_every_seam_item():
    from app.fab_seam import SEAM

    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [item.upstream for item in SEAM if f"`{item.upstream}`" not in doc]
    assert not missing, f"docs/architecture.md does not list: {missing}"
