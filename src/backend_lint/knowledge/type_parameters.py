"""Names that stand for a generic class's type parameter, read from the index's facts.

``class GetByIdRepository[ModelType: Base](RepositoryBase[ModelType]): async def get_by_id(self, id) ->
ModelType | None`` (PEP 695): the return annotation names the class's own type parameter, which the subclass
fixes (``ProjectRepository(GetByIdRepository[Project])``). On a Python older than the module's syntax the
parameter list is respelled away (``knowledge/newer_syntax.py``) and on a newer one the extraction never
records it, so the facts hold the bare name ``ModelType``: a name that no import, no definition of the module
and no builtin gives. Only a type parameter is such a name in a module that runs (anything else is a
``NameError`` when the annotation is evaluated), so a bare unresolvable name is read as one. A ``TypeVar``
assignment (``ModelType = TypeVar("ModelType", bound=Base)``) is read by the callers as before.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .index import ProjectIndex

_BUILTINS = frozenset(dir(builtins))


def is_type_parameter(project: "ProjectIndex", name: str, module: str) -> bool:
    """``name`` (an annotation in ``module``, as the extraction resolved it) is a bare identifier that names
    nothing: no builtin, no project symbol, and the module has no star import that could give it. See the
    module docstring."""
    if not name or not name.isidentifier() or name in _BUILTINS:
        return False
    facts = project.modules.get(module)
    if facts is None or facts.get("star_imports"):
        return False
    return project.resolve_symbol(name) is None and project.get_class(name) is None
