"""One indexed file as the manifest keeps it (``Entry``), the facts' stored encoding, and the code the stored
index depends on. Shared by the index and its store without either importing the other's privates."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

# The stored index depends on the code that extracts facts: a digest of these sources is in its key.
EXTRACTION_CODE = ("__init__.py", "knowledge", "ground/io.py", "ground/parsing.py")


class Entry:
    """One indexed file: what the stored manifest keeps without its facts."""

    __slots__ = ("stamp", "digest", "facts_digest", "module", "is_package", "parsed", "facts", "in_base", "encoded", "imports_digest")

    def __init__(self, stamp, digest, facts_digest, module, is_package, parsed, facts=None, in_base=False, encoded=None, imports_digest=None):
        self.stamp = stamp
        self.digest = digest
        self.facts_digest = facts_digest
        self.module = module
        self.is_package = is_package
        self.parsed = parsed
        self.facts = facts
        self.in_base = in_base
        # the facts as the store writes them (``encode_facts``), from the process that extracted them, until
        # the store has written them: the parent of a parallel extraction does not encode them again
        self.encoded: Optional[bytes] = encoded
        # a digest of the file's absolute imports (``imports_key``), kept in the manifest
        self.imports_digest: Optional[str] = imports_digest

    def imports_key(self) -> Optional[str]:
        """A digest of the file's imports, what the import roots are inferred from (``roots.py``):
        from its facts when they are here, else as the manifest stored it (``None``: unknown)."""
        if self.imports_digest is None and self.facts is not None:
            self.imports_digest = imports_digest(self.facts)
        return self.imports_digest

    def row(self) -> list:
        return [
            self.stamp[0], self.stamp[1], self.digest, self.facts_digest, self.module, self.is_package, self.parsed,
            self.in_base, self.imports_key(),
        ]


def encode_facts(facts: dict[str, Any]) -> bytes:
    """A module's facts as the store writes them; their digest is this text's."""
    return json.dumps(facts, separators=(",", ":")).encode()


def imports_digest(facts: dict[str, Any]) -> str:
    """A digest of a module's ``absolute_imports`` facts (and of its ``relative_imports``, when it has some)."""
    relative = facts.get("relative_imports")
    data = json.dumps([facts.get("absolute_imports", []), relative] if relative else facts.get("absolute_imports", []), separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:16]
