from __future__ import annotations

from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...values import Edit, Fix, FixAvailability
from ..api import Rule, RuleSpec
from ._analysis import checked_parent_spelled, owned_model_spelled, unscoped_may_fire
from ...knowledge.auth import Identity, may_have_identity
from .._shared.identity import IdentityStack, identity_project_facts
from ...knowledge.models import core_table, creator_recorded_only, identity_columns, is_owned, is_table_model, scoping_column
from ...knowledge.cst import iter_children, load_names
from ...knowledge.scoping import membership_owner
from ...knowledge.queries import (
    PRIMARY_KEY_NAMES, Site, checked_parent_params, decorator_checked_parents, function_queries, isolation_findings, membership_group, owning_parents,
    directory_link, picks_guarded_parent, shared_party_record,
)

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


SPEC = RuleSpec(
    code="BKL201",
    name="unscoped-owned-query",
    message="Query on owned model `{model}` has no predicate on `{column}`",
    fix_availability=FixAvailability.SOMETIMES,
    # a lookup spelled in the file, or a route (``Depends`` / ``Security``) that may hand a client key to a
    # helper whose summary looks a row up by it (``knowledge.queries.followed_fetch``); or a check of a parent row
    # (BKL202's words: a comparison, a presence test) beside a child row served untied to it (``untied``)
    requires=(
        "select", ".get", "query", "update", "delete", "Depends", "Security", "request.state", "request.user",
        "Header(", "Cookie(", "__call__", "flask", "==", "!=", " in ", " is ",
    ),
    screen=unscoped_may_fire,
    project_facts=identity_project_facts,
    local=True,
)


class UnscopedOwnedQuery(IdentityStack, Rule):
    """
    ## What it does
    Reports a query on an owned model that has no predicate on its identity column, in a function where
    the identity is available. An owned model is an ORM table with an identity column such as `owner_id`
    (itself or through a mixin or base class, in any module; `owned-models` / `not-owned-models`
    override), or with an owner reference: a foreign key named only by owner words before the user or
    account table (`created_by_user_id = mapped_column(ForeignKey("user.id"))`, `owner_account_id`; not
    `on_behalf_of_user_id`, `reviewer_user_id` or a column that is no foreign key), or with a column the
    project itself compares with the caller (`knowledge.scoping`, with no configuration): a query predicate
    `Tool.owner_email == user_email`, an access decision `if board.crew_id != user.crew_id: raise`, an
    authorisation helper given the caller and the row or its column whose body compares them or looks them up
    together (`user_has_client_access(current_user.id, alert.alert_customer_id)`, a membership query on both),
    or a method of the model or its mixin doing so with `self.<column>` (`HouseholdMember.find_by_ids(
    self.household_id, current_user.id)`), or a column a child table holds as a copy of its owned parent's
    (the same name, declared alike, beside its reference to the parent: `Sitting.tutor_username` beside
    `Sitting.course_id` when the project compares `Course.tutor_username` with the caller; not a column naming
    who acted, `created_by`), or, for a table with no identity column whose every reference is to an owned
    table and that names no person, through that parent (`InvoiceItem.invoice_id` -> `Invoice.vendor_id`: a
    line loaded by a client key on a route that checks neither it nor its invoice is reported, "its rows are
    owned through `Invoice`"); the caller is the principal or one of its identity attributes
    (`user.id`, `user.email`, `g.user.id`, `user.household_id`) or a value named as its identity (`user_id`,
    `user_email`), never another attribute (`user.status`) nor the row's own natural key (`User.email ==
    user_email` reads the principal's table). A parameter named as the caller's identity that the project
    scopes rows by (`user_email`) then holds who asks, as a `user_id` parameter does. A table is an SQLModel
    `table=True` class, a subclass of a declarative base, or a class that names its table
    (`__tablename__`) and declares `Column(...)` / `mapped_column(...)` attributes whatever its base (one
    made by a project function, `Model = create_model(db)`). The identity is available in a route
    handler that reads the caller from the request state (`request.state.user`, `request.state.user_id`,
    for a parameter typed `Request`; Starlette's `request.user` is not read: apps use it to record who
    created a row), or with an auth dependency (recognised by what
    it does: `Depends(f)` / `Security(f)` where `f`, through its own dependencies and `Annotated` aliases in
    any module, depends on a security scheme, decodes a token, reads a fastapi-users strategy's token or
    returns the project's user model from the request alone, or hands a credential parameter it is given
    (`token`, `api_key`, `password`, ...) to a check, raises and returns a value (`def user_is_available(user_id
    = Form(...), token = Form(...), db = ...)` returning `user_id`), or reads a header or cookie value, looks a row up
    by it, raises when the lookup's answer tests false and returns something else than that value (a worker's
    `verify_worker_token(request, db)` returning the token's workspace: the workspace is the caller; a
    dependency that only insists the header is there and returns the string, or never refuses, is none);
    class dependencies whose `__call__` does so;
    in a class-based view, a class attribute `user = Depends(...)` of the class or a base class, read as
    `self.user`; an object of a third-party authentication library (a package whose name says `auth`, `jwt`,
    `login`, `oidc`, ...: `Security(auth0.get_user)` with `auth0 = Auth0(...)`, also when an `if` arm binds a
    stand-in, `Depends(propel.require_user)` with `propel` returned by a project function, `Authorize: AuthJWT =
    Depends()`); a dependency built on one of these that takes no key from the client and returns a non-table
    object is the caller's context (`get_context(...) -> ApiContext`); a dependency factory called in the
    marker (`Depends(is_user_allowed_to([...]))`, `Depends(auth_required(scope=[...]))`) when the function it
    returns does any of this (a factory given a role or permission that names `admin`, `superuser`,
    `manage...` or `moderat...`, every element of a list doing so, `is_user_in(GroupType.admin)`, gates the
    route to admins: no claim there; `is_user_allowed_to([Perms.vote, Perms.manage_x])` lets voters in; the
    positional values of a project factory taking `*roles` are alternatives too: `require_role("teacher",
    "student", "admin")` lets students in, `require_role("admin", "super_admin")` is admin-only; so are the
    roles handed to an inline check, `check_role(user, "admin", "teacher")`, `require_roles(user, [...])`,
    `if user.role not in ("admin", "teacher"): raise`: admin-only only when every listed role is an administrator's
    or, with an administrator among them, the operator's staff: `[Role.ADMIN, Role.DISPATCHER, Role.AUDITOR]`);
    `auth-dependencies` adds names; a security scheme's own value is a credential, not a principal), or
    with the route authenticated and no caller in scope: an auth dependency or a security scheme in the route's,
    its router's or an `include_router(...)` call's `dependencies=[...]` (`APIRouter(dependencies=[Depends(
    oauth2_scheme)])`) and no principal parameter; there only a lookup keyed on a value the client sends is
    claimed, and no fix is offered (nothing of the caller to compare with); a handler that reads `request.user`
    behind a bare scheme, with no middleware to set it, serves nothing (Starlette refuses the read), or
    with the caller decoded in the handler's body, no dependency involved: `user_id, tenant_id =
    get_current_user_id(authorization)` where the argument carries the request's credential (a `Header()` or
    `Cookie()` parameter, the `Request`, a security scheme's credentials, or a local made from one:
    `token = authorization.split(" ")[1]`) and the project function called authenticates it (decodes a token
    or verifies the credential, itself or through the functions it calls, up to four calls deep), or
    `payload = jwt.decode(token, ...)` inline; what the assignment binds is the caller's from that line on,
    as is a claim read off it (`decode(token)["sub"]`). A token handed in the body (an invitation's, a
    reset link's) is a capability, not the caller; a header the handler never decodes says nothing. A
    service handed the header (`authorization`) that decodes the caller itself answers for the caller. An
    identity field read off an object the app's middleware put on the request (`request.state.session.user_id`)
    is the caller's id. Or in a Flask view whose decorator hands it the caller it authenticated (the project's
    decorator, or decorator factory, calls the view with a local whose value comes from a call that decodes or
    verifies the request's credential: `return f(auth_user, *args, **kwargs)` after `User.decode_auth_token(
    token)`): that parameter of the view is the principal; a privileged value (`admin`, `moderat...`, ...) for a
    decorator parameter the decorator compares with the caller and rejects on (`@require_auth(role=
    UserRole.MODERATOR)` with `if role and auth_user.role < role.value: return Forbidden()`) makes the view
    admin-only, and so are the helpers only such views reach; the same word for a parameter the decorator only
    records gates nothing. A route registered under a custom route class that authenticates
    (`APIRouter(route_class=AuthenticatedRoute)`, a project `APIRoute` subclass whose `get_route_handler`
    reads the request's cookie or header, raises without a valid one and puts the caller on
    `request.state`, `request.state.session = ...`) has that object as its principal, read or not; an
    endpoint marked by a project decorator with the attribute the route class reads to let it through
    (`getattr(self.endpoint, "is_public", False)`) has none. Routes are also found where a project helper
    registers them from a list of configuration objects (`register_routes(router, route_config)` looping
    `router.add_api_route(path=config.path, endpoint=config.as_view(), methods=[method])` over
    `[RouteConfig(path="/projects/{project_id}", endpoint=get_project, methods=["GET"]), ...]`), the
    endpoint a function or a class-based view whose `__call__` handles the request; the view's methods, and
    those of its project base classes, read the caller off the request it holds (`self.request`). Or
    in a function
    that takes the principal (a parameter named in `principal-parameters` or typed as the principal's
    class) or an identity value (a parameter named like an identity field) as a parameter. A dependency
    that hands back the request body it validated (`validator(body: TaskCreate = Body(), crud=Depends(
    crud_for_user)) -> TaskCreate`, also a subclass or base of the body) authenticates the request but
    yields no principal: the body's fields stay client keys. A module-level instance of a callable class
    given to `Depends(gate)` is that class's dependency.

    Recognised queries: `session.get(Item, id)`, `select(Item)` / `select(Item.id)` /
    `select(func.count()).select_from(Item)` (also built up in a variable over several statements),
    `update(Item)`, `delete(Item)`, `db.query(Item)` with `.filter(...)` / `.filter_by(...)` / `.get(...)`,
    executed through `session.exec/execute/scalars/scalar`, and the methods of a library CRUD object built
    for the model (`crud_items = FastCRUD(Item)`, also through an alias `ItemCRUD = FastCRUD[Item, ...]`;
    a library class named like a CRUD, a repository or a DAO): `get`, `get_multi`, `exists`, `count`,
    `update`, `delete`, ... filtered by the keyword arguments that name the model's columns (`id=item_id`),
    scoped when one names an identity column (`created_by_user_id=user["id"]`); a write addressed by the
    keys of an earlier lookup of the same model is that lookup's row (one finding per fetch). A generic
    manager given the model and its filters as a dict (`db.get(Team, filters={"id": team_id})`,
    `db.delete(filters={"id": team_id}, model_class=Team)`) is read the same way: scoped when a key names
    an identity column. A predicate
    held in a local (`flt = Item.email == email`, then `.filter(flt)`) keys the lookup on its names. A
    predicate counts when it mentions an identity
    column (`Item.owner_id == ...`, `.in_(...)`, `.is_(None)`, `filter_by(owner_id=...)`, inside
    `and_`/`or_`, in a join condition or on a joined membership table), a relationship to the principal
    (`Item.owner == user`) or a value taken from the principal, on every branch that leads to the query
    (in an `if`/`elif` chain on the caller's role over a project enum, a way only the operator's staff and
    administrators reach makes no claim: `else` after `role == Role.RESIDENT` in an enum of residents,
    dispatchers and admins). A tenant column (`workspace_id`, `organization_id`, `tenant_id`, `org_id`,
    `company_id`, `team_id`) equated only with a path key nothing on the route verifies (no dependency or
    decorator guarding it, no check handed it with the caller before or after, no scoped lookup of that tenant,
    no refusal on the caller) does not count: `Channel.workspace_id == workspace_id` names which workspace,
    not the caller's (message: "compares `workspace_id` only with a key the client chose").
    An exclusion on the identity column (`Post.author_id.not_in(blocked_ids)`, `Post.author_id != x`,
    `not in`) keeps every other owner's rows: it does not count, whatever it is compared with. A row looked
    up only to turn the client's key into its primary key, which then only filters a query the function
    scopes by the principal (`label_id = label.id if label else 0`, then `Post.label_id == label_id` beside
    `Post.author_id == user.id`), makes no claim: nothing of the row leaves.
    A statement handed to a helper together with the principal is scoped (also in a service a route's key
    is followed into: `TenantFilter.apply(self.db.query(Job), Job, self.organization_id)`, an identity value
    among the helper's arguments); handed to a helper without it, no claim is made. A raw SQL clause
    (`.where(text(sql))`) is read when its text is: a literal, an
    f-string or a concatenation of read parts, an `" AND ".join(...)` of read strings, or a local bound to
    one on every branch; it scopes when it compares an identity column with a bound parameter (`"owner_id
    = :owner_id"`), any column with a parameter this function binds from the principal
    (`params["app_id_val"] = auth.app_id`) or with a value interpolated from it, tests the identity
    column for `NULL`, or matches no row (`"1=0"`). An `OR` join does not scope. SQL built where it cannot
    be read (a helper in another module, a parameter) makes no claim. A dict whose every key is derived
    from the principal (`hashes[digest(path, workspace_id)] = path` after the workspace was checked) keys
    a lookup scoped to it (`.in_(list(hashes.keys()))`).

    The request is followed, not the function: a route's client key (path, query, body or form value)
    handed to a project function, a repository method (`store.fetch(job_id)`, `self.repo.get_one(id)`) or
    a model's or a store class's class or static method (`Job.by_key(session, job_id)`,
    `JobStore.get_job(db=db, job_id=job_id)`), or a project class built with it (`ChatFlow(db_session=db,
    chat_id=body.chat_id, ...)`, whose `__init__` looks the row up; also through a module-level instance of a
    store class, `chat_repo = ChatRepo()`, `chat_repo.get(db, chat_id)`, or one an `__init__` keeps on `self`,
    `self.item_dao = item_dao`) whose body, directly or through the helpers it
    hands the key to, looks a row of an owned model up by it with no owner predicate and no ownership
    comparison is reported at the route's call (not when that helper first handed the key, beside an
    identity-named parameter of its own, to a lookup scoped by it: `self.steps.fetch_in_org(session, id=step_id,
    org_id=org_id)`, then `self.steps.drop(session, id=step_id)` deletes the row already verified), the message naming the chain (per-function summaries
    computed with `ast` when the project is indexed); a receiver typed with an interface the project
    implements once (`pets: IPetsService`, a `Protocol` with one subclass) runs that class's methods. A
    tenant key the client sent in a header, the query string or a cookie, read by hand or returned unchecked
    by a project helper (`get_workspace_id(request, current_user)` preferring `X-Workspace-ID` to the
    user's own workspace), scopes nothing: `Chart.workspace_id == workspace_id` with it is reported, unless
    a check given the caller verified it first (`is_workspace_editor_or_above(db, user.id, workspace_id)`).
    A key addresses rows: a
    value the helper compares only with plain attributes of the model (`Note.lang == lang`,
    `Note.status.in_(statuses)`: not the primary key, a unique column or one in a unique constraint, a
    foreign key, nor a column named like an identifier such as `*_id`, `slug`, `name`, `email`) filters
    a listing and is no key, and so is the other part of a composite key that includes the owner column
    (`Counter.period == period` for a `(user_id, period)` key: one row per owner, across owners). A local
    that only copies a parameter or its attribute (`post_id = post.id`, `key = uuid.UUID(raw_id)`) keys
    the lookup on that parameter, also in the route (`persona_id = int(assistant_id)`). A helper given the principal or an identity value
    answers for the lookup, unless it never reads it or only keeps it on the object (`self.user = user` in an
    `__init__` that looks the row up by the key alone), or hands it only to a check of another row, given
    nothing made from the key (`organisation = get(db, Organisation, org_id)`, `check_user_in_org(user,
    organisation)` or `ensure_member(db, user, org_id)`, then the product by `product_id` alone: membership of
    the path's organisation says nothing of a product of another one). So does a repository object built with the principal whose method
    compares a column with an attribute of what it holds (`Message.api_client_id == self.api_client.id`). A helper that is not a route and is given no
    principal makes no claim of its own for a lookup keyed on one of its parameters: the key is its
    caller's (a background job's, an agent tool's, or a route's, which is then reported at its call).
    The column named in the message and used by the fix is the identity column the project itself
    constrains for that model in its queries (`workspace_id` for a note whose `created_by_id` is an audit
    column), the first configured identity column otherwise. Models filtered globally by `with_loader_criteria` in a `do_orm_execute` listener
    are scoped already; so are, in a schema-per-tenant project (a dependency handed the caller's user row sets
    the request's `search_path` to a schema computed at run time, and the shared tables name their `schema`),
    the tables that name no `schema` of their own. A context object an auth dependency builds from the
    authenticated request alone (`TenantContext(tenant=tenant, user=current_user)`, a plain class keeping its
    `__init__` arguments, or a dataclass) carries the caller: `ctx.tenant.id` is the caller's tenant, and a
    column compared with it is a scoping column; a context built from a header the client picks is not. Admin-only handlers and branches (`if current_user.is_superuser:`), background
    tasks and functions with no principal make no claim; so does a route under a permission decorator
    (a decorator factory whose wrapper hands its argument to a check whose verdict stops the view,
    `@require_permission("logs:read")`) given a privileged value (`admin...`) or a permission that no role of
    the project's literal role lists names while one role holds the wildcard (`{"name": "owner",
    "permissions": ["*"]}`): only the administrator holds it. A route authenticated only by a dependency of
    its own decorator, of its router, of another module's `include_router(router, dependencies=[Depends(
    current_user)])` or of the router that includes it when the dependency is named for the caller, decodes a
    token or looks a header's credential up (`keyed = APIRouter(dependencies=[Depends(venue_from_key)])`,
    `keyed.include_router(playlists.router)`), with no principal parameter, has no caller in scope to scope by: its lookups keyed on a
    client key (path, query, body, form) are reported, nothing else is; an admin dependency there makes its
    routes admin-only.
    A function that is not a route handler makes a claim only when a route that is not admin-only (or a
    dependency, a router factory's nested route, an MCP tool `@mcp.tool()`) reaches it through the
    project's calls (functions, methods of services and repositories, what is handed to a call as a
    callback or a dependency; a method called on an object the index cannot type, `self.repo.all_for(...)`,
    counts as reached when reached code calls a method of that name and the method's module holds reached
    code or is imported by a module that does).
    Functions reached only from background jobs (a Celery / dramatiq task, `BackgroundTasks.add_task`),
    CLI commands, startup hooks or admin-only routes (an admin dependency, or a body that opens with an
    admin check such as `require_admin(user)`), and functions nothing reaches, make none; `backend-lint
    facts` lists them with the reason. In a project where no route handler is found, only what
    background jobs alone reach makes no claim. When ownership is instead compared in Python
    after the fetch, or an authorisation helper given the principal and the row decides access after it,
    BKL202 reports it and this rule does not.
    Test code, one-off scripts and seed data make no claim: a module under a `tests`, `test`, `scripts`,
    `seeding`, `seeds`, `seed` or `fixtures` folder of the project, `test_*.py`, `*_test.py`, `conftest.py`
    and `seed*.py`.
    A statement wrapped as a boolean (`select(select(Item.id).where(...).exists())`,
    `select(exists().where(...))`) is the inner statement's query: its predicates are the ones that count.

    Not reported either (decided on real code):
    - a load inside a function that is itself an access gate: not a route, named like a check
      (`assert_*`, `check_*`, `ensure_*`, `verify_*`, `require_*`, `can_*`, `has_*`, `*_can_*`, ...),
      returning nothing or a verdict (`-> None` / `-> bool`, a comparison, `all(...)`, never a row), and
      deciding with the principal it is given (hands it to a call or compares it): the rows it loads are
      what it decides on;
    - a load inside a *rights report*: not a route, named `*_rights` / `*_permissions`, typed `-> dict`,
      reading the principal, and returning only a dict it builds (`rights = {...}`, `return rights`) that
      holds verdicts and the row's columns, never the row itself nor a method's answer on it
      (`get_course_user_rights(request, course_uuid, current_user, db) -> dict`: what the caller may do with
      the row, for the UI); a dict holding the row (`{"board": board}`, `board.model_dump()`) is still
      reported;
    - a load followed by the project's own access-checked getter of the same model, given the principal
      and the row's key (`existing = fetch_item_for_user(db, item_id=existing.id, user=user)`): the getter
      decides (its index summary filters through, compares or hands on the principal); a getter that
      ignores the principal it is given decides nothing and the load is still reported;
    - a query executed on a branch taken only by identity-less or elevated callers: an admin role, a
      global permission of the principal alone (`has_global_permission(user, Permission.MANAGE_ITEMS)`,
      constants only, no row or key), or no principal (`if user and not has_global_permission(...):
      stmt = stmt.where(Item.user_id == user.id)`: scoped on every other way); the way where the identity
      itself is absent (`elif user_id is not None: terms.append(Item.user_id == user_id)`, `if user:`,
      `if isinstance(current_user, AnonymousUser):`, a class named `Anonymous*` / `Unauthenticated*`) has
      none in scope, a flag set `True` only on elevated ways (`sees_all = True` under an admin test, or in a
      loop over the caller's roles under `if role.id in ADMIN_ROLE_IDS:`) makes `if sees_all:` an elevated
      way (set anywhere else too, `if drafts: sees_all = True`, it is the client's wish: still reported); so is
      the way of a helper's parameter its callers fill with an administrator's verdict on the caller
      (`can_view_all=rbac.is_system_admin(current_user)`; none hands it a literal `True` or client data), and
      a helper's parameter its callers fill with what a call made with the caller answered (`visible_ids=
      visible_project_ids(db, user=current_user)`, also `ids if not can_view_all else None`) is derived from
      the caller there, as in the route (`Project.id.in_(visible_ids)`); and a list of conditions that holds the owner predicate on every way the identity is
      present is empty only where it is absent (`if terms: stmt = stmt.where(or_(*terms))`); a guard on
      another flag (`if not include_all:`) leaves a way with the identity and no predicate: reported;
    - a route's load by a parameter that a decorator applied beneath the route's decorator verifies itself:
      the decorator's wrapper reads the key off the view's keyword arguments (`kwargs.get("folder_id")`),
      hands it, or a row looked up by it, together with the route's principal parameter (read off
      `kwargs` by its name) to a check whose failure stops the view (a project function that decides on
      what it is given, called alone and raising, or whose verdict an `if` tests before raising, returning
      or calling a function that raises: openrelik's `@require_access(allowed_roles=[...])`); loads by that
      parameter in the route and in the helpers it hands it to are checked. Another key of the same route
      is still the client's; a decorator listed above the route's decorator wraps a function the router
      never calls, and a decorator that hands the key to a logger decides nothing: both still reported.
      In a Flask view the wrapper may decide itself with the global caller: an `if` that ends in a denial
      (`raise`, `abort(401/403/404)`, a `return` of anything but the view's call) tests the key, or a row looked
      up by it, together with `current_user` / `flask.g` (`if book.creator_id != current_user.id: return
      abort(403)`), or tests a lookup that put the caller in its own filter (`.filter(Model.id == key)
      .filter(Model.org_id.in_(<current_user's orgs>))`, `if not found.first(): abort(403)`). A `429` (a rate
      limit) and a test that only lets the view through (`if current_user.is_admin: return view(...)`) decide
      nothing;
    - a listing over a union of statements (`union(owned_ids, shared_ids)`, also feeding a recursive CTE
      the listing is joined to) each of which is scoped;
    - a route's load by a path parameter that one of its dependencies loads and decides on: a dependency
      function given the caller (an auth dependency among its parameters) that raises or returns a
      verdict on that parameter, or a dependency class, or a permission class handed to one
      (`dependencies=[Depends(PermissionsDependency([TaskEditPermission]))]`), whose methods read
      `request.path_params["task_id"]` and decide;
    - a *catalogue*: a model whose identity columns are all optional and point to no table (no foreign
      key), and whose rows carry a globally unique key (`name = Field(unique=True)`); a role list with an
      empty-by-default `workspace_id` is shared by everyone, not owned;
    - a default identity name that names another table's row: `author_id` or `account_id` referencing a
      project table that is no party (`Book.author_id` holding an `Author` row's id, by its foreign key or,
      with none, by the one table model the column names: `authors` / `Author`). A party is a model whose
      class name says so (`user`, `account`, `org...`, `tenant`, `team`, `member`, `customer`, ...), that
      has a password column, is owned itself, or is the principal's class; `user_id`, `owner_id`,
      `organization_id` and the other default names keep their meaning whatever table they reference,
      except on a SQLAlchemy Core table (`pets = Table("pets", metadata, Column("owner_id", ...,
      ForeignKey("people.id")))`): there a person column (`owner_id`, `user_id`, ...) is an identity column
      only when its foreign key points at a user table (named `users` / `accounts`, or with a password
      column); queries on Core tables read `pets.c.owner_id == ...` as a predicate on that table;
    - a roster: a query on a membership table (its identity column shares a composite unique or primary
      key with references only, `UniqueConstraint("team_id", "user_id")`) filtered on the group column
      (`Member.team_id == team_id`); the row's `user_id` names the member, not an owner. A lookup of one
      membership by its own id is still reported, and so, in a route, is one whose member column is compared
      with a key the client chose (`Member.team_id == team_id, Member.user_id == member_id` from the path,
      not checked against the caller): that predicate names the member, scopes nothing, and the message says
      so (`compares `user_id` only with a key the client chose`, no fix);
    - a key that is the caller's already: read from a fetched row (not from a row of a table that is not
      owned, looked up by the client's key alone: `page = ...where(Page.id == page_id)` then `Book.id ==
      page.book_id` is a lookup by the client's choice) or a row handed in, compared equal to
      such a value (`if folder_id == authorized_folder_id:`), a service parameter named `authorized_*`,
      `verified_*`, `trusted_*` or `claimed_*` (the caller vouches for it, or hands in the verified
      identity's own claims, `claimed_workspace_ids=identity.workspace_ids`; in a route handler it is
      client data
      whatever its name), a key given with the identity to a helper whose failure stops the function
      (`if not lock_entry(session, key, user_id): raise`), or, in a callback nested in a service (not in
      a route handler), a parameter of the enclosing service, which its caller handed in;
    - a key checked earlier on the same path: the row it addresses was loaded with the owner predicate and
      found (`board = get_board_for(db, board_id, user.id)` then `if board is None: raise`, also `if seat is
      None or not seat.can_manage: raise`; a helper counts when it is given the principal and its index
      summary filters by an identity column, compares one or hands the principal on), or was checked (an
      ownership comparison, also of a schema a helper returned: `if shop.manager_id != user.id: raise`; an
      authorisation helper whose failure stops the function: `if not in_any_group(user, [ADMIN,
      team.manager_group]): raise`). Later lookups by that key are that row's or its children's
      (`crud.delete_board(db, board_id)`, `list_cards(db, board_id)`), and a check of a parent reached
      through the row's foreign key (`team = get_team(db, template.team_id)`) covers the row and its key
      (`list_letters(db, template_id)`). Not covered: a check on one branch only, a load that is never
      tested for absence, a helper that ignores the principal it is given, a lookup by another client key,
      and a parent reached through a child looked up by the parent's own key (`first_letter(db,
      template.id)` checked says nothing of the template's other letters). A key named like a key
      (`session_id`, `chat_session_id`) handed to such a helper is a key, not the database session. Where an
      authentication middleware sets `request.user`, the request handed to a project function that reads its
      `.user` (`playlist = _get_owned_playlist(request, id)`, which raises unless the owner is the caller)
      hands that function the caller: the key is verified as by any helper given the principal; a function
      handed the request that reads only its headers, or reads the caller without deciding anything, is not
      a check;
    - a query on the branch of a test of the principal alone named like a bypass of the scope (`if
      bypass_tenant_filter(ctx):`, for platform admins and system accounts): an elevated way; a test given a
      key too (`bypass_for(user, name)`) is no such gate;
    - a lookup keyed on a secret the caller holds: a column named like a token, a secret, an invite, a
      nonce or a one-time password (`Invite.invite_token == token`), or the `code` / `key` of a table
      named for one (`invites.c.code == code`, `OrganisationInvitationKey.key == data.key`): holding the
      secret is the authorisation;
    - a row only tested for existence (`if board is None: raise HTTPException(404)`) and never read,
      returned or handed on, in a function that decides access on another row (an ownership comparison
      or an authorisation helper): the load reveals nothing of the row;
    - a uniqueness check: a row looked up only to refuse the request when it exists (`if existing_user:
      raise HTTPException(400, "Email already registered")`, also `is not None`, also through the
      statement's result read once, `existing = result.scalars().first()`), never read, returned or handed
      on: the only answer is that such a row exists;
    - a value probe refused behind the row's own tests: a lookup by a value column (`Invitation.email ==
      body.email`; not `id` nor a `*_id` column) whose row is read only in the conditions of `if`s that ask
      for its presence or sit inside one that does, one of them refusing (`if existing: if existing.
      is_valid(): raise HTTPException(400)`, `if pending and pending.expires_at > now: raise ...`): it
      reveals at most that such a row exists in that state; the same row returned, changed (`else:
      existing.status = "expired"`) or asked for its state whether or not it exists, still reported. In a
      helper, the statement's result tested as its one row (`if existing.scalar_one_or_none(): raise
      ValueError(...)`) is the same uniqueness refusal as `if existing: raise`;
    - a count of a child table keyed only by its reference to a parent (`select(func.count(Booking.id)).
      where(Booking.session_id == session_id)`) in a function that looks the parent up by the same key: a
      number about the parent, whose own lookup answers for it; a count of a parent never looked up there, a count
      keyed by the model's own key, a sum or a maximum (a balance), still reported;
    - a key read from an object that was checked against the caller through a local (`ref =
      getattr(receipt, "buyer_ref")`, `if ref != str(user.id): raise`, then a lookup by `receipt.id`);
    - a row that is reused only when its owner is the caller (`reuse = row is not None and row.user_id ==
      user_id`): the owner is checked without denying access, so BKL202 does not report it either;
    - a lookup keyed on a parameter, in a helper given no principal (see above), and a route's call of a
      helper with a key that is not client data (a constant, a key read from a row loaded for the caller);
    - a *personalised listing*: a query keyed on nothing (no client key, no predicate keyed on any value)
      whose statement reads the principal only to shape each row for the caller
      (`.options(with_expression(Comment.my_score, score_for(user)))`, `case((User.id.in_(followed_ids),
      True))`): the function knew the caller and chose to list everyone's rows; a listing that never reads
      the principal (the owner filter forgotten) is still reported;
    - rows filtered one by one by an access check given the principal and the row (`[e for e in items if
      has_permission(user, e, Action.READ).permitted]`, `for e in items: if not can_read(user, e): continue`):
      the listing shows only what the project's check lets through; so does a comprehension keeping the rows
      whose column is among values read for the caller (`{r.uuid for r in links if r.group_id in mine}`,
      `mine` from a query scoped to the caller; beside other tests under `and`, not under `or`); a filter on
      a plain attribute (`if e.published`), on a set the caller did not produce, a check that only orders or
      counts the rows, still reported;
    - a uniqueness lookup: the row is only tested for presence by an `if` whose body exits (`if taken:
      abort(409)`) and never read otherwise; or whose body binds again every local the predicate compares a
      column with (`if existing.scalar_one_or_none(): slug = f"{slug}-{user.id}"`): another value is picked;
    - a person of the principal's own table found by an e-mail or user name (`User.email == body.email`, also
      through a helper) only to write their key onto another row (`Task(assignee_id=assignee.id)`, `task.
      reviewer_id = reviewer_id`), the row otherwise only tested for presence: the row returned, handed on
      (`send_invite(user=assignee)`), changed, or its key returned, still reported;
    - a row used only as a `filter_by` value (`Event.query.filter_by(sketch=sketch, searchindex=index)`) or
      for its key in a query scoped by the principal or a row checked for it: nothing of it leaves;
    - a child refused unless it is in a relationship of another loaded row (`if score_set not in
      collection.score_sets: raise HTTPException(409)`) that is checked for the caller afterwards
      (`assert_permission(user, collection, ...)`): tied to a checked parent; with no such check, reported;
    - a CRUD object built with the caller's value (`APIKeyCrud(session, project_id=ctx.project_.id)`) whose
      method compares the model's column with what it holds (`APIKey.project_id == self.project_id`),
      itself or through a method of its class (`delete` calling `self.read_one`): built with a client key,
      still reported;
    - in a service given the principal only to record who acted (a new row's constructor keyword,
      `created_by=user`; an attribute of a row handed in, `calibration.modified_by = user`; a callee that
      only hands it on; the test of an `if` that only sets values), its own reads: the route that hands it
      a key answers for the key (reported at the route's call unless the route verified it); writing the
      caller onto the row it looks up (`item.updated_by = user`) acts on that row: still reported. The
      same for the caller's id handed to a service that only writes it down and looks up the caller's own
      row by it alone on another table (`inviter = db.query(User).filter(User.id == inviter_id).first()`
      for a name in an e-mail): a route handing that service a key it looks a resource up by
      (`Workspace.id == resource_id`, on one branch of the service's `if kind == ...`) is reported at its
      call. The keys and predicates of each model's lookups are told apart when the service's statements
      share no join or subquery (a predicate on `OrganizationMember.organization_id` scopes no `Workspace`);
    - in a Flask view whose caller is a global (a decorator authenticates it), a listing keyed on nothing
      (`SigmaRule.query.all()`): the view's catalogue, as for a route whose router authenticates; a method of
      the view's class named like a check (`self._verify_sketch_and_datasource(sketch_id, datasource_id)`)
      that hands its key to a loader refusing without the caller's permission (`Sketch.get_with_acl(...)`)
      verifies the keys it is handed;
    - a key read from a row handed in: a parameter typed by an ORM table or by an alias naming only
      tables (`Commentable = Article | Collection`), or narrowed by `isinstance(item, Data)`;
    - keys gathered in a container bound empty (`seen = set()`, `= []`) or to checked keys only
      (`frontier = {topic_id}` after the topic was checked), every element put in (`add`, `append`,
      `extend`, `update`) read off a row fetched by such keys (`seen.add(link.to_id)` over the links of the
      frontier): as `[link.to_id for link in links]`; one element from the client (also `seen |= set(ids)`)
      makes it the client's;
    - a list of keys verified element by element before the lookup (`for name in names: if name not in
      my_names: raise ...`, with `my_names` read from the caller's rows; a loop that can `continue` or
      `break` past an element verifies nothing);
    - an ORM bulk UPDATE or DELETE by primary key with no predicate of its own (`session.execute(
      update(Project), updates)`) whose every `"id"` is read from a loaded row (`updates.append({"id":
      p.id, ...})`): it writes that lookup's rows, and the lookup is what is reported or not;
    - a row of a *public* model only read: the project serves the model's rows to every caller, so reading one
      by its id reveals nothing more. A model is public when a request handler that is not admin-only and never
      reads the caller (no principal parameter, or one it leaves unused) selects its rows with no predicate on
      an identity column and no key from a parameter, itself or in a project function it calls (a feed,
      `select(Pin).order_by(Pin.id.desc()).offset(o).limit(n)`; a directory, `doctor_service.find_by_field(db,
      field)` comparing only a plain column; a generic helper handed the class and nothing but parameters and
      constants, `paginated_response(db=db, model=Testimonial, skip=max(page, 0), limit=size)`). Such a handler
      counts though a later `def` of the same name replaces it in its module (the decorator registered it: an
      anonymous `/unauthenticated/paginate` beside the authenticated `/paginate`, both `def list_events`), and
      so does a service method it hands no parameter of its own (`event_service.get_paginated_events(params,
      None)`); a join condition between two models' columns (`exists().where(Organization.id ==
      Event.organization_id, Organization.name.ilike(f"%{q}%"))`) and a text search's column key no rows.
      A group table owned through its membership table (`Team` through `TeamMember`) is public the same way
      when such a handler lists it whole (a team picker listing every team to any signed-in caller); a
      listing of every row behind an admin dependency, or after a test of the caller's role, is none.
      Only reads: a plain lookup by a key, or one through project helpers each named for a read (`get_*`,
      `find_*`, `list_*`, `fetch_*`, ...) or for the row's existence (`check_model_existence(db, Testimonial,
      id)`), in a function that writes
      nothing (no `insert` / `update` / `delete` / `add` / `commit` call, no project call named for a write,
      `update_doctor(...)`, `mark_printed(...)`, no attribute assigned). An update or a delete of such a row,
      or a write beside the read (tags attached to the pin read), is still reported, and so is the listing
      itself where the caller is in scope: a forgotten owner filter there is one finding, not one per read;
    - a lookup by a key that a project helper handed the same key and an identity value checked earlier on
      the path: the helper loads the row by the key and compares its identity column with the value
      (`_require_workspace_run(service=service, workspace_id=workspace_id, run_id=run_id)` whose body raises
      unless `run.workspace_id == workspace_id`; BKL202 reports that comparison): a later lookup by that key
      (`service.cancel_run(run_id=run_id)`) is the checked row's (one finding per fetch);
    - what follows a permission check made as a statement of its own (its refusal raises), named for a check
      (or `enforce`), given the principal and constants only, one of them a privileged permission
      (`self._permission.enforce(subject, "hiring.admin", "*")`, `require_permission(user, Perm.MANAGE_USERS)`):
      the rest of the function runs for administrators only. So does any permission asked about every resource
      (`enforce(subject, "hiring.summary", "*")`, a collection's root `"article/"`: only a site-wide grant
      answers, as `require_global(key)` asks), and a test that lets only accounts named in the code through
      (`if user.username != "root": raise`). A permission on a key (`f"sites/{site_id}"`), a bare word
      (`"loans"`) or a verdict thrown away (`grants.check(...)`) gates nothing; the session and the grants
      service may be handed to the check too (`service=service`);
    - a route on a FastAPI router the project never includes (the project calls `include_router` somewhere,
      no call is handed that router, no other module imports the module that makes it, and no module that
      speaks of routers imports modules by name or loads plugins; anything else counts as included): it
      serves no request;
    - a parent row any caller can read by its key (a handler with no caller returns that model by key), loaded
      only to attach a new row the caller owns (`parent = get_question(db, question_id)` then
      `Answer(question_id=parent.id, created_by_id=current_user.id)`): the loaded row is only tested, or the
      lookup sits inside a creation helper handed the caller; a reply under a private parent is still reported;
    - what follows a platform-wide permission gate (a deciding project function handed the caller and a constant
      permission name, `_require_permission(current_user, permission_key="projects.edit")`), for models whose
      scoping column the caller cannot hold (no identity attribute or principal field holds it, nothing compares
      it with the caller); a model whose scope the caller holds is still reported, unless the route also loads a
      row of such a model by the same key (`delete(Grant).where(Grant.division_id == division_id)` beside the
      gated division's own lookup: that row's children, the gated role's as the row is);
    - a function whose identity parameter is only written onto new rows (`Revision(user_id=user_id)`,
      `insert(...).values(user_id=user_id)`, log calls aside): it records who did something, it does not
      act for that user when it reads. An identity parameter that is not used at all still counts:
      forgetting it (`def get_items(db, user_id)` that never filters) is the bug this rule is for.

    Flask views (Flask is in scope for families 1 and 2): a function decorated `@<app or blueprint>.route(...)`
    or `.get/.post/.put/.patch/.delete(...)` on a `Flask` / `Blueprint` object (flask, flask-smorest, APIFlask,
    or a project subclass), a function registered in its module with `add_url_rule(rule, endpoint,
    view_func=fn)`, and the HTTP-method methods (`get`, `post`, ...) of a class deriving from `MethodView` /
    `View` or a Flask-RESTful / Flask-RESTX `Resource` (Flask-RESTful's `api.add_resource(Cls, ...)` and
    `add_url_rule(..., view_func=Cls.as_view(...))` register every such method); every parameter of a view is a
    value of its URL rule (`<int:jar_id>`, a path parameter). A view has the caller when a decorator
    authenticates it: Flask-Login's `login_required`, flask-jwt-extended's `jwt_required()` (not
    `optional=True`), Flask-Security's `auth_required`, an `HTTPAuth` object's `login_required`, a class's
    `method_decorators` / `decorators` list (also inherited from a project base class in another module), or a
    project decorator (a factory, or a module-level alias of a
    factory's result: `with_user = only_for(("user",))`) whose wrapper calls `verify_jwt_in_request()` /
    `get_jwt_identity()` / a `verify`/`decode` of a token or session, reads `is_authenticated`, or tests an
    attribute of `flask.g` and exits (`raise`, `return`, `abort(401)`), or refuses the request as anonymous
    whatever its test calls: an `if` whose body answers 401 (`return error_response("Sign in", status=401)`,
    `abort(401)`, `raise Unauthorized()`) or sends the browser to sign in (`return
    redirect(url_for("auth.login"))`). `jwt_required(optional=True)` serves anonymous callers: the caller
    answers for the checks the view makes (BKL202 reads them) but this rule claims nothing there. A method of a
    view class that the class's authenticated views call on `self` (`self.get_single_run(id)`) runs in their
    request with their caller: BKL202 reads its checks; what it loads unchecked goes back to the view, read there
    (no finding in the method). The caller is then a global:
    `current_user` (Flask-Login, flask-jwt-extended, Flask-Security), the `flask.g` attributes an
    authenticating decorator or request hook binds to a value (`g.user = user`, `g.auth_user =
    APIKey.verify_token(token)`), a local bound to `get_current_user()`, or to `get_jwt_identity()` (the
    caller's id), and in a view class the properties of its project base class that return one of these
    (`self.current_user`, `self.current_org` returning a project `current_org` proxy). A decorator named for administrators (`admin`, `superuser`, `moderat...`) or given such a
    role makes the view admin-only (a project decorator taking `*roles` given several roles only when every one
    is an administrator's: `@require_role("Director", "CEO", "Admin")` lets an organisation's directors in);
    a view of a blueprint the project never registers serves no request and makes no claim (the project calls
    `register_blueprint` somewhere, no call is handed that blueprint, no other module imports the module that
    makes it, and no module that speaks of blueprints imports modules by name; anything else counts as registered); a view argument the decorator fills itself after deciding on it
    (`kwargs.update({"caseid": caseid})`) is not the client's. Not understood: a view authenticated only by
    a `before_request` hook (no decorator on it), a view registered through a wrapper call
    (`view_func=login_required(fn)`), GraphQL resolvers, Flask-Admin views.

    A model whose only owner columns record who made the row (`created_by_id`, `created_by_user_id`,
    `creator_id`), each of which may be empty (a nullable column: rows exist that nobody made, seeded reference
    data), and which the project never constrains by that column anywhere (no query predicate, `filter_by`
    keyword or comparison on it) holds shared records (templates, classifications, evidence types): a load by its
    id is no finding. The project comparing the creator with the caller anywhere (`SavedFilter.created_by ==
    current_user.id`), or a creator column every row must fill, keeps the model owned.

    A row of a table with no identity column counts when it belongs to an owned table through its foreign
    keys (`Tag.board_id -> Board`, `Card.column_id -> Column.board_id -> Board`, at most three tables away)
    and the function checks a loaded row of that owned table, but looks the child up by another client key
    and never ties it to the checked row (`board = get_board(db, board_id)`, `check_board_permission(db,
    user, board_id)`, then `tag = get_tag(db, tag_id)`: a tag of any board is served). It is reported at the
    child's lookup, once per client key. Tied means: a check of the child's own chain (BKL202 then), or a
    comparison of its reference column (`if tag.board_id != board.id: raise`), or a test of its
    membership in a row's collection (`if tag not in board.tags: raise`). A helper given only the
    parent's key, with no parent row loaded, names no table: no claim. A path key that a dependency in the
    route's or its router's `dependencies=[...]` verified for the caller (it looks the caller's membership up
    on the key and refuses otherwise: `require_membership(workspace_id, current_user, db)`) and that the
    handler does not take names a checked row too (`workspace_id` -> `Workspace`): a child of that table looked
    up by another client key and never tied to the key (no predicate on its column, no comparison with it) is
    reported at the lookup, with no fix; the key's own row, and a dependency that only loads the key (404 when
    missing), make no claim. (Such a dependency added only where another module includes the router is not
    read for this.)

    The owner named by the client: a route hands a path parameter (`/users/{user_id}/payments`, also
    `Path(...)`) to a project function or method whose predicates compare the model's identity column with
    that parameter alone (`Payment.user_id == user_id`, `filter_by(user_id=user_id, role_id=role_id)`; no
    other value on that column, no comparison of it in Python, no visibility column such as `is_public`): the
    lookup is scoped to whoever the client names. Reported at the call when the route reads the path key only
    as an argument of calls handed nothing of the caller (and in log f-strings); a path key compared with the
    principal first (`if user_id != current_user.id: raise`), a key from a dependency, and admin-only routes
    make no claim. A query-string or body value there is family 1's (BKL102/BKL101 at the parameter).
    The caller's id handed to a helper beside the client key does not answer for the key's row when the
    helper only uses it apart from the key: a write on the caller's other rows (`clear_default(user_id,
    table)` before `update(preset_id)`), or a lookup on another table. Likewise a client key the route has
    checked (`check_schedule_access(schedule_id, user, db)`) handed to a helper beside a second client key
    answers only for the helper's lookups keyed on it: a lookup of the helper's own keyed on the second key
    alone (`session.get(ScheduleList, schedule_list_id)`), with no key of a row compared after it in the
    helper, is reported at the call; one keyed on both, or followed by a test of the row's parent key
    (`if card.board_id != board_id: return None`), is not; a helper that never reads the checked key, or only
    hands it on, is read as before.

    ## Why is this bad?
    The row is looked up by a key the client controls (`/items/{id}`), so any user can read, change or
    delete any other user's row by guessing ids (IDOR, OWASP API1 broken object level authorization).
    Rows the project itself lists to every caller (a public feed or directory, see above) are public: reading
    one by id is not such a leak, changing or deleting one still is.

    ## Example
    ```python
    from fastapi import APIRouter, Depends
    from sqlmodel import Field, Session, SQLModel, select

    from app.deps import get_current_user, get_session

    router = APIRouter()


    class Item(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int


    @router.get("/items/{item_id}")
    def read_item(item_id: int, session: Session = Depends(get_session), current_user=Depends(get_current_user)):
        return session.exec(select(Item).where(Item.id == item_id)).first()
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


    @router.get("/items/{item_id}")
    def read_item(item_id: int, session: Session = Depends(get_session), current_user=Depends(get_current_user)):
        statement = select(Item).where(Item.id == item_id, Item.owner_id == current_user.id)
        return session.exec(statement).first()
    ```

    ## Fix safety
    For `select(...)` statements, an unsafe fix adds `.where(Item.owner_id == current_user.id)` right after
    the `select(...)` call: rows of other users stop being returned, which changes behaviour on purpose.
    It is offered only when the principal's attribute for the identity column is known (the
    `identity-attributes` setting; `user_id`, `owner_id`, `author_id`, `creator_id` and `created_by_id`
    map to `id` by default) or the function takes a parameter named like the column. Models owned
    through an organisation and checked through a membership table get no automatic fix.
    """

    spec = SPEC

    @classmethod
    def may_fire_for(cls, source: str, project: Any, settings: Any) -> bool:
        # the identity words first: cheaper to scan for than the owned words, and they pass fewer files (run 27)
        # (or a dependency handing on a row it checked named: a child of that row loaded untied to it)
        return (
            may_have_identity(source, project, settings) and owned_model_spelled(source, project, settings)
        ) or checked_parent_spelled(source, project, settings)

    def on_function(self, node: cst.FunctionDef, identity: Identity) -> None:
        if not identity.in_scope and not identity.router_auth:
            if checked_parent_params(self.ctx, identity) or decorator_checked_parents(self.ctx, node, identity):
                # no caller in scope, a row (or a path key) a dependency checked: only its untied children are
                # claimed
                self._report_untied_children(function_queries(self.ctx, node, identity).untied_children)
            return
        found = isolation_findings(self.ctx, node, identity)
        derived = found.queries.derived_names if found.queries is not None else set()
        for site, model in found.unscoped:
            if identity.view_helper:
                break  # a view class's helper hands what it loads back to the view that called it
            if derived and personalised_listing(node, site, derived):
                continue
            membership = None
            if not site.owner_value and (
                creator_recorded_only(self.ctx.project, self.ctx.settings, model)
                or (
                    shared_party_record(
                        self.ctx.project, self.ctx.settings, site, model, directory_link(self.ctx.project, self.ctx.settings, model)
                    )
                    and not picks_guarded_parent(self.ctx.project, self.ctx.settings, node, model)
                )
            ):
                # a shared record (who made it is all its creator column says), unless the project reaches the
                # group's rows through the caller's membership rows
                membership = membership_owner(self.ctx.project, self.ctx.settings, model)
                if membership is None:
                    continue
            columns = identity_columns(self.ctx.project, self.ctx.settings, model)
            scoping = scoping_column(self.ctx.project, self.ctx.settings, model)
            if scoping is not None:  # the column the project scopes this model by comes first
                columns = (scoping,) + tuple(c for c in columns if c != scoping)
            short = model.rsplit(".", 1)[-1]
            if membership is not None:
                keyed = " by a client key" if site.key_names else ""  # (a listing of every group is keyed by nothing)
                message = (
                    f"Query on `{short}`{keyed} is never checked; the project decides access to its rows "
                    f"through `{membership.rsplit('.', 1)[-1]}`"
                )
            elif site.owner_value:
                message = f"Query on owned model `{short}` compares `{site.owner_value}` only with a key the client chose"
            elif columns:
                message = self.message.format(model=short, column=columns[0])
            elif (parent := owning_parents(self.ctx.project, self.ctx.settings).get(model)) is not None:
                # (a table owned through a row of an owned table it references: this route checks neither)
                keyed = " by a client key" if site.key_names else ""  # (every tenant's children listed: ``tenant_tables``)
                message = (
                    f"Query on `{short}`{keyed} is never checked; its rows are owned through "
                    f"`{parent[0].rsplit('.', 1)[-1]}` (`{parent[1]}`)"
                )
            elif not is_owned(self.ctx.project, self.ctx.settings, model) and (
                group := membership_group(self.ctx.project, self.ctx.settings, model)
            ) is not None:
                # (a group table with no identity column, reached through the caller's membership rows)
                message = (
                    f"Query on `{short}` by a client key is never checked; the project decides access to its rows "
                    f"through `{group.rsplit('.', 1)[-1]}`"
                )
            elif not is_owned(self.ctx.project, self.ctx.settings, model):
                # (a table owned only through the project's checks after the load: this route makes none)
                message = f"Query on `{short}` by a client key is never checked; the project decides access to its rows after the load elsewhere"
            else:  # owned by configuration, through another table
                message = f"Query on owned model `{short}` has no owner predicate"
            if site.via:
                keys = ", ".join(f"`{k}`" for k in sorted(site.key_names))
                message += f" (reached with this route's {keys} through {' -> '.join(f'`{c}`' for c in site.via)})"
            self.report(site.node, message, None if membership is not None else self._fix(site, model, columns, identity))
        for fetch, model, parent, path in found.untied:
            short, owner = model.rsplit(".", 1)[-1], parent.rsplit(".", 1)[-1]
            through = " -> ".join(f"`{c}`" for c in path)
            message = (
                f"Query on `{short}` (owned through `{owner}` by {through}) is not tied to the `{owner}` checked here; "
                f"filter it by the checked row's key"
            )
            self.report(fetch, message)
        self._report_untied_children(found.untied_children)

    def _report_untied_children(self, found: list) -> None:
        for fetch, model, parent_name, parent, path, chain in found:
            short, owner = model.rsplit(".", 1)[-1], parent.rsplit(".", 1)[-1]
            through = " -> ".join(f"`{c}`" for c in path)
            message = f"Query on `{short}` is not tied to the checked `{parent_name}` (`{owner}`): filter on {through}"
            if chain:
                message += f" (reached through {' -> '.join(f'`{c}`' for c in chain)})"
            self.report(fetch, message)

    def _principal_path(self, name: str, type_q: Optional[str], attr: str) -> Optional[str]:
        """Where the principal's ``attr`` lives: ``user`` for the user model itself, ``p.account`` for a
        project wrapper class (``class Principal: account: Account``) with no ``attr`` of its own but one
        field holding a table model; ``None`` when the wrapper's shape is not clear."""
        project = self.ctx.project
        found = project.get_class(type_q) if (project is not None and type_q) else None
        if found is None or is_table_model(project, found[0]):
            return name
        fields = found[1].get("fields", {})
        if attr in fields:
            return name
        holders = []
        for field_name, facts in fields.items():
            ann = facts.get("annotation_qualified")
            inner = project.get_class(ann) if ann else None
            if inner is not None and is_table_model(project, inner[0]):
                holders.append(field_name)
        return f"{name}.{holders[0]}" if len(holders) == 1 else None

    def _fix(self, site: Site, model: str, columns: tuple[str, ...], identity: Identity) -> Optional[Fix]:
        if site.kind != "select" or not site.model_nodes or not columns or site.owner_value:
            return None  # (an owner column compared with the client's key: the caller's own rows are another query)
        try:
            index = site.entities.index(model)
        except ValueError:
            return None
        if index >= len(site.model_nodes):
            return None
        model_node = site.model_nodes[index]
        if not isinstance(model_node, (cst.Name, cst.Attribute)):
            return None
        assert self.ctx.module is not None
        spelled = self.ctx.module.code_for_node(model_node)
        value = None
        column = None
        for col in columns:
            if col in identity.identity_params:
                value, column = col, col
                break
            attr = self.ctx.settings.identity_attribute(col)
            principal = next((p for p in identity.principals if not p.startswith("<")), None)  # (a name code spells)
            if attr and principal and identity.principals[principal] in _SCALAR_PRINCIPALS:
                if attr not in PRIMARY_KEY_NAMES:
                    return None  # (the caller's id alone, ``user_id: Annotated[int, Depends(...)]``: no tenant on it)
                value, column = principal, col  # (the principal is the caller's id itself, not a row holding it)
                break
            if attr and principal:
                holder = self._principal_path(principal, identity.principals[principal], attr)
                if holder is None:
                    return None
                value, column = f"{holder}.{attr}", col
                break
        if value is None:
            return None
        # (a Core table's columns are read through ``.c``: ``boards.c.owner_id``)
        clause = f"{spelled}{'.c' if core_table(self.ctx.project, model) else ''}.{column} == {value}"
        anchor = site.anchor if site.anchor is not None else site.node
        return Fix.unsafe(f"Add `.where({clause})`", [Edit.insert_after(anchor, f".where({clause})")])


# annotations of a principal that is the caller's key itself (a dependency returning the token's user id)
_SCALAR_PRINCIPALS = frozenset({"int", "str", "UUID", "uuid.UUID", "builtins.int", "builtins.str"})
_HANDLES = ("db", "conn", "connection")
# methods that run a query (or read its result): the statement's chain ends there
_RUNNERS = frozenset({
    "all", "first", "one", "one_or_none", "scalar", "scalars", "scalar_one", "scalar_one_or_none", "execute", "exec",
    "count", "get", "paginate", "stream", "unique", "fetchall", "fetchone", "mappings",
})


def _simple_statements(func: cst.FunctionDef) -> list[cst.CSTNode]:
    """The function's simple statements (nested functions and classes left out)."""
    out: list[cst.CSTNode] = []
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.SimpleStatementLine):
            out.extend(node.body)
            continue
        stack.extend(iter_children(node))
    return out


def _parents(tree: cst.CSTNode) -> dict[int, cst.CSTNode]:
    out: dict[int, cst.CSTNode] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in iter_children(node):
            out[id(child)] = node
            stack.append(child)
    return out


def _chain(start: cst.CSTNode, parents: dict[int, cst.CSTNode]) -> tuple[list[cst.CSTNode], cst.CSTNode]:
    """The arguments of the builder calls chained on ``start`` (``select(M).where(...).options(...)``, or a
    statement held in a name, ``query.options(...)``), up to a call that runs it, and the chain's last node."""
    args: list[cst.CSTNode] = [a.value for a in start.args] if isinstance(start, cst.Call) else []
    node = start
    while True:
        attr = parents.get(id(node))
        if not (isinstance(attr, cst.Attribute) and attr.value is node) or attr.attr.value in _RUNNERS:
            break
        call = parents.get(id(attr))
        if not (isinstance(call, cst.Call) and call.func is attr):
            break
        args.extend(a.value for a in call.args)
        node = call
    return args, node


def _bound_to(small: cst.CSTNode, top: cst.CSTNode) -> set[str]:
    """The names ``small`` binds to ``top`` itself (``query = select(M)...``, also awaited)."""
    value = getattr(small, "value", None)
    if isinstance(value, cst.Await):
        value = value.expression
    if value is not top:
        return set()
    if isinstance(small, cst.Assign):
        return {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        return {small.target.value}
    return set()


def personalised_listing(func: cst.FunctionDef, site: Site, derived: set[str]) -> bool:
    """A listing keyed on nothing (no client key, no predicate keyed on any value) whose statement reads the
    principal only to shape each row for the caller (``with_expression(Item.my_score, score_for(user))``,
    ``case((User.id.in_(followed_ids), True))`` among the builder calls' arguments): the function knew the
    caller and chose to list everyone's rows, a public listing personalised, not a forgotten owner filter.
    A listing whose statement never reads the principal (the filter forgotten, even when the rows are then
    serialised for the caller) is still reported."""
    if site.kind not in ("select", "query") or site.key_names or site.via or not isinstance(site.node, cst.Call):
        return False
    statements = _simple_statements(func)
    args: list[cst.CSTNode] = []
    names: set[str] = set()
    for small in statements:
        parents = _parents(small)
        if id(site.node) in parents:
            found, top = _chain(site.node, parents)
            args.extend(found)
            names |= _bound_to(small, top)
            break
    else:
        return False
    seen: set[str] = set()
    while names - seen:  # the statement held in a name and grown later: ``query.options(...)``
        name = next(iter(names - seen))
        seen.add(name)
        for small in statements:
            parents = _parents(small)
            for node in _name_nodes(small, name):
                found, top = _chain(node, parents)
                args.extend(found)
                names |= _bound_to(small, top)
    for expr in args:
        for name in load_names(expr):
            if name in derived and name not in names and name not in _HANDLES and "session" not in name:
                return True
    return False


def _name_nodes(tree: cst.CSTNode, name: str) -> list[cst.Name]:
    out: list[cst.Name] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name) and node.value == name:
            out.append(node)
        stack.extend(iter_children(node))
    return out
