"""All rules, found by importing every module under ``backend_lint.rules``.

A rule module holds one ``Rule`` subclass whose file name is its name in snake_case
(``rules/migrations/empty_downgrade.py`` holds ``empty-downgrade``).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Optional

from .rule import Rule


@lru_cache(maxsize=None)
def all_rules() -> tuple[type[Rule], ...]:
    from . import rules as rules_pkg

    found: dict[str, type[Rule]] = {}
    for info in pkgutil.walk_packages(rules_pkg.__path__, rules_pkg.__name__ + "."):
        if info.ispkg:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.code:
                if value.__module__ != module.__name__:
                    continue
                if value.code in found and found[value.code] is not value:
                    raise RuntimeError(f"duplicate rule code {value.code}")
                found[value.code] = value
    return tuple(sorted(found.values(), key=lambda r: r.code))


def all_codes() -> list[str]:
    return [r.code for r in all_rules()]


def get_rule(code_or_name: str) -> Optional[type[Rule]]:
    key = code_or_name.strip()
    for rule in all_rules():
        if rule.code == key.upper() or rule.name == key.lower():
            return rule
    return None


def rules_for_codes(codes: list[str]) -> list[type[Rule]]:
    wanted = set(codes)
    return [r for r in all_rules() if r.code in wanted]
