"""All rules, found by importing every module under ``backend_lint.rules``.

A rule module holds one ``Rule`` subclass whose file name is its name in snake_case
(``rules/migrations/empty_downgrade.py`` holds ``empty-downgrade``), and its ``SPEC = RuleSpec(...)``.

Importing the rules binds libcst but does not run it (``ground/lazy.py``: libcst's body runs when a file
is first parsed), so the screens, which live in the rule modules, cost no libcst. What a run needs
before it lints anything (codes for ``--select``, which rules are project-wide or migration-only) comes
from ``rule_infos()``, a cheap scan of the rule files' text: each ``SPEC = RuleSpec(...)`` statement is
cut out and read with ``ast`` (its arguments are literals), so a run whose files all come from the cache
imports no rule.
A test checks that the scan agrees with the imported rules.
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import re
from functools import lru_cache
from typing import NamedTuple, Optional

from .. import rules as rules_pkg
from ..rules.api import Rule


@lru_cache(maxsize=None)
def all_rules() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for info in pkgutil.walk_packages(rules_pkg.__path__, rules_pkg.__name__ + "."):
        if info.ispkg:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            # ``type(value)``, not ``isinstance``: that reads ``__class__``, which runs a lazy module (``cst``)
            if issubclass(type(value), type) and issubclass(value, Rule) and value is not Rule and value.code:
                if value.__module__ != module.__name__:
                    continue
                if value.code in found and found[value.code] is not value:
                    raise RuntimeError(f"duplicate rule code {value.code}")
                found[value.code] = value
    return tuple(sorted(found.values(), key=lambda r: r.code))


class RuleInfo(NamedTuple):
    """What a run needs to know about a rule before it lints anything."""

    code: str
    name: str
    module: str
    qualname: str
    requires: Optional[tuple[str, ...]]
    migration_only: bool
    project_rule: bool
    internal: bool
    opt_in: bool = False


def info_of(rule: type[Rule]) -> RuleInfo:
    return RuleInfo(
        rule.code,
        rule.name,
        rule.__module__,
        rule.__qualname__,
        tuple(rule.requires) if rule.requires is not None else None,
        bool(rule.migration_only),
        bool(rule.project_rule),
        bool(rule.internal),
        bool(rule.opt_in),
    )


_RULES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules")
# ``SPEC = RuleSpec(`` at the start of a line, up to the first line that is only ``)``
_SPEC = re.compile(r"^SPEC = RuleSpec\((?:.*?)^\)$", re.M | re.S)
_CLASS = re.compile(r"^class (\w+)\(", re.M)
_USES_SPEC = re.compile(r"^    spec = SPEC$", re.M)
_SCANNED = ("code", "name", "requires", "migration_only", "project_rule", "internal", "opt_in")


def _scan_file(path: str, module: str) -> Optional[RuleInfo]:
    """The ``RuleInfo`` of one rule file, read from its text; ``None`` for a module that declares no rule."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    spec = _SPEC.search(text)
    if spec is None:
        if _USES_SPEC.search(text):
            raise RuntimeError(f"{path}: no top-level ``SPEC = RuleSpec(...)`` closed by a line ``)``")
        return None
    call = ast.parse(spec.group(0), mode="exec").body[0].value  # type: ignore[attr-defined]
    values: dict = {"requires": None, "migration_only": False, "project_rule": False, "internal": False, "opt_in": False}
    for kw in call.keywords:
        if kw.arg in _SCANNED:
            values[kw.arg] = ast.literal_eval(kw.value)
    uses = _USES_SPEC.search(text)
    classes = _CLASS.findall(text, 0, uses.start()) if uses is not None else []
    if not classes:
        raise RuntimeError(f"{path}: SPEC is declared but no class says ``spec = SPEC``")
    qualname = classes[-1]  # the class whose body says ``spec = SPEC``
    requires = values["requires"]
    return RuleInfo(
        values["code"],
        values["name"],
        module,
        qualname,
        tuple(requires) if requires is not None else None,
        bool(values["migration_only"]),
        bool(values["project_rule"]),
        bool(values["internal"]),
        bool(values["opt_in"]),
    )


def scan_rule_infos() -> tuple[RuleInfo, ...]:
    """Every rule's ``RuleInfo``, from the rule files' ``SPEC`` statements (no rule module is imported)."""
    found: list[RuleInfo] = []
    for dirpath, dirnames, filenames in os.walk(_RULES_DIR):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        rel = os.path.relpath(dirpath, _RULES_DIR)
        package = "backend_lint.rules" + ("" if rel == "." else "." + rel.replace(os.sep, "."))
        for name in sorted(filenames):
            if name.endswith(".py") and not name.startswith("_"):
                info = _scan_file(os.path.join(dirpath, name), f"{package}.{name[:-3]}")
                if info is not None:
                    found.append(info)
    return tuple(sorted(found, key=lambda r: r.code))


@lru_cache(maxsize=None)
def rule_infos() -> tuple[RuleInfo, ...]:
    """Every rule's metadata, without importing the rules (``scan_rule_infos``)."""
    return scan_rule_infos()


def all_codes() -> list[str]:
    return [r.code for r in rule_infos()]


def opt_in_codes() -> frozenset[str]:
    """Codes of the opt-in rules (``RuleSpec.opt_in``): off unless a selector names them."""
    return frozenset(r.code for r in rule_infos() if r.opt_in)


def get_rule(code_or_name: str) -> Optional[type[Rule]]:
    key = code_or_name.strip()
    for rule in all_rules():
        if rule.code == key.upper() or rule.name == key.lower():
            return rule
    return None


def rules_for_codes(codes: list[str]) -> list[type[Rule]]:
    wanted = set(codes)
    return [r for r in all_rules() if r.code in wanted]
