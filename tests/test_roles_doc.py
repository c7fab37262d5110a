"""docs/roles.md is the permission matrices the route-walk tests check."""

from tests.roles_doc import DOC, merged_matrices, render


def test_roles_doc_is_rendered_from_the_matrices():
    assert len(merged_matrices()) >= 20  # the matrices were found
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/roles.md differs from tests/matrix_*.py: run python -m tests.roles_doc"
    )
