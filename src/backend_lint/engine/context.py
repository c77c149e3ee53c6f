"""Per-file state shared by all rules during one traversal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

import libcst as cst

from ..knowledge.imports import ImportTable
from ..knowledge.modules import looks_like_migration, module_name_for

if TYPE_CHECKING:  # pragma: no cover
    from ..ground.config import Settings
    from ..knowledge.index import ProjectIndex
    from ..rules.api import Report

T = TypeVar("T")


class FileContext:
    """What a rule can see: the file, the run's settings, the project index and shared analyses.

    ``cached(key, factory)`` lets several rules share one per-file analysis (for example the parsed
    ``upgrade()`` / ``downgrade()`` operations of a migration) so that it is computed once.
    """

    def __init__(
        self,
        source: str,
        path: str,
        settings: "Settings",
        project: Optional["ProjectIndex"] = None,
        module: Optional[cst.Module] = None,
    ) -> None:
        self.source = source
        self.path = path
        self.settings = settings
        self.project = project
        self.module = module
        self.reports: list["Report"] = []
        self._memo: dict[Any, Any] = {}
        self._imports: Optional[ImportTable] = None
        self._module_name: Optional[tuple[str, bool]] = None
        self._is_migration: Optional[bool] = None
        self.walk_path: Optional[list] = None  # the traversal's current ancestors (``Walker.path``)
        self.tree: Any = None  # CPython's tree of ``source`` when the engine has it (the screens' or the index's)

    # -- reports -------------------------------------------------------------------------------------
    def add_report(self, report: "Report") -> None:
        if self.walk_path:
            report.ancestors = tuple(self.walk_path)
        self.reports.append(report)

    def release(self) -> None:
        """Drop the per-file analyses and the tree once the file is linted. Some analyses hold the context
        (``knowledge.auth.ast_resolver``'s function, analyzers keeping ``ctx``): left in place, those cycles
        would keep the whole libcst tree alive until the cyclic collector runs."""
        self._memo.clear()
        self.module = None
        self.tree = None
        self.reports = []

    # -- shared facts --------------------------------------------------------------------------------
    def cached(self, key: Any, factory: Callable[[], T]) -> T:
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = factory()
            return value

    @property
    def module_name(self) -> str:
        return self._module_info()[0]

    @property
    def is_package(self) -> bool:
        return self._module_info()[1]

    def _module_info(self) -> tuple[str, bool]:
        if self._module_name is None:
            if self.project is not None:
                info = self.project.module_info(self.path)
                if info is not None:
                    self._module_name = info
                    return info
            root = self.settings.root if self.settings is not None else None
            try:
                self._module_name = module_name_for(self.path, root)
            except OSError:
                self._module_name = ("", False)
        return self._module_name

    @property
    def imports(self) -> ImportTable:
        if self._imports is None:
            assert self.module is not None, "imports need the parsed module"
            self._imports = ImportTable.from_module(self.module, self.module_name, self.is_package, self.project)
        return self._imports

    def qualified_name(self, expr: cst.BaseExpression) -> Optional[str]:
        return self.imports.qualified_name(expr)

    @property
    def is_migration(self) -> bool:
        if self._is_migration is None:
            self._is_migration = looks_like_migration(self.source)
        return self._is_migration
