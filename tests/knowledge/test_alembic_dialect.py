"""knowledge.alembic.dialect: which database a revision runs on (family 4, part two)."""
from __future__ import annotations

from pathlib import Path

import pytest

from backend_lint.ground.config import ConfigError, Settings, settings_from_table
from backend_lint.knowledge.alembic.dialect import (
    env_may_run_in_autocommit,
    file_dialect,
    migration_dialect,
    path_dialect,
    project_dialect,
)


class _Ctx:
    def __init__(self, source: str, path: Path, settings: Settings) -> None:
        self.source, self.path, self.settings = source, str(path), settings
        self._memo: dict = {}

    def cached(self, key, factory):
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]


def _revision(root: Path, rel: str, source: str = "") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


@pytest.mark.parametrize(
    "rel, expected",
    [
        ("migrations/versions/sqlite/a1.py", "sqlite"),
        ("migrations/versions/postgresql/a1.py", "postgresql"),
        ("alembic/versions/005_add_asset_key_sqlite.py", "sqlite"),
        ("alembic/versions/005_add_asset_key_postgres.py", "postgresql"),
        ("alembic/versions/a1_add_mysql_flag.py", None),  # a word inside the name says nothing
        ("alembic/versions/a1.py", None),
    ],
)
def test_path(tmp_path, rel, expected):
    assert path_dialect(str(tmp_path / rel)) == expected


def test_file_keywords_and_imports():
    assert file_dialect('op.create_index("ix", "t", ["a"], postgresql_using="gin")') == "postgresql"
    assert file_dialect("from sqlalchemy.dialects import postgresql") == "postgresql"
    assert file_dialect('op.create_index("ix", "t", ["a"], mysql_length=10)') == "mysql"
    assert file_dialect("from sqlalchemy.dialects.sqlite import JSON") == "sqlite"
    assert file_dialect("postgresql_using='gin'\nmysql_length=10") is None  # several: says nothing


def test_pins_come_before_alembic_ini(tmp_path):
    (tmp_path / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = sqlite:///dev.db\n")
    path = _revision(tmp_path, "migrations/versions/a1.py")
    assert project_dialect(str(path), str(tmp_path), ini=False) is None
    assert project_dialect(str(path), str(tmp_path), ini=True) == "sqlite"
    other = tmp_path / "other"
    other.mkdir()
    (other / "requirements.txt").write_text("aiosqlite\npsycopg[binary]==3.2\n")
    path2 = _revision(other, "migrations/versions/a1.py")
    assert project_dialect(str(path2), str(other), ini=False) == "postgresql"


def test_order_setting_path_pins_file_ini_default(tmp_path):
    (tmp_path / "requirements.txt").write_text("aiosqlite\n")
    path = _revision(tmp_path, "migrations/versions/a1.py")
    source = 'op.create_index("ix", "t", ["a"], postgresql_concurrently=True)'
    assert migration_dialect(_Ctx(source, path, Settings(root=str(tmp_path)))) == "sqlite"  # pins win over keywords
    assert migration_dialect(_Ctx(source, path, Settings(root=str(tmp_path), migration_dialect="postgresql"))) == "postgresql"
    bare = tmp_path / "bare"
    bare.mkdir()
    path = _revision(bare, "migrations/versions/a1.py")
    assert migration_dialect(_Ctx("", path, Settings(root=str(bare)))) == "postgresql"  # nothing says: Postgres
    assert migration_dialect(_Ctx("mysql_engine='InnoDB'", path, Settings(root=str(bare)))) == "mysql"
    sq = _revision(bare, "migrations/versions/sqlite/b1.py")
    assert migration_dialect(_Ctx("", sq, Settings(root=str(bare)))) == "sqlite"


def test_the_setting_is_validated(tmp_path):
    assert settings_from_table({"migration-dialect": "mysql"}, tmp_path / "pyproject.toml", tmp_path).migration_dialect == "mysql"
    with pytest.raises(ConfigError, match="migration-dialect"):
        settings_from_table({"migration-dialect": "oracle"}, tmp_path / "pyproject.toml", tmp_path)


def test_env_autocommit(tmp_path):
    path = _revision(tmp_path, "m/versions/a1.py")
    assert env_may_run_in_autocommit(str(path)) is False  # no env.py: a default Alembic environment
    (tmp_path / "m" / "env.py").write_text("engine = engine_from_config(cfg, prefix='sqlalchemy.')\n")
    env_may_run_in_autocommit.__globals__["_env_autocommit"].cache_clear()
    assert env_may_run_in_autocommit(str(path)) is False
    (tmp_path / "m" / "env.py").write_text("engine = create_engine(url, isolation_level='AUTOCOMMIT')\n")
    env_may_run_in_autocommit.__globals__["_env_autocommit"].cache_clear()
    assert env_may_run_in_autocommit(str(path)) is True
    (tmp_path / "m" / "env.py").write_text("connection = config.attributes['connection']\n")
    env_may_run_in_autocommit.__globals__["_env_autocommit"].cache_clear()
    assert env_may_run_in_autocommit(str(path)) is True  # the application's engine decides
