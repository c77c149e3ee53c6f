from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ..api import Rule, RuleSpec
from ._analysis import isolation_may_fire, owned_model_spelled
from ...knowledge.auth import Identity, may_have_identity
from .._shared.identity import IdentityStack, identity_project_facts
from ...knowledge.models import identity_columns, is_owned, scoping_column
from ...knowledge.queries import isolation_findings

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


SPEC = RuleSpec(
    code="BKL202",
    name="ownership-checked-after-fetch",
    message="Ownership of `{model}` is checked after an unscoped fetch; filter on `{column}` in the query",
    # a comparison, or a fetch spelled in the file before an authorisation helper's call
    # (``row = db.get(...)`` / ``select(...)`` / ``.query(...)``, then ``check_permission(db, user, row.workspace_id)``);
    # a row from a repository function in a file with neither is not seen (no text prefilter would read
    # the project index for every file)
    requires=("==", "!=", " in ", " is ", "select", ".get", "query", "flask"),
    screen=isolation_may_fire,
    project_facts=identity_project_facts,
    local=True,
)


class OwnershipCheckedAfterFetch(IdentityStack, Rule):
    """
    ## What it does
    Reports an ownership check made in Python after a row of an owned model was loaded without an owner
    predicate. For example `item = session.get(Item, item_id)` followed by `if item.owner_id !=
    current_user.id: raise ...`; also a row from a repository function or method that returns the model
    and is not given the principal (`crud.item.get(db, id=id)` on a `CRUDBase[Item, ...]`,
    `repo.get_by_id(id)`, `self.items.get(session, id=id)` where `__init__` keeps a module-level
    `items = ItemStore(Item)` on `self`, `await Item.get(session, id)`, or any helper whose summary in the
    project index says it looks the row up by the key it is handed, with no owner predicate), and `is_owner =
    item.owner_id == user.id` tested later; `str(row.user_id) != str(user.id)` counts. The message names
    the identity column the project constrains for that model in its own queries (`workspace_id` rather
    than an audit `created_by_id`). A column that is none of the identity fields counts when the row's
    own column is compared with the principal's id itself (`if dashboard.create_by !=
    str(current_user.id): raise`: the project scopes that model by `create_by`, and the message names it);
    compared with anything else (`report.reviewer != reviewer`) it is no ownership check. The caller's id
    tested against a literal list of the row's owner columns (`current_user.id not in [obj.issuer_id,
    obj.executor_id]`) is one; a loop that only passes over the caller's own element (`for m in
    thread.members: if m.user_id == sender.id: continue`, notifying everyone else) is not. Rows of an
    active-record model count as well: a classmethod of a mixin the models inherit (`await
    Volume.one_by_id(session, id)`, whose body is `session.get(cls, id)` or `select(cls)...`) is a lookup of
    the model it is called on. The comparison must be
    an access decision (its `if` raises, returns or drops the row). It is reported; the fetch itself is
    then not reported by BKL201 (one finding per fetch).

    An *authorisation helper* called after the load counts the same way and is reported at its call,
    naming the row: a function given the principal (or an identity value) and the fetched row or one of
    its attributes (`check_permission(session, user, row.workspace_id, "read")`, `if not is_member(user.id,
    row.org_id): raise ...`). A helper is recognised by what it does, not by the arguments it takes: a
    project function that raises or is named like a check (`check`, `require`, `ensure`, `verify`,
    `permission`, `access`, `member`, `can_`, `has_`, ...) *and* decides on what it is given (a `raise` or
    a `return False` under a test of its parameters or of values computed from them, an `assert` on them, a
    returned comparison, or a call handing them on to another check), or a name in
    `authorization-helpers`. A project function that decides on what it is given and returns a verdict
    counts whatever its name when the caller raises on it (`if not api_key or not _api_key_in_scope(api_key,
    ctx): raise ...`). The row may be handed over as the object itself, also as the fetch written in the
    call (`return ensure_visible(await Volume.one_by_id(session, id), ctx)`); when such a helper (or a function
    it calls) compares one column of the row that is none of the identity fields and no identity column
    (`obj.owner_principal_id == ctx.current_principal_id`), the message names that column. A token signer that raises only when a module setting is missing
    (`sign_token(user_id=user.id, project_id=row.id)`), or a loader that re-raises in an `except`, is not
    a helper. Nor is a helper given only the database session besides the row
    (`_check_project_has_active_runs(session=session, project_id=p.id)` decides on the project's runs,
    not on who asks): the session handed along carries no principal, whatever helper it went through
    before. Nor is a project function given the principal only to hand it on or write it down
    (`create_subfolder(db, folder_id=row.folder.parent_id, new=..., current_user=user)` puts the caller on
    the rows it creates and raises only on a bad storage name): the load stays BKL201. And a later check of
    a row whose key a route decorator already verified against the caller (see BKL201) is not reported.
    A row bound on each way to a lookup of another model (`if kind == "atlas": item = ...query(Atlas)...
    elif kind == "chart": item = ...query(Chart)...`) and handed to such a helper is checked there, whatever
    the helper's verdict then serves (`return has_permission(user, item, action).permitted`, a permission
    probe): one finding at the helper's call, naming the first owned model.
    The helper's own check is reported like any other (`def can_access_deal(user, deal_id, db) -> bool: deal =
    ...; return deal.organization_id == user.organization_id` is BKL202 at the compare): the standard asks for
    the check inside the helper's query too.
    A project function given the row's key that returns the row's own model is a scoped fetch,
    not a check; given the row object itself and returning it (`ensure_visible(row, ctx) -> Volume`), it is
    a check. A function given the row that only formats or logs it decides nothing. A method of the
    function's own class counts whatever its name when it refuses access (401 / 403 / 404 or an
    access-named exception under a test of what it is given: `ticket = self.get_ticket(ticket_file.ticket_id,
    current_user)`); one named like a check that returns a row of a table model and refuses nothing
    (`self._ensure_output_file(workspace_id=run.workspace_id, actor_id=actor_id) -> File`, a get-or-create)
    is no check. A role list the function refuses on (`if current_user.role not in (Role.ADMIN,
    Role.MANAGER): raise`) makes no admin-only way when the function gives one of its members that is no
    administrator's a rule of its own (`if current_user.role == Role.MANAGER and s.assigned_by_id !=
    current_user.id: raise`). A
    policy built from the row and handed to the helper counts as the row (`await authorize(user,
    DatasetPolicy.get(dataset))`).

    Who asks may be handed to the helper as a value computed from the principal alone (`db_user = await
    self._resolve_user(user)`, then `is_member(organization, db_user)`); a user row the client names
    (`invitee = users.get_by_username(name)`, then `is_member(organization, invitee)`) is the user asked
    about, not who asks, and the check decides nothing about access. The row's key may also be compared
    with the keys of rows of the same model looked up for the caller (`mine = repo.list_for_user(user.id)`,
    then `if not any(p.id == project.id for p in mine): raise ...` or `if project not in mine: raise
    ...`): access is decided in Python against the caller's rows, reported at that test.

    The check may be made through a local or in a loop (`space = card.workspace_id` then
    `require_role(db, user, space)`; `for space in {c.workspace_id for c in cards}: require_role(...)`;
    `for card in cards: require_role(db, user, card.workspace_id)`; rows mapped by their key, `by_id = {c.id: c
    for c in cards}`, then `card = by_id.get(card_id)` and `if card.board_id != board.id: raise` against a
    checked board), through a relationship
    (`message.thread.workspace_id`, named in the message), or inside a comprehension whose result decides
    (`foreign = [c.id for c in cards if c.workspace_id != target.workspace_id]`, then `if foreign: raise`).
    A local bound on one way from the row's column and on the others from something else (`org_id =
    course.org_id` where the course was loaded, `org_id = link.org_id` of the caller's own membership
    elsewhere) and checked once the ways join (`if not await is_member(user.id, org_id, db): raise`) decides
    on the row on its way (the first such row, when several ways load one).
    A helper given an attribute of the request body (`require_role(db, user, body.workspace_id)`) verifies
    that attribute only: a row then loaded by another attribute of the body and compared with it is
    reported. Methods of class-based views (`@cbv(router)`, `@controller(router)`) whose class or a base
    class declares `user = Depends(<auth dependency>)` have `self.user` as the principal.
    A row handed on by a dependency (`note: Note = Depends(validate_note)`, where `validate_note` looks the
    row up by a path or query key with no owner predicate and no check of its own) and compared with the
    principal in the dependency or handler that receives it is reported at that comparison.

    CRUD helpers count when the route hands them who asks: a parameter that every authenticated caller
    fills with the principal's id (`current_user_id=str(user.id)`, or the value of an auth dependency that
    returns the caller's id itself, `token_user_id: Annotated[int, Depends(get_sub_from_token)]` handed on
    as it is) holds the principal in the helper. A row the helper gets from another project function whose
    summary looks it up by the key it is handed with no owner predicate (`activity =
    crud.get_activity_by_id(activity_id, db)`), then compares with that parameter, is reported there. The
    comparison decides access when the row is hidden rather than refused, too: `return None` for anyone but
    the owner (the route answers `404` or an empty body), an owner flag set in an `if` and tested by an exit
    later (`is_owner = True`, `if token_user_id != ride.user_id: is_owner = False`, `if not is_owner and
    ride.hide_splits: return None`), fetched rows filtered in Python for non-owners (`if uid !=
    ride.user_id: splits = [s for s in splits if ...]`), or a comparison that leads into a nested `if` that
    raises or returns (`if article.author != user: if not can_moderate(user): raise ...`, on any of its ways:
    `if pm: pass` / `else: raise`), also one that allows first (`if row.owner_id == user.id: pass` / `else:
    <refused on some way>`), the caller's membership looked up by a composite primary key
    (`session.get(ProjectMember, (project.id, user.id))`, or a mapping of the key's columns) and refused when
    missing (reported at that test, as for the same lookup written with `where`), an `if` with no
    `else` that lets only the owner write (`if task.creator_id == user.id or project.user_id == user.id:
    await session.delete(task)`), or an access flag set on more than one path and tested by an exit later
    (`has_access = ws.owner_id == user.id`, `if membership: has_access = True`, `if not has_access: raise`:
    reported at the comparison). Fields blanked
    for non-owners while the row is still returned, a flag only reported back, or a nested `if` that does
    not exit decide nothing.

    A method of the row's model, or of a model its relationships reach, that compares what it is given
    with the row's owner or members and returns a verdict (`def is_user_member(self, user_id): return
    any(m.user_id == user_id for m in self.members)`, `self.owner_id == user.id`, a membership lookup
    `filter_by(org_id=self.id, user_id=user_id)`) is an authorisation helper too when it is called with
    the principal after the load: `if not project.org.is_user_member(user.id): raise ...` is reported at
    the call, naming the row (`project`) and the method (`project.org.is_user_member()`). Whatever the
    method is called; a method that compares a parameter with a constant, returns a row, or is called
    with another user's id (`org.is_user_member(invitee_id)`) decides nothing about the caller. A verdict
    method that hands its parameter on to another method of the same class comparing it with the members
    (`def is_user_member(self, user_id): return self.get_user_membership(user_id) is not None`, the lookup
    returning the member row) decides on it too.

    The caller's link found by the row's key through a project helper given the principal decides too:
    `team = service.get_team_by_id(team_id)`, then `role = service.get_user_role_in_team(user["email"],
    team_id)` (a lookup by the caller's e-mail and the key) and `if role != "owner": raise` (a value equal to
    a constant is there; also `role not in ("owner", "admin")`), or `if not role and not is_admin: raise` (an
    administrator's escape beside it says nothing of the others): reported at the test, naming `team`. The
    same test before the row's load checks the key, and the load makes no claim.

    The check may be made on the row's parent: a row looked up by an attribute of the fetched row (`tenant
    = ...where(Tenant.id == role.tenant_id)`) whose owner is compared with the principal (`if
    tenant.owner_id != owner_id: raise`) decides access to the fetched row, and is reported there, naming
    it. When several comparisons decide on one row, the one with the principal or an identity value itself
    (`owner_id`, `user.id`) is reported, not one with values only derived from another loaded row (`if
    role.tenant_id not in [t.id for t in target_user.tenants]`, the tenants of the user the request names);
    such a comparison is reported only when it is the row's only check. One fetch gives one finding however
    many checks decide on it: a verdict made of a comparison and a helper (`can_close = table.creator_id ==
    user.id or await has_host_role(user, table.event_id, db)`, then `if not can_close: raise`), or checks in
    separate statements, are reported once, at the comparison with the principal when there is one (the owner
    column the message tells to filter on: `hosting = await has_host_role(...)`, then `if not hosting and
    table.creator_id != user.id: raise` is reported at the comparison), else at the first of them in the
    source. A helper's verdict held in a local and refused some lines lower (`allowed = await
    check_permission(...)`, then `if not allowed: raise`) is reported at the helper's call, which is the
    check, not at the `if` that raises on it.
    Two fetches, also one local bound to two lookups in turn, give a finding each.
    The parent may also be reached through a chain and checked by a helper or found by a load scoped to
    the caller: `letter = crud.get_letter(db, letter_id)`, `template = crud.get_template(db,
    letter.template_id)`, `team = crud.get_team(db, template.team_id)`, then `if not in_any_group(user,
    [ADMIN, team.manager_group]): raise` (also when the helpers return schemas of the rows, not the rows);
    `shop = crud.get_shop(db, seat.shop_id)` then `if shop is None or shop.manager_id != user.id: raise`;
    `board = crud.get_board_for(db, card.board_id, user.id)` then `if board is None: raise`; an owned parent
    loaded by a project helper from the row's column (`club = await ClubStore.by_id(db, voucher.club_id)`,
    then `is_owner = club and club.owner_id == user.id`, `if not (is_owner or ...): raise`). The row's
    access is decided there (reported at that check, not as BKL201 at the fetch), and later lookups by the
    row's key on that path are covered. A parent the client names by another key (`get_team(db, team_id)`),
    or a helper's verdict that stops nothing, decides nothing about the row.

    Comparisons on cache or token state, of a path parameter before any fetch, or of the principal
    table's own key are not ownership checks of a row and are not reported. Nor are checks of a row looked
    up by a secret the caller presents (token exchange, invites): a key computed by a digest function
    (`get_token_hash(code)`, `hashlib.sha256(...)`), or a store method whose query filters a capability
    column (`token`, `secret`, `invite_*`). An owner equality that only
    decides whether the row is reused (`reuse = row is not None and row.user_id == user_id`, then a new
    row otherwise) denies nothing: neither this rule nor BKL201 reports that fetch. Neither do owner
    comparisons that guard no access: a uniqueness conflict (the branch answers `409`, `CONFLICT` or
    "already exists": `if holder.user_id != user.id: raise HTTPException(409)`) and refusing the owner
    (`if board.user_id == user.id: raise ...` "the owner cannot leave": the equality holds on the raising
    branch). A row fetched by a repository function keyed only on values read from rows already loaded
    (`get_org(db, project.org_id)`) is not fetched by a client key: comparing its owner is no BKL202.
    Test code, one-off scripts and seed data make no claim: a module under a `tests`, `test`, `scripts`,
    `seeding`, `seeds`, `seed` or `fixtures` folder of the project, `test_*.py`, `*_test.py`, `conftest.py`
    and `seed*.py`. Nor does a function that is not a route handler when no route that is not admin-only
    reaches it through the project's calls (as for BKL201: CLI commands, background jobs, admin-only
    routes, functions nothing calls).

    Flask views are read as for BKL201 (its documentation says which shapes): there the caller is a global,
    so a permission helper named like one (`allowed`, `permission`, `access`, `can_`, `authoriz`, `owner`,
    `member`) handed the fetched row or its owner column decides on who asks without being handed the caller
    (`if not self.rules.allowed_for_org(P.VIEW, node.organization_id): return {...}, 403`), and `abort(404)`
    under the comparison exits as `raise` does. Active-record lookups through the models' shared base count:
    `Model.query` in a classmethod (`cls.query.filter(cls.id == id).first()`), and a base handed to
    `declarative_base(cls=...)` or Flask-SQLAlchemy's `SQLAlchemy(model_class=...)` is a base of every model.
    A helper that looks the row up on a module its caller hands it (`get_role(db, id)` whose body is
    `db.Role.get(id)`, called with `db` the project module that gathers the models) loads `Role` by that key.
    A name spelling `token` (`client.do_access_token_request(...)`) is a credential exchange, no permission
    helper. The checks of a view class's method that its authenticated views call on `self`, and of a view
    under `jwt_required(optional=True)`, are read with the view's caller.

    The chain may start at a row of a table with no identity column looked up from a repository by the
    client's key (a route's parameter, or a parameter of a service a route reaches): `card =
    CardsRepository.get_card(db, card_id)`, `column = ColumnsRepository.get_column(db, card.column_id)`,
    `board = BoardsRepository.get_board(db, column.board_id)`, then `check_board_permission(db, user,
    board.id, ...)`. The keys read off such a row are the client's choice as well, so the board's check
    decides access to the card: reported at the check, naming the first row of the chain (`card`) and the
    table checked. One finding per such row; none when that row is checked itself. A helper's verdict
    tested by an `if` that answers a conflict (`if is_member(db, board.id, user.id): raise
    HTTPException(409)`) decides no access. A check handed the key the row was looked up by rather than the row
    decides on it too, also an attribute of the body (`session.get(Project, payload.project_id)` then
    `require_project_task_create(session, project_id=payload.project_id, user=current_user)`).

    ## Why is this bad?
    The row of another user is loaded before access is denied: the endpoint becomes an existence oracle
    (a `403` for someone else's id, a `404` for a missing one), the unscoped load runs for every guess,
    and the check is easy to lose when the handler is refactored. Putting the owner predicate in the query
    gives the same `404` to everything the user may not see.

    ## Example
    ```python
    from fastapi import APIRouter, Depends, HTTPException
    from sqlmodel import Field, Session, SQLModel

    from app.deps import get_current_user, get_session

    router = APIRouter()


    class Item(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int


    @router.delete("/items/{item_id}")
    def delete_item(item_id: int, session: Session = Depends(get_session), current_user=Depends(get_current_user)):
        item = session.get(Item, item_id)
        if item is None:
            raise HTTPException(status_code=404)
        if item.owner_id != current_user.id:
            raise HTTPException(status_code=403)
        session.delete(item)
        session.commit()
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends, HTTPException
    from sqlmodel import Field, Session, SQLModel, select

    from app.deps import get_current_user, get_session

    router = APIRouter()


    class Item(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int


    @router.delete("/items/{item_id}")
    def delete_item(item_id: int, session: Session = Depends(get_session), current_user=Depends(get_current_user)):
        statement = select(Item).where(Item.id == item_id, Item.owner_id == current_user.id)
        item = session.exec(statement).first()
        if item is None:
            raise HTTPException(status_code=404)
        session.delete(item)
        session.commit()
    ```

    ## Fix safety
    No fix: moving the check into the query changes the status code clients see (`404` instead of `403`)
    and the query's shape, which needs a person.
    """

    spec = SPEC

    @classmethod
    def may_fire_for(cls, source: str, project: Any, settings: Any) -> bool:
        # the identity words first: cheaper to scan for than the owned words, and they pass fewer files (run 27)
        return may_have_identity(source, project, settings) and owned_model_spelled(source, project, settings)

    def on_function(self, node: cst.FunctionDef, identity: Identity) -> None:
        if not identity.in_scope:
            return
        found = isolation_findings(self.ctx, node, identity)
        for comparison, model in found.checked_after:
            columns = identity_columns(self.ctx.project, self.ctx.settings, model)
            scoping = scoping_column(self.ctx.project, self.ctx.settings, model)
            if scoping is not None:  # the column the project scopes this model by
                columns = (scoping,) + tuple(c for c in columns if c != scoping)
            short = model.rsplit(".", 1)[-1]
            helper = found.helper_checks.get(id(comparison))
            origin = found.origins.get(id(comparison))
            if origin is not None:  # the checked row was looked up from a row the client chose, which it decides on
                local, child = origin
                column = helper.column if helper is not None and helper.column else (columns[0] if columns else None)
                where = f"filter on its `{short}`'s `{column}` in the query" if column else "filter by owner in the query"
                how = f"`{helper.helper}()` on its `{short}`" if helper is not None else f"a check of its `{short}`"
                message = f"Access to `{local}` (`{child.rsplit('.', 1)[-1]}`) is decided by {how} after an unscoped fetch; {where}"
            elif helper is not None:
                column = helper.column or (columns[0] if columns else None)
                through = helper.through if column is None else (column if "." in column else None)
                if through and not is_owned(self.ctx.project, self.ctx.settings, model):
                    # a table owned only through the project's checks: the attribute the check was handed (read
                    # through a relationship of the row, ``template.project_id``: its parent's)
                    where = f"filter on `{through}` (what the check decides on) in the query"
                else:
                    where = f"filter on `{column}` in the query" if column else "filter by owner in the query"
                row = f"`{helper.name}` (`{short}`)" if helper.name is not None else f"the fetched `{short}` row"
                message = f"Access to {row} is decided by `{helper.helper}()` after an unscoped fetch; {where}"
            elif id(comparison) in found.compared_columns:  # an owner column outside the identity fields
                column = found.compared_columns[id(comparison)]
                message = f"Ownership of `{short}` is checked on `{column}` after an unscoped fetch; filter on `{column}` in the query"
            elif columns:
                message = self.message.format(model=short, column=columns[0])
            else:
                message = f"Ownership of `{short}` is checked after an unscoped fetch; filter by owner in the query"
            self.report(comparison, message)
