"""``backend-lint facts``, the unresolved-imports warning, the ``src`` key and ``--config`` outside the tree,
through the installed entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from clihelpers import make_project, run_cli as _run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "isolation" / "_projects"

MODELS = '''import uuid

from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)


class Course(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id")
'''

DEPS = '''from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from models import User

oauth2 = OAuth2PasswordBearer(tokenUrl="/token")


def get_session():
    yield Session()


def user_from_token(session: Annotated[Session, Depends(get_session)], token: Annotated[str, Depends(oauth2)]) -> User:
    return session.get(User, token)
'''

ROUTES = '''import uuid

from fastapi import APIRouter, Depends
from sqlmodel import Session

from deps import get_session, user_from_token
from models import Course, User

router = APIRouter()


@router.get("/courses/{course_id}")
def read_course(course_id: uuid.UUID, user: User = Depends(user_from_token), session: Session = Depends(get_session)):
    return session.get(Course, course_id)
'''


class _Result:
    def __init__(self, done) -> None:
        self.returncode = done.returncode
        self.stdout = done.stdout.decode()
        self.stderr = done.stderr.decode()


def run_cli(*args: str, **kwargs) -> _Result:
    return _Result(_run_cli(*args, **kwargs))


def _copy_fixture(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    (root / "pyproject.toml").write_text("")
    return root


def test_facts_json_on_a_script_directory_app(tmp_path: Path) -> None:
    root = _copy_fixture(tmp_path, "script_dir_app")
    r = run_cli("facts", str(root), "--output-format", "json", "--no-cache")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    for key in ("roots", "unresolved_imports", "auth_dependencies", "authorization_helpers", "principal_classes",
                "admin_dependencies", "owned_models"):
        assert key in data, key
    assert [x["path"] for x in data["roots"]] == [".", "server"]
    assert data["modules"]["server/models.py"] == "models"
    assert data["unresolved_imports"] == [] and data["unparsed_modules"] == []
    auth = {d["name"]: d for d in data["auth_dependencies"]}
    assert "require_auth" in auth and auth["require_auth"]["principal"] == "models.User"
    assert auth["require_auth"]["why"]
    owned = {m["name"]: m for m in data["owned_models"]}
    assert owned["APIKey"] == {
        "name": "APIKey", "module": "models", "scoping_column": "user_id", "identity_columns": ["user_id"],
        "why": "a table with the identity column `user_id`",
    }
    assert data["principal_classes"] == ["models.User"]
    assert data["migration_trees"][0]["directory"] == "server/alembic/versions"


def test_facts_text_on_a_stray_init_app(tmp_path: Path) -> None:
    root = _copy_fixture(tmp_path, "stray_init_app")
    r = run_cli("facts", "--no-cache", cwd=root)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Import roots:" in out and "apps/api: the project's absolute imports of `src` resolve from here" in out
    assert "src.db.courses.Course: scoped by `owner_id`" in out
    assert "Subject" not in out  # not owned
    assert "Traceback" not in r.stderr


def test_facts_on_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    r = run_cli("facts", str(tmp_path / "nope"))
    assert r.returncode == 2
    assert "no such file or directory" in r.stderr and "Traceback" not in r.stderr


def test_unresolved_project_imports_warn_once(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS}
    files.update({f"app/r{i}.py": f"from app.generated{i} import thing\nfrom app.models import Course\n" for i in range(4)})
    root = make_project(tmp_path, files)
    r = run_cli("check", ".", "--no-cache", "--select", "BKL2", cwd=root)
    lines = [x for x in r.stderr.splitlines() if "do not resolve" in x]
    assert len(lines) == 1, r.stderr
    assert "4 of 8" in lines[0] and "`app.generated0` (app/r0.py)" in lines[0] and "`src`" in lines[0]


def test_unresolved_relative_imports_warn_and_are_listed(tmp_path: Path) -> None:
    """Relative imports that name no module of the project count in the once-per-run warning and in ``facts``."""
    files = {"app/__init__.py": "", "app/models.py": MODELS}
    files.update({f"app/r{i}.py": f"from .generated{i} import thing\nfrom .models import Course\n" for i in range(4)})
    root = make_project(tmp_path, files)
    r = run_cli("check", ".", "--no-cache", "--select", "BKL2", cwd=root)
    lines = [x for x in r.stderr.splitlines() if "do not resolve" in x]
    assert len(lines) == 1, r.stderr
    assert "4 of 8" in lines[0] and "relative" in lines[0] and "`.generated0` (app/r0.py)" in lines[0]
    r = run_cli("facts", "--no-cache", "--output-format", "json", cwd=root)
    data = json.loads(r.stdout)
    assert data["relative_imports"] == 8
    assert {"path": "app/r0.py", "module": ".generated0", "relative": True, "resolves_to": "app.generated0"} in data["unresolved_imports"]
    r = run_cli("facts", "--no-cache", cwd=root)
    assert "Relative imports: 8, resolving to no module of the project: 4" in r.stdout


def test_clean_project_does_not_warn(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/__init__.py": "", "app/models.py": MODELS, "app/api.py": "from app.models import Course\n"})
    r = run_cli("check", ".", "--no-cache", cwd=root)
    assert "do not resolve" not in r.stderr


def test_src_key_makes_a_directory_an_import_root(tmp_path: Path) -> None:
    files = {"services/api/models.py": MODELS, "services/api/deps.py": DEPS, "services/api/routes.py": ROUTES}
    root = make_project(tmp_path, files, pyproject='[tool.backend-lint]\nsrc = ["services/api"]\n')
    r = run_cli("check", ".", "--no-cache", "--select", "BKL201", "--output-format", "concise", cwd=root)
    assert "services/api/routes.py:14:12: BKL201" in r.stdout, r.stdout + r.stderr


def test_config_outside_the_tree_keeps_the_project_root(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/deps.py": DEPS.replace("from models import", "from app.models import"),
        "app/routes.py": ROUTES.replace("from deps import", "from app.deps import").replace("from models import", "from app.models import"),
    }
    root = make_project(tmp_path, files, pyproject=None)
    (root / ".git").mkdir()
    config = tmp_path / "shared" / "backend-lint.toml"
    config.parent.mkdir()
    config.write_text('select = ["BKL201"]\n')
    r = run_cli("check", "app/routes.py", "--config", str(config), "--no-cache", "--output-format", "concise", cwd=root)
    assert "app/routes.py:14:12: BKL201" in r.stdout, r.stdout + r.stderr


USERNAME_MODELS = '''from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Flow(Base):
    __tablename__ = "flow"
    id = Column(Integer, primary_key=True)
    user_name = Column(String(128), index=True)


class Prompt(Base):
    __tablename__ = "prompt"
    id = Column(Integer, primary_key=True)
    user_name = Column(String(128))
'''

KEY_ONLY_ROUTES = '''from fastapi import APIRouter, Depends
from fastapi.security import HTTPBearer

bearer = HTTPBearer()
router = APIRouter()


def check_api_key(token=Depends(bearer)):
    return token


@router.get("/flows/{flow_id}", dependencies=[Depends(check_api_key)])
def read_flow(flow_id: int, user_name: str):
    return {"flow": flow_id, "user": user_name}
'''


def test_facts_say_why_family_2_is_silent(tmp_path: Path) -> None:
    """A project that scopes rows by a string ``user_name`` and authenticates with an API key only: no model
    is owned and no route has a principal; ``facts`` says both and names the owner-like column."""
    # ``Gadget`` names its table and declares columns on a base made by a project function: a table;
    # ``Widget`` names a table on a base chosen at run time and declares no column: not read as one
    dynamic = (
        "from sqlalchemy import Column, Integer, String\n\nfrom base import create_model, load_base\n\n"
        "Model = create_model(None)\n_runtime = load_base()\n\n\n"
        "class Gadget(Model):\n    __tablename__ = \"gadget\"\n    id = Column(Integer, primary_key=True)\n"
        "    user_name = Column(String(64))\n\n\n"
        "class Widget(_runtime):\n    __tablename__ = \"widget\"\n"
    )
    base = "def create_model(db):\n    raise NotImplementedError\n\n\ndef load_base():\n    raise NotImplementedError\n"
    root = make_project(tmp_path, {"models.py": USERNAME_MODELS, "routes.py": KEY_ONLY_ROUTES, "dyn.py": dynamic, "base.py": base})
    r = run_cli("facts", str(root), "--output-format", "json", "--no-cache")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["owned_models"] == []
    silent = data["family2_silent"]
    assert len(silent) == 2, silent
    assert "no model is owned" in silent[0] and "`user_name` (3 models)" in silent[0] and "extend-identity-fields" in silent[0]
    assert "1 classes declare `__tablename__` on a base not recognised as declarative" in silent[0]
    assert "credentials only" in silent[1]
    text = run_cli("facts", str(root), "--no-cache")
    assert "Family 2 (BKL2xx) makes no claim here:" in text.stdout
    # configured, the column makes the models owned and the explanation goes
    (root / "pyproject.toml").write_text('[tool.backend-lint]\nextend-identity-fields = ["user_name"]\n')
    data = json.loads(run_cli("facts", str(root), "--output-format", "json", "--no-cache").stdout)
    assert {m["name"] for m in data["owned_models"]} == {"Flow", "Prompt", "Gadget"}
    assert len(data["family2_silent"]) == 1 and "credentials only" in data["family2_silent"][0]


CLIENT_IDENTITY_APP = {
    "models.py": '''from typing import Optional

from sqlmodel import Field, SQLModel


class Board(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: str
''',
    "auth.py": '''from fastapi import Request


class Member:
    id: str


def get_current_user(request: Request) -> Member:
    return request.state.user
''',
    "routes.py": '''from fastapi import APIRouter, Depends

from auth import Member, get_current_user

router = APIRouter()


@router.get("/boards/{board_id}")
def read_board(board_id: int, user_id: str):
    return {"board": board_id, "user": user_id}


@router.delete("/boards/{board_id}")
def delete_board(board_id: int, user_id: str):
    return None


@router.put("/boards/{board_id}")
def rename_board(board_id: int, user_id: str, title: str):
    return None


@router.get("/health")
def health():
    return {"ok": True}


@router.get("/me")
def me(member: Member = Depends(get_current_user)):
    return member
''',
}


def test_facts_say_when_routes_take_no_principal(tmp_path: Path) -> None:
    """Auth dependencies and owned models exist, but the routes that load rows take the user id from the
    client and none of them depends on the auth dependency: ``facts`` says so, naming the parameter."""
    root = make_project(tmp_path, CLIENT_IDENTITY_APP)
    data = json.loads(run_cli("facts", str(root), "--output-format", "json", "--no-cache").stdout)
    assert [m["name"] for m in data["owned_models"]] == ["Board"]
    silent = data["family2_silent"]
    assert len(silent) == 1, silent
    assert "only 1 of the 5 route handlers" in silent[0] and "`user_id` (3 routes)" in silent[0]


MARKER_NAME_APP = {
    "app/__init__.py": "",
    "app/security.py": '''from fastapi import Depends
from fastapi.security import HTTPBearer

DependsJwtAuth = Depends(HTTPBearer())
''',
    "app/routes.py": '''from fastapi import APIRouter

from .security import DependsJwtAuth

router = APIRouter()


@router.get("/menus", dependencies=[DependsJwtAuth])
def menus():
    return []


@router.get("/token")
def token(credentials: str = DependsJwtAuth):
    return credentials
''',
}


def test_facts_read_a_dependency_marker_held_in_a_name(tmp_path: Path) -> None:
    """``DependsJwtAuth = Depends(HTTPBearer())``, imported into ``dependencies=[...]`` and used as a
    parameter default: an auth dependency (a security scheme's credentials), and ``facts`` says why family 2
    has no principal to reason with."""
    root = make_project(tmp_path, MARKER_NAME_APP)
    data = json.loads(run_cli("facts", str(root), "--output-format", "json", "--no-cache").stdout)
    rows = {d["name"]: d for d in data["auth_dependencies"]}
    assert rows["DependsJwtAuth"]["module"] == "app.security"
    assert rows["DependsJwtAuth"]["credentials_only"] is True
    assert rows["DependsJwtAuth"]["why"] == "the marker `Depends(HTTPBearer)` held in a module-level name"
    assert any("yields credentials only" in s for s in data["family2_silent"]), data["family2_silent"]


def test_facts_name_the_functions_that_make_no_claim(tmp_path: Path) -> None:
    """A function taking an identity that no non-admin route reaches is listed with why; one a route reaches
    through a service is not (the fixture app of BKL201's ``claim_needs_route``)."""
    root = tmp_path / "claim_needs_route"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "isolation" / "BKL201" / "claim_needs_route", root,
                    ignore=shutil.ignore_patterns("*.fixed.py"))
    (root / "pyproject.toml").write_text("")
    r = run_cli("facts", str(root), "--output-format", "json", "--no-cache")
    assert r.returncode == 0, r.stderr
    why = {(f["module"], f["name"]): f["why"] for f in json.loads(r.stdout)["no_claim_functions"]}
    assert why[("app.service", "count_datasets")].startswith("no route reaches it")
    assert why[("app.service", "DatasetService.search_as_user")] == "only admin-only routes reach it"
    assert why[("app.pipeline", "orphan")].startswith("no route reaches it")
    assert why[("app.tasks.worker", "process")].startswith("only background jobs reach it")
    for reached in ("list_datasets", "summary", "DatasetService.recent"):
        assert ("app.service", reached) not in why
    assert ("app.repository", "DatasetRepository.all_for") not in why
    text = run_cli("facts", str(root), "--no-cache").stdout
    assert "app.service.count_datasets: no route reaches it" in text


def test_facts_list_dependency_factories(tmp_path: Path) -> None:
    """``Depends(is_user_allowed_to([...]))``: the factories whose returned function authenticates are auth
    dependencies, with why; one given a privileged permission or group is an admin dependency; a pagination or
    rate-limit factory is neither (the fixture app of BKL202's ``dependency_factories``)."""
    root = tmp_path / "dependency_factories"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "isolation" / "BKL202" / "dependency_factories", root,
                    ignore=shutil.ignore_patterns("*.fixed.py"))
    (root / "pyproject.toml").write_text("")
    r = run_cli("facts", str(root), "--output-format", "json", "--no-cache")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    auth = {d["name"]: d for d in data["auth_dependencies"]}
    admin = {d["name"]: d for d in data["admin_dependencies"]}
    assert auth["is_user_allowed_to(...)"]["principal"] == "app.models.User"
    assert auth["is_user_allowed_to(...)"]["why"].startswith("a dependency factory: FastAPI runs the function it returns, `is_user_allowed_to`")
    assert "verifies the credential `token`" in auth["auth_required(...)"]["why"]
    assert "is_user_in(GroupType.admin)" in admin and "is_user_allowed_to([ShopPermissions.manage_shop])" in admin
    assert admin["is_user_in(GroupType.admin)"]["why"].startswith("given a privileged role or permission (`GroupType.admin`)")
    # voters hold one of the permissions: no admin gate
    assert not any("vote" in name for name in admin)
    assert not any(name.startswith(("paginate", "rate_limit")) for name in (*auth, *admin))



def test_facts_list_admin_named_tenant_logins(tmp_path: Path) -> None:
    """``require_console_admin() -> ConsoleSession(tenant_id, ...)``: named like an admin gate, but what it returns
    carries the caller's tenant, so it is listed as the tenant's login, not an admin dependency; one yielding no
    tenant, and one whose name says the site's (``superadmin``), stay admin (BKL202's ``tenant_console_login``)."""
    root = tmp_path / "tenant_console_login"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "isolation" / "BKL202" / "tenant_console_login", root)
    (root / "pyproject.toml").write_text("")
    r = run_cli("facts", str(root), "--output-format", "json", "--no-cache")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    logins = {d["name"]: d for d in data["tenant_logins"]}
    assert set(logins) == {"require_console_admin"}
    assert "`ConsoleSession.tenant_id`" in logins["require_console_admin"]["why"]
    assert {d["name"] for d in data["admin_dependencies"]} == {"require_admin_claims", "require_superadmin_session"}
    text = run_cli("facts", str(root), "--no-cache").stdout
    assert "Named like admin gates, the tenant's own login (1):" in text


WRAPPER_FIXTURE = Path(__file__).parent.parent / "fixtures" / "isolation" / "_projects" / "wrapper_routes"


def test_facts_list_route_wrappers_and_why_request_user_is_the_caller(tmp_path: Path) -> None:
    """``@guarded(router.get, "/x", [...])``: ``facts`` lists the wrapper, how many handlers it registers, its
    dependencies, and that ``request.user`` is the caller (AuthenticationMiddleware installed, the wrapper's
    scheme authenticates); a decorator handed ``router.get`` that never registers with it is no route."""
    files = {p.relative_to(WRAPPER_FIXTURE).as_posix(): p.read_text() for p in WRAPPER_FIXTURE.rglob("*.py")}
    root = make_project(tmp_path, files)
    data = json.loads(run_cli("facts", str(root), "--output-format", "json", "--no-cache").stdout)
    wrappers = {w["name"]: w for w in data["route_wrappers"]}
    assert wrappers["guarded"]["registers"] and wrappers["guarded"]["handlers"] == 5
    assert "Security(app.guard.bearer)" in wrappers["guarded"]["why"]
    assert "AuthenticationMiddleware" in wrappers["guarded"]["principal"] and "app.main" in wrappers["guarded"]["principal"]
    assert not wrappers["timed"]["registers"]


def test_facts_list_no_test_function_as_an_authorisation_helper(tmp_path: Path) -> None:
    """A test named like a check and given a user (``test_access_check(user_id, client)``) guards no request:
    ``facts`` lists it as no authorisation helper (session 16, hold-out 18's bctsales and deepchecks)."""
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/access.py": "def check_access(course, user_id):\n    if course.owner_id != user_id:\n        raise PermissionError\n",
        "tests/test_access.py": (
            "import jwt\n\n\ndef test_access_check(user_id, client):\n    if client.get(user_id).status_code != 200:\n        raise AssertionError\n\n\n"
            "def read_token(token, client):\n    return jwt.decode(token, 'k', algorithms=['HS256'])\n"
        ),
    }
    root = make_project(tmp_path, files)
    data = json.loads(run_cli("facts", str(root), "--output-format", "json", "--no-cache").stdout)
    helpers = {d["name"] for d in data["authorization_helpers"]}
    assert helpers == {"check_access"}, helpers


def test_facts_authorisation_helper_decides_on_who_asks(tmp_path: Path) -> None:
    """A function named like a check and given the org id that raises only on what it loads
    (``run_check_per_window(check_id, organization_id)``: an ML check) is no authorisation helper; one whose
    refusal reads the identity value it is given is (session 16, hold-out 18's deepchecks)."""
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/runs.py": (
            "def run_check_window(check_id, organization_id=None):\n"
            "    rows = load(check_id, organization_id)\n"
            "    if not check_id:\n        raise ValueError('no check')\n    return rows\n\n\n"
            "def check_course_owner(course, owner_id):\n"
            "    if course.owner_id != owner_id:\n        raise PermissionError\n\n\n"
            "def load(check_id, organization_id):\n    return []\n"
        ),
    }
    root = make_project(tmp_path, files, pyproject='[tool.backend-lint]\nidentity-fields = ["owner_id", "organization_id"]\n')
    data = json.loads(run_cli("facts", str(root), "--output-format", "json", "--no-cache").stdout)
    helpers = {d["name"]: d["why"] for d in data["authorization_helpers"]}
    assert set(helpers) == {"check_course_owner"}, helpers


def test_one_deep_file_without_configuration_indexes_its_whole_package(tmp_path: Path) -> None:
    """No pyproject.toml, setup.py or .git anywhere above: a file given alone is linted with the directory above
    its outermost package as the project root (the ``__init__.py`` chain), as a run from the top would be, not
    with its own directory alone, which lost every cross-module fact without a word."""
    root = make_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/api/__init__.py": "",
            "app/api/routes/__init__.py": "",
            "app/api/routes/courses.py": "from app.models import Course\n",
        },
        pyproject=None,
    )
    out = run_cli("facts", str(root / "app" / "api" / "routes" / "courses.py"), "--no-cache").stdout
    assert f"Project root: {root}" in out.splitlines()[0], out
    assert "Modules: 5" in out, out


def test_facts_show_service_roots_that_share_a_package_name(tmp_path: Path) -> None:
    """Several services in one repository, each `services/<svc>/app/`: each service root is listed, its modules
    are named by their path, the same model name in two services stays two models, and nothing warns."""
    root = _copy_fixture(tmp_path, "service_monorepo")
    r = run_cli("facts", str(root), "--output-format", "json", "--no-cache")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    roots = {x["path"]: x["why"] for x in data["roots"]}
    assert set(roots) == {".", "services/billing", "services/catalog", "services/orders"}
    assert "package `app` shares its name with 2 other service roots" in roots["services/orders"]
    assert data["modules"]["services/orders/app/models.py"] == "services.orders.app.models"
    assert data["modules"]["shared/auth.py"] == "shared.auth"
    assert data["unresolved_imports"] == [] and data["renamed_modules"] == {}
    owned = {f"{m['module']}.{m['name']}" for m in data["owned_models"]}
    assert "services.orders.app.models.Item" in owned and "services.catalog.app.models.Item" not in owned
    assert "services.billing.app.models.Invoice" in owned
    r = run_cli("check", str(root), "--no-cache", "--select", "BKL2", "--output-format", "concise")
    assert "do not resolve" not in r.stderr
    assert "orders/app/routes/items.py:14:12: BKL201" in r.stdout and "catalog/app" not in r.stdout, r.stdout
