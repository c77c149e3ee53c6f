from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ...values import Edit, Fix, FixAvailability
from ..api import Rule, RuleSpec
from ._analysis import client_identity_route, client_identity_spelled
from ...knowledge.auth import Identity, may_have_identity
from ...knowledge.client_identity import client_identity_findings
from .._shared.identity import IdentityStack, identity_project_facts

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


SPEC = RuleSpec(
    code="BKL102",
    name="identity-parameter-from-client",
    message="Identity parameter `{field}` comes from the client; take it from the auth dependency",
    fix_availability=FixAvailability.SOMETIMES,
    requires=(".get(", ".post(", ".put(", ".patch(", ".delete(", ".api_route(", ".websocket(", "add_api_route", "flask", ".get,", ".post,", ".put,", ".patch,", ".delete,",
              # a function registered from a configuration list under an authenticating route class names no
              # route word in its own file (``knowledge.auth.configured_endpoint_names``): it takes the request
              "Request"),
    screen=client_identity_route,
    project_facts=identity_project_facts,
    local=True,
)


class IdentityParameterFromClient(IdentityStack, Rule):
    """
    ## What it does
    Reports a route handler parameter named like an identity field that the client supplies through
    `Body()`, `Form()` or the query string, in a handler that also has an auth dependency. The auth
    dependency is a parameter or sits in the `dependencies=[...]` of the route or of its router. The identity
    fields are the `identity-fields` setting (`user_id`, `owner_id`, `tenant_id`, `organization_id` and
    more by default); names match exactly (`on_behalf_of_user_id` is not `user_id`). An auth parameter
    annotated only with the project's stand-in for a caller with no credential (`current_user: AnonymousUser
    = Depends(get_current_user)`, a class named `Anonymous*` / `Unauthenticated*`) says the handler serves
    callers who are not signed in: it is no auth dependency, and a credential its body authenticates (a
    third-party login's token) is the one signing in, not a caller (families 1 and 2 make no claim there).

    Not reported: path parameters that address a resource (`/users/{user_id}/items`), values from
    `Depends(...)`, headers and cookies, a parameter the handler compares with the principal, checks
    membership for (a `check`/`ensure`/`verify`/... helper given the value and the principal), uses only
    as a key in a lookup scoped to the principal, or overwrites before use. Nor a parameter handed, with the
    principal, to a service that hands both to a check: a project helper is one when its body decides on both
    (raises, or returns a verdict, on a value made from the two: `self._home_ledger(tenant_id, clerk)`, a held
    policy's `can_read(clerk, tenant_id)`, a dict or enum of rights the service exits on), whatever its name; a
    library's helper by its name. A helper that only records the caller, or decides on the value alone, checks
    nothing. Nor a parameter handed, with
    the principal, to a function of the same module that reads it only on a branch a test of the
    principal guards (`if can_manage(ctx): fields["user_id"] = user_id`, `if ctx.user.is_admin:`): the
    value is honoured only for callers the helper elevates (a bare presence test, `if user:`, guards
    nothing). Nor a value that keys the lookup of a row (the target of the action, `target =
    session.get(User, body.user_id)`) that is then compared with the principal before a `raise` or
    `return` (`if target.group_id != user.group_id: raise ...`). Nor a value every use of which is an argument
    that the project function or method it fills never reads (`service.get_preferences(user_id=user.id,
    workspace_id=workspace_id)` whose body ignores `workspace_id`). A local copy of the value stands for it also
    when the only other binding of the local is a local row's attribute (`space_id = workspace_id`, and where
    the client sent none `space_id = note.workspace_id`). A scoped lookup may be scoped by a tenant the route
    checked: a dependency that yields the resource it checked the caller against, or a plain dependency (a
    header read, `org_id: int = Depends(get_org_id)`) that another dependency of the same route takes while
    refusing a caller who is no member there (`member = Depends(require_permission(...))` built on
    `get_member(user=Depends(get_current_user), org_id=Depends(get_org_id))`): FastAPI runs a dependency once
    per request and hands every taker the same value, so a query-string `owner_id` that only narrows a listing
    of that tenant is a filter. Nor a person's id (`user_id`, `owner_id`, `author_id`, ...) in a route gated by a
    permission in its decorator (also through a module-level name bound to the `Depends`) or read after a bare
    statement that stops callers who lack a named permission (`await require_permission("admin:*", user, db)`):
    the staff member names whom the listing is about. Nor a value handed, beside the caller or the caller's own
    attribute, to a method of a service the handler holds (`service = ActivityService(db)`, `service.list_entries(
    user.organization_id, user_id=user_id)`) that does nothing with it but hand it on, beside that value, to a
    lookup keyed on both (a repository's `.where(Log.organization_id == organization_id)` ... `.where(Log.user_id
    == user_id)`). A copy of a person's id that falls back to the caller (`target = user_id or user.id`) stands for the
    value as `user_id if user_id else user.id` does (a tenant's, `tenant_id or auth_tenant_id`, is the override
    itself and stays reported). Handlers whose only auth dependency is an admin one are not checked.
    Test code and one-off scripts make no claim: a module under a `tests`, `test` or `scripts` folder of the
    project, `test_*.py`, `*_test.py` and `conftest.py`.

    ## Why is this bad?
    The handler knows who is calling from the auth dependency, yet lets the caller say whose data to act
    on: `GET /items?owner_id=42` lists another user's items unless something else checks it.

    ## Example
    ```python
    from fastapi import APIRouter, Depends
    from sqlmodel import Field, Session, SQLModel, select

    from app.deps import get_current_user, get_session

    router = APIRouter()


    class Item(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int


    @router.get("/items")
    def list_items(owner_id: int, session: Session = Depends(get_session), current_user=Depends(get_current_user)):
        return session.exec(select(Item).where(Item.owner_id == owner_id)).all()
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends
    from sqlmodel import Field, Session, SQLModel, select

    from app.deps import get_current_user, get_session

    router = APIRouter()


    class Item(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int


    @router.get("/items")
    def list_items(session: Session = Depends(get_session), current_user=Depends(get_current_user)):
        return session.exec(select(Item).where(Item.owner_id == current_user.id)).all()
    ```

    ## Fix safety
    An unsafe fix reads the identity from the auth dependency instead: every read of the parameter in the
    handler becomes `current_user.id` (the field -> attribute map is the `identity-attributes` setting).
    The parameter itself stays in the signature, now unused, so clients that send it are not rejected;
    remove it when the API may change. Offered only when the principal's attribute for the field is known
    and a parameter carries the principal.
    """

    spec = SPEC

    @classmethod
    def may_fire_for(cls, source: str, project: Any, settings: Any) -> bool:
        return client_identity_spelled(source, project, settings) and may_have_identity(source, project, settings)

    def on_function(self, node: cst.FunctionDef, identity: Identity) -> None:
        if identity.route is None or identity.admin or not (identity.principals or identity.authenticated):
            return
        for finding in client_identity_findings(self.ctx, node, identity):
            if finding.kind != "param":
                continue
            fix = None
            if finding.fix_edits:
                value = f"{finding.principal}.{finding.attribute}"
                fix = Fix.unsafe(f"Read `{finding.field}` from `{value}`", [Edit.replace(n, text) for n, text in finding.fix_edits])
            self.report(finding.node, self.message.format(field=finding.field), fix)
