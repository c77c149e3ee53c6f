"""What a rule is: a ``RuleSpec`` and the ``Rule`` class every rule derives from.

One file per rule (``rules/<family>/<rule_name>.py``) holds, in this order, its words, its screen (a cheap
check on CPython's ``ast``: may the rule fire on this file at all?), its ``SPEC``, and its class: a small
libcst visitor (``visit_<Node>`` / ``leave_<Node>`` methods, called from the one traversal the engine makes
per file, see ``engine/walker.py``) with its fixes and docs. The screen and the visitor read the same
words. What several rules of a family share is in ``<family>/_analysis.py`` (or ``_screens.py``)::

    def empty_downgrade(facts, project, settings) -> bool:   # the screen, on CPython's ``ast``
        ...

    SPEC = RuleSpec(
        code="BKL402",
        name="empty-downgrade",
        message="`downgrade()` does nothing",
        requires=("downgrade",),          # cheap prefilter: the source must contain one of these
        migration_only=True,
        screen=empty_downgrade,
    )

    class EmptyDowngrade(Rule):
        \"\"\"
        ## What it does
        ...
        \"\"\"

        spec = SPEC

        def visit_FunctionDef(self, node): ...

``RuleSpec`` is plain data: the registry reads every rule file's ``SPEC = RuleSpec(...)`` statement as text
(``engine/registry.py``), so a run that lints nothing never imports a rule. Keep it at the module's top level,
closed by a line that is only ``)``, with literal arguments (the screen and ``FixAvailability`` aside).

A rule instance lives for one file. ``self.ctx`` is the file's ``FileContext`` (source, path, settings,
import table, project index, shared per-file analyses).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Optional

from ..values import Fix, FixAvailability

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")
FAMILIES = {
    "1": "identity",
    "2": "isolation",
    "3": "timezone",
    "4": "migrations",
    "5": "partial-updates",
    "6": "validation",
    "9": "engine",
}
DOCS_URL = "https://github.com/backend-lint/backend-lint/blob/main/docs/rules.md#{code}"


@dataclass(frozen=True)
class RuleSpec:
    """What the engine and the faces know about a rule without its visitor (see the module docstring)."""

    code: str
    name: str
    message: str = ""
    fix_availability: FixAvailability = FixAvailability.NONE
    # Substrings of which at least one must occur in a file for the rule to possibly report there.
    # ``None`` means "always run". Keep them honest: tests run every fixture with and without skipping.
    requires: Optional[tuple[str, ...]] = None
    # Runs only on files that look like Alembic revisions (decided once per file from the source).
    migration_only: bool = False
    # Produces findings outside of one file's traversal (e.g. over a migration graph).
    project_rule: bool = False
    # Internal rules (BKL9xx) are documented but never run as visitors.
    internal: bool = False
    # Off unless selected by code, prefix or ALL.
    opt_in: bool = False
    # The rule's screen on CPython's ``ast``: ``(facts, project, settings) -> bool``, False only when the rule
    # cannot fire on the file (``rules/_shared/screens.py``). ``None``: the rule always needs libcst.
    screen: Optional[Callable[[Any, Any, Any], bool]] = None
    # What the rule reports while the traversal is inside a top-level function depends only on that
    # function's code, the module's imports and its other top-level statements *outside* function bodies
    # (classes, assignments, signatures), the settings and the project index: never on another function's
    # body, nor on state kept from an earlier statement; and it reports at nodes of that function only.
    # The language server then re-walks just an edited function (``faces/server/statements.py``); a
    # differential test holds it to a full lint (``tests/server/test_statement_differential.py``).
    local: bool = False
    # ``(project, settings) -> None``: derives the project-wide facts the rule's visitor reads from the index
    # (``ProjectIndex.memo`` / ``stored_memo``: table maps, call reach...). A pooled run calls it once in the
    # parent before it forks (``Engine.prime``), so the workers share the facts instead of each deriving them.
    # Pure, like every memo: it changes no finding. ``None``: nothing worth deriving ahead.
    project_facts: Optional[Callable[[Any, Any], Any]] = None


class Report:
    """What a rule reports before positions are known."""

    __slots__ = ("rule", "node", "message", "fix", "row", "col", "ancestors")

    def __init__(self, rule: "Rule", node: Any, message: str, fix: Optional[Fix], row: int = 0, col: int = 0):
        self.rule = rule
        self.node = node
        self.message = message
        self.fix = fix
        self.row = row
        self.col = col
        # the node the traversal was at when the rule reported, with its ancestors (module first): ``node``
        # and the fix's nodes usually lie below it (set by ``FileContext.add_report``)
        self.ancestors: Optional[tuple] = None


class Rule:
    # The rule's ``RuleSpec``; its fields are also set on the class (``code``, ``requires``, ...;
    # ``screen`` as ``may_fire_tree``), which is what the engine reads.
    spec: ClassVar[Optional[RuleSpec]] = None
    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    message: ClassVar[str] = ""
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    requires: ClassVar[Optional[tuple[str, ...]]] = None
    # A finer prefilter than ``requires`` that may read the project index (for words that depend on the
    # project, e.g. names of its schemas); held to the same honesty by the skip-equivalence tests.
    @classmethod
    def may_fire(cls, source: str, project: Any) -> bool:
        return True

    # ``may_fire`` for rules whose words depend on both the settings and the project (names of the
    # project's auth dependencies and of the configured principal parameters); defaults to ``may_fire``.
    @classmethod
    def may_fire_for(cls, source: str, project: Any, settings: Any) -> bool:
        return cls.may_fire(source, project)

    # ``spec.screen``. When every rule still active on a file has one, the file is parsed with ``ast`` first
    # and reaches libcst only if a screen lets a rule through.
    may_fire_tree: ClassVar[Optional[Any]] = None

    # ``spec.project_facts``: derives, ahead of a pool's fork, the project-wide facts the visitor reads.
    project_facts: ClassVar[Optional[Any]] = None

    # ``requires`` for a run's settings: rules whose trigger words are configurable (project helper names)
    # override this; the default is ``requires``.
    @classmethod
    def requires_for(cls, settings: Any) -> Optional[tuple[str, ...]]:
        return cls.requires

    migration_only: ClassVar[bool] = False
    project_rule: ClassVar[bool] = False
    internal: ClassVar[bool] = False
    opt_in: ClassVar[bool] = False
    local: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if spec is not None:
            cls.code = spec.code
            cls.name = spec.name
            cls.message = spec.message
            cls.fix_availability = spec.fix_availability
            cls.requires = spec.requires
            cls.migration_only = spec.migration_only
            cls.project_rule = spec.project_rule
            cls.internal = spec.internal
            cls.opt_in = spec.opt_in
            cls.local = spec.local
            cls.may_fire_tree = staticmethod(spec.screen) if spec.screen is not None else None
            cls.project_facts = staticmethod(spec.project_facts) if spec.project_facts is not None else None

    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx

    # -- reporting -----------------------------------------------------------------------------------
    def report(self, node: Any, message: Optional[str] = None, fix: Optional[Fix] = None) -> None:
        self.ctx.add_report(Report(self, node, message or self.message, fix))

    def report_at(self, row: int, col: int = 0, message: Optional[str] = None, fix: Optional[Fix] = None) -> None:
        """Report at a 1-based row and 0-based column when there is no node to point at."""
        self.ctx.add_report(Report(self, None, message or self.message, fix, row=row, col=col))

    # -- project-wide rules ----------------------------------------------------------------------------
    @classmethod
    def check_project(cls, project: Any, settings: Any) -> list:  # pragma: no cover - overridden
        """Return ``Diagnostic``s computed over the whole project (only for ``project_rule``)."""
        return []

    # -- docs ----------------------------------------------------------------------------------------
    @classmethod
    def family(cls) -> str:
        return FAMILIES.get(cls.code[3:4], "other")

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """Split the docstring into its ``## Section`` parts."""
        sections: dict[str, str] = {}
        current = None
        lines: list[str] = []
        for line in cls.docs().splitlines():
            m = re.match(r"^##\s+(.*?)\s*$", line)
            if m:
                if current is not None:
                    sections[current] = "\n".join(lines).strip()
                current, lines = m.group(1), []
            elif current is not None:
                lines.append(line)
        if current is not None:
            sections[current] = "\n".join(lines).strip()
        return sections

    @classmethod
    def summary(cls) -> str:
        """The first sentence of "What it does", for tables and SARIF short descriptions."""
        text = cls.doc_sections().get("What it does", "").strip()
        first = re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0]
        return first

    @classmethod
    def code_blocks(cls, section: str) -> list[str]:
        body = cls.doc_sections().get(section, "")
        return [inspect.cleandoc(b) for b in re.findall(r"```(?:python|py)?\n(.*?)```", body, re.S)]

    @classmethod
    def url(cls) -> str:
        return DOCS_URL.format(code=cls.code.lower())
