"""A project function handed who asks and a key, that loads the row by the key and decides in Python
(``ensure_workspace_access(workspace_id, user, repo)``, ``require_workspace_member(db, workspace_id, user_id)``):
the check in its own body decides access to a row the route's client named (BKL202 at that check, once)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..auth import Identity
from ..cst import load_names

if TYPE_CHECKING:  # pragma: no cover
    from .values import Comparison


def helper_caller_params(identity: Identity) -> set[str]:
    """In a project function (no route), the parameters named for who asks: ``user_id`` / ``current_user_id``
    (an identity parameter of the user field), which the routes fill with the caller's id; the other identity-named
    parameters (``workspace_id``) are keys the caller hands on, possibly the client's."""
    if identity.route is not None:
        return set()
    return {n for n, field in identity.identity_params.items() if field == "user_id" or n.startswith("current_")}


def helper_key_scoped(check: "Comparison", identity: Identity) -> bool:
    """In a project function, the checked row was looked up only by parameters named like identity fields that
    are the row's own key (``Workspace.id == workspace_id``, ``repo.get_by_id(workspace_id)``), and the check
    compares the row with who asks, another parameter (``workspace.owner_id != user_id``, ``== user.id``): the
    key is one the caller handed on (a route's path or body key), not the caller's tenant, so the row was
    loaded unscoped and access is decided after the fetch."""
    row = check.row
    if identity.route is not None or not row.scoped or row.opaque or not row.model:
        return False
    if row.sites:
        if not all(s.key_only_scoped for s in row.sites):
            return False
        keys = {k.split(".", 1)[0] for s in row.sites for k in s.key_names}
    else:
        keys = {k.split(".", 1)[0] for k in row.keys}
        if not keys or not keys <= set(identity.identity_params) or keys & helper_caller_params(identity):
            return False
    who = (set(identity.principals) | helper_caller_params(identity)) - keys
    return any(n in who for n in load_names(check.node))
