"""Proof on a real Postgres for the lock claims of BKL410-BKL422 (issue 18).

A package (with its own ``harness`` module) so that it never shadows ``tests/harness.py``.
"""
