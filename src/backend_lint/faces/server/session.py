"""The language server's state, without the protocol: open buffers, warm workspaces, findings, actions.

``Session`` is what the LSP layer (``faces/server/lsp.py``) drives. It knows files by path and text; the
protocol (URIs, UTF-16 positions, JSON) stays in the LSP layer. Everything that decides a finding or a
fix is the engine's: a ``Workspace`` per project root (settings, the project index in memory, the
engine), ``Workspace.update_file`` to keep the index on the buffers, ``Workspace.lint_open`` to lint a
buffer, ``Engine.fix_source`` for "fix all" and the engine's fix edits for each quick fix.

Nothing here reads an open file from disk (its buffer is the truth), and nothing writes a source file:
fixes leave as edits for the client to apply.

The engine reads its project index through a ``RecordingIndex`` (``reads.py``): each buffer's findings
keep what they read of the index, so that when the index changes (an edit changed the facts of a function,
saved or not, or another file changed) a buffer whose every read gets the same answer keeps its findings
(or has only the edited function walked again); ``Linted.facts_changed`` tells the LSP layer to lint the
open dependants again. After such a change, the index's derived facts whose reads all hold are kept
(``RecordingIndex.keep_derived``) rather than computed again by the next lint.

An edit that changes no code (a comment, a blank line, inside a function or not) moves the findings
(``incremental.py``) before anything else is tried; the statements' layout follows while idle (``prepare``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from ...engine.api import SYNTAX_ERROR_CODE
from ...engine.fixes import apply_fixes, fixable
from ...engine.workspace import Workspace
from ...ground.cache import DEFAULT_CACHE_DIR
from ...ground.config import ConfigError, Settings, discover_settings
from ...ground.discovery import is_excluded_file
from ...ground.inputs import ALEMBIC_ENV, ALEMBIC_INI, GITIGNORE, LOCK_FILES, REQUIREMENTS_DIR, SPEC_FILES, forget, is_requirements
from ...values import Applicability, Diagnostic, Location
from ..adoption import add_noqa
from .function_facts import patch_facts
from .incremental import CodeTokens, reuse
from .reads import ReadLog, RecordingIndex, recording
from .statements import Layout, in_context, layout_of, relayout, relint_function

CONFIG_FILES = ("pyproject.toml", "backend-lint.toml")
# the other declared inputs a lint reads (``ground/inputs.py``): a change reloads like a configuration's
INPUT_FILES = frozenset(LOCK_FILES + SPEC_FILES + (ALEMBIC_INI, ALEMBIC_ENV, GITIGNORE))
MAX_MERGES = 256  # re-walks of one function whose reads are merged (a safety bound) before the file is linted again


@dataclass
class Linted:
    """One lint of one buffer: what it found, for which text, against which state of the project."""

    text: str
    diagnostics: list[Diagnostic]
    errors: list[str]
    uses_project: bool
    project_digest: Optional[str]
    workspace: Optional[Workspace]
    tokens: Optional[CodeTokens] = None  # its code tokens, once computed (``incremental.py``)
    reused: bool = False  # the findings were moved from the previous lint (no rule ran)
    # what re-linting one function needs (``statements.py``): the file's own findings (no project-wide
    # ones), the project-wide ones, the libcst module (dropped once the layout is known) and the layout
    own: Optional[list[Diagnostic]] = None
    project: list[Diagnostic] = field(default_factory=list)
    module: Any = None
    layout: Optional[Layout] = None
    how: str = "linted"  # "linted" | "reused" | "function" (one function re-walked)
    # what its findings read from the project index (``reads.py``): when the index changes and every
    # read gets the same answer, the findings stand; ``None``: unknown (any change of the index re-lints)
    reads: Optional[ReadLog] = None
    relayout_from: Optional[tuple] = None  # findings moved: (the previous layout, its text), for ``prepare``
    facts_changed: bool = False  # this lint changed the buffer's facts in the index: its open dependants are linted again
    # after a re-walk of one function, what is left for idle time (``Session.finish``): the previous lint's code
    # tokens and the function's span (its tokens spliced in), the previous lint's reads and this walk's (merged)
    pending: Optional[tuple] = None


@dataclass
class Document:
    path: str
    text: str
    version: Optional[int] = None
    linted: Optional[Linted] = None
    # the texts the buffer went through since its last lint (one per change the client sent), the last
    # being ``text``: findings are moved edit by edit, each edit one span (``incremental.py``)
    steps: list[str] = field(default_factory=list)


@dataclass
class Action:
    """A code action as the engine sees it: a title, a kind, the findings it answers, and the new text."""

    title: str
    kind: str  # "quickfix" | "source.fixAll"
    new_text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    preferred: bool = False


class Session:
    def __init__(self, extra_rules: Sequence[Any] = (), log: Optional[Callable[[str], None]] = None) -> None:
        self.documents: dict[str, Document] = {}
        self._settings: dict[str, Settings] = {}  # directory -> settings
        self._workspaces: dict[str, Workspace] = {}  # settings root -> workspace
        self._extra_rules = tuple(extra_rules)
        self.log = log or (lambda message: None)
        self.generation = 0  # bumped when the configuration is reloaded
        self.function_relint = True  # re-walk one edited function when that is enough (``statements.py``)
        self.keep_derived = True  # after the index changed, keep the derived facts that hold (``reads.py``)
        # ``post(callable)`` runs it on the server's loop from another thread (``loop.call_soon_threadsafe``):
        # set, a project's first index is built on a thread; ``on_ready(paths)``: lint those again
        self.post: Optional[Callable[[Callable[[], None]], Any]] = None
        self.on_ready: Callable[[list[str]], None] = lambda paths: None
        self._building: dict[str, Any] = {}  # settings root -> the single-file workspace used meanwhile
        self._function_facts: dict[tuple, Any] = {}  # a function's text (and module) -> its facts alone
        self.patched_facts = 0  # how many edits gave the index the file's facts patched, not extracted (``function_facts``)

    # -- projects ----------------------------------------------------------------------------------------
    def settings_for(self, path: str) -> Settings:
        """The settings of the file's project (raises ``ConfigError``); discovered once per directory."""
        directory = os.path.dirname(os.path.abspath(path))
        settings = self._settings.get(directory)
        if settings is None:
            settings = self._settings[directory] = discover_settings(directory)
        return settings

    def workspace_for(self, path: str) -> Workspace:
        """The project's workspace. With ``post`` set (the server), a project's first index is built on a
        thread: meanwhile its files are linted alone (a ``_SingleFile`` workspace, no project index), and
        ``on_ready`` gets the open files to lint again once the index is in."""
        settings = self.settings_for(path)
        key = os.path.abspath(settings.root)
        workspace = self._workspaces.get(key)
        if workspace is None:
            if self.post is None:
                workspace = self._workspaces[key] = self._open_workspace(settings)
            else:
                workspace = self._building.get(key)
                if workspace is None:
                    workspace = self._building[key] = self._build_in_background(key, settings)
        return workspace

    def _new_workspace(self, settings: Settings) -> Workspace:
        workspace = Workspace(settings, cache_dir=os.path.join(settings.root, DEFAULT_CACHE_DIR))
        if self._extra_rules:
            workspace.engine = self._engine(settings, workspace.index)
        if workspace.index is not None:  # the rules' reads of the index are written down while a buffer is linted
            workspace.engine.project = RecordingIndex(workspace.index)
        return workspace

    def _engine(self, settings: Settings, index: Any) -> Any:
        from ...engine.api import Engine  # (only with extra rules, or while an index builds)
        from ...engine.registry import all_rules  # (idem)

        if self._extra_rules:  # rules given to the server on top of the registry's (the tests' crashing rule)
            return Engine(settings, None, index, rules=(*all_rules(), *self._extra_rules))
        return Engine(settings, None, index)

    def _open_workspace(self, settings: Settings, workspace: Optional[Workspace] = None) -> Workspace:
        if workspace is None:
            workspace = self._new_workspace(settings)
        for doc in self.documents.values():  # the buffers, not the disk, for every open file of the project
            if os.path.abspath(doc.path).startswith(os.path.abspath(settings.root) + os.sep):
                self._update(workspace, doc.path, doc.text)
        self.log(f"backend-lint: project {settings.root} ({settings.config_file or 'default settings'})")
        return workspace

    def _build_in_background(self, key: str, settings: Settings) -> Workspace:
        import threading  # (only the server builds on a thread)

        generation = self.generation
        post = self.post
        assert post is not None

        def work() -> None:
            try:
                built = self._new_workspace(settings)
            except Exception as exc:  # said, and the project's files stay linted alone
                message = f"backend-lint: could not index {settings.root}: {type(exc).__name__}: {exc}"
                post(lambda: self.log(message))
                return
            post(lambda: self._installed(key, settings, built, generation))

        self.log(f"backend-lint: indexing {settings.root} in the background; its files are linted alone until then")
        threading.Thread(target=work, name="backend-lint-index", daemon=True).start()
        return _SingleFile(settings, self._engine(settings, None))  # type: ignore[return-value]

    def _installed(self, key: str, settings: Settings, workspace: Workspace, generation: int) -> None:
        """On the server's loop, once the thread built the project's workspace: the buffers go into its
        index, and the project's open files are linted again."""
        if generation != self.generation:
            return  # the configuration was reloaded meanwhile: that build is stale
        self._building.pop(key, None)
        self._workspaces[key] = self._open_workspace(settings, workspace)
        paths = [p for p, doc in self.documents.items() if self._in(workspace, p)]
        for p in paths:
            self.documents[p].linted = None
        self.on_ready(paths)

    def reload_configuration(self) -> None:
        """Forget every project's settings and workspace, and what the process remembers of the declared
        inputs (pins, ``alembic.ini``: ``ground/inputs.py``): the next lint discovers and indexes again."""
        forget()
        self._settings.clear()
        self._workspaces.clear()
        self._building.clear()
        self.generation += 1
        for doc in self.documents.values():
            doc.linted = None

    # -- buffers ---------------------------------------------------------------------------------------
    def open(self, path: str, text: str, version: Optional[int] = None) -> Document:
        doc = self.documents.get(path)
        if doc is None:
            doc = self.documents[path] = Document(path, text, version)
        else:
            doc.text, doc.version = text, version
        doc.steps = [text]
        return doc

    def change(self, path: str, text: str, version: Optional[int] = None) -> Document:
        doc = self.documents.get(path)
        if doc is None:
            return self.open(path, text, version)
        doc.text, doc.version = text, version
        if len(doc.steps) < 64:
            doc.steps.append(text)
        else:  # a long burst without a lint: compare with the last text linted in one step
            doc.steps = [text]
        return doc

    def close(self, path: str) -> list[str]:
        """Forget the buffer; the index goes back to the file on disk. Returns the open files to lint again."""
        doc = self.documents.pop(path, None)
        if doc is None:
            return []
        try:
            workspace = self.workspace_for(path)
        except ConfigError:
            return []
        self._update(workspace, path, None if os.path.isfile(path) else doc.text)
        return self._dependants(workspace, path)

    def saved(self, path: str) -> list[str]:
        """After ``didSave``: the saved buffer is linted again, and so are the open files that read the index
        when the file's facts changed. Returns the paths to lint."""
        doc = self.documents.get(path)
        if doc is None:
            return []
        if os.path.basename(path) in CONFIG_FILES:
            return self.config_changed()
        out = [path]
        try:
            workspace = self.workspace_for(path)
        except ConfigError:
            return out
        self._update(workspace, path, doc.text)
        return out + self._dependants(workspace, path)

    def files_changed(self, changes: Sequence[tuple[str, str]]) -> list[str]:
        """``workspace/didChangeWatchedFiles``: ``(path, "created" | "changed" | "deleted")``. A
        configuration file (or another declared input: a pin, ``alembic.ini``, ``.gitignore``) reloads
        everything; a Python file updates the index (an open file keeps its
        buffer); a deletion rebuilds the project's index. Returns the open files to lint again."""
        if any(_is_input(p) for p, _ in changes):
            return self.config_changed()
        relint: list[str] = []
        for path, kind in changes:
            if not path.endswith(".py") or path in self.documents:
                continue  # an open file's buffer is the truth until it is closed
            try:
                settings = self.settings_for(path)
            except ConfigError:
                continue
            workspace = self._workspaces.get(os.path.abspath(settings.root))
            if workspace is None:
                continue  # nothing of that project is open: its index is built when it is
            if kind == "deleted":
                self._workspaces[os.path.abspath(settings.root)] = workspace = self._open_workspace(settings)
                relint += [p for p in self.documents if self._in(workspace, p)]
            else:
                self._update(workspace, path, None)
                relint += self._dependants(workspace, path)
        return _unique(relint)

    def config_changed(self) -> list[str]:
        self.reload_configuration()
        return list(self.documents)

    def _update(
        self, workspace: Workspace, path: str, text: Optional[str] = None, lagging: bool = False, tree: Any = None, facts: Any = None
    ) -> bool:
        """``Workspace.update_file``; when the file's facts changed, the derived facts that still hold are
        kept (``RecordingIndex.keep_derived``) instead of being computed again by the next lint."""
        recorder = workspace.engine.project
        index = workspace.index
        before = None
        if isinstance(recorder, RecordingIndex):
            recorder.changing()
            entry = index.entry(os.path.abspath(path)) if index is not None else None
            before = entry.facts if entry is not None else None
        changed = workspace.update_file(path, text, lagging, tree, facts) if lagging else workspace.update_file(path, text)
        if isinstance(recorder, RecordingIndex):
            if changed:
                entry = index.entry(os.path.abspath(path)) if index is not None else None
                recorder.changed(_extra_only(before, entry.facts if entry is not None else None))
            if changed and self.keep_derived:
                recorder.keep_derived()
        return changed

    @staticmethod
    def _in(workspace: Workspace, path: str) -> bool:
        return os.path.abspath(path).startswith(os.path.abspath(workspace.settings.root) + os.sep)

    def _dependants(self, workspace: Workspace, changed: str) -> list[str]:
        """The open files of the project whose findings may have moved since they were linted: those that
        read the project index (or carry project-wide findings) while the index's facts were different
        from now. A change of a function body that no fact records re-lints nothing else."""
        out = []
        digest = workspace.index.project_digest() if workspace.index is not None else None
        for path, doc in self.documents.items():
            if path == changed or not self._in(workspace, path):
                continue
            linted = doc.linted
            if linted is None or linted.workspace is not workspace:
                out.append(path)
            elif (linted.uses_project or workspace.engine.has_project_rules) and linted.project_digest != digest:
                out.append(path)
        return out

    # -- linting ---------------------------------------------------------------------------------------
    def lint(self, path: str) -> Linted:
        """Lint the open buffer ``path`` (its previous findings reused when only comments or whitespace
        changed, see ``incremental.py``). A configuration error is a BKL900 finding on line 1."""
        doc = self.documents[path]
        text = doc.text
        try:
            workspace = self.workspace_for(path)
        except ConfigError as exc:
            linted = Linted(text, [_file_diagnostic(path, f"Configuration error: {exc}")], [], False, None, None)
            doc.linted = linted
            return linted
        if is_excluded_file(path, workspace.settings):
            linted = Linted(text, [], [], False, None, workspace)
            doc.linted = linted
            return linted
        digest = start = workspace.index.project_digest() if workspace.index is not None else None
        previous = doc.linted
        if previous is not None:
            self.finish(previous)
        if (
            previous is not None
            and previous.workspace is workspace
            and not previous.errors
            # findings that read the index (or project-wide rules, which may add one here) need the same facts
            and (previous.project_digest == digest or self._still_current(workspace, previous))
        ):
            # a comment or whitespace edit first (no rule runs: the findings move), when the code tokens are
            # known (else tokenizing the old text costs more than trying a function first)
            moved = self._moved(doc, previous, text) if previous.tokens is not None else None
            if moved is None and self.function_relint and previous.layout is not None and previous.text != text:
                # an edit inside one function: that function alone is walked again (``statements.py``)
                linted = self._relint_function(path, workspace, previous, text, digest)
                if linted is not None:
                    linted.facts_changed = linted.project_digest != start
                    doc.steps = [text]
                    doc.linted = linted
                    return linted
                digest = workspace.index.project_digest() if workspace.index is not None else None
            if moved is None and previous.tokens is None:
                moved = self._moved(doc, previous, text)
            doc.steps = [text]
            if moved is not None:
                # the same code: the index keeps the facts of the text last linted (their line numbers may
                # lag until the next lint or save), nothing is extracted or linted
                diagnostics, tokens = moved
                linted = Linted(text, diagnostics, [], previous.uses_project, digest, workspace, tokens, reused=True, how="reused")
                linted.reads = previous.reads
                if previous.own is not None:  # (the file's own findings, for the next re-walk of a function)
                    project_codes = {cls.code for cls in workspace.engine.project_rules} if previous.project else set()
                    linted.own = [d for d in diagnostics if d.code not in project_codes]
                    linted.project = [d for d in diagnostics if d.code in project_codes]
                    if previous.project_digest != digest and workspace.engine.has_project_rules:
                        # another file's facts changed (every read of these findings holds): the project-wide ones again
                        project = workspace.project_findings(path)
                        linted.project = workspace.engine.apply_noqa(text, project) if project else []
                        linted.diagnostics = sorted(linted.own + linted.project, key=Diagnostic.sort_key)
                        linted.uses_project = previous.uses_project or bool(linted.project)
                    if previous.layout is not None and self.function_relint:
                        linted.relayout_from = (previous.layout, previous.text)  # (moved while idle: ``prepare``)
                doc.linted = linted
                return linted
        doc.steps = [text]
        self._update(workspace, path, text)
        digest = workspace.index.project_digest() if workspace.index is not None else None
        linted = self._lint_file(path, workspace, text, digest)
        linted.facts_changed = digest != start
        doc.linted = linted
        return linted

    @staticmethod
    def _moved(doc: Document, previous: Linted, text: str) -> Optional[tuple]:
        """The previous findings moved onto ``text`` edit by edit (``incremental.reuse``), with its code
        tokens; ``None`` when an edit changed code."""
        moved: Optional[tuple] = (previous.diagnostics, previous.tokens)
        before = previous.text
        for step in doc.steps if doc.steps and doc.steps[-1] == text else [text]:
            assert moved is not None
            moved = reuse(before, step, moved[0], moved[1])
            if moved is None:
                return None
            before = step
        return moved

    def _still_current(self, workspace: Workspace, previous: Linted) -> bool:
        """Whether the findings of ``previous`` hold although the index changed since: they did not read it
        (nor may project-wide rules add one here), or every read of theirs gets the same answer now (the
        project-wide findings are computed again by the caller)."""
        if not (previous.uses_project or workspace.engine.has_project_rules):
            return True
        if previous.own is None:
            return False  # (the file's own findings are not told apart from the project-wide ones)
        if not previous.uses_project:
            return True
        recorder = workspace.engine.project
        return isinstance(recorder, RecordingIndex) and recorder.holds(previous.reads)

    def dependants_after(self, path: str) -> list[str]:
        """The open files to lint again after the last lint of ``path`` (none unless it changed the buffer's
        facts in the index: ``Linted.facts_changed``)."""
        linted = self.documents[path].linted if path in self.documents else None
        if linted is None or linted.workspace is None or not linted.facts_changed:
            return []
        return self._dependants(linted.workspace, path)

    def _lint_file(self, path: str, workspace: Workspace, text: str, digest: Optional[str]) -> Linted:
        """``Workspace.lint_open``, keeping what a later re-lint of one function needs."""
        engine = workspace.engine
        self._function_facts.clear()  # (their modules' other statements may have changed)
        reads = ReadLog()
        with recording(engine.project, reads):
            result = engine.lint_source(text, path)
        project = workspace.project_findings(path)
        if project:
            project = engine.apply_noqa(text, project)
        diagnostics = sorted(result.diagnostics + project, key=Diagnostic.sort_key)
        errors = [str(e) for e in result.errors]
        if workspace._project_errors:
            errors += workspace._project_errors
            workspace._project_errors = []
        uses_project = result.uses_project or bool(project)
        linted = Linted(text, diagnostics, errors, uses_project, digest, workspace)
        linted.reads = reads
        if not errors and result.module is not None:
            linted.own, linted.project, linted.module = list(result.diagnostics), list(project), result.module
        return linted

    def _relint_function(self, path: str, workspace: Workspace, previous: Linted, text: str, digest: Optional[str]) -> Optional[Linted]:
        """Re-walk the one function the edit is in (``statements.py``); ``None``: lint the file."""
        assert previous.layout is not None and previous.own is not None
        index = workspace.index
        engine = workspace.engine
        facts_of = None
        if index is not None:
            from ...knowledge.index.extract import extract_module  # (loaded by the first index update)

            abspath = os.path.abspath(path)
            name, is_package = index.name_for(abspath)  # (the index's name: its import roots, its service)
            remap = index.module_remap(name)
            known = self._function_facts

            def facts_of(part: str, i: int, names: Any = None) -> Any:
                # the function's facts among the module's other statements (``in_context``: its names resolve as
                # in the file); after one edit they are its facts before the next: extracted once (the other
                # statements change only through a full lint, which forgets them: ``_lint_file``)
                key = (abspath, name, is_package, part, i, names)
                found = known.get(key)
                if found is None:
                    tree = in_context(previous.layout, i, part, names)
                    if tree is None:
                        return None
                    if len(known) >= 32:
                        known.clear()
                    found = known[key] = extract_module(text, abspath, name, is_package, tree=tree, remap=remap)
                return found

        def facts_changed(tree: Any, part: Any) -> bool:
            # what the index records of the function changed: the file's facts go into the index, and the
            # function alone is walked again when every read of the file's other findings gets the same answer
            # (the facts of the file's other statements stay the index's objects, their line numbers lagging).
            # The function's part patched into the index's facts when the change is its own (``function_facts``),
            # else the file's facts extracted from the spliced tree
            facts = None
            entry = index.entry(os.path.abspath(path)) if index is not None else None
            if entry is not None and entry.facts is not None and entry.parsed:
                facts = patch_facts(entry.facts, *part)
                self.patched_facts += facts is not None
            self._update(workspace, path, text, lagging=True, tree=tree, facts=facts)
            if not previous.uses_project:
                return True
            return isinstance(engine.project, RecordingIndex) and engine.project.holds(previous.reads)

        reads = ReadLog()
        with recording(engine.project, reads):
            found = relint_function(engine, path, previous.text, text, previous.layout, previous.own, facts_of, facts_changed)
        if found is None:
            return None
        digest = index.project_digest() if index is not None else None
        project = workspace.project_findings(path)
        if project:
            project = engine.apply_noqa(text, project)
        diagnostics = sorted(found.diagnostics + project, key=Diagnostic.sort_key)
        linted = Linted(text, diagnostics, [], previous.uses_project or found.uses_project or bool(project), digest, workspace)
        linted.own, linted.project, linted.layout, linted.how = found.diagnostics, list(project), found.layout, "function"
        # the code tokens (the function's own spliced in) and the reads (the previous ones merged in) are made
        # while idle, or before the next lint of the buffer (``finish``)
        linted.reads = None
        linted.pending = (previous.tokens, found.span, previous.reads, reads)
        return linted

    @staticmethod
    def finish(linted: Linted) -> None:
        """What a re-walk of one function left for later (``Linted.pending``): the code tokens, the function's
        own tokenized alone and spliced into the previous ones; the reads, the previous lint's merged into
        this walk's (the previous log held against the index as the walk found it: merged, it keeps the
        newest of each derived fact's logs and module facts, so that it does not grow with the re-walks)."""
        pending = linted.pending
        if pending is None:
            return
        linted.pending = None
        tokens, (start, old_end, new_end), older, reads = pending
        if tokens is not None:
            part = CodeTokens.of(linted.text[start:new_end])
            if part is not None:
                linted.tokens = tokens.spliced(start, old_end, new_end - old_end, part)
        merged = reads.merged(older) if older is not None else None
        linted.reads = merged if merged is not None and merged.merges <= MAX_MERGES else None

    def prepare(self, linted: Linted) -> None:
        """Idle work after a lint is published: what the next edit's fast paths need (code tokens, the
        statements' layout)."""
        self.finish(linted)
        if linted.relayout_from is not None:  # findings moved by a comment or blank-line edit: the layout too
            layout, before = linted.relayout_from
            linted.relayout_from = None
            if linted.layout is None and self.function_relint:
                linted.layout = relayout(layout, before, linted.text)
        if linted.layout is None and linted.module is None and linted.own is not None and self.function_relint:
            # findings moved by a comment or blank-line edit: the module is parsed again while idle
            from ...engine.parsing import ParseFailure, parse_module  # (libcst: loaded by the first lint)

            try:
                linted.module = parse_module(linted.text)
            except ParseFailure:
                linted.own = None
        if linted.layout is None and linted.module is not None:
            linted.layout = layout_of(linted.text, linted.module)
        linted.module = None
        if linted.tokens is None:  # a comment or blank-line edit outside a function reuses the findings
            linted.tokens = CodeTokens.of(linted.text)

    def ensure_linted(self, path: str) -> Optional[Linted]:
        """The findings of the buffer as it is now (linted again when it changed since)."""
        doc = self.documents.get(path)
        if doc is None:
            return None
        if doc.linted is None or doc.linted.text != doc.text:
            return self.lint(path)
        return doc.linted

    # -- actions ---------------------------------------------------------------------------------------
    def quick_fixes(self, path: str, wanted: Callable[[Diagnostic], bool]) -> list[Action]:
        """A fix per fixable finding that ``wanted`` accepts (safe ones preferred, unsafe ones labelled),
        then an "add ``# noqa``" action per finding."""
        linted = self.ensure_linted(path)
        if linted is None:
            return []
        text = linted.text
        fixes: list[Action] = []
        noqas: list[Action] = []
        seen_noqa: set[tuple[str, int]] = set()
        for d in linted.diagnostics:
            if not wanted(d):
                continue
            if d.fix is not None and fixable(d, unsafe=True):
                new_text, used = apply_fixes(text, [d])
                if used:
                    unsafe = d.fix.applicability is Applicability.UNSAFE
                    title = f"{d.fix.message} ({d.code})" + (" (unsafe)" if unsafe else "")
                    fixes.append(Action(title, "quickfix", new_text, [d], preferred=not unsafe))
            if d.code == SYNTAX_ERROR_CODE:
                continue  # a file that does not parse (or a bad configuration) is not silenced line by line
            key = (d.code, d.noqa_row or d.row)
            if key in seen_noqa:
                continue
            seen_noqa.add(key)
            new_text, added = add_noqa(text, [d])
            if added:
                noqas.append(Action(f"Add `# noqa: {d.code}` to line {key[1]}", "quickfix", new_text, [d]))
        return fixes + noqas

    def fix_all(self, path: str) -> Optional[Action]:
        """Every safe fix of the buffer, through the engine's fix loop (re-lints until nothing changes)."""
        linted = self.ensure_linted(path)
        if linted is None or linted.workspace is None:
            return None
        if not any(fixable(d, unsafe=False) for d in linted.diagnostics):
            return None
        new_text, _, applied = linted.workspace.engine.fix_source(linted.text, path, unsafe=False)
        if not applied or new_text == linted.text:
            return None
        return Action("Fix all safe backend-lint findings", "source.fixAll", new_text)


class _SingleFile:
    """A project's stand-in while its index builds: its settings and an engine without a project index."""

    index = None

    def __init__(self, settings: Settings, engine: Any) -> None:
        self.settings = settings
        self.engine = engine
        self._project_errors: list[str] = []

    def update_file(self, path: str, text: Optional[str] = None, lagging: bool = False, tree: Any = None) -> bool:
        return False

    def project_findings(self, path: str) -> list[Diagnostic]:
        return []


def _file_diagnostic(path: str, message: str) -> Diagnostic:
    return Diagnostic(SYNTAX_ERROR_CODE, "syntax-error", message, path, Location(1, 1), Location(1, 1))


def _extra_only(before: Any, after: Any) -> bool:
    """Whether a module's facts changed in their ``extra`` part only: every other top-level part is the same
    object (``Workspace.update_file(lagging=True)`` keeps the parts that did not change)."""
    if before is None or after is None or before.keys() != after.keys():
        return False
    return all(after[k] is v for k, v in before.items() if k != "extra")


def _is_input(path: str) -> bool:
    """Whether a changed file is a configuration or another declared input of a lint (not a source)."""
    name = os.path.basename(path)
    if name in CONFIG_FILES or name in INPUT_FILES or is_requirements(name):
        return True
    parent = os.path.basename(os.path.dirname(path))
    if parent == REQUIREMENTS_DIR and name.endswith((".txt", ".in")):
        return True
    return path.endswith((os.path.join(".git", "info", "exclude"), ".dist-info" + os.sep + "METADATA"))


def _unique(paths: list[str]) -> list[str]:
    return list(dict.fromkeys(paths))
