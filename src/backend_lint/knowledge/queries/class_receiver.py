"""``cls`` in a class method read as the class it is defined on.

``TaskService.get_task(session, task_id)`` names a project method through the import table; the same call made
inside one of the class's own class methods is spelled ``cls.get_task(session, task_id)`` (``cls.model``,
``cls.access_check(user, row)``), and ``cls`` is a parameter the import table knows nothing of. The function
analyser reads a class method through ``classmethod_context``: a view of the file's context whose qualified
names take the method's first parameter for the enclosing class (whose project bases ``method_summary`` and the
index's class lookups walk as for the class name), everything else the file's context as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ...ground.lazy import lazy_import
from ..repositories import enclosing_class

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

# libcst runs its import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def _is_classmethod(func: cst.FunctionDef) -> bool:
    for d in func.decorators:
        expr = d.decorator
        if isinstance(expr, cst.Name) and expr.value == "classmethod":
            return True
        if isinstance(expr, cst.Attribute) and expr.attr.value == "classmethod" and isinstance(expr.value, cst.Name) and expr.value.value == "builtins":
            return True
    return False


class ClassmethodContext:
    """The file's context for one class method: ``qualified_name`` of ``cls`` (the method's first parameter) and
    of ``cls.<attr>...`` is the enclosing class's (``app.tasks.services.TaskService.access_check``)."""

    __slots__ = ("_ctx", "_receiver", "_owner")

    def __init__(self, ctx: "FileContext", receiver: str, owner: str) -> None:
        self._ctx = ctx
        self._receiver = receiver
        self._owner = owner

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._ctx, attr)

    def qualified_name(self, expr: cst.BaseExpression) -> Optional[str]:
        parts: list[str] = []
        head = expr
        while type(head) is cst.Attribute:
            parts.append(head.attr.value)  # type: ignore[attr-defined]
            head = head.value  # type: ignore[attr-defined]
        if type(head) is cst.Name and head.value == self._receiver:  # type: ignore[attr-defined]
            return ".".join([self._owner, *reversed(parts)])
        return self._ctx.qualified_name(expr)


def classmethod_context(ctx: "FileContext", func: cst.FunctionDef) -> Any:
    """``ctx`` as ``func`` reads it: a ``ClassmethodContext`` when ``func`` is a class method of a project class
    (decorated ``@classmethod``, its first parameter the class), else ``ctx`` itself."""
    if not _is_classmethod(func):
        return ctx
    params = func.params.posonly_params or func.params.params
    if not params:
        return ctx
    owner = enclosing_class(ctx, func)
    if owner is None:
        return ctx
    return ClassmethodContext(ctx, params[0].name.value, owner)
