"""Third-party modules loaded on first use, through the standard library's ``importlib.util.LazyLoader``.

libcst's import costs about 0.9 G instructions (a third of a one-file run), and every rule module and a dozen
knowledge modules use it. A run reads them all before it lints (the rules' screens decide on CPython's
``ast`` which files need libcst at all), so they bind ``cst = lazy_import("libcst")``: the real module,
whose body runs the first time one of its attributes is read, i.e. when a file is parsed. A run whose files
the screens (or the cache) settle never executes it. Use it only at module level, and read no attribute of
the module at import time (annotations are strings: every such module has ``from __future__ import
annotations``), or the saving is gone. Loading it twice is harmless: an already imported module is returned.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """``name``'s module, executed on first attribute access (the ``importlib.util.LazyLoader`` recipe of
    the standard library's documentation). Only for top-level packages: finding a submodule's spec imports
    its parent, so reach submodules through the parent (``cst.metadata``)."""
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # not installed: fail here, as ``import`` would
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def is_loaded(module: ModuleType) -> bool:
    """Whether a module from ``lazy_import`` has run its body (for tests and benchmarks)."""
    return type(module) is ModuleType or not type(module).__name__.startswith("_Lazy")
