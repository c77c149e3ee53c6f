from pathlib import Path

from backend_lint.faces.docs import render

README = Path(__file__).resolve().parent.parent / "README.md"


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
