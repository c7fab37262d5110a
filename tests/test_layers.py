"""Dependencies run one way (docs/architecture.md, "Layers"):

    domains, home, cli, demo  ->  common, jobs, audit  ->  security  ->  bottom layer

Every ``import`` in ``app/`` (at the top of a module or inside a function) is
read with ``ast`` and resolved to the ``app`` module it names; a module of a
layer may import its own layer and the layers below it. The few imports that
still run upwards are listed in ``KNOWN_UPWARD`` with the reason, so a new one
fails this test by name, and a listed one that is gone fails it too (the list
only shrinks).
"""

from __future__ import annotations

import ast
import pathlib

import pytest

APP = pathlib.Path(__file__).resolve().parent.parent / "app"

BOTTOM = {"extensions", "clock", "cache", "errors", "collation", "storage", "fab_seam"}
LAYERS = {
    "bottom": 0,
    "security": 1,
    "common": 2,
    "jobs": 2,
    "audit": 2,
    "home": 3,
}


def layer(module: str) -> int:
    """The layer of ``app.<first>...``: the bottom modules 0, security 1, the
    shared services 2, everything else (domains, home, cli, demo) 3; ``app``
    itself (the factory, which wires every layer together) 4."""
    if module == "app":
        return 4
    first = module.split(".")[1]
    if first in BOTTOM:
        return 0
    return LAYERS.get(first, 3)


#: (importer, imported) -> why it is still so. The list only shrinks.
KNOWN_UPWARD = {
    ("app.jobs.celery_app", "app.home"): "beat's figure refresh task calls home",
    ("app.jobs.worker", "app"): "the worker's entry point builds the app (create_app)",
    ("app.demo", "app"): "demo data walks the list of domains (DOMAINS)",
}


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: pathlib.Path, source: str | None = None) -> set[str]:
    """The ``app`` modules ``path`` imports (relative imports resolved)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "app" or target.startswith("app."):
                # ``from . import services`` names a module, not a package attribute
                found.update(
                    f"{target}.{alias.name}"
                    if (APP.parent / f"{target}.{alias.name}".replace(".", "/")).exists()
                    or (APP.parent / (f"{target}.{alias.name}".replace(".", "/") + ".py")).exists()
                    else target
                    for alias in node.names
                )
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("app."))
    return found


def _upward() -> dict[tuple[str, str], None]:
    upward = {}
    for path in sorted(APP.rglob("*.py")):
        importer = _module_name(path)
        for imported in _imports(path):
            if layer(imported) > layer(importer):
                upward[(importer, imported)] = None
    return upward


def test_the_reader_sees_imports_inside_functions_too():
    """The premise: an import inside a function is found, relative levels
    resolve, and a planted upward import is caught."""
    imports = _imports(APP / "security" / "manager.py")
    assert "app.security.services" in imports  # imported inside a method
    assert "app.fab_seam" in imports and "app.extensions" in imports
    assert layer("app.security.manager") == 1 and layer("app.cases.views") == 3
    assert layer("app.common.views") == 2 and layer("app.errors") == 0
    planted = "def f():\n    from ..common.views import YES\n    from ..cases import services\n"
    imports = _imports(APP / "security" / "scope.py", planted)
    assert imports == {"app.common.views", "app.cases.services"}
    assert all(layer(m) > layer("app.security.scope") for m in imports)


def test_no_module_imports_a_layer_above_its_own():
    upward = _upward()
    new = sorted(set(upward) - set(KNOWN_UPWARD))
    assert new == [], "imports that run upwards: " + ", ".join(f"{a} -> {b}" for a, b in new)
    gone = sorted(set(KNOWN_UPWARD) - set(upward))
    assert gone == [], f"no longer upward, remove from KNOWN_UPWARD: {gone}"


@pytest.mark.parametrize("package", ["security"])
def test_security_imports_nothing_above_it(package):
    """Security is complete without the portal's views, jobs, audit or domains."""
    for path in (APP / package).rglob("*.py"):
        above = {m for m in _imports(path) if layer(m) > 1}
        assert above == set(), (path.name, above)


def test_the_home_page_imports_no_domain():
    """Domains register their dashboards with it (home.register_dashboard)."""
    domains = {m for m in _imports(APP / "home.py") if layer(m) == 3 and m != "app.home"}
    assert domains == set()
