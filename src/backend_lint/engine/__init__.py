"""The engine: one run over files, rules dispatched in one traversal, fixes, noqa, positions."""
