"""Roles handed to an inline role check are alternatives (``role_lists``): admin-only only when every one is."""
from __future__ import annotations

from backend_lint.knowledge.auth.role_lists import admitted_roles, names_roles


def test_names_roles() -> None:
    assert names_roles("check_role")
    assert names_roles("app.auth.require_roles")
    assert names_roles("ensure_any_role")
    assert not names_roles("require_permission")
    assert not names_roles("check_role_permission")
    assert not names_roles("enforce")


def test_admitted_roles() -> None:
    assert admitted_roles(['"admin"', '"super_admin"'])
    assert admitted_roles(["Role.ADMIN", "Role.SUPERUSER"])
    assert not admitted_roles(['"admin"', '"teacher"'])
    assert not admitted_roles(['"owner"', '"admin"'])
    assert not admitted_roles(["ProjectRole.OWNER.value", "ProjectRole.ADMIN.value"])
    assert not admitted_roles([])
