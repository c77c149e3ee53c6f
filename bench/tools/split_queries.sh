#!/bin/bash
# Splits knowledge/queries.py and knowledge/auth.py into packages (issue 14), from the repository root:
# split_module.py moves its top-level statements into modules at the seams bench/tools/plans/queries.json names,
# then split_class.py moves the runs of _Analyzer's methods bench/tools/plans/analyzer.json names into mixins.
# knowledge/auth.py goes the same way as queries.py (plans/auth.json).
# Text moves byte for byte; statements added since the plans were written follow their neighbours.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
python3 "$HERE/split_module.py" "$HERE/plans/queries.json"
python3 "$HERE/split_class.py" "$HERE/plans/analyzer.json"
python3 "$HERE/split_module.py" "$HERE/plans/auth.json"
