"""Children listed by the key their checked parent was loaded by (``project = session.get(Project, project_id)``,
the caller's membership of ``project.organization_id`` refused when missing, then ``select(StageTransition).where(
StageTransition.project_id == project_id)``): the child's reference to the parent is equated with the very value
that keyed the parent's checked load, so only the checked parent's children are read (read by
``analyzer._Analyzer._untied``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ground.lazy import lazy_import

if TYPE_CHECKING:  # pragma: no cover
    from .values import Site

cst = lazy_import("libcst")


def keyed_by_parent_key(site: "Site", column: str, parent_keys: set[str]) -> bool:
    """One of the lookup's own predicates equates the child's ``column`` (its reference to the parent) with a
    plain name among ``parent_keys`` (``Child.project_id == project_id``, ``filter_by(project_id=project_id)``)."""
    if not parent_keys:
        return False
    for node in site.pred_nodes:
        keyword = site.pred_keywords.get(id(node))
        if keyword is not None:
            if keyword == column and isinstance(node, cst.Name) and node.value in parent_keys:
                return True
            continue
        if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, cst.Equal):
            continue
        sides = (node.left, node.comparisons[0].comparator)
        for one, other in (sides, sides[::-1]):
            if isinstance(one, cst.Attribute) and one.attr.value == column and isinstance(other, cst.Name) and other.value in parent_keys:
                return True
    return False
