"""Objects a route's dependency hands it that decide on the request's caller when asked: ``auth=Depends(get_auth)``
(``get_auth`` returns what the server keeps on ``request.state``) called ``auth.authorize_request(request, arn,
permissions, require=True)``. The object's class is not written anywhere the dependency shows; the method is named
by one project class only, and it refuses with an ``HTTPException``: that object identifies the caller from the
request it is handed, and is the route's principal (a method of it decides on what it is handed, as
``auth.assert_package_delete(version.package)`` does on a typed ``Rules`` principal)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from ...ground.lazy import lazy_import
from ..cst import iter_children
from ..facts import orm_facts
from ..imports import last_segment
from ..models import is_table_model
from .dependencies import REQUEST_CLASSES, refusing_method

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..index import ProjectIndex
    from .params import ParamInfo

cst = lazy_import("libcst")


def _method_owners(project: "ProjectIndex") -> dict[str, tuple[str, ...]]:
    """Method name -> the project classes that define it (``module.Class``)."""

    def build() -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for mod, facts in project.iter_modules():
            for key in orm_facts(facts).get("methods", {}):
                cls, _, method = key.rpartition(".")
                if cls and "." not in cls:
                    out.setdefault(method, []).append(f"{mod}.{cls}")
        return {k: tuple(v) for k, v in out.items()}

    return project.memo(("auth.method_owners",), build)


def _deciding_class(project: "ProjectIndex", method: str) -> Optional[str]:
    """The one project class defining ``method``, when that method takes arguments and refuses with an
    ``HTTPException`` (itself or through another method of its object); ``None`` otherwise (several classes
    name it: the receiver's class cannot be told by the name)."""
    owners = _method_owners(project).get(method, ())
    if len(owners) != 1 or method.startswith("_"):
        return None
    cls = owners[0]
    if is_table_model(project, cls):
        return None
    mod, _, short = cls.rpartition(".")
    facts = orm_facts(project.modules[mod]).get("methods", {}).get(f"{short}.{method}") or {}
    if not facts.get("args") or not refusing_method(project, cls, method):
        return None
    return cls


def request_authorizers(ctx: "FileContext", func: "cst.FunctionDef", params: Sequence["ParamInfo"]) -> dict[str, str]:
    """Parameters of a route given by a dependency that is no auth dependency (``auth=Depends(get_auth)``)
    whose method the handler calls with its request parameter (``auth.authorize_request(request, ...)``),
    when that method is named by one project class only and refuses (``_deciding_class``): name -> class."""
    project = ctx.project
    if project is None:
        return {}
    requests = {p.name for p in params if p.type and last_segment(p.type) in REQUEST_CLASSES}
    held = {p.name for p in params if p.marker in ("Depends", "Security") and p.dependency.kind is None and p.type is None}
    if not requests or not held:
        return {}
    out: dict[str, str] = {}
    stack: list = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Call):
            f = node.func
            if (
                isinstance(f, cst.Attribute)
                and isinstance(f.value, cst.Name)
                and f.value.value in held
                and f.value.value not in out
                and any(isinstance(a.value, cst.Name) and a.value.value in requests and not a.keyword for a in node.args)
            ):
                cls = _deciding_class(project, f.attr.value)
                if cls is not None:
                    out[f.value.value] = cls
        stack.extend(iter_children(node))
    return out
