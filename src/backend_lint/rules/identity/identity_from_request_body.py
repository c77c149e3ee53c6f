from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ...values import Edit, Fix, FixAvailability
from ..api import Rule, RuleSpec
from ._analysis import client_identity_route, client_identity_spelled
from ...knowledge.auth import Identity, may_have_identity
from ...knowledge.client_identity import client_identity_findings
from ...knowledge.update_spread import update_spread_findings
from .._shared.identity import IdentityStack, identity_project_facts

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


SPEC = RuleSpec(
    code="BKL101",
    name="identity-from-request-body",
    message="`{field}` is taken from client data (`{source}`); read it from the auth dependency",
    fix_availability=FixAvailability.SOMETIMES,
    requires=(".get(", ".post(", ".put(", ".patch(", ".delete(", ".api_route(", ".websocket(", "add_api_route", "flask", ".get,", ".post,", ".put,", ".patch,", ".delete,",
              # a function registered from a configuration list under an authenticating route class names no
              # route word in its own file (``knowledge.auth.configured_endpoint_names``): it takes the request
              "Request"),
    screen=client_identity_route,
    project_facts=identity_project_facts,
    local=True,
)


class IdentityFromRequestBody(IdentityStack, Rule):
    """
    ## What it does
    Reports a route handler with an auth dependency that reads an identity field such as `owner_id` from
    client-supplied data. The auth dependency is a parameter (`current_user: CurrentUser`) or in the
    `dependencies=[...]` of the route or of its router; a handler with no auth dependency makes no claim. The identity fields are the `identity-fields` setting (`user_id`, `owner_id`,
    `tenant_id`, `organization_id` and more by default). Client data is `payload.owner_id` where `payload`
    is the request body model; `data["owner_id"]` / `data.get("owner_id")` where `data` came from
    `await request.json()`, `await request.form()` or `request.query_params` (or from dumping the body);
    or a body model that declares an identity field spread into an ORM constructor
    (`Item(**payload.model_dump())`, `Item.model_validate(payload)`) without the handler overriding that
    field. The update form counts too: such a body model dumped (`payload.model_dump(exclude_unset=True)`)
    and applied key by key with a `setattr` loop, in the handler or in the project function or method the
    handler hands the dump (or the model) to (`service.update(id, payload.model_dump())` with `for key,
    value in updates.items(): setattr(row, key, value)`), also through a local of the callee bound once to
    the dump (`data = payload.model_dump(exclude_unset=True)`, `for key, value in data.items(): setattr(row,
    key, value)` in the CRUD helper the handler hands `payload` to); it is reported at the dump or at the
    model handed on (the read of the identity value), unless the loop tests its key against an allow-list,
    the dump keeps the field out (`exclude={"owner_id"}`, `include=...`), or the handler or the callee
    writes the field itself (`row.owner_id = user_id` after the loop, `data.pop("owner_id")`). The create form
    through a callee counts too: the body model handed to a project function or method (`service.create_page(
    org_id, data)`) that stores an attribute of it in a scope column of a new row of a table model (`Page(...,
    workspace_id=data.workspace_id)`), reported at the model handed on, without a fix; not a person's id (whom
    the row is about), and not when the callee also looks a row up by that parameter, compares it, or hands an
    attribute of it to anything but table constructors (a lookup of the workspace within the caller's
    organisation).

    Not reported: a field the handler compares with the principal (`if payload.owner_id !=
    current_user.id: raise ...`), checks membership for (a `check`/`ensure`/`verify`/... helper given the
    value and the principal; for a row looked up by the value and handed with the caller to a project helper
    whose refusal stops the handler, the helper's body must decide on both: `has_free_seats(acting_id(me),
    school.id, db)` that reads only the school checks nothing; nor for such a row when a local holds what a call
    handed the caller and the row answers, the caller's standing on it, and a test of that local refuses the
    caller with 401 / 403: `role = role_in(db, user_id=user.id, workspace_id=ws.id)`, `if not has_permission(role,
    "create"): raise HTTPException(403)`, also inside `if ws.owner_id != user.id:`), uses as a key in a lookup scoped to the principal, or overwrites before use
    (`payload.owner_id = current_user.id`, `update={"owner_id": ...}`, `exclude={"owner_id"}`, an explicit
    keyword, or setting it on the new row before it is saved), nor a field that names the target of the
    action and keys the lookup of its row, which is then compared with the principal before a `raise` or
    `return` (`target = session.get(User, body.user_id)`, `if target.group_id != user.group_id: raise`;
    also when a function of the same module given the principal reads it only under a test of the
    principal), nor a field handed with the principal to a function of the same module that refuses it
    unless it names the caller before reading it otherwise (`user_id = _resolve_user_id(body.user_id, user)`
    with `if asked and asked != _email_of(user): raise HTTPException(403)`), nor a person's id (`user_id`, `owner_id`, `author_id`, `creator_id`, `created_by_id`) read after
    a statement of the handler that stops callers who do not manage (a bare call named for managing,
    `ensure_can_manage(user, shop_id)` / `self.checks.can_manage()`, or an `if` that exits when the caller's
    own row or the principal fails a managing test, `if mine is None or not mine.can_manage_sellers: raise`):
    that id names the member the manager acts on; a scope id (`organization_id`) stays reported. The same holds for a
    person's id read after a bare statement that stops callers who lack a named permission (a call named like a
    check and for a grant, `permission` / `role` / `admin` / `privilege`, handed the caller and a constant naming
    the grant and nothing the request sent: `await require_permission("admin:*", current_user, db)`), in a
    handler whose decorator gates it with a permission given to an authenticating dependency factory
    (`dependencies=[Depends(require_permission("create", "notifications"))]`, also a module-level name bound to
    that `Depends`, whether or not the handler also names the caller: the recipient or the assignee the permitted
    staff member chooses), in a handler whose caller comes from such a factory itself (`auth: tuple =
    Depends(require_access("ab_testing", "create"))`: the subject the permitted caller records), or whose caller
    comes from a project dependency that takes a path parameter of the route and may refuse by raising
    (`organizer: User = Depends(require_exhibition_organizer)` on `/exhibitions/{exhibition_id}/roles`: the caller
    is authorised on the resource the path names, and the person is whom a role is granted to), or read after a
    bare statement named like a check that is handed the caller and the resource the path names (the path
    parameter, or a local bound once to what a call keyed on it returns: `project = service.get(db, project_id)`,
    `require_project_edit(db, current_user, project)`) and nothing the request sent. Nor a
    person's id handed to a call beside the caller's own person under a keyword that names the actor
    (`add_approver(db, user_id=body.user_id, assigned_by=current_user.id)`; `*_by`, `*_by_id`, `actor*`,
    `acting_*`): the callee is told who acts and whom the action is about (not an ORM constructor, which stores
    the value as it is; a scope id handed so stays reported; the caller handed under another name or position
    says nothing). Nor a person's id stored in a new row whose constructor takes the column the project scopes
    that model by from the principal's own attribute (`Coach(workspace_id=current_user.workspace_id,
    **body.model_dump())`, `Nudge(workspace_id=current_user.workspace_id, user_id=body.user_id)`): the handler
    decided whose row it is, and the person named is whom the row is about (not for a model the project scopes
    by the person, nor when the tenant comes from the client or from another dependency). Nor a `user_id` or
    `member_id` in a handler named for adding or removing a user or member, also of a named group
    (`add_user_to_group`, `invite_member`, `add_project_member`): the client must name whom the action is about.
    Nor a value handed to a project function that does nothing with it but hand it on, each time beside the
    caller or the caller's own attribute, to a function whose lookup is keyed on both (`issue_token(robot,
    body.user_id, db)` -> `_agent_in_desk(user_id, robot.org_id, db)` joining the person's seat on `org_id`):
    every use is a key in a lookup scoped to the caller. A local that
    only copies the value (`target_id = body.user_id if body.user_id else current_user.id`) is the value: a key
    in a lookup another condition of which reads the caller (`.where(User.id == target_id).where(
    User.organization_id == current_user.organization_id)`) is a scoped key. In a view whose caller is a global
    (Flask), a value handed to a helper named for a permission (`allowed`, `permission`, `access`, `can_`) whose
    "no" ends the view with 401 / 403 (`if not self.r.allowed_for_org(P.CREATE, org_id): return ..., 401`) is
    checked: the helper reads the caller from the global. Path parameters and values from
    `Depends(...)` are not client data; a class named like an ORM model but imported from elsewhere (a
    pydantic `User`) is resolved by its import. Handlers whose only auth dependency is an admin one are
    not checked. One finding per field and source, at its first read.
    Test code and one-off scripts make no claim: a module under a `tests`, `test` or `scripts` folder of the
    project, `test_*.py`, `*_test.py` and `conftest.py`.

    Flask views (BKL201's documentation says which shapes are understood, and when the view has the caller):
    the request body, `request.get_json()`, `request.json` and `request.form`, is client data, read
    directly (`request.json["user_id"]`, `request.json.get("user_id")`) or through a local (`data =
    request.get_json()`); a view that no decorator authenticates makes no claim. The query string
    (`request.args`) is not read: it names what a listing is filtered by. A value of the view's URL rule
    (`<int:user_id>`) is a path parameter, as in FastAPI.

    ## Why is this bad?
    The client decides who owns the row: any user can create or move data into another user's (or
    tenant's) account by sending their id (mass assignment, OWASP API3/API1). The identity is already
    known from the auth dependency.

    ## Example
    ```python
    from fastapi import APIRouter, Depends
    from pydantic import BaseModel
    from sqlmodel import Field, Session, SQLModel

    from app.deps import get_current_user, get_session

    router = APIRouter()


    class Item(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        title: str
        owner_id: int


    class ItemCreate(BaseModel):
        title: str
        owner_id: int


    @router.post("/items")
    def create_item(payload: ItemCreate, session: Session = Depends(get_session), current_user=Depends(get_current_user)):
        item = Item(title=payload.title, owner_id=payload.owner_id)
        session.add(item)
        session.commit()
        return item
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends
    from pydantic import BaseModel
    from sqlmodel import Field, Session, SQLModel

    from app.deps import get_current_user, get_session

    router = APIRouter()


    class Item(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        title: str
        owner_id: int


    class ItemCreate(BaseModel):
        title: str


    @router.post("/items")
    def create_item(payload: ItemCreate, session: Session = Depends(get_session), current_user=Depends(get_current_user)):
        item = Item(title=payload.title, owner_id=current_user.id)
        session.add(item)
        session.commit()
        return item
    ```

    ## Fix safety
    An unsafe fix reads the identity from the auth dependency instead (`current_user.id`; the field ->
    attribute map is the `identity-attributes` setting, e.g. `tenant_id = "tenant_id"`): reads are
    replaced, a spread `Item(**payload.model_dump())` becomes `Item(**{**payload.model_dump(), "owner_id":
    current_user.id})` and `Item.model_validate(payload)` gets `update={"owner_id": current_user.id}`.
    Clients that relied on choosing the owner stop being able to, on purpose. No fix is offered when the
    principal's attribute for the field is not known, or when no parameter carries the principal (an auth
    dependency given in `dependencies=[...]` only), nor for the update form (a `setattr` loop: whether to
    drop the field or to overwrite it depends on the callee).
    """

    spec = SPEC

    @classmethod
    def may_fire_for(cls, source: str, project: Any, settings: Any) -> bool:
        return client_identity_spelled(source, project, settings) and may_have_identity(source, project, settings)

    def on_function(self, node: cst.FunctionDef, identity: Identity) -> None:
        if identity.route is None or identity.admin or not (identity.principals or identity.authenticated):
            return
        for finding in client_identity_findings(self.ctx, node, identity):
            if finding.kind == "param":
                continue
            fix = None
            if finding.fix_edits:
                value = f"{finding.principal}.{finding.attribute}"
                fix = Fix.unsafe(
                    f"Read `{finding.field}` from `{value}`",
                    [Edit.replace(n, text) for n, text in finding.fix_edits],
                )
            self.report(finding.node, self.message.format(field=finding.field, source=finding.source), fix)
        for spread in update_spread_findings(self.ctx, node, identity):
            # the update form of a spread: the dump applied key by key with ``setattr`` (no fix: where the
            # identity must come from depends on the callee)
            self.report(spread.node, self.message.format(field=spread.field, source=spread.source))
