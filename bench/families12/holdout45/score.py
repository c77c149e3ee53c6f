#!/usr/bin/env python3
"""Hold-out 45's scorer: `../score_holdout.py` with this directory's audit and verdicts.

usage: score.py OUTDIR [--default-only]"""
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.argv[1:1] = ["--audit", str(HERE / "audit.tsv"), "--verdicts", str(HERE / "verdicts-main.tsv")]
runpy.run_path(str(HERE.parent / "score_holdout.py"), run_name="__main__")
