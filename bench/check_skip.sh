#!/bin/sh
# Whole-project proof that skipping work (text prefilters, ast screens) changes no finding:
# lints the given paths with skipping on and off (BACKEND_LINT_NO_SKIP=1) and diffs the findings.
#   bench/check_skip.sh /path/to/project [more paths...]
set -eu
out=${TMPDIR:-/tmp}/bkl-check-skip.$$
mkdir -p "$out"
backend-lint check --no-cache --exit-zero --output-format json "$@" > "$out/fast.json"
BACKEND_LINT_NO_SKIP=1 backend-lint check --no-cache --exit-zero --output-format json "$@" > "$out/slow.json"
python - "$out/fast.json" "$out/slow.json" <<'PY'
import json, sys
def key(path):
    return sorted((d["filename"], d["location"]["row"], d["location"]["column"], d["code"], d["message"]) for d in json.load(open(path)))
fast, slow = key(sys.argv[1]), key(sys.argv[2])
if fast != slow:
    sf, ss = set(fast), set(slow)
    for d in sorted(ss - sf):
        print("missed with skipping on:", d)
    for d in sorted(sf - ss):
        print("only with skipping on:", d)
    sys.exit(1)
print(f"identical: {len(fast)} findings with skipping on and off")
PY
rm -rf "$out"
