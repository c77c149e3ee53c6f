import os
import sys
import tempfile

# Nothing a test runs writes to the user's own cache directory: a scratch one for the session.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="backend-lint-tests-xdg-")

# The test modules live in directories mirroring the package layers (tests/engine, faces, ground, knowledge,
# rules); their shared helpers (harness.py, clihelpers.py) stay here, importable from every one of them.
sys.path.insert(0, os.path.dirname(__file__))
