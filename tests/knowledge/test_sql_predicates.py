"""Raw SQL conditions read for an owner predicate (``text(...)`` clauses, BKL201)."""

import pytest

from backend_lint.knowledge.queries import _sql_scopes

FIELDS = frozenset({"owner_id", "user_id", "workspace_id"})


@pytest.mark.parametrize(
    "sql, binds",
    [
        ("owner_id = :owner_id", ()),
        ("d.owner_id = :uid AND status = :status", ()),
        ('"folders"."user_id" IN :ids', ()),
        ("workspace_id = ANY(:spaces)", ()),
        (":uid = owner_id", ()),
        ("owner_id IS NULL", ()),
        ("1=0", ()),
        ("( 1 = 0 )", ()),
        ("app_id = :app_id_val", ("app_id_val",)),  # bound from the principal in the function
        ("SELECT * FROM folders WHERE full_path = :full_path AND owner_id = :owner_id", ()),
    ],
)
def test_owner_predicates(sql: str, binds: tuple) -> None:
    assert _sql_scopes(sql, FIELDS, binds)


@pytest.mark.parametrize(
    "sql, binds",
    [
        ("status = :status", ()),
        ("app_id = :app_id", ("other",)),  # a parameter not bound from the principal
        ("owner_id > 3", ()),  # no bound parameter
        ("title = :title", ()),
        ("", ()),
        ("false", ()),  # read as SQL only through ``1=0``: a string "false" is no clause
    ],
)
def test_not_owner_predicates(sql: str, binds: tuple) -> None:
    assert not _sql_scopes(sql, FIELDS, binds)
