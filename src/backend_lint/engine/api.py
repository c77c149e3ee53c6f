"""The engine: (source, path, settings, project facts) -> diagnostics and, on request, fixed source.

This is the only place that runs rules. The CLI, the flake8 plugin, the pre-commit hooks and the tests
all call ``Engine.lint_source`` / ``Engine.fix_source``.

Per file: decide cheaply whether any enabled rule can fire (``Rule.requires`` substrings, migration
detection); parse with libcst only then; walk the tree once, dispatching to every active rule; compute
positions only when something was reported; apply ``# noqa``; resolve edits to offsets.
"""

from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Sequence

from ..ground.config import Settings
from .selection import per_file_ignored, select_codes
from ..values import Applicability, Diagnostic, Fix, Location, ResolvedEdit
from .registry import all_rules
from ..rules.api import Report, Rule
from ..knowledge.modules import looks_like_migration
from ..knowledge.tree_facts import TreeFacts, tree_facts
from .positions import Positions, SourceLines, node_offsets
from .noqa import FILE_NOQA, Suppressions, multiline_strings_at, parse_suppressions, read_suppressions

if TYPE_CHECKING:  # pragma: no cover
    from ..knowledge.index import ProjectIndex

SYNTAX_ERROR_CODE = "BKL900"
UNUSED_NOQA_CODE = "BKL901"
MAX_FIX_PASSES = 10
_FILE_NOQA_HINT = FILE_NOQA
_NOQA_WORD = re.compile("noqa", re.IGNORECASE)
_BKL_WORD = re.compile("bkl", re.IGNORECASE)


@dataclass
class InternalError:
    path: str
    code: str
    name: str
    error: str

    def __str__(self) -> str:
        return f"{self.path}: internal error in {self.code} ({self.name}): {self.error}"


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[InternalError] = field(default_factory=list)
    parsed: bool = False  # whether libcst ran on the file (for the skip-equivalence tests and benchmarks)
    uses_project: bool = False  # whether a rule read the project index for this file (the cache's key needs it)
    module: Any = None  # the libcst module the rules walked, when one was parsed (the language server re-walks parts of it)


class ProjectProbe:
    """Stands for the project index while one file is linted and records whether a rule read it.

    A file whose rules never looked at the index has findings that depend on its own text (and the
    settings) only, so the result cache need not invalidate it when another module changes. Its own
    module name (``module_info`` of its own path) is part of the cache key anyway and is not a read.
    """

    __slots__ = ("_index", "_path", "used")

    def __init__(self, index: Any, path: str) -> None:
        self._index = index
        self._path = path
        self.used = False

    def module_info(self, path: str) -> Any:
        if path != self._path:
            self.used = True
        return self._index.module_info(path)

    def module_remap(self, module: str) -> Any:
        """How the file's module reads its service's own package: a read of the layout only when there is a remap
        (a project without colliding services answers ``None`` whatever its other modules hold; a module that
        services rename carries the service in its name, which the cache key holds)."""
        remap_of = getattr(self._index, "module_remap", None)
        found = remap_of(module) if remap_of is not None else None
        if found is not None:
            self.used = True
        return found

    @property
    def linted_path(self) -> str:
        """The path of the file being linted: a screen asks for its module (``module_info(linted_path)``)."""
        return self._path

    @property
    def unprobed(self) -> Any:
        """The index itself, for a question whose answer is not worth a dependency (see the callers)."""
        return self._index

    def __getattr__(self, name: str) -> Any:
        self.used = True
        return getattr(self._index, name)


def _syntax_rule() -> type[Rule]:
    from ..rules.engine.syntax_error import SyntaxError_  # (a rule module: a warm run imports none)

    return SyntaxError_


class Engine:
    """Holds the run's rule selection and dispatch table; lints any number of files."""

    def __init__(
        self,
        settings: Settings,
        codes: Optional[Sequence[str]] = None,
        project: Optional["ProjectIndex"] = None,
        skip: bool = True,
        rules: Optional[Sequence[type[Rule]]] = None,
    ) -> None:
        # Nothing here imports the rules (nor libcst): a run whose files all come from the cache never
        # needs them. ``rule_infos()`` reads the rule files' ``SPEC`` statements as text.
        from .registry import info_of, rule_infos

        self.settings = settings
        self.project = project
        # ``BACKEND_LINT_NO_SKIP=1`` turns every prefilter and screen off: a whole-project check that
        # skipping changes no finding (``bench/check_skip.sh``), beyond the test suite's sample.
        self.skip = skip and not os.environ.get("BACKEND_LINT_NO_SKIP")
        self._given_rules = tuple(rules) if rules is not None else None
        infos = tuple(info_of(r) for r in self._given_rules) if self._given_rules is not None else rule_infos()
        if codes is None:
            codes = select_codes(settings, [r.code for r in infos])
        self.codes = set(codes)
        self._infos = infos
        self._all_codes = tuple(r.code for r in infos)
        self.has_project_rules = any(r.code in self.codes and r.project_rule for r in infos)
        self._has_migration_rules = any(r.code in self.codes and r.migration_only for r in infos)
        self._loaded: Optional[tuple] = None
        self.result_cache: Any = None  # set by the runner: project-wide findings are cached there too
        self.project_errors: list[InternalError] = []  # the project-wide rules' crashes (``lint_project``)

    @property
    def given_rules(self) -> Optional[tuple]:
        """The rule classes this engine was built with (``None``: the registry's)."""
        return self._given_rules

    @property
    def rule_codes(self) -> list[str]:
        """Every rule's code this engine knows of, selected or not, in the registry's order."""
        return [r.code for r in self._infos]

    def _load_rules(self) -> tuple:
        if self._loaded is None:
            rules = self._given_rules if self._given_rules is not None else all_rules()
            rule_classes = [r for r in rules if r.code in self.codes and not r.internal and not r.project_rule]
            project_rules = [r for r in rules if r.code in self.codes and r.project_rule]
            self._loaded = (rule_classes, project_rules, None, {r.code: r for r in rules})
            # once per run; as tuples, so that rules asking for the same words (BKL101 and BKL102) share one search per file
            self._requires = {r: _words_tuple(r.requires_for(self.settings)) for r in rule_classes}
        return self._loaded

    def preload(self) -> None:
        """Load the rules, libcst and the dispatch table now (before forking workers that share them)."""
        self.table

    @property
    def rule_classes(self) -> list[type[Rule]]:
        return self._load_rules()[0]

    @property
    def project_rules(self) -> list[type[Rule]]:
        return self._load_rules()[1]

    @property
    def table(self) -> Any:
        loaded = self._load_rules()
        if loaded[2] is None:
            from .walker import DispatchTable  # (the first use of libcst: it loads here)

            self._loaded = loaded = (loaded[0], loaded[1], DispatchTable(loaded[0]), loaded[3])
        return loaded[2]

    @property
    def _by_code(self) -> dict[str, type[Rule]]:
        return self._load_rules()[3]

    # ------------------------------------------------------------------------------------------------
    def _active_rules(
        self, source: str, path: str, is_migration: bool, project: Any = None, has_word: Optional[Callable[[str], bool]] = None
    ) -> list[Optional[type[Rule]]]:
        """``has_word(word)``: whether ``source`` holds ``word`` (a rule's ``requires``), when the caller can tell
        it cheaper than a search of the whole text (the language server, after an edit of one function)."""
        has = has_word if has_word is not None else source.__contains__
        ignored = per_file_ignored(self.settings, path)
        active: list[Optional[type[Rule]]] = []
        rule_classes = self.rule_classes  # (loads the rules and the run's ``requires_for`` table)
        requires_of = self._requires
        answers: dict[tuple[str, ...], bool] = {}  # requires words -> whether the text holds one of them
        for cls in rule_classes:
            if ignored and any(cls.code.startswith(c) for c in ignored):
                active.append(None)
                continue
            if cls.migration_only and not is_migration:
                # semantic, not an optimisation: revision modules are recognised by their text
                active.append(None)
                continue
            if self.skip:
                requires = requires_of[cls]
                if requires is not None:
                    found = answers.get(requires)
                    if found is None:
                        found = answers[requires] = any(has(s) for s in requires)
                    if not found:
                        active.append(None)
                        continue
                if not cls.may_fire_for(source, project if project is not None else self.project, self.settings):
                    active.append(None)
                    continue
            active.append(cls)
        return active

    def _screen(self, active: list[Optional[type[Rule]]], source: str, project: Any, tree: Any = None) -> list[Optional[type[Rule]]]:
        return self._screen_with_tree(active, source, project, tree)[0]

    def _screen_with_tree(
        self, active: list[Optional[type[Rule]]], source: str, project: Any, tree: Any = None, path: Optional[str] = None
    ) -> tuple[list[Optional[type[Rule]]], Any]:
        """Drop the rules whose ``ast`` screen says they cannot fire (``rules/_shared/screens.py``). Only worth an
        ``ast.parse`` when every active rule has a screen: one without forces the libcst parse anyway.
        Also returns CPython's tree of the file (``tree`` or the one parsed here; ``None`` when there is
        none): the positions of findings start from its line numbers. ``path``: the linted file's, whose
        ``source`` the project index may have recorded facts of (``ProjectIndex.screen_record``): then the file
        is parsed only if a screen reads more than the record (the tree is then ``None`` when no rule is left)."""
        if any(cls is not None and cls.may_fire_tree is None for cls in active):
            return active, tree
        record = None
        if tree is None and path is not None and self.project is not None:
            find = getattr(self.project, "screen_record", None)
            record = find(path, source) if find is not None else None
        if tree is not None or record is not None:
            facts: Optional[TreeFacts] = TreeFacts(source, tree, record)
        else:
            facts = tree_facts(source)
        if facts is None:  # CPython cannot parse it: libcst decides (and reports BKL900)
            return active, None
        project = project if project is not None else self.project
        kept = [cls if cls is not None and cls.may_fire_tree(facts, project, self.settings) else None for cls in active]
        if facts.failed:  # (a deferred parse failed: as ``tree_facts`` returning ``None``)
            return active, None
        return kept, facts.tree if any(kept) else facts.parsed_tree

    def prime(self, files: Iterable[tuple[str, str]]) -> int:
        """Run the text prefilters and ``ast`` screens of ``files`` ((path, text) pairs) without linting them,
        each file only while it activates a rule no earlier file did. The project-wide words and facts they
        derive (``ProjectIndex.memo`` / ``stored_memo``: owned models, auth names, table words...) are then
        computed once, here, before a pool forks workers that share them; each worker would otherwise derive
        every one of them again (run 19: 1.7-1.8 s of each worker's CPU on the default bench set). Changes no
        finding: memos are pure. Returns how many files were screened."""
        if not self.skip or self.project is None:
            return 0
        seen: set = set()
        screened = 0
        for path, source in files:
            if self.too_large(source):
                continue
            try:
                active = self._active_rules(source, path, self._has_migration_rules and looks_like_migration(source))
                fresh = [cls for cls in active if cls is not None and cls not in seen]
                if not fresh:
                    continue
                seen.update(fresh)
                screened += 1
                self._screen_with_tree(active, source, self.project)
            except Exception:  # a prefilter's or screen's crash is the lint's to report, with its file
                continue
        # The project-wide facts the visitors of these rules read (``RuleSpec.project_facts``), each derivation
        # once: every worker would otherwise derive them again (run 23: 0.2-0.4 s per worker). Only for rules
        # some sampled file's text prefilters let through: the others may never be linted in this run.
        derived: set = set()
        for cls in self.rule_classes:
            derive = cls.project_facts
            if derive is None or cls not in seen or derive in derived:
                continue
            derived.add(derive)
            try:
                derive(self.project, self.settings)
            except Exception:  # the lint reports a crash, with its file
                continue
        return screened

    def code_enabled_for(self, code: str, path: str) -> bool:
        if code not in self.codes:
            return False
        ignored = per_file_ignored(self.settings, path)
        return not any(code.startswith(c) for c in ignored)

    def lint_source(self, source: str, path: str, noqa: bool = True, tree: Any = None) -> FileResult:
        """Lint one file's text. ``noqa=False`` leaves ``# noqa`` to the caller (flake8 owns it);
        ``tree``: CPython's ``ast`` of that text when the caller has it (flake8 does), for the screens."""
        if self.too_large(source):  # before anything reads the text (noqa tokens, screens, parsers)
            return self.too_large_result(path)
        if tree is None and self.project is not None:
            take = getattr(self.project, "take_tree", None)
            tree = take(path, source) if take is not None else None  # (the index's parse of this very text)
        result = FileResult(path)
        # ``# noqa`` comments are read from tokens (slow) only when they can matter: a file-wide
        # directive, findings to filter, or ``BKL`` codes that BKL901 may report as unused.
        suppressions: Optional[Suppressions] = None
        if not noqa:
            suppressions = Suppressions()
        elif _FILE_NOQA_HINT.search(source):
            suppressions = parse_suppressions(source)
            if suppressions.file_exempt:
                return result
        probe = ProjectProbe(self.project, path) if self.project is not None else None
        is_migration = self._has_migration_rules and looks_like_migration(source)
        active = self._active_rules(source, path, is_migration, probe)
        if self.skip and any(active):
            active, tree = self._screen_with_tree(active, source, probe, tree, path)
        result.uses_project = probe is not None and probe.used
        if not any(active):
            # Nothing can fire here: libcst never sees the file. Still report unparsable files, cheaply:
            # the project index parsed this very text with CPython's parser already.
            if SYNTAX_ERROR_CODE in self.codes and not (self.project is not None and self.project.parsed_ok(path, source)):
                self._check_syntax_cheaply(source, path, result)
            return self._finish(result, [], source, suppressions, noqa, tree)
        from .context import FileContext  # (libcst: loaded only when a file is parsed; a warm run never loads it)
        from .parsing import ParseFailure, parse_module  # (9 ms: subprocess; not in a warm run)
        from .walker import Walker  # (libcst: loaded only when a file is parsed; a warm run never loads it)

        try:
            module = parse_module(source)
        except ParseFailure as exc:
            self._syntax_diag(result, path, exc.row, exc.col, exc.message)
            return self._finish(result, [], source, suppressions, noqa)
        result.parsed = True
        result.module = module
        ctx = FileContext(source, path, self.settings, probe if probe is not None else self.project)
        ctx.module = module
        ctx.tree = tree
        table = self.table
        instances: list[Optional[Rule]] = []
        for cls in active:
            instances.append(cls(ctx) if cls is not None else None)

        def on_error(index: int, exc: BaseException) -> None:
            cls = table.rule_classes[index]
            result.errors.append(InternalError(path, cls.code, cls.name, _format_exc(exc)))

        walker = Walker(table, instances, on_error, on_import=lambda node: ctx.imports.add_import(node))
        ctx.walk_path = walker.path
        try:
            try:
                walker.run(module)
            except RecursionError:
                self._syntax_diag(result, path, 1, 0, "Cannot lint file: too deeply nested")
                return self._finish(result, [], source, suppressions, noqa)
            finally:
                result.uses_project = probe is not None and probe.used
                ctx.walk_path = None
            diagnostics = self._resolve(ctx.reports, module, source, path, result, tree)
        finally:
            ctx.release()  # (its analyses refer back to it: the tree is freed now, not by the collector)
        result.uses_project = probe is not None and probe.used
        return self._finish(result, diagnostics, source, suppressions, noqa, tree)

    def too_large(self, source: str) -> bool:
        """Whether ``source`` is larger than ``max-file-size`` (in UTF-8 bytes)."""
        limit = self.settings.max_file_size
        if len(source) * 4 <= limit:
            return False
        return len(source) > limit or len(source.encode("utf-8", "surrogatepass")) > limit

    def too_large_result(self, path: str) -> FileResult:
        """The finding for a file larger than ``max-file-size`` (BKL900): it is neither read nor parsed."""
        result = FileResult(path)
        limit = self.settings.max_file_size
        if self.code_enabled_for(SYNTAX_ERROR_CODE, path):
            self._syntax_diag(result, path, 1, 0, f"File is larger than `max-file-size` ({limit} bytes); not linted")
        return result

    # ------------------------------------------------------------------------------------------------
    def _check_syntax_cheaply(self, source: str, path: str, result: FileResult) -> None:
        if SYNTAX_ERROR_CODE not in self.codes:
            return
        from .parsing import syntax_error  # (9 ms: subprocess; not in a warm run)

        failure = syntax_error(source)
        if failure is not None:
            self._syntax_diag(result, path, failure.row, failure.col, failure.message)

    def _syntax_diag(self, result: FileResult, path: str, row: int, col: int, message: str) -> None:
        if SYNTAX_ERROR_CODE not in self.codes:
            return
        rule = _syntax_rule()
        loc = Location(max(row, 1), col + 1)
        result.diagnostics.append(Diagnostic(rule.code, rule.name, message, path, loc, Location(loc.row, loc.column)))

    def _resolve(self, reports: list[Report], module: Any, source: str, path: str, result: FileResult, tree: Any = None) -> list[Diagnostic]:
        if not reports:
            return []
        lines = SourceLines(source)
        positions = None
        targets = {r.node for r in reports if r.node is not None}
        hints: dict = {}  # a target -> where the traversal was when it was reported
        for r in reports:
            if r.ancestors is not None and r.node is not None:
                hints.setdefault(r.node, r.ancestors)
            if r.fix is not None:
                for e in r.fix.edits:
                    node = getattr(e, "node", None)
                    if node is not None:
                        targets.add(node)
                        if r.ancestors is not None:
                            hints.setdefault(node, r.ancestors)
        if targets:
            positions = Positions(node_offsets(module, targets, tree, lines, hints), lines)
        out: list[Diagnostic] = []
        for report in reports:
            try:
                out.append(self.report_diagnostic(report, path, positions, lines))
            except Exception as exc:
                result.errors.append(InternalError(path, report.rule.code, report.rule.name, _format_exc(exc)))
        return out

    @classmethod
    def report_diagnostic(cls, report: Any, path: str, positions: Any, lines: SourceLines) -> Diagnostic:
        """A rule's report as a finding: its range from ``positions`` (or its row and column), its fix's
        edits resolved to offsets. Raises what a rule's bad report raises (the caller tells it)."""
        if report.node is not None:
            rng = positions[report.node]
            start = Location(rng.start.line, rng.start.column + 1)
            end = Location(rng.end.line, rng.end.column + 1)
        else:
            start = end = Location(report.row, report.col + 1)
        fix = None
        edit_locations: list[tuple[Location, Location]] = []
        if report.fix is not None:
            resolved = tuple(sorted(cls._resolve_edit(e, positions, lines) for e in report.fix.edits))
            fix = Fix(report.fix.message, resolved, report.fix.applicability)
            for e in resolved:
                r1, c1 = lines.position(e.start)
                r2, c2 = lines.position(e.end)
                edit_locations.append((Location(r1, c1 + 1), Location(r2, c2 + 1)))
        return Diagnostic(report.rule.code, report.rule.name, report.message, path, start, end, fix, edit_locations=edit_locations)

    @staticmethod
    def _resolve_edit(edit: Any, positions: Any, lines: SourceLines) -> ResolvedEdit:
        if isinstance(edit, ResolvedEdit):
            return edit
        kind = edit.kind
        if kind == "offsets":
            return ResolvedEdit(edit.start, edit.end, edit.content)
        if kind == "line":
            at = lines.line_start(edit.start)
            return ResolvedEdit(at, at, edit.content)
        rng = positions[edit.node]
        start = lines.offset(rng.start.line, rng.start.column)
        end = lines.offset(rng.end.line, rng.end.column)
        if kind == "replace":
            return ResolvedEdit(start, end, edit.content)
        if kind == "before":
            return ResolvedEdit(start, start, edit.content)
        if kind == "after":
            return ResolvedEdit(end, end, edit.content)
        raise ValueError(f"unknown edit kind {kind!r}")

    def _finish(
        self,
        result: FileResult,
        diagnostics: list[Diagnostic],
        source: str,
        suppressions: Optional[Suppressions],
        noqa: bool,
        tree: Any = None,
    ) -> FileResult:
        diagnostics = result.diagnostics + diagnostics
        needed = suppressions is None and noqa and _NOQA_WORD.search(source) is not None and (
            bool(diagnostics) or (_BKL_WORD.search(source) is not None and self.code_enabled_for(UNUSED_NOQA_CODE, result.path))
        )
        if tree is None and (needed or (noqa and diagnostics)):
            facts = tree_facts(source)  # (CPython's tree: cheaper to build than the file's tokens)
            tree = facts.tree if facts is not None else None
        if suppressions is None:
            suppressions = read_suppressions(source, tree) if needed else Suppressions()
        if noqa and diagnostics and not suppressions.strings_read:
            # Where a finding's ``# noqa`` goes (``noqa_row``, ``--add-noqa``): after a multi-line string
            # around it, never inside it, also in a file without any ``noqa`` yet.
            suppressions.multiline_strings = multiline_strings_at(source, tree, [d.row for d in diagnostics])
        kept: list[Diagnostic] = []
        for d in diagnostics:
            d.noqa_row = suppressions.noqa_row(d.row)
            if noqa and suppressions.is_suppressed(d.code, d.row):
                continue
            kept.append(d)
        if noqa and self.code_enabled_for(UNUSED_NOQA_CODE, result.path):  # (per-file-ignores may drop it)
            kept.extend(self._unused_noqa(suppressions, source, result.path))
        kept.sort(key=Diagnostic.sort_key)
        result.diagnostics = kept
        return result

    def apply_noqa(self, source: str, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Filter project-level diagnostics (computed outside a file's traversal) through the file's noqa."""
        suppressions = parse_suppressions(source)
        if suppressions.file_exempt:
            return []
        return [d for d in diagnostics if not suppressions.is_suppressed(d.code, d.row)]

    def _unused_noqa(self, suppressions: Suppressions, source: str, path: str) -> list[Diagnostic]:
        from ..rules.engine.unused_noqa import UnusedNoqa  # (a rule module: a warm run imports none)

        out: list[Diagnostic] = []
        if not suppressions.by_row:
            return out
        lines = None
        for row, comment in sorted(suppressions.by_row.items()):
            if comment.codes is None:
                continue
            ours = [c for c in comment.codes if c.startswith("BKL")]
            if not ours:
                continue
            unused = []
            for c in ours:
                if c in comment.used:
                    continue
                known = any(code.startswith(c) for code in self._all_codes)
                enabled = any(code.startswith(c) and self.code_enabled_for(code, path) for code in self._all_codes)
                if known and not enabled:
                    continue  # a code this run does not check: we cannot say it is unused
                unused.append(c)
            if not unused:
                continue
            if lines is None:
                lines = SourceLines(source)
            unknown = [c for c in unused if not any(code.startswith(c) for code in self._all_codes)]
            parts = []
            if unknown:
                parts.append("unknown " + ", ".join(f"`{c}`" for c in unknown))
            if len(unknown) < len(unused):
                parts.append("unused " + ", ".join(f"`{c}`" for c in unused if c not in unknown))
            message = f"Unused `noqa` directive ({'; '.join(parts)})"
            line_start = lines.line_start(row)
            # rebuild the comment without the unused codes (other tools' codes are kept)
            remaining = [c for c in comment.codes if c not in unused]
            comment_start = line_start + comment.col
            text = comment.text
            tail = text[comment.span[1]:].strip()
            if remaining:
                replacement = text[: comment.span[0]] + ", ".join(remaining) + (" " + tail if tail else "")
            else:
                # drop the whole ``# noqa: ...`` directive; keep any other comment text around it
                replacement = text[: text.lower().find("# noqa")].rstrip()
                if tail:
                    replacement = (replacement + " " + tail) if replacement else "# " + tail.lstrip("# ")
            if replacement:
                edit = ResolvedEdit(comment_start, comment_start + len(text), replacement)
            else:
                before = source[line_start:comment_start]
                strip_from = comment_start - (len(before) - len(before.rstrip(" \t"))) if before.strip() else comment_start
                edit = ResolvedEdit(strip_from, comment_start + len(text), "")
            loc = Location(row, comment.col + 1)
            end = Location(row, comment.col + 1 + len(comment.text))
            fix = Fix("Remove unused `noqa` directive", (edit,), Applicability.SAFE)
            r1, c1 = lines.position(edit.start)
            r2, c2 = lines.position(edit.end)
            out.append(
                Diagnostic(
                    UnusedNoqa.code, UnusedNoqa.name, message, path, loc, end, fix, noqa_row=row,
                    edit_locations=[(Location(r1, c1 + 1), Location(r2, c2 + 1))],
                )
            )
        return out

    # -- fixes ---------------------------------------------------------------------------------------
    def fix_source(self, source: str, path: str, unsafe: bool = False, noqa: bool = True) -> tuple[str, FileResult, int]:
        """Apply fixes until nothing changes (at most ``MAX_FIX_PASSES`` passes).

        Returns the fixed source, the result of linting it, and how many fixes were applied. A pass whose
        output does not parse is retried fix by fix, keeping only fixes that keep the file parseable.
        """
        from .fixes import apply_fixes, fixable, parses  # (2 ms; only with --fix or --diff)

        applied = 0
        current = source
        result = self.lint_source(current, path, noqa=noqa)
        for _ in range(MAX_FIX_PASSES):
            candidates = [d for d in result.diagnostics if fixable(d, unsafe)]
            if not candidates:
                break
            new_source, used = apply_fixes(current, candidates)
            if used and not parses(new_source, current):
                # find the fixes that break the file and leave them out
                good = []
                for d in candidates:
                    trial, n = apply_fixes(current, good + [d])
                    if n and parses(trial, current):
                        good.append(d)
                new_source, used = apply_fixes(current, good)
            if not used or new_source == current:
                break
            applied += used
            current = new_source
            result = self.lint_source(current, path, noqa=noqa)
        return current, result, applied

    # -- project rules -------------------------------------------------------------------------------
    def lint_project(self) -> list[Diagnostic]:
        """The project-wide rules' findings; a rule that crashes is recorded in ``project_errors``."""
        self.project_errors = []
        if self.project is None:
            return []
        cache = self.result_cache
        codes = sorted(r.code for r in self._infos if r.code in self.codes and r.project_rule)
        if not codes:
            return []
        digest = self.project.project_digest()
        if cache is not None:
            found = cache.lookup_project(digest, codes)
            if found is not None:
                return found
        out: list[Diagnostic] = []
        failed = False
        for cls in self.project_rules:
            try:
                out.extend(cls.check_project(self.project, self.settings))
            except Exception as exc:  # reported like any rule's crash: where (the project root), the rule
                failed = True
                root = getattr(self.project, "root", None) or self.settings.root
                self.project_errors.append(InternalError(root, cls.code, cls.name, _format_exc(exc)))
        if cache is not None and not failed:
            cache.store_project(digest, codes, out)
            cache.save()
        return out


def _words_tuple(words: Optional[Iterable[str]]) -> Optional[tuple[str, ...]]:
    """A rule's ``requires`` words as a tuple (their order kept), ``None`` for none."""
    return None if words is None else tuple(words)


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _format_exc(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
    return f"{type(exc).__name__}: {_first_line(str(exc))}{where}"


def lint_text(source: str, path: str = "<stdin>", settings: Optional[Settings] = None, codes: Optional[Iterable[str]] = None) -> list[Diagnostic]:
    """Convenience for tests and embedding: lint one string with default settings."""
    settings = settings or Settings()
    engine = Engine(settings, list(codes) if codes is not None else None)
    return engine.lint_source(source, path).diagnostics
