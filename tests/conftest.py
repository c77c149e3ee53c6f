import os
import sys
import tempfile

# Nothing a test runs writes to the user's own cache directory: a scratch one for the session.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="backend-lint-tests-xdg-")

sys.path.insert(0, os.path.dirname(__file__))
