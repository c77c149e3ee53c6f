"""One list of the words that say "the site's operator, not a tenant's" (``tenant_admins.SITE_OPERATOR_WORDS``)
for every reading that asks it, and the one place the tenant keys of a principal differ on purpose
(``HELD_TENANT_COLUMNS``)."""

from __future__ import annotations

import pytest

from backend_lint.knowledge.auth.dependencies import _PRIVILEGED
from backend_lint.knowledge.auth.tenant_admins import (
    HELD_TENANT_COLUMNS,
    names_site_operator,
    site_operator_gate,
    SITE_OPERATOR_WORDS,
)
from backend_lint.knowledge.index.extractors.orm import TENANT_COLUMNS


@pytest.mark.parametrize(
    "spelling", ["UserRole.SUPER_ADMIN", "Role.SYSADMIN", "PlatformAdmin", "require_global_admin", "get_root_admin", "is_staff_admin"]
)
def test_site_operators(spelling: str) -> None:
    assert names_site_operator(spelling)


@pytest.mark.parametrize("spelling", ["UserRole.ADMIN", "Role.AREA_MANAGER", "require_workspace_admin", "'owner'"])
def test_a_tenants_administrators(spelling: str) -> None:
    assert not names_site_operator(spelling)


def test_privileged_is_not_site_wide() -> None:
    # ``_PRIVILEGED`` says a gate is privileged (a tenant's admin too); the site words say whose it is
    assert _PRIVILEGED.search("userrole.admin") and not names_site_operator("UserRole.ADMIN")
    assert names_site_operator("Role.STAFF") and not _PRIVILEGED.search("role.staff")
    assert "admin" not in SITE_OPERATOR_WORDS


def test_site_operator_gate_by_name_or_flag() -> None:
    assert site_operator_gate("require_system_admin", {"param_compared": ["role"]})
    assert site_operator_gate("require_admin", {"param_compared": ["role", "is_superuser"]})
    assert not site_operator_gate("require_admin", {"param_compared": ["role"]})


def test_a_held_team_key_is_no_tenant_but_a_filtered_one_is() -> None:
    # a team is a unit inside one company: a row that merely holds ``team_id`` may be the company's administrator's;
    # a lookup filtered on ``team_id`` (or a context yielding it) binds the principal to that team
    assert "team_id" in TENANT_COLUMNS and "team_id" not in HELD_TENANT_COLUMNS
    assert HELD_TENANT_COLUMNS == TENANT_COLUMNS - {"team_id"}
