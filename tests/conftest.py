import atexit
import os
import shutil
import sys
import tempfile

# Nothing a test runs writes to the user's own cache directory: a scratch one for the session (one per xdist
# worker), removed when the process that made it exits.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="backend-lint-tests-xdg-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)

# The test modules live in directories mirroring the package layers (tests/engine, faces, ground, knowledge,
# rules); their shared helpers (harness.py, clihelpers.py) stay here, importable from every one of them.
sys.path.insert(0, os.path.dirname(__file__))

import pytest


@pytest.hookimpl(optionalhook=True)  # (a pytest-xdist hook: unknown, and never called, without it)
def pytest_xdist_make_scheduler(config, log):
    """pyproject's ``addopts`` run the suite on workers (``-n auto --dist loadfile``): a worker takes a whole
    test module (its module-scoped servers and the harness's per-fixture results are built once). The
    Postgres tests (tests/postgres/, several modules) go to one worker together: one server for the
    session, started once, as tests/postgres/conftest.py means it. (Not ``--dist loadgroup``: with pytest 9
    its marks no longer reach the node ids, and every test is scheduled alone.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ModulesAndPostgres(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "tests/postgres/" if "/postgres/" in "/" + module else module

    return ModulesAndPostgres(config, log)
