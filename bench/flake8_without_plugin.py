"""Run flake8 exactly as installed, minus the backend-lint plugin (for the "without our plugin" figure).

The plugin finder is filtered before flake8 starts; its worker processes are forked from this process
and inherit the filter.
"""

from __future__ import annotations

import sys

from flake8.main import cli
from flake8.plugins import finder

_original = finder._find_importlib_plugins


def _without_backend_lint():
    for plugin in _original():
        if plugin.package != "backend-lint":
            yield plugin


finder._find_importlib_plugins = _without_backend_lint

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
