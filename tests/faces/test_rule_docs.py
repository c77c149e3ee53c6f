"""Issue 16 item 6: `docs/rules/<CODE>.md` for every rule and an index, generated from the rules' docstrings
and kept in sync (like the README table); JSON `url`, SARIF `helpUri` and `rule --output-format json` point
at them, under the `Documentation` URL of pyproject.toml's [project.urls]."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from backend_lint.engine.registry import all_rules
from backend_lint.faces.docs import rule_pages, stale_pages
from backend_lint.faces.output.urls import DEFAULT_DOCS_BASE, docs_base, rule_url

from clihelpers import EMPTY_DOWNGRADE, make_project, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "docs" / "rules"


def test_rule_pages_are_generated_from_the_rules() -> None:
    assert stale_pages(str(RULES_DIR)) == [], "docs/rules is stale: run `python -m backend_lint.faces.docs README.md`"
    r = subprocess.run([sys.executable, "-m", "backend_lint.faces.docs", "README.md", "--check"], cwd=REPO, capture_output=True)
    assert r.returncode == 0, r.stderr


def test_every_rule_has_a_page_with_its_sections_and_the_index_links_them() -> None:
    index = (RULES_DIR / "README.md").read_text(encoding="utf-8")
    for r in all_rules():
        page = (RULES_DIR / f"{r.code}.md").read_text(encoding="utf-8")
        assert f"# {r.name} ({r.code})" in page
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert section in page, (r.code, section)
        assert f"[{r.code}]({r.code}.md)" in index


def test_the_generator_rewrites_stale_pages_and_removes_orphans(tmp_path: Path) -> None:
    shutil.copy(REPO / "README.md", tmp_path / "README.md")
    rules = tmp_path / "docs" / "rules"
    rules.mkdir(parents=True)
    (rules / "BKL999.md").write_text("a rule that is gone\n")
    (rules / "BKL402.md").write_text("stale\n")
    cmd = [sys.executable, "-m", "backend_lint.faces.docs"]
    r = subprocess.run([*cmd, "README.md", "--check"], cwd=tmp_path, capture_output=True)
    assert r.returncode == 1 and b"BKL999.md" in r.stderr and b"BKL402.md" in r.stderr
    r = subprocess.run([*cmd, "README.md"], cwd=tmp_path, capture_output=True)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in rules.iterdir()) == sorted(rule_pages())
    assert (rules / "BKL402.md").read_text() == (RULES_DIR / "BKL402.md").read_text()
    r = subprocess.run([*cmd, "missing.md"], cwd=tmp_path, capture_output=True)
    assert r.returncode == 2 and b"missing.md" in r.stderr and b"Traceback" not in r.stderr


def test_docs_base_comes_from_project_urls() -> None:
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    assert docs_base() == urls["Documentation"].rstrip("/") == DEFAULT_DOCS_BASE
    assert rule_url("BKL402") == f"{DEFAULT_DOCS_BASE}/rules/BKL402.md"


def test_json_sarif_and_rule_urls_name_existing_pages(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"migrations/versions/a1.py": EMPTY_DOWNGRADE})
    prefix = docs_base() + "/"

    def page(url: str) -> Path:
        assert url.startswith(prefix), url
        return REPO / "docs" / url[len(prefix):]

    data = json.loads(run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=root).stdout)
    assert data and all(page(d["url"]).is_file() for d in data)
    assert page(data[0]["url"]).name == "BKL402.md"
    sarif = json.loads(run_cli("check", "--no-cache", "--output-format", "sarif", ".", cwd=root).stdout)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(page(r["helpUri"]).name == f"{r['id']}.md" and page(r["helpUri"]).is_file() for r in rules)
    listed = json.loads(run_cli("rule", "--all", "--output-format", "json").stdout)
    assert all(page(r["url"]).is_file() for r in listed)
