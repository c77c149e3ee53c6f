"""Issue 16 item 7: the README's pre-commit snippets, run with a real `pre-commit run` in a scratch git
repository, without the network.

The remote snippet is run against a local clone of this repository (its URL swapped for the clone's path),
after `pre-commit autoupdate --bleeding-edge --freeze`, the README's way to pin `rev:` to a commit while no
release is tagged. pre-commit then builds a hook environment and `pip install .`s the clone into it: with
no index, the build backend comes from virtualenv's bundled setuptools wheel and the dependencies (libcst,
click, ...) are found already installed through PYTHONPATH (this test's environment). The `repo: local`
snippet runs the `backend-lint` of this environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

from clihelpers import BIN, EMPTY_DOWNGRADE

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
REMOTE = "https://github.com/backend-lint/backend-lint"
NOQA_FILE = "x = 1  # noqa: BKL101\n"  # BKL901: a safe fix

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def _readme_snippets() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def _git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _scratch(tmp_path: Path, config: str) -> Path:
    repo = tmp_path / "scratch"
    (repo / "migrations").mkdir(parents=True)
    (repo / "migrations" / "a1.py").write_text(EMPTY_DOWNGRADE)
    (repo / "n.py").write_text(NOQA_FILE)
    (repo / ".pre-commit-config.yaml").write_text(config)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    return repo


def _offline_env(tmp_path: Path, extra_path: list[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUALENV_"))}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_NO_BUILD_ISOLATION="0",  # (pip's spelling: build in the hook environment itself)
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(tmp_path / "virtualenv-data"),
        PYTHONPATH=os.pathsep.join(extra_path),
        NO_COLOR="1",
    )
    env.pop("BACKEND_LINT_OUTPUT_FORMAT", None)
    return env


def _pre_commit(repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(PRE_COMMIT), *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600)


def test_readme_pins_a_commit_and_names_the_hooks() -> None:
    remote, local = _readme_snippets()
    repo = yaml.safe_load(remote)["repos"][0]
    assert repo["repo"] == REMOTE
    assert repo["rev"] == "COMMIT-SHA"  # a placeholder the documented autoupdate replaces: no tag exists
    hooks = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert {h["id"] for h in repo["hooks"]} <= hooks
    assert "pre-commit autoupdate --bleeding-edge --freeze" in README.read_text(encoding="utf-8")
    assert yaml.safe_load(local)["repos"][0]["repo"] == "local"


def test_readme_remote_snippet_runs_with_real_pre_commit(tmp_path: Path) -> None:
    remote = _readme_snippets()[0]
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--no-hardlinks", str(REPO), str(clone))
    head = _git(clone, "rev-parse", "HEAD")
    # the clone holds the committed tree: give it this checkout's hooks file and sources, committed
    for rel in (".pre-commit-hooks.yaml", "pyproject.toml", "README.md"):
        shutil.copy(REPO / rel, clone / rel)
    shutil.rmtree(clone / "src")
    shutil.copytree(REPO / "src", clone / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    _git(clone, "add", "-A")
    if _git(clone, "status", "--porcelain"):
        _git(clone, "commit", "-q", "-m", "this checkout")
        head = _git(clone, "rev-parse", "HEAD")
    repo = _scratch(tmp_path, remote.replace(REMOTE, str(clone)))
    embed = Path(sysconfig.get_paths()["purelib"]) / "virtualenv" / "seed" / "wheels" / "embed"
    wheels = sorted(embed.glob("setuptools-*.whl"))
    assert wheels, f"no setuptools wheel bundled in {embed}"
    backend = tmp_path / "setuptools"
    with zipfile.ZipFile(wheels[-1]) as zf:
        zf.extractall(backend)
    env = _offline_env(tmp_path, [str(backend), sysconfig.get_paths()["purelib"]])

    r = _pre_commit(repo, env, "autoupdate", "--bleeding-edge", "--freeze", "--repo", str(clone))
    assert r.returncode == 0, r.stdout + r.stderr
    pinned = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())["repos"][0]["rev"]
    assert pinned == head and re.fullmatch(r"[0-9a-f]{40}", pinned)

    r = _pre_commit(repo, env, "run", "--all-files")
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "BKL402" in out and "Traceback" not in out
    assert (repo / "n.py").read_text() == "x = 1\n"  # backend-lint-fix applied the safe fix
    assert (repo / "migrations" / "a1.py").read_text() == EMPTY_DOWNGRADE  # the unsafe one was left


def test_readme_local_snippet_runs_with_real_pre_commit(tmp_path: Path) -> None:
    local = _readme_snippets()[1]
    repo = _scratch(tmp_path, local)
    env = _offline_env(tmp_path, [])
    env["PATH"] = str(BIN.parent) + os.pathsep + env.get("PATH", "")
    r = _pre_commit(repo, env, "run", "--all-files")
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "BKL402" in out and "BKL901" in out and "Traceback" not in out
    (repo / "migrations" / "a1.py").unlink()
    (repo / "n.py").write_text("x = 1\n")
    _git(repo, "add", "-A")
    r = _pre_commit(repo, env, "run", "--all-files")
    assert r.returncode == 0, r.stdout + r.stderr
