"""Family 5's words, libcst-free: read by ``knowledge.updates`` (the visitors' analysis) and by the rules'
``ast`` screens, so that the two never drift apart."""

from __future__ import annotations

# a function named ``update_item`` / ``patch_item`` / ``edit_item`` (after leading underscores, any case)
UPDATE_NAME_PREFIXES = ("update", "patch", "edit")
# a schema class named ``ItemUpdate`` / ``ItemPatch`` / ``ItemEdit``
UPDATE_SCHEMA_SUFFIXES = ("Update", "Patch", "Edit")
# the HTTP methods of an update route (``@router.put(...)``, ``@router.patch(...)``)
UPDATE_HTTP_METHODS = ("put", "patch")
# the methods that dump a payload into a dict
DUMP_METHODS = frozenset({"model_dump", "dict", "model_dump_for_orm"})


def is_update_name(name: str) -> bool:
    return name.lstrip("_").lower().startswith(UPDATE_NAME_PREFIXES)
