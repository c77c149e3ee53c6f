"""How a finding's file is shown: relative to the working directory when it lies below it."""

from __future__ import annotations

import os


def display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
