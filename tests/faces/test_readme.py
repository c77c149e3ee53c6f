import re
from pathlib import Path

from backend_lint.faces.docs import render

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_rule_table_is_generated_from_the_rules() -> None:
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "README rule table is stale: run `python -m backend_lint.faces.docs README.md`"


def test_readme_opens_with_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```bash", 1)[1].split("```", 1)[0]
    assert "backend-lint check examples/app" in first_block
    assert "python -m pytest" in first_block
    ci = (README.parent / ".ci" / "run").read_text()
    assert ".venv/bin/python -m pytest" in ci


CONTRIBUTING = README.parent / "CONTRIBUTING.md"


def test_contributing_names_real_paths() -> None:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    paths = {p for p in re.findall(r"`((?:src|tests)/[^`\s]*)`", text) if "<" not in p}
    assert paths
    missing = sorted(p for p in paths if not (README.parent / p).exists())
    assert not missing, f"CONTRIBUTING.md names paths that do not exist: {missing}"


def test_contributing_worked_example_quotes_its_fixtures() -> None:
    """Each block introduced by "From `path`:" quotes that file line for line (``...`` skips lines)."""
    text = CONTRIBUTING.read_text(encoding="utf-8")
    quotes = re.findall(r"From\s+`([^`]+)`:\s*\n\n```[a-z]*\n(.*?)```", text, re.S)
    assert len(quotes) >= 2
    for path, block in quotes:
        lines = (README.parent / path).read_text(encoding="utf-8").splitlines()
        pos = 0
        for line in block.splitlines():
            if line.strip() == "...":
                continue
            assert line in lines[pos:], f"CONTRIBUTING.md quotes {path} but {line!r} is not there (in order)"
            pos = lines.index(line, pos) + 1
