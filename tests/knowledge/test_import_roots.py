"""Import roots inferred from the project's own absolute imports (``knowledge/index/roots.py``), the ``src``
key, and star imports through the project index."""

from __future__ import annotations

from pathlib import Path

from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.index.roots import unresolved_share

MODELS = '''
from sqlmodel import Field, SQLModel


class Course(SQLModel, table=True):
    id: int = Field(primary_key=True)
    owner_id: int
'''


def _write(root: Path, files: dict[str, str]) -> list[str]:
    out = []
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        out.append(str(p))
    return out


def _build(root: Path, files: dict[str, str], **kwargs) -> ProjectIndex:
    return ProjectIndex.build(str(root), _write(root, files), jobs=1, **kwargs)


def _names(index: ProjectIndex, root: Path) -> dict[str, str]:
    return {str(Path(p).relative_to(root)): m for p, m in index.by_path.items()}


def test_stray_init_above_the_real_root(tmp_path: Path) -> None:
    files = {
        "apps/api/__init__.py": "",
        "apps/api/src/__init__.py": "",
        "apps/api/src/db/__init__.py": "",
        "apps/api/src/db/courses.py": MODELS,
        "apps/api/src/routes.py": "from src.db.courses import Course\nfrom src.db import courses\n",
    }
    index = _build(tmp_path, files)
    names = _names(index, tmp_path)
    assert names["apps/api/src/db/courses.py"] == "src.db.courses"
    assert names["apps/api/src/routes.py"] == "src.routes"
    assert index.get_class("src.db.courses.Course") is not None
    # the default name still resolves, through the aliases
    assert index.get_class("api.src.db.courses.Course") is not None
    assert index.roots_report is not None and index.roots_report.roots() == [str(tmp_path / "apps/api")]
    assert index.roots_report.unresolved == []


def test_a_stray_init_in_the_project_root_itself_outvoted_by_imports_from_it(tmp_path: Path) -> None:
    """``backend/__init__.py`` in the linted root, while the app imports from inside it (``from utils.auth
    import ...`` hundreds of times) and names it as a package once: the root's own directories are units."""
    root = tmp_path / "backend"
    files = {
        "__init__.py": "",
        "utils/__init__.py": "",
        "utils/auth.py": "def current_user_id(authorization): ...\n",
        "db/__init__.py": "",
        "db/models.py": MODELS,
        "utils/monitoring.py": "from backend.utils.auth import current_user_id\n",
    }
    for i in range(12):
        files[f"apps/r{i}.py"] = "from utils.auth import current_user_id\nfrom db.models import Course\n"
    index = _build(root, files)
    names = _names(index, root)
    assert names["utils/auth.py"] == "utils.auth"
    assert index.get_class("db.models.Course") is not None
    assert index.roots_report is not None and index.roots_report.unresolved == []


def test_a_package_named_by_its_package_name_stays_a_package(tmp_path: Path) -> None:
    """The same layout imported by its package name as often as from inside: no unit."""
    root = tmp_path / "backend"
    files = {
        "__init__.py": "",
        "utils/__init__.py": "",
        "utils/auth.py": "def current_user_id(authorization): ...\n",
        "db/__init__.py": "",
        "db/models.py": MODELS,
    }
    for i in range(3):
        files[f"apps/r{i}.py"] = "from utils.auth import current_user_id\n"
        files[f"apps/p{i}.py"] = "from backend.utils.auth import current_user_id\n"
    index = _build(root, files)
    names = _names(index, root)
    assert names["utils/auth.py"] == "backend.utils.auth"


def test_a_root_package_holding_a_package_of_its_own_name(tmp_path: Path) -> None:
    """``svc/__init__.py`` in the linted root beside the package ``svc/svc/``, whose modules import ``from svc.api
    ...``: Python run from the root finds ``svc`` as the inner package, and so does the index. The inner package's
    modules outside its ``__init__.py`` chain (``svc/svc/api/services/``, no ``__init__.py``) already read as
    ``svc.api.services...`` by their path: those imports are no evidence that the root is used as the package
    ``svc``."""
    root = tmp_path / "svc"
    files = {
        "__init__.py": "",
        "main.py": "from svc.api.routers import notes\nfrom svc.config import settings\n",
        "svc/__init__.py": "",
        "svc/config.py": "settings = object()\n",
        "svc/api/__init__.py": "",
        "svc/api/models.py": MODELS,
        "svc/api/routers/__init__.py": "",
        "svc/api/routers/notes.py": (
            "from svc.api.models import Course\nfrom svc.config import settings\n"
            "from svc.api.services.notes_service import NotesService\n"
        ),
    }
    for i in range(12):
        files[f"svc/api/services/s{i}.py"] = "from svc.api.services.notes_service import NotesService\n"
    files["svc/api/services/notes_service.py"] = "from svc.api.models import Course\n\n\nclass NotesService: ...\n"
    index = _build(root, files)
    names = _names(index, root)
    assert names["svc/api/routers/notes.py"] == "svc.api.routers.notes"
    assert names["svc/api/services/notes_service.py"] == "svc.api.services.notes_service"
    assert index.get_class("svc.api.models.Course") is not None
    assert index.roots_report is not None and index.roots_report.unresolved == []
    assert unresolved_share(index.roots_report) is None


def test_a_root_package_holding_its_namesake_imported_through_both_stays_a_package(tmp_path: Path) -> None:
    """The same layout imported as ``svc.svc.api...`` (run from the root's parent): no unit, the default names."""
    root = tmp_path / "svc"
    files = {
        "__init__.py": "",
        "svc/__init__.py": "",
        "svc/api/__init__.py": "",
        "svc/api/models.py": MODELS,
    }
    for i in range(3):
        files[f"svc/api/r{i}.py"] = "from svc.svc.api.models import Course\n"
    index = _build(root, files)
    names = _names(index, root)
    assert names["svc/api/models.py"] == "svc.svc.api.models"
    assert index.roots_report is not None and index.roots_report.units == []
    assert index.roots_report.unresolved == []


def test_script_directory_and_a_lookalike_alembic_directory(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": "",
        "server/models.py": MODELS + "\nclass User(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n",
        "server/auth.py": "from models import User\n\ndef require_auth() -> User: ...\n",
        "server/routers/__init__.py": "",
        "server/routers/items.py": "from auth import require_auth\nfrom models import Course\n",
        "server/alembic/env.py": "from alembic import context\nfrom models import User\n",
        "server/alembic/versions/001_init.py": "from alembic import op\nrevision = '1'\ndown_revision = None\n\ndef upgrade(): ...\n",
    }
    index = _build(tmp_path, {k: v for k, v in files.items() if k.endswith(".py")})
    names = _names(index, tmp_path)
    assert names["server/models.py"] == "models"
    assert names["server/auth.py"] == "auth"
    assert names["server/routers/items.py"] == "routers.items"
    # ``from alembic import op`` is the Alembic package, not the directory beside the models
    assert names["server/alembic/env.py"] == "server.alembic.env"
    assert index.resolve_symbol("alembic.op") is None
    assert index.get_class("models.Course") is not None


def test_bare_imports_beside_same_named_modules_of_a_package_name_other_packages(tmp_path: Path) -> None:
    files = {
        "lib/__init__.py": "",
        "lib/llms/__init__.py": "",
        "lib/llms/openai.py": "from openai import OpenAI\n\nclass OpenAILLM: ...\n",
        "lib/llms/groq.py": "from openai import OpenAI\nfrom groq import Groq\n",
        "lib/llms/base.py": "from openai import OpenAI\n",
        "lib/main.py": "from lib.llms.openai import OpenAILLM\nfrom lib.llms import base\n",
    }
    index = _build(tmp_path, files)
    names = _names(index, tmp_path)
    assert names["lib/llms/openai.py"] == "lib.llms.openai"
    assert index.roots_report is not None and index.roots_report.units == []
    assert index.roots_report.unresolved == []


def test_clean_project_has_no_units_and_nothing_unresolved(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/api.py": "import json\nfrom app.models import Course\nfrom fastapi import FastAPI\n",
        "tests/test_api.py": "from app.api import Course\n",
    }
    index = _build(tmp_path, files)
    assert index.roots_report is not None
    assert index.roots_report.units == [] and index.roots_report.unresolved == []
    assert unresolved_share(index.roots_report) is None
    assert index.aliases == {}


def test_missing_modules_of_a_project_package_are_unresolved(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS}
    files.update({f"app/r{i}.py": f"from app.gone{i} import thing\nfrom app.models import Course\n" for i in range(4)})
    index = _build(tmp_path, files)
    report = index.roots_report
    assert report is not None
    assert sorted(m for _, m in report.unresolved) == [f"app.gone{i}" for i in range(4)]
    share = unresolved_share(report)
    assert share is not None and share[0] == 4 and share[1] == 8 and len(share[2]) == 3


def test_src_key_names_modules_from_the_directory(tmp_path: Path) -> None:
    files = {
        "services/api/models.py": MODELS,
        "services/api/routes.py": "from models import Course\n",
    }
    index = _build(tmp_path, files, src=["services/api"])
    names = _names(index, tmp_path)
    assert names["services/api/models.py"] == "models"
    assert index.get_class("models.Course") is not None


def test_roots_are_stored_and_reused(tmp_path: Path) -> None:
    root = tmp_path / "p"
    files = {
        "apps/api/__init__.py": "",
        "apps/api/src/__init__.py": "",
        "apps/api/src/db.py": MODELS,
        "apps/api/src/routes.py": "from src.db import Course\nfrom src import db\n",
    }
    cache = str(tmp_path / "cache")
    first = _build(root, files, cache_dir=cache)
    second = ProjectIndex.build(str(root), [str(root / f) for f in files], cache_dir=cache, jobs=1)
    assert _names(second, root) == _names(first, root)
    assert _names(second, root)["apps/api/src/db.py"] == "src.db"
    assert second.roots_report is not None and second.roots_report.units == first.roots_report.units  # type: ignore[union-attr]
    assert second.get_class("src.db.Course") is not None


def test_star_imports_respect_dunder_all(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/models/__init__.py": "from .workflow import *\n",
        "app/models/workflow.py": MODELS + "\n__all__ = ['Course']\n\nclass Hidden(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n",
        "app/open.py": "class Public: ...\nclass _Private: ...\n",
        "app/uses.py": "from .open import *\n",
    }
    index = _build(tmp_path, files)
    assert index.get_class("app.models.Course") is not None
    assert index.get_class("app.models.Hidden") is None
    assert index.exports("app.open", "Public") and not index.exports("app.open", "_Private")
    assert index.star_source("app.uses", "Public") == "app.open"


def test_a_changed_file_with_the_same_imports_keeps_the_roots_without_reading_every_module(tmp_path: Path) -> None:
    root = tmp_path / "p"
    files = {
        "apps/api/__init__.py": "",
        "apps/api/src/__init__.py": "",
        "apps/api/src/db.py": MODELS,
        "apps/api/src/routes.py": "from src.db import Course\nfrom src import db\n",
        "apps/api/src/other.py": "from src.db import Course\n",
    }
    cache = str(tmp_path / "cache")
    _build(root, files, cache_dir=cache)
    routes = root / "apps/api/src/routes.py"
    for i in range(2):
        routes.write_text(f"from src.db import Course\nfrom src import db\nX = {i}\n")
        again = ProjectIndex.build(str(root), [str(root / f) for f in files], cache_dir=cache, jobs=1)
        assert not again.facts_loaded  # the roots stood: the unchanged modules' facts were not read
        assert _names(again, root)["apps/api/src/db.py"] == "src.db"
        assert again.get_class("src.db.Course") is not None
    routes.write_text("from src.db import Course\nfrom src import db\nfrom src.gone import x\n")
    third = ProjectIndex.build(str(root), [str(root / f) for f in files], cache_dir=cache, jobs=1)
    assert third.roots_report is not None and third.roots_report.unresolved == [[str(routes), "src.gone"]]


def test_imports_that_spell_the_project_directory_itself(tmp_path: Path) -> None:
    root = tmp_path / "server"
    files = {
        "models.py": MODELS,
        "auth.py": "from server.models import Course\n",
        "routers/items.py": "from server.models import Course\nfrom server.auth import x\n",
    }
    index = _build(root, files)
    names = _names(index, root)
    assert names["models.py"] == "server.models"
    assert names["routers/items.py"] == "server.routers.items"
    assert index.get_class("server.models.Course") is not None
    assert index.get_class("models.Course") is not None  # the default name, through the aliases


def test_a_namespace_directory_inside_a_package(tmp_path: Path) -> None:
    """``app/utils/`` without ``__init__.py`` between ``app/`` and ``app/utils/captcha/``: the names come from
    the root the imports use, not from the broken ``__init__.py`` chain."""
    files = {
        "app/__init__.py": "",
        "app/utils/captcha/__init__.py": "def __getattr__(name): ...\n",
        "app/utils/captcha/solver.py": "class Solver: ...\n",
        "app/api.py": "from app.utils.captcha.solver import Solver\nfrom app.utils.captcha import solver\nfrom app.utils.captcha import lazy_thing\n",
        "app/utils/validators.py": "import validators\n",
    }
    index = _build(tmp_path, files)
    names = _names(index, tmp_path)
    assert names["app/utils/captcha/solver.py"] == "app.utils.captcha.solver"
    assert index.roots_report is not None and index.roots_report.unresolved == []


def test_a_module_with_pep_758_except_keeps_its_facts(tmp_path: Path) -> None:
    """``except A, B:`` (Python 3.14) in the auth module: an older parser must not drop the module's facts."""
    files = {
        "app/__init__.py": "",
        "app/deps.py": (
            "import jwt\n\n\ndef get_principal(token: str) -> str:\n    try:\n"
            "        return jwt.decode(token, 'k')\n    except ValueError, KeyError:\n        raise\n"
        ),
    }
    index = _build(tmp_path, files)
    facts = index.modules["app.deps"]
    assert facts["parsed"] and "get_principal" in facts["functions"]


def test_a_module_with_pep_695_type_parameters_keeps_its_facts(tmp_path: Path) -> None:
    """``class Page[T: Base](...)``, ``def filter[Q: Select | Update](...)`` and ``type X = ...`` (Python 3.12) in a
    repository module: an older parser must not drop the module's facts (romm's handlers and route modules)."""
    files = {
        "app/__init__.py": "",
        "app/store.py": (
            "from sqlalchemy import Select, Update\n\n\nclass Page[T: object](list[T]):\n    pass\n\n\n"
            "class Store:\n    def filter[Q: Select[tuple[int]] | Update](\n        self, query: Q\n    ) -> Q:\n"
            "        return query\n\n    def get(self, item_id: int) -> int:\n        return item_id\n\n\n"
            "type Key = int\nstore = Store()\n"
        ),
    }
    index = _build(tmp_path, files)
    facts = index.modules["app.store"]
    assert facts["parsed"] and {"Page", "Store"} <= set(facts["classes"])
    assert {"Key", "store"} <= set(facts["assignments"])


def test_a_changed_file_with_the_same_imports_writes_no_roots_file(tmp_path: Path) -> None:
    """What the roots were inferred from is a digest of each file's absolute imports, kept in the index's
    manifest: a file edited without changing its imports leaves the stored roots alone (not read per file,
    not written again), and a changed import infers them again."""
    root = tmp_path / "p"
    files = {
        "apps/api/__init__.py": "",
        "apps/api/src/__init__.py": "",
        "apps/api/src/db.py": MODELS,
        "apps/api/src/routes.py": "from src.db import Course\nfrom src import db\n",
    }
    cache = tmp_path / "cache"
    _build(root, files, cache_dir=str(cache))
    (stored,) = [p for p in cache.iterdir() if p.name.startswith("roots-")]  # one file: no per-file rows beside it
    before = stored.read_bytes(), stored.stat().st_ino, stored.stat().st_mtime_ns
    routes = root / "apps/api/src/routes.py"
    routes.write_text("from src.db import Course\nfrom src import db\n\n\ndef f():\n    return db\n")
    again = ProjectIndex.build(str(root), [str(root / f) for f in files], cache_dir=str(cache), jobs=1)
    assert not again.facts_loaded and _names(again, root)["apps/api/src/db.py"] == "src.db"
    assert (stored.read_bytes(), stored.stat().st_ino, stored.stat().st_mtime_ns) == before
    routes.write_text("from src.db import Course\nfrom src import db\nfrom src.gone import x\n")
    third = ProjectIndex.build(str(root), [str(root / f) for f in files], cache_dir=str(cache), jobs=1)
    assert third.roots_report is not None and third.roots_report.unresolved == [[str(routes), "src.gone"]]
    assert stored.read_bytes() != before[0]


def _no_guess(monkeypatch) -> None:
    monkeypatch.setattr(ProjectIndex, "_guess_units", lambda self, files, max_size: frozenset())


def _counting_extractions(monkeypatch) -> list[str]:
    from backend_lint.knowledge.index import extract

    seen: list[str] = []
    real = extract.extract_module

    def counted(source, path, *args, **kwargs):
        seen.append(path)
        return real(source, path, *args, **kwargs)

    monkeypatch.setattr(extract, "extract_module", counted)
    return seen


# A distribution directory holding a package's sub-tree (``dist-1.0/acme/server``, no ``acme/__init__.py``) that
# imports itself as ``acme.server``: the roots rename all of it. The package's ``__init__`` re-exports a model by
# a relative import, which the roots read under the module's default name (``server.models.Course``, not a
# module of ``acme.server``): ``from acme.server import Course`` resolves from ``dist-1.0``.
DISTRIBUTION = {
    "dist-1.0/acme/server/__init__.py": "from .models import Course\n",
    "dist-1.0/acme/server/models.py": MODELS,
    "dist-1.0/acme/server/api/__init__.py": "",
    "dist-1.0/acme/server/api/items.py": "from acme.server import Course\nfrom ..models import Course as Row\n",
    "dist-1.0/acme/server/api/users.py": "from acme.server import Course\nfrom acme.server.api import items\n",
}


def test_modules_the_roots_rename_are_extracted_once_under_their_names(tmp_path: Path, monkeypatch) -> None:
    """A cold build guesses the roots from the files' import lines before extracting them: the renamed modules
    are extracted once, with the names, facts and roots of a build that extracts them again after the roots."""
    seen = _counting_extractions(monkeypatch)
    guessed = _build(tmp_path / "a", DISTRIBUTION)
    assert sorted(seen) == sorted(str(tmp_path / "a" / rel) for rel in DISTRIBUTION)  # each file once
    assert _names(guessed, tmp_path / "a")["dist-1.0/acme/server/api/items.py"] == "acme.server.api.items"
    _no_guess(monkeypatch)
    seen.clear()
    again = _build(tmp_path / "b", DISTRIBUTION)
    assert len(seen) == 2 * len(DISTRIBUTION)  # under the default names, then under the roots' names
    assert _names(again, tmp_path / "b") == _names(guessed, tmp_path / "a")
    assert guessed.roots_report is not None and again.roots_report is not None
    assert guessed.roots_report.roots() == [str(tmp_path / "a" / "dist-1.0")]
    assert again.roots_report.roots() == [str(tmp_path / "b" / "dist-1.0")]
    for rel in DISTRIBUTION:
        a = dict(guessed.modules[guessed.by_path[str(tmp_path / "a" / rel)]])
        b = dict(again.modules[again.by_path[str(tmp_path / "b" / rel)]])
        a.pop("path"), b.pop("path")
        assert a == b


def test_a_wrong_guess_of_the_roots_is_corrected_after_the_extraction(tmp_path: Path, monkeypatch) -> None:
    """Import lines inside a docstring make the guess name ``vendor/lib`` a unit; the extracted facts have no
    such import: the module is named by default, its facts extracted again under that name."""
    files = {
        "tools/helper.py": '"""Usage:\n\nfrom lib.core import thing\nfrom lib.extra import other\n"""\n',
        "vendor/lib/core.py": "thing = 1\n",
        "vendor/lib/extra.py": "other = 2\n",
    }
    seen = _counting_extractions(monkeypatch)
    index = _build(tmp_path / "a", files)
    assert len(seen) == 5  # ``core.py`` and ``extra.py`` twice
    assert _names(index, tmp_path / "a")["vendor/lib/core.py"] == "vendor.lib.core"
    assert index.modules["vendor.lib.core"]["module"] == "vendor.lib.core"
    _no_guess(monkeypatch)
    plain = _build(tmp_path / "b", files)
    assert _names(plain, tmp_path / "b") == _names(index, tmp_path / "a")


def test_relative_imports_climbing_out_of_a_package_name_its_namespace_directory(tmp_path: Path) -> None:
    """``svc/web/`` is a package under ``svc/`` (no ``__init__.py``): ``from ..store.rows import`` in it climbs
    above ``web`` and works only when ``svc`` is a namespace package, so ``svc`` is a unit named from the root."""
    files = {
        "svc/web/__init__.py": "from .pages import router\n",
        "svc/web/pages.py": "from ..store.rows import Course\nfrom ..store import rows\nfrom ..conf import settings\n",
        "svc/conf/__init__.py": "settings = {}\n",
        "svc/store/rows.py": MODELS,
    }
    index = _build(tmp_path, files)
    names = _names(index, tmp_path)
    assert names["svc/web/pages.py"] == "svc.web.pages" and names["svc/conf/__init__.py"] == "svc.conf"
    assert names["svc/store/rows.py"] == "svc.store.rows"
    assert index.modules["svc.web.pages"]["imports"]["Course"] == "svc.store.rows.Course"
    report = index.roots_report
    assert report is not None and report.namespaces == [str(tmp_path / "svc")]
    assert report.unresolved_relative == [] and report.relative == 4
    assert unresolved_share(report) is None


def test_climbing_imports_that_resolve_nowhere_leave_the_names_and_are_counted(tmp_path: Path) -> None:
    """The same climb, but the modules it names are not under the directory above: no namespace, the imports
    are unresolved, and enough of them make the run say so."""
    files = {
        "svc/web/__init__.py": "",
        "svc/store/rows.py": MODELS,
    }
    files.update({f"svc/web/p{i}.py": f"from ..gone{i}.rows import Course\n" for i in range(4)})
    index = _build(tmp_path, files)
    names = _names(index, tmp_path)
    assert names["svc/web/p0.py"] == "web.p0"
    report = index.roots_report
    assert report is not None and report.namespaces == []
    assert sorted(m for _, m, _ in report.unresolved_relative) == [f"..gone{i}.rows" for i in range(4)]
    share = unresolved_share(report)
    assert share is not None and share[0] == 4 and share[3] == 4


def test_climbing_into_the_project_root_itself_changes_nothing(tmp_path: Path) -> None:
    """``web/`` directly in the linted root: a climbing ``from ..store.rows import`` already reads as the
    top-level ``store.rows`` (the root's files have no prefix), so no unit and nothing unresolved."""
    files = {
        "web/__init__.py": "",
        "web/pages.py": "from ..store.rows import Course\nfrom ..store import rows\n",
        "store/rows.py": MODELS,
    }
    index = _build(tmp_path, files)
    names = _names(index, tmp_path)
    assert names["web/pages.py"] == "web.pages" and names["store/rows.py"] == "store.rows"
    report = index.roots_report
    assert report is not None and report.units == [] and report.unresolved_relative == []
    assert index.aliases == {}


def test_a_sibling_package_reached_by_a_climb_is_no_evidence(tmp_path: Path) -> None:
    """``from ..conf import`` in ``svc/web`` reads as the sibling package ``conf`` today and as ``svc.conf`` with
    a namespace: it resolves either way, so it alone makes no unit."""
    files = {
        "svc/web/__init__.py": "",
        "svc/web/pages.py": "from ..conf import settings\n",
        "svc/web/more.py": "from ..conf import settings\n",
        "svc/conf/__init__.py": "settings = {}\n",
    }
    index = _build(tmp_path, files)
    names = _names(index, tmp_path)
    assert names["svc/web/pages.py"] == "web.pages" and names["svc/conf/__init__.py"] == "conf"
    assert index.roots_report is not None and index.roots_report.namespaces == []


def test_services_sharing_a_package_name_are_named_by_their_path(tmp_path: Path) -> None:
    """``services/a/app`` and ``services/b/app``: each service's ``app`` is its own; a cached build names them the
    same; a top-level ``app`` beside them keeps its names, and a shared package its imports as written."""
    files = {
        "app/__init__.py": "", "app/main.py": "from app.models import Course\n", "app/models.py": MODELS,
        "services/a/app/__init__.py": "", "services/a/app/models.py": MODELS,
        "services/a/app/main.py": "from app.models import Course\nimport app.models as m\n",
        "services/b/app/__init__.py": "", "services/b/app/models.py": "class Course:\n    pass\n",
        "services/b/app/main.py": "from app.models import Course\n",
        "services/b/tests/test_main.py": "from app.main import Course\n",
        "shared/__init__.py": "", "shared/db.py": "from app.models import Course\n",
    }
    for cache in (None, str(tmp_path / "cache"), str(tmp_path / "cache")):
        index = _build(tmp_path / "p", files, cache_dir=cache)
        names = _names(index, tmp_path / "p")
        assert names["services/a/app/main.py"] == "services.a.app.main"
        assert names["services/b/app/models.py"] == "services.b.app.models"
        assert names["app/main.py"] == "app.main"
        assert names["app/models.py"] == "app.models" and names["shared/db.py"] == "shared.db"
        assert index.modules["services.a.app.main"]["imports"] == {"Course": "services.a.app.models.Course", "m": "services.a.app.models"}
        assert index.modules["services.b.app.main"]["imports"] == {"Course": "services.b.app.models.Course"}
        assert index.modules["services.b.tests.test_main"]["imports"] == {"Course": "services.b.app.main.Course"}
        assert index.modules["shared.db"]["imports"] == {"Course": "app.models.Course"}  # (not a service's: as written)
        assert index.modules["app.main"]["imports"] == {"Course": "app.models.Course"}
        assert "app.main" not in index.aliases and "services.b.app.main" not in index.aliases.values()


def test_one_service_package_changes_no_name(tmp_path: Path) -> None:
    files = {"services/a/app/__init__.py": "", "services/a/app/models.py": MODELS,
             "services/a/app/main.py": "from app.models import Course\n", "services/a/worker/__init__.py": ""}
    index = _build(tmp_path, files)
    assert _names(index, tmp_path)["services/a/app/main.py"] == "app.main"
    assert index.modules["app.main"]["imports"] == {"Course": "app.models.Course"}


def test_a_service_directory_that_is_no_dotted_name_is_left_alone(tmp_path: Path) -> None:
    from backend_lint.knowledge.index.services import colliding_services

    files = {"services/a/app/__init__.py": "", "services/a/app/main.py": "X = 1\n",
             "services/c-d/app/__init__.py": "", "services/c-d/app/main.py": "X = 1\n"}
    index = _build(tmp_path, files)
    assert set(index.services()) == {str(tmp_path / "services" / "a")}
    assert colliding_services(str(tmp_path), {}) == {}
