"""What the family-1 rules (BKL101, BKL102) share: the words a file must spell for client data to carry an
identity field (their text prefilter)."""

from __future__ import annotations

from typing import Any

from ...knowledge.reexports import reexport_closure
from ...knowledge.schemas import schema_fields
from .._shared.identity_text import spells_any


def _client_identity_words(project: Any, settings: Any) -> frozenset[str]:
    """What a file must spell for family 1 to find an identity field in client data: an identity field
    (``payload.owner_id``, ``data["owner_id"]``, a parameter ``owner_id``), or a project schema class that
    declares one (its fields spread into an ORM constructor), a ``X = Annotated[Schema, Body()]`` alias of
    it, and every name a project module re-exports those under. Stored per project and identity fields."""
    fields = tuple(settings.identity_fields)
    if project is None:
        return frozenset(fields)

    def build() -> frozenset[str]:
        wanted = frozenset(fields)
        # only a class that declares an identity field, or inherits from one that does, can carry one:
        # ``schema_fields`` (which reads the whole hierarchy) runs on those alone

        def declares(q: str) -> bool:
            return any(facts is not None and not wanted.isdisjoint(facts.get("fields", {})) for _, facts in project.class_mro(q))

        carriers: set[str] = set()
        for q, _ in project.iter_classes():
            if declares(q):
                found = schema_fields(project, q)
                if found and not wanted.isdisjoint(found):
                    carriers.add(q)
        if not carriers:
            return frozenset(fields)
        names = {q.rsplit(".", 1)[-1] for q in carriers}
        for _, mfacts in project.iter_modules():
            for alias, entry in mfacts.get("extra", {}).get("orm", {}).get("aliases", {}).items():
                found = project.get_class(entry.get("type")) if entry.get("type") else None
                if found is not None and found[0] in carriers:
                    names.add(alias)
        return frozenset(fields) | reexport_closure(project, names)

    return project.stored_memo(f"screens.client_identity:{fields!r}", build, load=frozenset)


def client_identity_spelled(source: str, project: Any, settings: Any) -> bool:
    """Family 1's text prefilter: the text spells an identity field or a class carrying one (a substring
    test: names, attributes, string keys and string annotations alike). No parse needed."""
    return spells_any(source, _client_identity_words(project, settings))
