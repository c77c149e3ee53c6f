"""Family 6 facts: which project classes are request bodies and response models, and what they let through.

Built from the project index (``ast`` facts of every module, so schemas, routes and routers may live in
different modules): the routes' parameters (``extra["timezone"]["routes"]``) say which classes are request
bodies, ``extra["validation"]`` (``index/extractors/validation.py``) which classes routes answer with and how
classes spell their pydantic config. Nothing here builds a message or a fix.

- ``request_body_models(project)``: canonical names of the non-table pydantic / SQLModel classes that a route
  takes as its body;
- ``response_models(project)``: canonical names of the classes a response carries (``response_model=``, else
  the return annotation, ``responses={...: {"model": X}}``, routers' ``responses=``, through ``list[...]``,
  ``Page[...]`` and other generic wrappers, and the project schemas their fields nest), each with whether
  only token endpoints answer with it;
- ``leaking_fields(project)``: declaring class -> secret-named fields that a response model carries;
- ``unbounded_fields(project)``: declaring class -> ``{field: "string" | "list"}`` of request body fields;
- ``extra_setting(project, canonical)``: the ``extra`` config a class has (own or inherited), ``None`` when
  it spells none, ``"?"`` when a base outside the project may set it;
- the vocabularies: ``is_secret_name``, ``PRIVILEGED_FIELDS``, ``is_token_path``.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, Iterable, Optional

from .datetimes import NOT_BODY_MARKERS
from .fastapi import is_router_receiver, makes_router
from .models import is_pydantic_model, is_table_model
from .schemas import SCHEMA_ROOTS, mro_fields, parse_expr
from .tree_facts import walk as ast_walk

if TYPE_CHECKING:  # pragma: no cover
    from .index import ProjectIndex

# --- vocabularies ----------------------------------------------------------------------------------------

# RULES.md: ``password``, ``hashed_password``, ``*_secret``, ``api_key``, ``salt``, ``otp*``, ``*_token``;
# names match exactly (``api_key_prefix`` is not ``api_key``).
SECRET_NAMES = frozenset(
    {
        "password", "passwd", "hashed_password", "password_hash", "passwordhash", "hashed_pw", "pwd_hash",
        "secret", "api_key", "apikey", "salt", "password_salt", "otp", "private_key", "secret_key",
    }
)
TOKEN_PAIR = frozenset({"access_token", "refresh_token"})
# ``*_token`` names that are not credentials
NOT_SECRET_TOKENS = frozenset(
    {"page_token", "next_page_token", "prev_page_token", "previous_page_token", "continuation_token",
     "csrf_token", "max_token", "max_tokens", "num_tokens", "input_token", "output_token"}
)
# credentials made to be handed on: a share link's token is what the owner gives away
_SHARED_PATTERN = re.compile(r"^(?:share|shared|sharing|public)_\w*(?:token|key)$")
# a value already masked for display (``masked_api_key``, ``redacted_secret``)
_MASKED_PATTERN = re.compile(r"^(?:masked|redacted|obfuscated|hidden)_")
# a password made for the client (an admin's reset hands the user a generated one): a credential
_ISSUED_PASSWORD = re.compile(r"^(?:new|generated|temporary|temp|initial|one_time)_password$")
# what verifies a password or a one-time code: never a client's to read, whoever asks
_VERIFIER_PATTERN = re.compile(r"(?:password|passwd|pwd|salt|hash|^otp)")
_SECRET_PATTERN = re.compile(r"^(?:\w+_secret|\w+_token|otp\w*|\w+_password|\w+_api_key)$")
# types whose values are no secret however the field is named (flags, counters, times) or that pydantic
# masks when it serializes (``SecretStr``)
_HARMLESS_TYPES = frozenset(
    {"bool", "int", "float", "datetime", "date", "SecretStr", "SecretBytes", "UUID", "Decimal", "timedelta"}
)
PRIVILEGED_FIELDS = frozenset(
    {"is_admin", "is_superuser", "is_staff", "role", "roles", "balance", "credits", "plan", "permissions"}
)
# whole words of a path or a function name (``/signing-keys`` is no sign-in); ``signin`` also spelled
# ``sign-in`` / ``sign_in``
_TOKEN_WORDS = frozenset(
    {"token", "tokens", "login", "refresh", "signin", "signup", "register", "registration", "oauth", "oauth2"}
)


# look-alikes: a name that says what the secret is *about* names no secret value. A last word of metadata
# (``secret_name``, ``password_set``, ``token_type``, ``secret_ref``, ``password_policy``, ``otp_method``,
# ``api_key_last4``), a leading flag word (``has_password``, ``requires_otp``), a reference to a secret
# another system keeps (``k8s_secret``, ``image_pull_secret``: the name of a Kubernetes Secret object), the
# hash of a random credential (``hashed_token``, ``api_key_hash``: it cannot be reversed or presented;
# a password's hash can be cracked, and stays reported) and a masked value (``masked_api_key``,
# ``api_key_masked``, ``api_key_preview``).
_METADATA_WORDS = frozenset(
    {"name", "names", "id", "ids", "ref", "refs", "reference", "type", "types", "set", "policy", "policies",
     "hint", "prefix", "suffix", "last4", "last", "four", "length", "len", "expiry", "expires", "expiration",
     "at", "enabled", "verified", "required", "method", "methods", "channel", "status", "state", "version",
     "count", "algorithm", "alg", "kind", "scope", "scopes", "provider", "label", "field", "fields",
     "description", "configured", "exists", "present", "masked", "redacted", "obfuscated", "preview",
     "hash", "hashed", "digest", "sha256", "fingerprint", "strength", "rules", "mode", "source", "location",
     "path", "file", "env", "var", "key_id", "lifetime", "ttl", "duration", "age", "attempts", "rotation"}
)
_FLAG_WORDS = frozenset(
    {"has", "is", "use", "uses", "require", "requires", "needs", "need", "with", "no", "allow", "allows", "show",
     "can", "should", "must", "enable", "force", "skip", "send", "set"}
)
# a token that addresses a device for push notifications (``expo_push_token``, ``fcm_token``): the
# client registered it, and it opens no account
_DEVICE_TOKEN = re.compile(r"^(?:\w+_)?(?:push|device|fcm|apns|gcm|expo)_token$")
_SECRET_STORE_PATTERN = re.compile(r"^(?:k8s|kube|kubernetes|image_pull|pull|registry|docker|docker_registry|imagepull)_secrets?$")
_HASHED_CREDENTIAL = re.compile(r"^(?:hashed|hash_of|sha256|digest)_\w*(?:token|api_key|apikey|secret|key)$")


_HASH_WORDS = frozenset({"hash", "hashed", "digest", "sha256"})
_PASSWORD_WORDS = ("password", "passwd", "pwd", "passphrase")


def is_secret_name(name: str) -> bool:
    low = name.lower()
    if low in SECRET_NAMES:
        return True
    if low in NOT_SECRET_TOKENS or low.endswith("_tokens"):
        return False
    words = low.split("_")
    if words[-1] in _HASH_WORDS and any(w in low for w in _PASSWORD_WORDS):
        return True  # ``password_digest``: a password's hash can be cracked offline
    if _SHARED_PATTERN.match(low) or _MASKED_PATTERN.match(low) or _SECRET_STORE_PATTERN.match(low) or _DEVICE_TOKEN.match(low):
        return False
    if len(words) > 1 and (words[-1] in _METADATA_WORDS or words[0] in _FLAG_WORDS):
        return False
    if _HASHED_CREDENTIAL.match(low):
        return False
    return low in SECRET_NAMES or low in TOKEN_PAIR or bool(_SECRET_PATTERN.match(low))


# a record of how to reach another system (Airflow's connection: ``host``, ``login``, ``password``): its
# password is that system's, stored for whoever connects with it, and the route that answers with it
# hands it to that reader on purpose, as a ``*Credentials`` schema does
_HOST_FIELDS = frozenset({"host", "hostname", "server", "endpoint", "uri", "dsn", "conn_type", "connection_type"})
_LOGIN_FIELDS = frozenset({"login", "username", "user", "user_name", "conn_id", "connection_id"})
# a Kubernetes-style spec (an image, a registry, a namespace): a bare ``secret`` there names a Secret object
# (mlrun's build spec: ``image``, ``registry``, ``secret``), as ``secretName`` does in Kubernetes' own specs
_K8S_FIELDS = frozenset(
    {"image", "base_image", "registry", "namespace", "secret_namespace", "mount_path", "volume", "volumes",
     "service_account", "image_pull_policy", "node_selector"}
)


def named_in_context(name: str, siblings: Iterable[str]) -> bool:
    """The secret-named field names no secret the client should not read, given the other fields of its
    schema: a connection record's password, the Kubernetes Secret a spec names."""
    low = name.lower()
    others = {s.lower() for s in siblings}
    if low in ("password", "passwd") and others & _HOST_FIELDS and others & _LOGIN_FIELDS:
        return True
    if low == "client_secret" and "client_id" not in others:
        # Stripe's pattern (a checkout's or a payment's ``client_secret``): made for the client side, which
        # completes the payment with it; an OAuth client's secret comes with its ``client_id``
        return True
    return low == "secret" and bool(others & _K8S_FIELDS)


def is_verifier_name(name: str) -> bool:
    """A password, its hash or salt, a one-time-code secret: no route has a reason to send it. The other
    secret names (``api_key``, ``*_secret``, ``*_token``) are credentials, which issuing routes hand out."""
    low = name.lower()
    return bool(_VERIFIER_PATTERN.search(low)) and not _ISSUED_PASSWORD.match(low)


def is_token_path(path: Optional[str]) -> bool:
    """``/token``, ``/login``, ``/auth/refresh``... : an endpoint whose job is to hand out tokens."""
    if not path:
        return False
    words = [w for w in re.split(r"[^a-z0-9]+", path.lower()) if w]
    joined = {a + b for a, b in zip(words, words[1:])}  # ``sign-in``, ``sign_up``
    return any(w in _TOKEN_WORDS for w in words) or bool(joined & _TOKEN_WORDS)


_TEXT_TYPES = frozenset({"str", "bytes", "Any", "Json", "constr"})


def is_token_route(route: dict[str, Any]) -> bool:
    """A token endpoint: its path, the constant that holds its path (``LOGIN``) or its function's name
    (``def token(...)``, ``def login_access_token(...)``) says so."""
    return any(is_token_path(route.get(k)) for k in ("path", "path_name", "name"))


_ISSUE_WORDS = frozenset(
    {"create", "generate", "regenerate", "rotate", "issue", "new", "register", "add", "mint", "session", "sessions",
     "sign", "credential", "credentials", "exchange", "confirm", "claim", "accept", "verify", "activate",
     "authenticate"}
)
# who answers with a response class: only token endpoints, only issuing routes (token endpoints and ``POST``
# routes that create, or confirm, claim, accept or verify something and open a session with it: status 201
# or a path or name that says so), only those and ``POST`` routes that reset
# something (an admin's password reset hands out a generated password, never a token or a key), or any
# route; ordered: a class several routes answer with takes the last of their kinds
ANSWER_KINDS = ("token", "issue", "reset", "any")


def route_answer_kind(route: dict[str, Any]) -> str:
    """``"token"`` for a token endpoint, ``"issue"`` for a ``POST`` route that creates something (``201``,
    ``create_api_key``, ``/keys/rotate``): the one answer that hands a new credential out, ``"reset"`` for
    a ``POST`` route that resets (``/reset_password``), ``"any"`` else."""
    if is_token_route(route):
        return "token"
    if route.get("method") == "post":
        words = re.split(r"[^a-z0-9]+", " ".join(str(route.get(k) or "") for k in ("path", "path_name", "name")).lower())
        if route.get("status") == 201 or any(w in _ISSUE_WORDS for w in words):
            return "issue"
        if "reset" in words:
            return "reset"
    return "any"


def text_annotation(annotation: Optional[str]) -> bool:
    """The value is text (``str``, ``Optional[str]``, ``Any``...): a flag, a number, a time, ``SecretStr``
    (masked when serialized) or a nested schema is no secret in clear whatever the field is named."""
    node = parse_expr(annotation)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        node = parse_expr(node.value)
    if node is None:
        return False
    names = {n.id if isinstance(n, ast.Name) else n.attr for n in ast_walk(node) if isinstance(n, (ast.Name, ast.Attribute))}
    return bool(names & _TEXT_TYPES) and not names & _HARMLESS_TYPES


_CREDENTIAL_SCHEMA = re.compile(r"(?:credentials?|secrets?|unmasked\w*)$")


def named_after(field: str, qualified: str) -> bool:
    """The schema is named after the secret it carries (``UnmaskedApiKeyRead.api_key``,
    ``SigningSecretOut.signing_secret``) or says it is credentials (``ImageGenerationCredentials``,
    ``MountCredentials``): the deliberate answer of the route that hands them out."""
    compact = field.replace("_", "").lower()
    name = qualified.rsplit(".", 1)[-1].lower()
    return (len(compact) > 3 and compact in name) or bool(_CREDENTIAL_SCHEMA.search(name))


def described_masked(value: Optional[str]) -> bool:
    """``Field(description="Masked API key for display")``: the value the field carries is masked."""
    return bool(value) and bool(re.search(r"\b(?:masked|redacted|obfuscated)\b", value.lower()))  # type: ignore[union-attr]


def field_excluded(value: Optional[str]) -> bool:
    """``Field(exclude=True)`` (pydantic), ``Field(..., exclude=True)``: the field never leaves."""
    node = parse_expr(value)
    if not isinstance(node, ast.Call):
        return False
    return any(kw.arg == "exclude" and isinstance(kw.value, ast.Constant) and kw.value.value is True for kw in node.keywords)


# --- project classes -------------------------------------------------------------------------------------

def _classes(project: "ProjectIndex", names: Iterable[str], markers: Optional[list[str]] = None) -> list[str]:
    """Project classes the names refer to, through module-level ``Annotated[...]`` aliases (whose metadata
    calls are added to ``markers``)."""
    out = []
    for name in names:
        found = project.get_class(name)
        if found is None:
            for target in _alias_targets(project, name, markers):
                if target not in out:
                    out.append(target)
            continue
        if found[0] not in out:
            out.append(found[0])
    return out


def _alias_targets(project: "ProjectIndex", name: str, markers: Optional[list[str]]) -> list[str]:
    symbol = project.resolve_symbol(name)
    if symbol is None or symbol[2] != "assignments":
        return []
    mod, sym, _ = symbol
    value = parse_expr(project.modules[mod]["assignments"][sym].get("value"))
    if not isinstance(value, ast.Subscript):
        return []
    resolve = _resolver(project, mod)
    head = resolve(value.value) or ""
    if not head.endswith("Annotated"):
        return []
    items = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
    if markers is not None:
        for meta in items[1:]:
            if isinstance(meta, ast.Call):
                markers.append(resolve(meta.func) or "")
    names = [resolve(n) for n in ast_walk(items[0]) if isinstance(n, (ast.Name, ast.Attribute))]
    out = []
    for q in names:
        found = project.get_class(q) if q else None
        if found is not None and found[0] not in out:
            out.append(found[0])
    return out


def _resolver(project: "ProjectIndex", module: str) -> Any:
    facts = project.modules.get(module, {})
    imports = facts.get("imports", {})
    classes = facts.get("classes", {})

    def resolve(node: ast.AST) -> Optional[str]:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        if node.id in imports:
            head = imports[node.id]
        elif node.id in classes:
            head = f"{module}.{node.id}"
        else:
            return None
        return ".".join([head, *reversed(parts)])

    return resolve


def _nested(project: "ProjectIndex", canonical: str) -> list[str]:
    """Project classes named in the fields' annotations of a class (own and inherited)."""
    out: list[str] = []
    for cname, cfacts in project.class_mro(canonical):
        if cfacts is None:
            continue
        resolve = _resolver(project, cname.rsplit(".", 1)[0])
        for f in cfacts.get("fields", {}).values():
            node = parse_expr(f.get("annotation"))
            if node is None:
                continue
            names = [resolve(n) for n in ast_walk(node) if isinstance(n, (ast.Name, ast.Attribute))]
            out.extend(q for q in _classes(project, [n for n in names if n]) if q not in out)
    return out


def _route_entries(project: "ProjectIndex") -> Iterable[tuple[str, dict[str, Any], bool]]:
    for mod, facts in project.iter_modules():
        extra = facts.get("extra", {}).get("validation")
        if not extra:
            continue
        uses_fastapi = any(v == "fastapi" or v.startswith("fastapi.") for v in facts.get("imports", {}).values())
        for route in extra.get("routes", ()):
            local = route.get("router_call")
            if local is not None:
                if makes_router(project, local):
                    yield mod, route, uses_fastapi
            elif is_router_receiver(project, route.get("receiver"), uses_fastapi):
                yield mod, route, uses_fastapi


def route_response_names(route: dict[str, Any]) -> list[str]:
    """The type names a route's response carries: ``response_model=`` (unless ``None``), else the return
    annotation; plus ``responses=`` models."""
    model = route.get("model")
    names: list[str] = list(model) if isinstance(model, list) else []
    if model is None:
        names.extend(route.get("returns", ()))
    names.extend(route.get("responses", ()))
    return names


def response_models(project: Optional["ProjectIndex"]) -> dict[str, str]:
    """Canonical response classes -> who answers with them (``ANSWER_KINDS``: ``"token"`` when only token
    endpoints do, ``"issue"`` when only issuing routes do, else ``"any"``)."""
    if project is None:
        return {}

    def build() -> dict[str, str]:
        out: dict[str, str] = {}
        # (class, kind) -> the fewest steps from a route it was read at: a class reached first deep inside one
        # response (its nested classes cut three steps down) and later nearer a route is read again from there,
        # so the answer does not depend on the order the routes are read in
        nearest: dict[tuple[str, str], int] = {}

        def add(names: Iterable[str], kind: str) -> None:
            rank = ANSWER_KINDS.index(kind)
            todo = [(q, 0) for q in _classes(project, names)]
            while todo:
                q, depth = todo.pop()
                if is_pydantic_model(project, q) is None and not is_table_model(project, q):
                    # a class outside pydantic / the ORM (a plain class, a library class): not a schema
                    if not _has_schema_root(project, q):
                        continue
                if any(nearest.get((q, k), 4) <= depth for k in ANSWER_KINDS[rank:]):
                    continue  # read already as near a route, for this kind of answer or a wider one
                nearest[(q, kind)] = depth
                if q not in out or ANSWER_KINDS.index(out[q]) < rank:
                    out[q] = kind
                if depth < 3:
                    todo.extend((n, depth + 1) for n in _nested(project, q) if n != q)

        for mod, route, _ in _route_entries(project):
            add(route_response_names(route), route_answer_kind(route))
        for mod, facts in project.iter_modules():
            extra = facts.get("extra", {}).get("validation") or {}
            if extra.get("router_responses"):
                add(extra["router_responses"], "any")
        return out

    # (stored with the index: a run linting one file reads the answers instead of every route's)
    return project.stored_memo("validation.response_models", build, load=dict)


def _has_schema_root(project: "ProjectIndex", q: str) -> bool:
    return any(name in SCHEMA_ROOTS for name, _ in project.class_mro(q))


def request_body_models(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Canonical non-table pydantic / SQLModel classes that some route takes as its request body: decorated
    routes at module level and in class-based views (``@cbv(router)`` / ``@controller(router)`` classes whose
    methods the router decorates), routes of routers a function builds, and functions registered with
    ``add_api_route``."""
    if project is None:
        return frozenset()

    def build() -> frozenset[str]:
        out: set[str] = set()
        for mod, route, _ in _route_entries(project):
            for param in route.get("params", ()):
                if param["name"] in ("self", "cls"):
                    continue
                markers = [_default_marker(project, m) if m.startswith("=") else m for m in param.get("markers", ())]
                classes = _classes(project, param.get("types", ()), markers)
                if any(m in NOT_BODY_MARKERS or m == "?" for m in markers):
                    continue
                for q in classes:
                    if is_pydantic_model(project, q) and not is_table_model(project, q):
                        out.add(q)
        return frozenset(out)

    return project.memo("validation.request_body_models", build)


def _text_alias(project: "ProjectIndex", declaring: str, annotation: Optional[str]) -> bool:
    """The annotation is a module-level ``Annotated`` alias of text (polar's
    ``EndpointSecret = Annotated[str, Field(description=...)]``), in the declaring class's module or
    imported there."""
    node = parse_expr(annotation)
    if not isinstance(node, ast.Name):
        return False
    module = declaring.rsplit(".", 1)[0]
    facts = project.modules.get(module, {})
    if node.id in facts.get("assignments", {}):
        target = f"{module}.{node.id}"
    elif node.id in facts.get("imports", {}):
        target = facts["imports"][node.id]
    else:
        return False
    found = project.resolve_symbol(target)
    if found is None or found[2] != "assignments":
        return False
    value = parse_expr(project.modules[found[0]]["assignments"][found[1]].get("value"))
    if not (isinstance(value, ast.Subscript) and (_resolver(project, found[0])(value.value) or "").endswith("Annotated")):
        return False
    first = value.slice.elts[0] if isinstance(value.slice, ast.Tuple) and value.slice.elts else value.slice
    return text_annotation(ast.unparse(first))


def _default_marker(project: "ProjectIndex", marker: str) -> str:
    """A parameter's default that is a name (``= current_user``): the call a module-level name is bound to
    (``current_user = Depends(get_user)``: ``fastapi.Depends``), ``"?"`` when it is not followed (a
    ``Depends`` the function building the router was given): such a parameter is taken for no body."""
    found = project.resolve_symbol(marker[1:]) if marker != "=?" else None
    if found is None or found[2] != "assignments":
        return "?"
    return project.modules[found[0]]["assignments"][found[1]].get("call") or "?"


def leaking_fields(project: Optional["ProjectIndex"]) -> dict[str, dict[str, str]]:
    """Declaring class -> ``{field: response class}`` for secret-named fields a response model carries
    (inherited fields belong to the base that declares them; ``Field(exclude=True)`` and harmless types do
    not leak; credentials, not passwords, hashes or salts, in a model only issuing routes answer with are
    handed out on purpose)."""
    if project is None:
        return {}

    def build() -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for q, kind in sorted(response_models(project).items()):
            mro = project.class_mro(q)
            redacted: set[str] = set()
            for cname, cfacts in mro:
                if cfacts is not None:
                    redacted.update(_transformed_fields(project, cname))
            if "*" in redacted:
                continue  # a model serializer decides what leaves
            siblings = [f for _, cf in mro if cf is not None for f in cf.get("fields", {})]
            for cname, _, fname, f in mro_fields(mro):
                if f.get("annotation") is None or not is_secret_name(fname):
                    continue
                if named_in_context(fname, siblings):
                    continue  # a connection record's password, the name of a Kubernetes Secret
                if kind in ("token", "issue") and not is_verifier_name(fname):
                    continue  # the token endpoint's tokens, the API key shown once at its creation
                if kind != "any" and _ISSUED_PASSWORD.match(fname.lower()):
                    continue  # the password an admin's reset generates, shown once
                if fname in redacted or field_excluded(f.get("value")) or described_masked(f.get("value")):
                    continue
                if not text_annotation(f.get("annotation")) and not _text_alias(project, cname, f.get("annotation")):
                    continue
                if named_after(fname, q):
                    continue  # ``UnmaskedApiKeyRead.api_key``: the one answer that hands the secret out
                out.setdefault(cname, {}).setdefault(fname, q)
        return out

    return project.stored_memo("validation.leaking_fields", build, load=dict)


def extra_setting(project: Optional["ProjectIndex"], canonical: str) -> Optional[str]:
    """The source of the ``extra`` config a class has (its own or the nearest base's), ``None`` when no class
    of its hierarchy sets it, ``"?"`` when a base outside pydantic and the project might."""
    if project is None:
        return "?"
    for cname, cfacts in project.class_mro(canonical):
        if cfacts is None:
            if cname in SCHEMA_ROOTS or cname.startswith(("typing.", "builtins.", "abc.")) or cname in ("object", "Generic"):
                continue
            return "?"
        config = _config_of(project, cname)
        if config is not None and config.get("extra") is not None:
            return config["extra"]
    return None


def _config_of(project: "ProjectIndex", canonical: str) -> Optional[dict[str, Any]]:
    module, _, name = canonical.rpartition(".")
    extra = project.modules.get(module, {}).get("extra", {}).get("validation") or {}
    return (extra.get("configs") or {}).get(name)


def _transformed_fields(project: "ProjectIndex", canonical: str) -> list[str]:
    module, _, name = canonical.rpartition(".")
    extra = project.modules.get(module, {}).get("extra", {}).get("validation") or {}
    return list((extra.get("transformed") or {}).get(name, ()))


def str_max_setting(project: "ProjectIndex", canonical: str) -> bool:
    for cname, cfacts in project.class_mro(canonical):
        if cfacts is not None:
            config = _config_of(project, cname)
            if config is not None and config.get("str_max"):
                return True
    return False


_LIST_HEADS = frozenset({"list", "List", "Sequence", "set", "Set"})
_BOUND_WORDS = ("max_length", "max_items", "StringConstraints", "constr", "conlist", "conset", "MaxLen", "Len(")
_TRANSPARENT = frozenset({"Optional", "Union"})


def unbounded_kind(annotation: Optional[str], value: Optional[str]) -> Optional[str]:
    """``"string"`` / ``"list"`` for a bare ``str`` / ``list[...]`` field (also ``Optional``) with no length
    bound in its annotation or its ``Field(...)``, else ``None``."""
    if value and any(w in value for w in _BOUND_WORDS):
        return None
    node = parse_expr(annotation)
    for _ in range(6):
        if node is None:
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            sides = [s for s in (node.left, node.right) if not (isinstance(s, ast.Constant) and s.value is None)]
            if len(sides) != 1:
                return None
            node = sides[0]
            continue
        if isinstance(node, ast.Subscript):
            head = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", "")
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if head in _TRANSPARENT:
                rest = [i for i in items if not (isinstance(i, ast.Constant) and i.value is None)]
                if len(rest) != 1:
                    return None
                node = rest[0]
                continue
            if head == "Annotated":
                if any(w in ast.unparse(i) for i in items[1:] for w in _BOUND_WORDS):
                    return None
                node = items[0] if items else None
                continue
            return "list" if head in _LIST_HEADS else None
        if isinstance(node, ast.Name):
            if node.id == "str":
                return "string"
            return "list" if node.id in ("list", "List") else None
        return None
    return None


def unbounded_fields(project: Optional["ProjectIndex"]) -> dict[str, dict[str, str]]:
    """Declaring class -> ``{field: "string" | "list"}`` for request body fields without a length bound."""
    if project is None:
        return {}

    def build() -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for q in sorted(request_body_models(project)):
            if str_max_setting(project, q):
                bounded_strings = True
            else:
                bounded_strings = False
            for cname, _, fname, f in mro_fields(project.class_mro(q)):
                if fname.startswith("_") or fname == "model_config":
                    continue
                kind = unbounded_kind(f.get("annotation"), f.get("value"))
                if kind is None or (kind == "string" and bounded_strings):
                    continue
                out.setdefault(cname, {})[fname] = kind
        return out

    return project.memo("validation.unbounded_fields", build)


def strictness_missing(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Request body classes whose hierarchy sets no ``extra`` (and leaves no base outside the project)."""
    if project is None:
        return frozenset()
    return project.memo(
        "validation.strictness_missing",
        lambda: frozenset(q for q in request_body_models(project) if extra_setting(project, q) is None),
    )
