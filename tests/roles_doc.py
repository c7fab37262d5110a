"""``docs/roles.md`` from the hand-written permission matrices (``tests/matrix_*.py``).

The matrices are what the route-walk tests hold the running portal to; the
document is rendered from them, so the role tables a reader sees are the ones
the tests check (``tests/test_roles_doc.py`` fails when they drift). Rewrite
it with ``python -m tests.roles_doc``.
"""

from __future__ import annotations

import glob
import importlib
import os
import pathlib

from app.security import roles

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "roles.md"
ROLE_ORDER = (
    roles.ADMIN,
    roles.MINISTRY,
    roles.REGIONAL_ADMIN,
    roles.TRAINER,
    roles.CASE_WORKER,
    roles.PROVIDER_REP,
    roles.AUDITOR,
    roles.HROMADA_EDITOR,
)

INTRO = """# Roles and permissions

Built-in roles are defined in code (`app/security/roles.py` and each domain's
`permissions.py`); they cannot drift in the database. Scope is one mechanism
(`app/security/scope.py`) applied to lists, record pages, actions, exports,
lookups, dashboards and the REST API:

| Role | Scope |
|---|---|
| Адміністратор | everything; manages users and roles |
| Працівник міністерства | national; approves providers (does not submit them), runs selections, resumes suspended centres |
| Регіональний адміністратор | their oblast: registers centres, suspends and closes them; case figures of the oblast as counts only |
| Тренер | trainings, workshops and attendance |
| Фахівець надавача | the case register of their own provider |
| Представник надавача | their own provider's card, documents and proposals |
| Аудитор | reads; sees no training participants, specialists or other personal data |
| Редактор громади | their community's applications and centre pages |

The tables below are rendered from the permission matrices the tests check
(`tests/matrix_*.py`, by `python -m tests.roles_doc`; `tests/test_roles_doc.py`
fails when this file and the matrices differ). A resource's permission is
`can_read`, `can_write`, `can_export` or a named command (`can_open`,
`can_suspend`, ...); «—» is no access. A role missing from a table has none.
"""


def merged_matrices() -> dict[str, tuple[str, dict[str, set[str]]]]:
    """resource -> (matrix module, role -> permissions)."""
    merged: dict[str, tuple[str, dict[str, set[str]]]] = {}
    here = os.path.dirname(__file__)
    for path in sorted(glob.glob(os.path.join(here, "matrix_*.py"))):
        name = os.path.basename(path)[:-3]
        module = importlib.import_module(f"tests.{name}")
        for resource, by_role in module.EXPECTED.items():
            _, target = merged.setdefault(resource, (name, {}))
            for role, perms in by_role.items():
                target.setdefault(role, set()).update(perms)
    return merged


def render() -> str:
    parts = [INTRO]
    by_module: dict[str, list[tuple[str, dict[str, set[str]]]]] = {}
    for resource, (module, by_role) in sorted(merged_matrices().items()):
        by_module.setdefault(module, []).append((resource, by_role))
    for module, resources in sorted(by_module.items()):
        parts.append(
            f"\n## {module.removeprefix('matrix_').replace('_', ' ').capitalize()}"
            f" (`tests/{module}.py`)\n"
        )
        present = [r for r in ROLE_ORDER if any(r in by_role for _, by_role in resources)]
        parts.append("| Resource | " + " | ".join(present) + " |")
        parts.append("|---|" + "---|" * len(present))
        for resource, by_role in resources:
            cells = [
                ", ".join(p.removeprefix("can_") for p in sorted(by_role.get(r, ()))) or "—"
                for r in present
            ]
            parts.append(f"| {resource} | " + " | ".join(cells) + " |")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"written {DOC}")
