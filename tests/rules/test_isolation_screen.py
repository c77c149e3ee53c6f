"""Family 2's screen decides per function (``rules/isolation/_analysis.py``): a file reaches libcst for BKL201 /
BKL202 only when a function that can carry the identity spells a name that can lead to an owned row.

The skip-equivalence tests (``test_skip_equivalence.py``) prove on every fixture that skipping changes no
finding; these tests keep that proof from being vacuous for this screen: on ``per_function_screen`` it must
skip the files where only a function without identity reaches an owned model, or where ``Query`` is FastAPI's,
and keep the ones with findings."""

from __future__ import annotations

from pathlib import Path

from backend_lint.knowledge.tree_facts import tree_facts
from backend_lint.rules.isolation._analysis import _owned_words, _vocabularies, isolation_may_fire, owned_model_spelled

from harness import load_fixtures

FIXTURE = "isolation/BKL201/per_function_screen/"


def _fixture():
    return next(f for f in load_fixtures() if f.id == FIXTURE)


def _screen(fixture, name: str) -> bool:
    path = Path(fixture.root) / "app" / name
    facts = tree_facts(path.read_text())
    return isolation_may_fire(facts, fixture.project, fixture.settings)


def test_screen_keeps_the_files_with_findings() -> None:
    fixture = _fixture()
    assert _screen(fixture, "routes_dao.py")  # a generic DAO: its class, a module-level object, an Annotated alias
    assert _screen(fixture, "routes_saved.py")  # the model ``Query``, a service method through its object


def test_screen_skips_per_function() -> None:
    fixture = _fixture()
    # the file names ``Note`` (a helper without identity), the route carrying the identity does not
    assert owned_model_spelled((Path(fixture.root) / "app" / "routes_split.py").read_text(), fixture.project, fixture.settings)
    assert not _screen(fixture, "routes_split.py")
    # ``Query`` is FastAPI's (imported once from outside the project); ``cache.load`` is no ``NoteService.load``
    assert not _screen(fixture, "routes_search.py")


def test_repositories_expand_to_their_names() -> None:
    """A repository generic over an owned model (``NoteDAO(BaseDAO[Note])``) no longer makes every name a word
    (``*``): the names that reach it (the class, its module-level object, an ``Annotated`` alias) are words,
    and a method is a word only together with the names that reach its class."""
    fixture = _fixture()
    vocabulary = _owned_words(fixture.project, fixture.settings)
    assert "*" not in vocabulary.words
    assert {"Note", "Query", "NoteDAO", "notes", "NoteDaoDep"} <= vocabulary.words
    assert "load" not in vocabulary.words and {"NoteService", "note_service"} <= vocabulary.methods["load"]


def _screen_as_linted(fixture, name: str) -> bool:
    """The screen as the engine asks it: through the probe that knows the linted file's path (its module)."""
    from backend_lint.engine.api import ProjectProbe

    path = Path(fixture.root) / "app" / name
    facts = tree_facts(path.read_text())
    return isolation_may_fire(facts, ProjectProbe(fixture.project, str(path)), fixture.settings)


def test_screen_skips_functions_no_route_reaches() -> None:
    """``knowledge.claims.no_claim_functions``: a top-level function or method no route reaches makes no claim,
    so a carrier of that kind alone does not bring the file to libcst; a function nested in one, a method of a
    class holding the caller (``user = Depends(...)``) and a helper a route reaches still do."""
    fixture = next(f for f in load_fixtures() if f.id == "isolation/BKL201/unreached_screen/")
    assert _screen(fixture, "exports.py")  # without the file's module (no probe): nothing is decided
    assert not _screen_as_linted(fixture, "exports.py")
    assert _screen_as_linted(fixture, "ledgers.py")
    assert _screen_as_linted(fixture, "nested.py")
    assert _screen_as_linted(fixture, "views.py")


def test_screen_reads_dependencies() -> None:
    """``knowledge.claims.dependency_may_carry``: a route whose dependencies the index classifies as no auth
    dependency (a session, a page size, ``Annotated`` aliases of them, ``Path()`` / ``Query()``) carries no
    identity, so its loads do not bring the file to libcst; the caller's alias, an auth ``Depends``, a router's
    own ``dependencies=[...]`` and a credential header still do."""
    fixture = next(f for f in load_fixtures() if f.id == "isolation/BKL201/dependency_screen/")
    assert _screen(fixture, "public.py")  # without the file's module (no probe): nothing is decided
    assert not _screen_as_linted(fixture, "public.py")
    assert _screen_as_linted(fixture, "mine.py")
    assert _screen_as_linted(fixture, "guarded.py")
    assert _screen_as_linted(fixture, "header.py")


def test_screen_lets_checked_tables_through_only_beside_a_check() -> None:
    """A table the project's checks are handed (``queries.helper_checked_tables``) is reported only at such a
    check: a route that loads one and calls no check does not bring the file to libcst, one that calls the
    check (by its name, through its module, or under an alias) does."""
    fixture = next(f for f in load_fixtures() if f.id == "isolation/BKL202/checked_table_screen/")
    owned, full = _vocabularies(fixture.project, fixture.settings)
    assert "Crate" in full.words and "Crate" not in owned.words
    assert not _screen_as_linted(fixture, "crates_listing.py")
    assert _screen_as_linted(fixture, "crates_checked.py")


def test_screen_reads_function_words_only_off_modules() -> None:
    """A word that names only a module-level function (``load_ledger``) leads to it as ``module.load_ledger``,
    never as a method of a local object (``cache.load_ledger``: ``queries._Analyzer`` resolves no such call to
    the function)."""
    fixture = next(f for f in load_fixtures() if f.id == "isolation/BKL202/checked_table_screen/")
    assert "load_ledger" in _owned_words(fixture.project, fixture.settings).functions
    assert _screen_as_linted(fixture, "ledgers_module.py")
    assert not _screen_as_linted(fixture, "ledgers_cache.py")


_FED = {
    "app/__init__.py": "",
    "app/models.py": """
        from typing import Optional

        from sqlmodel import Field, SQLModel

        class Ride(SQLModel, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)
            user_id: int
    """,
    "app/deps.py": """
        import jwt
        from fastapi import Depends
        from fastapi.security import OAuth2PasswordBearer

        bearer = OAuth2PasswordBearer(tokenUrl="t")

        def caller_id(token: str = Depends(bearer)) -> int:
            return int(jwt.decode(token, "k", algorithms=["HS256"])["sub"])
    """,
    "app/routes.py": """
        from typing import Annotated

        from fastapi import APIRouter, Depends

        from .deps import caller_id
        from .rides import laps
        from .totals import tally

        router = APIRouter()

        @router.get("/rides/{ride_id}")
        def ride(ride_id: int, uid: Annotated[int, Depends(caller_id)]):
            return laps(None, ride_id, uid)

        @router.get("/totals/{ride_id}")
        def total(ride_id: int, uid: Annotated[int, Depends(caller_id)]):
            return tally(None, ride_id, ride_id)
    """,
    "app/rides.py": """
        from sqlmodel import select

        from .models import Ride

        def laps(db, ride_id, rider_ref):
            return db.exec(select(Ride).where(Ride.id == ride_id)).first()
    """,
    "app/totals.py": """
        from sqlmodel import select

        from .models import Ride

        def tally(db, ride_id, rider_ref):
            # the same parameter name, but no caller hands this function the principal's id
            return db.exec(select(Ride).where(Ride.id == ride_id)).first()
    """,
}


def test_screen_reads_fed_parameters_per_function(tmp_path: Path) -> None:
    """A parameter the callers hand the principal's id (``auth.principal_fed_parameters``) carries the identity
    in that function only (``auth.principal_fed_here``): another function's parameter of the same name does not
    bring its file to libcst."""
    from backend_lint.engine.api import ProjectProbe
    from backend_lint.ground.config import Settings

    from harness import index_of_files

    project = index_of_files(tmp_path, _FED)
    settings = Settings()

    def screen(name: str) -> bool:
        path = tmp_path / "app" / name
        return isolation_may_fire(tree_facts(path.read_text()), ProjectProbe(project, str(path)), settings)

    assert screen("rides.py")
    assert not screen("totals.py")
    # without the file's module (no probe): every fed name counts
    assert isolation_may_fire(tree_facts((tmp_path / "app" / "totals.py").read_text()), project, settings)


def test_screen_follows_helpers_only_through_calls_the_analysis_follows() -> None:
    """A function is a helper of the screen's vocabulary when it looks an owned row up or calls one that does
    (``_fetching_helpers``); a call its summary records counts only when the analysis can follow it
    (``queries.summary_of_call``: a project function, a method of a project class or of a module-level object
    of one, a method on ``self``): ``cache.load_ticket(...)`` on whatever object the caller hands in is no call
    of the project's ``load_ticket``, whatever its last name, so a route calling that function stays out of
    libcst, and a route calling the helper that calls ``load_ticket`` by its name still reaches it."""
    fixture = next(f for f in load_fixtures() if f.id == "isolation/BKL201/helper_closure_screen/")
    vocabulary = _owned_words(fixture.project, fixture.settings)
    assert {"load_ticket", "ticket_subject"} <= vocabulary.words
    assert "cached_subject" not in vocabulary.words and "subjects" not in vocabulary.words
    assert _screen_as_linted(fixture, "routes_followed.py")
    assert not _screen_as_linted(fixture, "routes_unfollowed.py")


def test_screen_keeps_a_helper_method_named_like_a_helper_function() -> None:
    """A helper method that shares its name with a helper function (``ReceiptService.load_receipt`` beside a
    module-level ``load_receipt``) stays a method of the vocabulary: the call through the service object
    (``service.load_receipt(...)``, a use the function-only cut would drop) keeps the route in libcst."""
    fixture = next(f for f in load_fixtures() if f.id == "isolation/BKL201/helper_method_named_like_function/")
    vocabulary = _owned_words(fixture.project, fixture.settings)
    assert "load_receipt" in vocabulary.words and "load_receipt" not in vocabulary.functions
    assert _screen_as_linted(fixture, "routes.py")
