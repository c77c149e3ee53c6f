"""Where a rule's documentation lives: ``docs/rules/<CODE>.md``, under the ``Documentation`` URL of
``[project.urls]`` in pyproject.toml (read from the installed package's metadata)."""

from __future__ import annotations

from functools import lru_cache

# pyproject.toml's [project.urls] Documentation (a test holds them equal): used when the metadata lacks it
DEFAULT_DOCS_BASE = "https://github.com/backend-lint/backend-lint/blob/main/docs"


@lru_cache(maxsize=None)
def docs_base() -> str:
    from importlib import metadata  # (8 ms: only the formats that print URLs)

    try:
        for entry in metadata.metadata("backend-lint").get_all("Project-URL") or ():
            label, _, url = entry.partition(",")
            if label.strip().lower() == "documentation" and url.strip():
                return url.strip().rstrip("/")
    except metadata.PackageNotFoundError:
        pass
    return DEFAULT_DOCS_BASE


def rule_doc_path(code: str) -> str:
    """The page's path relative to ``docs/``."""
    return f"rules/{code.upper()}.md"


def rule_url(code: str) -> str:
    return f"{docs_base()}/{rule_doc_path(code)}"
