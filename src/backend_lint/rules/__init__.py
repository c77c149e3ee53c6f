"""Rules, one per file, grouped by family (``rules/<family>/<rule_name>.py``)."""
