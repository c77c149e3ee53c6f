import os
import sys
import tempfile

# Runs of the CLI write their compiled dataclass table to the user's cache directory
# (``backend_lint.dataclass_code.table_dir``): a scratch one for the session, not the home directory.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="backend-lint-tests-xdg-")

sys.path.insert(0, os.path.dirname(__file__))
