"""What the family-2 rules (BKL201, BKL202) share: the names through which a file can reach an owned model
(their text prefilter), and their common ``ast`` screen."""

from __future__ import annotations

import ast
import bisect
import re
from typing import Any, Optional

from ...knowledge.auth import kwargs_checking_decorators, test_or_script_module
from ...knowledge.claims import admin_gated, no_claim_functions
from ...knowledge.fetch_flow import deciding_call_lines, deciding_names, resolvable_roots
from ...knowledge.models import is_owned, is_table_model
from ...knowledge.queries import checked_only_tables, checked_parent_dependencies, helper_checked_tables, summary_of_call
from ...knowledge.reexports import reexport_closure
from ...knowledge.repositories import member_class, module_instance_class, self_attribute_class, sole_implementation
from ...knowledge.tree_facts import TreeFacts
from .._shared.identity_scope import identity_carriers, identity_in_scope, route_method, takes_self
from .._shared.identity_text import remembered
from ...knowledge.tree_facts import walk as ast_walk


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


class Vocabulary:
    """The names through which a file can reach a row of an owned model: ``words`` (any one spelled may
    lead there) and ``methods`` (a method name that leads there only when called on an object of its
    class: ``{method: the names through which a file can reach such an object}``); ``functions``, the words
    that name only module-level functions (a use ``x.<word>`` leads there only when ``x`` may name a module)."""

    __slots__ = ("words", "methods", "functions")

    def __init__(self, words: frozenset[str], methods: dict[str, frozenset[str]], functions: frozenset[str] = frozenset()) -> None:
        self.words = words
        self.methods = methods
        self.functions = functions

    @classmethod
    def load(cls, raw: dict[str, Any]) -> "Vocabulary":
        return cls(frozenset(raw["words"]), {m: frozenset(r) for m, r in raw["methods"].items()}, frozenset(raw["functions"]))

    def __bool__(self) -> bool:
        return bool(self.words or self.methods)

    def in_text(self, source: str) -> bool:
        """Some word, or some method and one of its receivers, is a substring of ``source`` (the answer is kept
        for the last text: both rules of the family ask)."""
        return remembered("vocabulary", source, self, lambda: any(w in source for w in self.words) or any(
            m in source and any(r in source for r in receivers) for m, receivers in self.methods.items()
        ))

    def in_names(self, names: Any) -> bool:
        return not self.words.isdisjoint(names) or any(m in names and not receivers.isdisjoint(names) for m, receivers in self.methods.items())

    def spelled(self, names: Any) -> set[str]:
        """The words of ``names`` that lead to an owned row in a file that spells ``names``."""
        out = {w for w in names if w in self.words}
        out.update(m for m, receivers in self.methods.items() if m in names and not receivers.isdisjoint(names))
        return out


def _owned_words(project: Any, settings: Any) -> Vocabulary:
    """Names through which a file can reach a row family 2 may report on: ``_vocabularies``' second."""
    return _vocabularies(project, settings)[1]


def _vocabularies(project: Any, settings: Any) -> tuple[Vocabulary, Vocabulary]:
    """Names through which a file can reach an owned ORM model (``knowledge.queries``: a query's entity is
    ``model_of`` a name or an attribute, or the model a project function or repository method returns):
    the owned models' names, the project functions returning one or looking one up (``_fetching_helpers``),
    the methods doing so together with the names that reach their class (``_receivers``), and every name a
    project module re-exports or aliases them under. Repositories that take owned models as generic arguments
    or constructor arguments (``CRUDBase[Item]``, ``CRUDItem(Item)`` in another module) fetch rows through
    any method: the names that reach one of their objects are words (``Alias = aliased(Item)`` only adds
    ``Alias``). Two vocabularies: the owned models' alone, and the owned models' together with the tables the
    project's checks are handed and the tables owned through them (``queries.helper_checked_tables``,
    ``queries.checked_only_tables``: BKL202 reports them only at
    such a check, so they matter to it only in a function that calls one, ``_carrier_spells_owned``; BKL201 in any
    route that loads one, ``unscoped_may_fire``); the same object twice when there
    are no such tables. Stored per project and per the settings that decide ownership."""
    # (``principal_parameters``: who the caller is decides the columns ``knowledge.scoping`` infers, so ownership)
    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.principal_parameters)

    def build() -> dict[str, Any]:
        owned: set[str] = set()
        for q, _ in project.iter_classes():
            if is_table_model(project, q) and is_owned(project, settings, q):
                owned.add(q)
        # tables with no identity column that the project's checks are handed (BKL202 at such a check)
        checked = (set(helper_checked_tables(project, settings)) | checked_only_tables(project, settings)) - owned
        shared: list[tuple[_Receivers, _Summaries]] = []  # (built once, when some table is owned or checked)
        return {
            "owned": _vocabulary_of(project, owned, shared),
            "checked": _vocabulary_of(project, owned | checked, shared) if checked else None,
        }

    def load() -> tuple[Vocabulary, Vocabulary]:
        raw = project.stored_memo(f"screens.owned:{key!r}", build)
        owned = Vocabulary.load(raw["owned"])
        return owned, (Vocabulary.load(raw["checked"]) if raw["checked"] is not None else owned)

    return project.memo(("isolation.vocabulary", key), load)


def _vocabulary_of(project: Any, owned: set[str], built: list[tuple["_Receivers", "_Summaries"]]) -> dict[str, Any]:
    """``_vocabularies``' words and methods for the tables ``owned`` (JSON-able); ``built`` holds the
    project's ``_Receivers`` and ``_Summaries`` once made (what does not depend on ``owned``: read once for
    both vocabularies)."""
    if not owned:
        return {"words": [], "methods": {}, "functions": []}
    if not built:
        built.append((_Receivers(project), _Summaries(project)))
    receivers, summaries = built[0]

    def is_owned_class(name: Optional[str]) -> bool:
        found = project.get_class(name) if name else None
        return found is not None and found[0] in owned

    words = {q.rsplit(".", 1)[-1] for q in owned}
    functions: set[str] = set()  # (module-level functions: reached by their name or as a module's attribute)
    methods: dict[str, set[str]] = {}  # method -> its classes (qualified)
    for mod, mfacts in project.iter_modules():
        orm = mfacts.get("extra", {}).get("orm", {})
        for bound, call in orm.get("calls", {}).items():
            if any(is_owned_class(a) for a in call.get("args", ())):
                # ``Alias = aliased(Item)``: a second name for the model; ``crud_item = CRUDItem(Item)``: an
                # object fetching its rows (a library CRUD object or a project repository)
                words.add(bound)
        for name, fn in orm.get("functions", {}).items():
            if fn.get("returns") and project.canonical(fn["returns"]) in owned:
                functions.add(name)
        for cls, returns in orm.get("method_returns", {}).items():
            for m, r in returns.items():
                if is_owned_class(r):
                    methods.setdefault(m, set()).add(f"{mod}.{cls}")
    repositories = _owned_repositories(project, is_owned_class)
    words |= receivers.of(repositories)
    helpers, helper_methods = _fetching_helpers(project, is_owned_class, summaries, repositories)
    functions |= helpers
    for m, classes in helper_methods.items():
        methods.setdefault(m, set()).update(classes)
    method_names = set(methods)
    for m in [m for m in methods if m.startswith("__") and m.endswith("__")]:
        # called without its name: ``Conversation(...)`` runs ``__init__``, ``gate(...)`` ``__call__``
        words |= receivers.of(methods.pop(m))
    words = set(reexport_closure(project, words))
    functions = set(reexport_closure(project, functions))
    # the words that name nothing but module-level functions (and the names modules import or bind them under):
    # ``queries._Analyzer`` resolves ``x.<word>(...)`` to one only when ``x`` names a module (``_name_lines``)
    only_functions = functions - words - method_names
    words |= functions
    return {
        "words": sorted(words),
        "methods": {m: sorted(receivers.of(classes)) for m, classes in sorted(methods.items()) if m not in words},
        "functions": sorted(only_functions),
    }


class _Receivers:
    """The names through which a file can reach an object (or the class) of some project classes
    (``queries.receiver_instance``, ``model_of``): the names of the classes and of their subclasses (called,
    typed, their class methods called), the module-level objects built from them (``item_dao = ItemDAO()``),
    the ``self`` attributes an ``__init__`` keeps one in (``self._items``, or a module-level object of one,
    ``self.item_dao = item_dao``), and the module-level names whose
    value spells one of these (``ItemRepoDep = Annotated[ItemRepository, Depends(...)]``, ``Repo =
    ItemRepository``) or that re-export one, to a fixpoint."""

    def __init__(self, project: Any) -> None:
        self.project = project
        subclasses: dict[str, set[str]] = {}
        for q, _ in project.iter_classes():
            for name, _facts in project.class_mro(q):
                subclasses.setdefault(name, set()).add(q)
        self.subclasses = subclasses
        built: dict[str, set[str]] = {}  # class -> module-level names bound to an object of it
        held: dict[str, set[str]] = {}  # class -> ``self`` attributes holding one
        spelled_in: dict[str, set[str]] = {}  # word -> module-level names whose value or import target spells it
        for mod, mfacts in project.iter_modules():
            orm = mfacts.get("extra", {}).get("orm", {})
            for bound, call in orm.get("calls", {}).items():
                found = project.get_class(call["func"]) if call.get("func") else None
                if found is not None:
                    built.setdefault(found[0], set()).add(bound)
            for attrs in orm.get("self_types", {}).values():
                for attr, cls in attrs.items():
                    found = project.get_class(cls) if cls else None
                    if found is not None:
                        held.setdefault(found[0], set()).add(attr)
            for short, attrs in orm.get("members", {}).items():
                # ``uow.bookings``: a repository a unit of work hands out (``repositories.member_class``)
                for attr in attrs:
                    cls = member_class(project, f"{mod}.{short}", attr)
                    if cls is not None:
                        held.setdefault(cls, set()).add(attr)
            for attrs in orm.get("self_instances", {}).values():
                for attr, instance in attrs.items():
                    # ``self.item_dao = item_dao``: a module-level object kept on ``self`` (``module_instance_class``)
                    cls = module_instance_class(project, instance)
                    cls = (sole_implementation(project, cls) or cls) if cls is not None else None
                    if cls is not None:
                        held.setdefault(cls, set()).add(attr)
            for name, assignment in mfacts.get("assignments", {}).items():
                value = assignment.get("value") if isinstance(assignment, dict) else None
                # another name for a class (``Repo = ItemRepository``) or a type made of it (``Annotated[...]``,
                # ``Optional[...]``); a call's value is an object (``built``), a list's (``__all__``) no class
                if isinstance(value, str) and (assignment.get("subscript") or _DOTTED.match(value)):
                    for w in set(_WORD.findall(value)):
                        if w != name:
                            spelled_in.setdefault(w, set()).add(name)
            for local, target in mfacts.get("imports", {}).items():
                if isinstance(target, str):
                    tail = target.rsplit(".", 1)[-1]
                    if tail != local:
                        spelled_in.setdefault(tail, set()).add(local)
        self.built, self.held, self.spelled_in = built, held, spelled_in

    def of(self, classes: Any) -> set[str]:
        names: set[str] = set()
        for c in classes:
            found = self.project.get_class(c)
            q = found[0] if found is not None else c
            for sub in self.subclasses.get(q, {q}) | self._interfaces(q):
                names.add(sub.rsplit(".", 1)[-1])
                names |= self.built.get(sub, set())
                names |= self.held.get(sub, set())
        todo = list(names)
        while todo:
            for more in self.spelled_in.get(todo.pop(), ()):
                if more not in names:
                    names.add(more)
                    todo.append(more)
        return names

    def _interfaces(self, q: str) -> set[str]:
        """The interfaces ``q`` is the sole implementation of (``IPetsRepository`` for ``PetsRepository``): a
        parameter or a ``self`` attribute typed with one runs ``q``'s methods (``queries.receiver_instance``)."""
        out: set[str] = set()
        for name, _facts in self.project.class_mro(q)[1:]:
            if sole_implementation(self.project, name) == q:
                out.add(name)
        return out


def _owned_repositories(project: Any, is_owned_class: Any) -> frozenset[str]:
    """Project classes an object of which can fetch rows of an owned model through any of its methods
    (``knowledge.queries``' ``repository_method_fetch``): a class of its MRO takes an owned model as a
    generic argument (``class ItemDAO(BaseDAO[Item])``) or names one in its body (``model = Item``)."""
    direct: set[str] = set()
    for mod, mfacts in project.iter_modules():
        orm = mfacts.get("extra", {}).get("orm", {})
        for short, generic in orm.get("generic_args", {}).items():
            if any(is_owned_class(g) for g in generic):
                direct.add(f"{mod}.{short}")
        for short, model in orm.get("class_models", {}).items():
            if is_owned_class(model):
                direct.add(f"{mod}.{short}")
    if not direct:
        return frozenset()
    out = set()
    for q, _ in project.iter_classes():
        if any(name in direct for name, _facts in project.class_mro(q)):
            out.add(q)
    return frozenset(out)


def _held_repository_call(project: Any, cls: str, target: str, targets: set[str]) -> bool:
    """``self.<attr>.<method>`` called in a method of ``cls`` whose ``__init__`` (or a base's) keeps an instance
    of one of ``targets`` (owned repository classes and their bases) in ``self.<attr>``
    (``repositories.self_attribute_class``, the reading ``queries`` uses for the receiver)."""
    parts = target.split(".")
    if len(parts) != 3 or parts[0] != "self":
        return False
    held = self_attribute_class(project, cls, parts[1])
    return held is not None and held in targets


class _Summaries:
    """The project's function and method summaries (``flow`` index facts) as ``_fetching_helpers`` reads them,
    and what a call target recorded there may be (``resolve``): neither depends on which tables are owned."""

    def __init__(self, project: Any) -> None:
        self.project = project
        self.summaries: list[tuple[str, dict]] = []
        self.owners: dict[str, str] = {}  # a method's qualified name -> its class
        for mod, mfacts in project.iter_modules():
            flow = mfacts.get("extra", {}).get("flow", {})
            for kind in ("functions", "methods"):
                for name, summary in flow.get(kind, {}).items():
                    q = f"{mod}.{name}"
                    self.summaries.append((q, summary))
                    if kind == "methods" and "." in name:
                        self.owners[q] = f"{mod}.{name.rsplit('.', 1)[0]}"
        self.known = {q for q, _ in self.summaries}
        self.resolved: dict[str, Any] = {}

    def resolve(self, target: str) -> Any:
        """The qualified summaries a call target may be (a tuple); ``None``: match by last name; ``()``: a call
        the analysis follows nowhere (``_followed``)."""
        if target in self.resolved:
            return self.resolved[target]
        project = self.project
        out: Any = None
        if target in self.known:
            out = (target,)
        elif "." in target:
            owner, method = target.rsplit(".", 1)
            cls = project.get_class(owner)
            if cls is not None:
                out = tuple(f"{name}.{method}" for name, _facts in project.class_mro(cls[0]))
        if out is None and not _followed(project, target):
            out = ()
        self.resolved[target] = out
        return out


def _fetching_helpers(
    project: Any, is_owned_class: Any, shared: _Summaries, repositories: frozenset[str] = frozenset()
) -> tuple[set[str], dict[str, set[str]]]:
    """Project functions and methods whose summary (``flow`` index facts, ``shared``) looks a row of an owned
    model up by a parameter or calls a method of an owned repository class (``repositories``), and those that
    hand a parameter on to one of them (two steps): a route file that calls one can reach an owned row without
    naming the model. A call the index resolved (a project function, a method of a project class or of one
    of its bases) matches that function; another (``self.repo.get(...)``) matches by its last name. Returns
    the functions' names and ``{method: its classes}``."""
    found: set[str] = set()  # qualified
    summaries, owners, resolve = shared.summaries, shared.owners, shared.resolve
    # a call of a repository's method may be recorded on the class that defines it (a generic base)
    targets = {name for q in repositories for name, _facts in project.class_mro(q)}
    for q, summary in summaries:
        if any(is_owned_class(f["model"]) for f in summary.get("fetches", ())):
            found.add(q)
        elif any(is_owned_class(m) for c in summary.get("calls", ()) for _, m in c.get("models", ())):
            found.add(q)  # ``must_exist(db, Note, note_id)``: an owned class handed to a generic getter
        elif targets and any(c["target"].rsplit(".", 1)[0] in targets for c in summary.get("calls", ())):
            found.add(q)
        elif targets and q in owners and any(_held_repository_call(project, owners[q], c["target"], targets) for c in summary.get("calls", ())):
            found.add(q)  # ``self.repo.get(item_id)`` where ``__init__`` keeps an owned repository in ``self.repo``

    for _ in range(2):
        shorts = {q.rsplit(".", 1)[-1] for q in found}
        more = set()
        for q, summary in summaries:
            if q in found:
                continue
            params = summary.get("params", ())
            for c in summary.get("calls", ()):
                at = resolve(c["target"])
                if at == () and _handed_module_call(c["target"], params):
                    at = None  # (``db.Role.get(role_id)`` on a module the caller hands in: ``with_handed_modules``)
                if (at is None and c["target"].rsplit(".", 1)[-1] in shorts) or (at is not None and not found.isdisjoint(at)):
                    more.add(q)
                    break
        if not more:
            break
        found |= more
    functions: set[str] = set()
    methods: dict[str, set[str]] = {}
    for q in found:
        if q in owners:
            methods.setdefault(q.rsplit(".", 1)[-1], set()).add(owners[q])
        else:
            functions.add(q.rsplit(".", 1)[-1])
    return functions, methods  # (a name both may be is kept as a method too: ``_strict`` cuts no use of it)


def _followed(project: Any, target: str) -> bool:
    """A call a function's summary records (``calls[].target``) may lead the analysis into another summary: the
    readings that follow a helper's calls (``queries.helper_unscoped``, ``summary_of_call``) resolve it as a
    project function (through re-exports), a method of a project class or of a module-level instance of one, or
    a method on ``self`` (read here whatever the class: kept). A call they resolve to nothing (``d.get(key)``,
    ``client.post(...)``) reaches no lookup there, whatever its last name."""
    return target.startswith("self.") or summary_of_call(project, None, target) is not None


def _handed_module_call(target: str, params: Any) -> bool:
    """``db.Role.get(role_id)`` with ``db`` a parameter: an active-record lookup on the module a caller hands in
    (``queries.with_handed_modules``, read at the call), matched by its last name as before."""
    parts = target.split(".")
    return len(parts) == 3 and parts[0] in params and parts[1][:1].isupper()


def checked_parent_words(project: Any, settings: Any) -> frozenset[str]:
    """The names of the project's dependencies that hand on a row they checked
    (``queries.checked_parent_dependencies``) and of its decorators that verify a key of the view's keyword
    arguments (``auth.kwargs_checking_decorators``): a route naming one may load a child of that row untied to
    it (BKL201), whether or not the file names an owned model."""
    if project is None:
        return frozenset()
    return project.memo(
        ("isolation.checked_parent_words", settings.auth_dependencies, settings.admin_dependencies, settings.principal_parameters, settings.identity_fields),
        lambda: frozenset(q.rsplit(".", 1)[-1] for q in checked_parent_dependencies(project, settings)) | kwargs_checking_decorators(project),
    )


def checked_parent_spelled(source: str, project: Any, settings: Any) -> bool:
    """The text's words hold one of ``checked_parent_words``."""
    words = checked_parent_words(project, settings)
    if not words:
        return False
    if not source.isascii():
        return any(w in source for w in words)
    return not words.isdisjoint(_text_words(source))


def owned_model_spelled(source: str, project: Any, settings: Any) -> bool:
    """Family 2's text prefilter: the text's words hold one of ``_owned_words`` (a superset of the names test
    below: every identifier the code spells is a word of its text; no parse needed, so a file no rule of the
    family can fire on is not even ``ast``-parsed). A text with non-ASCII characters is searched for each
    name instead (an identifier there may be spelled in another normal form than the index's)."""
    if project is None:
        return False  # no index: no model is owned (``knowledge.models.is_owned``)
    vocabulary = _owned_words(project, settings)
    if not source.isascii():
        return vocabulary.in_text(source)
    return vocabulary.in_names(_text_words(source))


_last_text: tuple[Optional[str], frozenset[str]] = (None, frozenset())  # both rules of the family ask in turn


def _text_words(source: str) -> frozenset[str]:
    """The words of ``source`` (the last text's kept: one tuple, replaced whole)."""
    global _last_text
    last = _last_text
    if last[0] is source:
        return last[1]
    words = frozenset(_WORD.findall(source))
    _last_text = (source, words)
    return words


def owned_model_reachable(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """Family 2 can fire only where a query or a fetch can be about an owned model: the file names one of
    ``_owned_words`` (an alias of it inside the file names it too, on its right-hand side)."""
    if project is None:
        return False  # no index: no model is owned (``knowledge.models.is_owned``)
    return _owned_words(project, settings).in_names(facts.names)


def unscoped_may_fire(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL201's screen: ``isolation_may_fire``, where a word reaching only a table owned through the project's
    checks counts in any function that can carry the identity, whether or not it calls a check: BKL201 reports
    such a row where the route decides nothing about it (``queries.forgotten``)."""
    return isolation_may_fire(facts, project, settings, forgotten=True)


def isolation_may_fire(facts: TreeFacts, project: Any, settings: Any, forgotten: bool = False) -> bool:
    """Families 2's screen: an owned model within reach and an identity in scope, in one function. The
    rules report inside a function whose identity is in scope (``IdentityStack.on_function``), about a
    query or a fetch that function (or one nested in it) spells: a function that can carry the identity
    (``identity_carriers``; a class-based view's route stands for its class) must spell an owned word, and
    not be a top-level function or method that no route reaches (``_no_claim_functions``: it has no identity
    in scope). Test code and scripts make no claim at all."""
    if owned_model_reachable(facts, project, settings) and identity_in_scope(facts, project, settings):
        path = getattr(project, "linted_path", None)
        if path and test_or_script_module(path, project.root):
            return False  # test code and scripts make no claim (``IdentityStack`` calls no ``on_function`` there)
        if facts.cached(("isolation.carrier_owned", forgotten), lambda: _carrier_spells_owned(facts, project, settings, forgotten)):
            return True
    # a route under a dependency handing on a row it checked, with or without the caller in scope (BKL201 on a
    # child of that row untied to it, ``knowledge.queries.checked_parent_model``)
    if not _checked_parent_named(facts, project, settings):
        return False
    path = getattr(project, "linted_path", None)
    return not (path and test_or_script_module(path, project.root))




def _name_lines(
    facts: TreeFacts, foreign: frozenset[str] = frozenset(), functions: frozenset[str] = frozenset(), loose: Optional[dict[str, list[int]]] = None
) -> dict[str, list[int]]:
    """Every identifier the file spells (as ``TreeFacts.names``) and every word of the strings in its
    annotations (forward references: ``"Item"``), with the lines it is spelled on; a bare name of
    ``foreign`` (``_foreign_names``) is left out. An attribute named one of ``functions`` read off a value
    that names no module (``fetch_flow.resolvable_roots``: ``self.db.delete``) is also kept in ``loose``."""
    out: dict[str, list[int]] = {}
    roots: Any = False  # (read when some attribute is named one of ``functions``)

    def add(name: str, line: int) -> None:
        found = out.get(name)
        if found is None:
            out[name] = [line]
        else:
            found.append(line)

    for n in facts.nodes(ast.Name):
        if n.id not in foreign:
            add(n.id, n.lineno)
    for n in facts.nodes(ast.Attribute):
        add(n.attr, n.end_lineno or n.lineno)
        if n.attr in functions and loose is not None:
            if roots is False:
                roots = resolvable_roots(facts.tree, facts.nodes(ast.Import, ast.ImportFrom))
            root = n.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if roots is not None and not (isinstance(root, ast.Name) and root.id in roots):
                loose.setdefault(n.attr, []).append(n.end_lineno or n.lineno)
    for n in facts.nodes(ast.alias):
        if (n.asname or n.name) in foreign:
            continue
        for part in n.name.split("."):
            add(part, n.lineno)
        if n.asname:
            add(n.asname, n.lineno)
    annotations: list[Any] = []
    for n in facts.nodes(ast.arg):
        add(n.arg, n.lineno)
        if n.annotation is not None:
            annotations.append(n.annotation)
    for n in facts.nodes(ast.keyword):
        if n.arg:
            add(n.arg, n.lineno)
    for n in facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
        # (a definition's own name is no use of it: ``_defined`` reads what a statement binds)
        if n.returns is not None:
            annotations.append(n.returns)
    annotations.extend(n.annotation for n in facts.nodes(ast.AnnAssign))
    for annotation in annotations:
        for n in ast_walk(annotation):
            if isinstance(n, ast.Constant) and isinstance(n.value, str):
                for w in set(_WORD.findall(n.value)):
                    add(w, n.lineno)
    return out


def _project_packages(project: Any) -> frozenset[str]:
    """The first segments of the project's module names (and of their names before the import roots), and the
    package names of its service roots (``app`` of ``services.api.app.*``: what each service imports it as)."""

    def build() -> frozenset[str]:
        tops = {m.split(".", 1)[0] for m in project.module_names()}
        aliases = getattr(project, "aliases", None) or {}
        tops.update(str(k).split(".", 1)[0] for k in aliases)
        services = getattr(project, "services", None)
        if services is not None:
            tops.update(services().values())
        return frozenset(tops)

    return project.memo("isolation.project_packages", build)


def _foreign_names(facts: TreeFacts, project: Any) -> frozenset[str]:
    """Names the file binds once, by an absolute import from a package outside the project (``from
    fastapi import Query``), and by nothing else (no other import, assignment, parameter, definition, and
    no star import): a bare use of one is that package's object, never a project model or helper, whatever
    its name (``Query`` is also a model of some projects)."""
    candidates: set[str] = set()
    bound: dict[str, int] = {}

    def bind(name: Optional[str]) -> None:
        if name:
            bound[name] = bound.get(name, 0) + 1

    tops = None
    for node in facts.nodes(ast.ImportFrom):
        for a in node.names:
            if a.name == "*":
                return frozenset()
            bind(a.asname or a.name)
            if node.level == 0 and node.module:
                if tops is None:
                    tops = _project_packages(project)
                if node.module.split(".", 1)[0] not in tops:
                    candidates.add(a.asname or a.name)
    if not candidates:
        return frozenset()
    for node in facts.nodes(ast.Import):
        for a in node.names:
            bind(a.asname or a.name.split(".", 1)[0])
    for n in facts.nodes(ast.Name):
        if not isinstance(n.ctx, ast.Load):
            bind(n.id)
    for n in facts.nodes(ast.arg):
        bind(n.arg)
    for n in facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        bind(n.name)
    for n in facts.nodes(ast.ExceptHandler, ast.MatchAs, ast.MatchStar):
        bind(n.name)
    for n in facts.nodes(ast.MatchMapping):
        bind(n.rest)
    for n in facts.nodes(ast.Global, ast.Nonlocal):
        for name in n.names:
            bind(name)
    return frozenset(n for n in candidates if bound.get(n) == 1)


def _span(node: Any) -> tuple[int, int]:
    """The lines of a statement, its decorators included."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
    return first, node.end_lineno or node.lineno


def _defined(stmt: Any, out: set[str], owned: set[str], hit: Any, whole: frozenset[str]) -> set[str]:
    """The names a module-level statement that spells an ``owned`` name binds (and a class's attributes and
    methods; the bodies of ``if`` / ``try`` / ``with`` blocks): a superset. An import binds only the names
    of what it imports that are owned (``from .models import Item as Row``: ``Row``). A class binds its
    name, and the attributes and methods of the statements of its body that spell an owned name themselves
    (``hit(first, last)``: a line of them does), or all of them when its name is in ``whole`` (a class that
    reaches owned rows: ``self.<anything>`` in it may be a fetch of one)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        out.add(stmt.name)
    elif isinstance(stmt, ast.ClassDef):
        out.add(stmt.name)
        every = stmt.name in whole
        for inner in stmt.body:
            if every or hit(*_span(inner)):
                _defined(inner, out, owned, hit, whole)
    elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for a in stmt.names:
            if not owned.isdisjoint(a.name.split(".")):
                out.add(a.asname or a.name.split(".")[0])
    elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for t in targets:
            out.update(n.id for n in ast_walk(t) if isinstance(n, ast.Name))
    else:
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for inner in getattr(stmt, field, None) or ():
                _defined(inner, out, owned, hit, whole)
    return out


def _carrier_spells_owned(facts: TreeFacts, project: Any, settings: Any, forgotten: bool = False) -> bool:
    """Some function that can carry the identity (with the functions nested in it) spells an owned word,
    or a module-level name whose statement spells one (to a fixpoint: ``ItemDep = Annotated[Item,
    Depends(...)]``, ``dao = ItemDAO()``, ``from .daos import ItemDAO as Items``, a helper of the file). A
    word that reaches only a table the project's checks are handed (``_vocabularies``) counts only in a
    function that also calls what may be such a check (``fetch_flow.deciding_call_lines``): the rules report
    those rows only at one (``queries._helper_decided_row``)."""
    owned_words, all_words = _vocabularies(project, settings)
    loose: dict[str, list[int]] = {}
    lines = _name_lines(facts, _foreign_names(facts, project), owned_words.functions | all_words.functions, loose)
    hits = _spelling_lines(facts, _strict(lines, loose, owned_words), owned_words)
    carriers: Optional[list[tuple[int, int]]] = None
    if hits:
        carriers = _carrier_regions(facts, project, settings)
        if any(_hit(hits, first, last) for first, last, _ in carriers):
            return True
    if all_words is owned_words:
        return False
    lines = _strict(lines, loose, all_words)
    if not all_words.spelled(lines):
        return False
    hits = _spelling_lines(facts, lines, all_words)
    if not hits:
        return False
    if carriers is None:
        carriers = _carrier_regions(facts, project, settings)
    if forgotten and any(_hit(hits, first, last) for first, last, _ in carriers):
        return True
    calls = deciding_call_lines(facts.calls, facts.nodes(ast.Import, ast.ImportFrom), deciding_names(project, settings))
    return any(_hit(hits, first, last) and _hit(calls, body, last) for first, last, body in carriers)


def _strict(lines: dict[str, list[int]], loose: dict[str, list[int]], vocabulary: Vocabulary) -> dict[str, list[int]]:
    """``lines`` without the ``loose`` uses of the words that name only module-level functions in
    ``vocabulary`` (``self.db.delete(row)`` is no call of a project function ``delete``)."""
    cut = [w for w in loose if w in vocabulary.functions]
    if not cut:
        return lines
    out = dict(lines)
    for w in cut:
        rest = list(out[w])
        for line in loose[w]:
            rest.remove(line)
        if rest:
            out[w] = rest
        else:
            del out[w]
    return out


def _carrier_regions(facts: TreeFacts, project: Any, settings: Any) -> list[tuple[int, int, int]]:
    """The lines of the functions that can carry the identity and make a claim (with a class-based view's
    route, every class of the file): ``(first, last, body)``, ``first`` the first line of its decorators,
    ``body`` the first of its body (the calls ``queries._Analyzer`` reads lie in ``body..last``). A top-level
    function that an admin dependency gates for certain (``claims.admin_gated``) has no identity in scope."""
    regions = []
    views = False
    quiet = _no_claim_functions(facts, project, settings)
    top: Optional[set[int]] = None
    module: Any = False
    for func in identity_carriers(facts, project, settings):
        views = views or (route_method(func) and takes_self(func))
        if id(func) in quiet:
            continue
        if top is None:
            top = {id(stmt) for stmt in facts.tree.body}
        if id(func) in top:
            if module is False:
                path = getattr(project, "linted_path", None)
                info = project.module_info(path) if path else None
                module = info[0] if info is not None else None
            if admin_gated(func, module, project, settings):
                continue  # admin-only for certain (``auth._function_identity``): nothing in scope there, nor nested
        first, last = _span(func)
        regions.append((first, last, func.body[0].lineno))
    if views:
        # a class-based view's route: ``self.user`` (``knowledge.auth.class_principals``, a class attribute
        # ``user = Depends(...)`` of the class or a base) is in scope in every method of every class
        regions.extend((first, last, first) for first, last in (_span(cls) for cls in facts.nodes(ast.ClassDef)))
    return regions


def _spelling_lines(facts: TreeFacts, lines: dict[str, list[int]], vocabulary: Vocabulary) -> list[int]:
    """The lines (sorted) that spell a word of ``vocabulary``, or a module-level name whose statement spells
    one (to a fixpoint)."""
    owned = vocabulary.spelled(lines)
    whole = frozenset(owned)  # (the classes among them reach owned rows: every attribute of theirs may lead to one)
    tops = [(_span(stmt), stmt) for stmt in facts.tree.body]
    done: set[int] = set()
    hits: list[int] = []
    fresh = set(owned)

    def hit(first: int, last: int) -> bool:
        return _hit(hits, first, last)

    while fresh:
        hits = sorted(line for w in owned for line in lines[w])
        fresh = set()
        for i, ((first, last), stmt) in enumerate(tops):
            if i in done or not _hit(hits, first, last):
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Assign, ast.AnnAssign, ast.AugAssign)):
                done.add(i)  # (an import's, a class's or a block's names are read again as the owned names grow)
            fresh |= {w for w in _defined(stmt, set(), owned, hit, whole) if w in lines and w not in owned}
        owned |= fresh
    return hits


def _no_claim_functions(facts: TreeFacts, project: Any, settings: Any) -> frozenset[int]:
    """The carriers that report nothing in their own body (``knowledge.claims.no_claim_functions``: no route
    reaches them, so ``auth._function_identity`` gives them no identity); a function nested in one is a carrier
    of its own. Only where the file's module is known (the engine's ``ProjectProbe.linted_path``)."""
    path = getattr(project, "linted_path", None)
    info = project.module_info(path) if path else None
    if info is None:
        return frozenset()
    return no_claim_functions(facts.tree, facts.source, info[0], project, settings)


def _hit(hits: list[int], first: int, last: int) -> bool:
    """Some line of ``hits`` (sorted) lies in ``first..last``."""
    i = bisect.bisect_left(hits, first)
    return i < len(hits) and hits[i] <= last


def _checked_parent_named(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """The file spells the name of a dependency handing on a row it checked (``checked_parent_words``)."""
    if project is None:
        return False
    words = checked_parent_words(project, settings)
    return bool(words) and not words.isdisjoint(facts.names)
