"""The import-adding helper (``rules._shared.add_import``) and the SQLModel pin reader used by family 3."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from backend_lint.ground.config import Settings
from backend_lint.engine.context import FileContext
from backend_lint.values import Edit, ResolvedEdit
from backend_lint.engine.api import Engine, SourceLines
from backend_lint.engine.fixes import apply_edits
from backend_lint.rules._shared.add_import import ensure_import, ensure_imports
from backend_lint.knowledge.datetimes import _pin_in_text, minimum_version, parse_version


def _ctx(source: str, path: str = "/tmp/bkl-imports/app/mod.py") -> FileContext:
    source = textwrap.dedent(source)
    ctx = FileContext(source, path, Settings(root="/tmp/bkl-imports"))
    ctx.module = cst.parse_module(source)
    return ctx


def _apply(ctx: FileContext, edits: list[Edit]) -> str:
    from libcst.metadata import MetadataWrapper, PositionProvider

    positions = MetadataWrapper(ctx.module, unsafe_skip_copy=True).resolve(PositionProvider)
    lines = SourceLines(ctx.source)
    resolved = [Engine._resolve_edit(e, positions, lines) for e in edits]
    assert all(isinstance(e, ResolvedEdit) for e in resolved)
    return apply_edits(ctx.source, resolved)


def _add(source: str, module: str, name: str, shadowed=()) -> tuple[str, str]:
    ctx = _ctx(source)
    found = ensure_import(ctx, module, name, shadowed)
    assert found is not None
    expr, edits = found
    return expr, _apply(ctx, edits)


def test_reuses_an_existing_from_import_and_a_module_alias() -> None:
    assert _add("from datetime import datetime, timezone\n", "datetime", "timezone") == (
        "timezone",
        "from datetime import datetime, timezone\n",
    )
    assert _add("import datetime as dt\n", "datetime", "timezone")[0] == "dt.timezone"
    assert _add("import datetime\n", "datetime", "UTC")[0] == "datetime.UTC"


def test_adds_the_name_to_the_existing_statement_in_isort_order() -> None:
    expr, text = _add("from datetime import date, datetime\n", "datetime", "timezone")
    assert (expr, text) == ("timezone", "from datetime import date, datetime, timezone\n")
    expr, text = _add("from datetime import datetime as DT\n", "datetime", "UTC")
    assert text == "from datetime import UTC, datetime as DT\n"  # constants first (order-by-type)
    source = "from datetime import (\n    date,\n    datetime,\n)\n"
    assert _add(source, "datetime", "timezone")[1] == "from datetime import (\n    date,\n    datetime,\n    timezone,\n)\n"
    assert _add(source, "datetime", "UTC")[1] == "from datetime import (\n    UTC,\n    date,\n    datetime,\n)\n"


def test_new_statement_goes_into_its_section() -> None:
    source = '''\
        """Doc."""
        from __future__ import annotations

        import os

        import sqlalchemy as sa
        from fastapi import APIRouter

        from .models import Item
        '''
    _, text = _add(source, "datetime", "timezone")
    assert "import os\nfrom datetime import timezone\n\nimport sqlalchemy as sa\n" in text
    _, text = _add(source, "pydantic", "AwareDatetime")
    assert "import sqlalchemy as sa\nfrom fastapi import APIRouter\nfrom pydantic import AwareDatetime\n\nfrom .models" in text


def test_new_section_before_the_others_and_after_the_docstring() -> None:
    _, text = _add('"""Doc."""\n\nfrom sqlmodel import Field\n', "datetime", "timezone")
    assert text == '"""Doc."""\n\nfrom datetime import timezone\n\nfrom sqlmodel import Field\n'
    _, text = _add('"""Doc."""\nx = 1\n', "datetime", "timezone")
    assert text == '"""Doc."""\n\nfrom datetime import timezone\n\nx = 1\n'
    _, text = _add("#!/usr/bin/env python\n# licence\nx = 1\n", "datetime", "timezone")
    assert text == "#!/usr/bin/env python\n# licence\nfrom datetime import timezone\n\nx = 1\n"


def test_a_taken_name_falls_back_to_the_module_then_to_an_alias() -> None:
    expr, text = _add("from django.utils import timezone\n", "datetime", "timezone")
    assert expr == "datetime.timezone"
    assert text.startswith("import datetime\n\nfrom django.utils import timezone\n")
    expr, text = _add("from datetime import datetime\nfrom django.utils import timezone\n", "datetime", "timezone")
    assert expr == "datetime_timezone"
    assert "from datetime import datetime\nfrom datetime import timezone as datetime_timezone\n" in text


def test_shadowed_names_are_not_reused() -> None:
    ctx = _ctx("from datetime import timezone\n")
    found = ensure_import(ctx, "datetime", "timezone", shadowed={"timezone"})
    assert found is not None and found[0] == "datetime.timezone"


def test_type_checking_imports_are_not_runtime_bindings() -> None:
    source = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pydantic import AwareDatetime\n"
    expr, text = _add(source, "pydantic", "AwareDatetime")
    assert expr == "AwareDatetime"
    assert "from typing import TYPE_CHECKING\n\nfrom pydantic import AwareDatetime\n" in text


def test_several_names_make_one_statement() -> None:
    ctx = _ctx("import os\n")
    found = ensure_imports(ctx, [("datetime", "datetime"), ("datetime", "timezone")])
    assert found is not None
    names, edits = found
    assert names == ["datetime", "timezone"]
    assert len(edits) == 1
    assert _apply(ctx, edits) == "import os\nfrom datetime import datetime, timezone\n"


@pytest.mark.parametrize(
    "name,text,expected",
    [
        ("requirements.txt", "fastapi\nsqlmodel==0.0.24\n", (0, 0, 24)),
        ("requirements.txt", "sqlmodel>=0.0.14,<0.1\n", (0, 0, 14)),
        ("requirements.txt", "sqlmodel\n", (0,)),
        ("pyproject.toml", '[project]\ndependencies = ["sqlmodel~=0.0.46"]\n', (0, 0, 46)),
        ("pyproject.toml", '[tool.poetry.dependencies]\nsqlmodel = "^0.0.22"\n', (0, 0, 22)),
        ("pyproject.toml", '[tool.poetry.dependencies]\nsqlmodel = { version = ">=0.0.45", extras = [] }\n', (0, 0, 45)),
        ("uv.lock", '[[package]]\nname = "sqlmodel"\nversion = "0.0.47"\nsource = {}\n', (0, 0, 47)),
        ("Pipfile.lock", '{"default": {"sqlmodel": {"hashes": [], "version": "==0.0.16"}}}', (0, 0, 16)),
        ("METADATA", "Requires-Dist: sqlmodel==0.0.38 ; extra == 'local'\n", (0, 0, 38)),
        ("requirements.txt", "sqlalchemy==2.0\n", None),
    ],
)
def test_sqlmodel_pins(name: str, text: str, expected) -> None:
    assert _pin_in_text(name, text) == expected


def test_versions() -> None:
    assert parse_version("0.0.45") == (0, 0, 45)
    assert minimum_version("<0.1") == (0,)
    assert minimum_version("==0.0.*") == (0, 0)


def test_sqlmodel_pin_decides_implicit_fields(tmp_path: Path) -> None:
    from backend_lint.knowledge.index import ProjectIndex

    model = textwrap.dedent(
        """\
        from datetime import datetime
        from sqlmodel import Field, SQLModel


        class Item(SQLModel, table=True):
            id: int = Field(primary_key=True)
            created_at: datetime
        """
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    path = tmp_path / "app" / "models.py"
    path.write_text(model)

    def findings(pin: str) -> list[str]:
        (tmp_path / "requirements.txt").write_text(pin)
        from backend_lint.knowledge import datetimes

        datetimes._pin_in_dir.cache_clear()
        project = ProjectIndex.from_sources(str(tmp_path), {str(path): model})
        engine = Engine(Settings(root=str(tmp_path)), ["BKL305"], project)
        return [d.code for d in engine.lint_source(model, str(path)).diagnostics]

    assert findings("sqlmodel==0.0.24\n") == ["BKL305"]
    assert findings("sqlmodel>=0.0.45\n") == []
    assert findings("sqlmodel>=0.0.20\n") == ["BKL305"]  # admits versions that store naive time


def test_sqlmodel_pin_of_a_file_outside_the_run_root(tmp_path: Path) -> None:
    """``backend-lint check projA projB``: the settings come from projA, but projB's files are read
    against projB's own pins, whatever the order of the paths."""
    from backend_lint.knowledge.index import ProjectIndex
    from backend_lint.knowledge import datetimes

    model = "from datetime import datetime\nfrom sqlmodel import Field, SQLModel\n\n\nclass Item(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    created_at: datetime\n"
    a, b = tmp_path / "proj_a", tmp_path / "proj_b"
    for d in (a, b):
        (d / "app").mkdir(parents=True)
    (a / "pyproject.toml").write_text('[project]\nname = "a"\ndependencies = ["sqlmodel==0.0.24"]\n')
    (b / "pyproject.toml").write_text('[project]\nname = "b"\ndependencies = ["sqlmodel>=0.0.45"]\n')
    datetimes._pin_in_dir.cache_clear()
    for root in (a, b):
        for d, expected in ((a, ["BKL305"]), (b, [])):
            path = d / "app" / "models.py"
            path.write_text(model)
            project = ProjectIndex.from_sources(str(root), {str(path): model})
            engine = Engine(Settings(root=str(root)), ["BKL305"], project)
            assert [x.code for x in engine.lint_source(model, str(path)).diagnostics] == expected, (root.name, d.name)

