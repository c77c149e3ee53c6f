"""Routes registered from configuration lists by a project helper, the route classes that authenticate them,
class-based views' request, and verdict methods that hand the caller on to a member lookup (families 1-2).
The project is the fixture ``isolation/_projects/config_routes``."""

from __future__ import annotations

from pathlib import Path

from backend_lint.knowledge.auth import authenticating_route_class, view_classes
from backend_lint.knowledge.facts import orm_facts
from backend_lint.knowledge.fastapi import config_routes
from backend_lint.knowledge.index import ProjectIndex

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "isolation" / "_projects" / "config_routes"


def _project() -> ProjectIndex:
    sources = {str(p): p.read_text() for p in ROOT.rglob("*.py")}
    return ProjectIndex.from_sources(str(ROOT), sources)


def test_routes_from_configuration_lists() -> None:
    project = _project()
    routes = config_routes(project)
    read = routes["app.views.read_ledger"]
    assert read == [{"path": "/ledgers/{ledger_id}", "methods": ["GET"], "route_class": "app.guard.BadgeRoute", "module": "app.main", "line": 8}]
    assert routes["app.class_views.LedgerExport"][0]["methods"] == ["POST"]  # a class-based view
    assert routes["app.views.peek_ledger"][0]["route_class"] == "app.guard.TimingRoute"
    # a list handed to a helper that only reads it registers nothing
    assert "app.views.archive_ledger" not in routes
    helper = orm_facts(project.modules["app.routing"])["functions"]["mount"]["registers_configs"]  # type: ignore[typeddict-item]
    assert helper == {"router": 0, "configs": 1, "endpoint_method": "resolve", "path": "path", "methods": "verbs"}
    assert "registers_configs" not in orm_facts(project.modules["app.routing"])["functions"]["describe"]  # type: ignore[typeddict-item]


def test_route_classes_by_what_they_do() -> None:
    project = _project()
    assert authenticating_route_class(project, "app.guard.BadgeRoute") == {"state": ["badge"], "exempt": ["open_door"]}
    assert authenticating_route_class(project, "app.guard.TimingRoute") is None  # sets state, checks nothing
    assert authenticating_route_class(project, "app.models.Ledger") is None
    views = view_classes(project)
    assert views["app.class_views.LedgerViewBase"] == ["badge"]  # a base of a registered view
    assert "app.routing.ViewBase" in views


def test_verdict_methods_through_a_member_lookup() -> None:
    methods = orm_facts(_project().modules["app.models"]).get("methods", {})  # type: ignore[call-overload]
    assert methods["Company.has_seat"]["authorises"] == ["user_id"]
    assert methods["Company.is_manager"]["authorises"] == ["user_id"]
    assert "authorises" not in methods["Company.find_seat"]  # returns the seat, decides nothing itself


API_ROUTE = {
    "svc/__init__.py": "",
    "svc/views.py": """
        def show_item(item_id: int):
            return item_id


        def hide_item(item_id: int):
            return item_id
    """,
    "svc/app.py": """
        from collections import namedtuple

        from fastapi import APIRouter

        from .views import hide_item, show_item

        Route = namedtuple("Route", "url view verbs")


        def attach(target, table):
            for row in table:
                target.api_route(row.url, methods=row.verbs)(row.view)


        def attach_nothing(target, table):
            for row in table:
                target.include_router(row.view)


        ROUTES = [Route(url="/items/{item_id}", view=show_item, verbs=["GET", "HEAD"])]
        HIDDEN = [Route(url="/hidden/{item_id}", view=hide_item, verbs=["GET"])]
        api = APIRouter()
        attach(api, ROUTES)
        attach_nothing(api, HIDDEN)
    """,
}


def test_routes_registered_with_api_route(tmp_path: Path) -> None:
    from harness import index_of_files

    project = index_of_files(tmp_path, API_ROUTE)
    routes = config_routes(project)
    assert routes["svc.views.show_item"][0]["methods"] == ["GET", "HEAD"]
    assert routes["svc.views.show_item"][0]["route_class"] is None
    assert "svc.views.hide_item" not in routes
