#!/bin/bash
# usage: run_holdout.sh HOLDOUT_REPO_DIR [OUTDIR] [BACKEND_LINT]
#   HOLDOUT_REPO_DIR: holdout14/ or holdout15/ (its apps.tsv); the apps are extracted outside the repository, under
#   $HOLDOUT/apps/<name> (HOLDOUT defaults to /work/<basename of HOLDOUT_REPO_DIR>).
#   Defaults: OUTDIR $HOLDOUT/out/main, BACKEND_LINT $HOLDOUT/.venv/bin/backend-lint.
# Each app: `check . --no-cache --select BKL1,BKL2 -j 1 --output-format concise` and `facts .` from its linted root.
SET=$(cd "$1" && pwd); shift
H=${HOLDOUT:-/work/$(basename "$SET")}
OUT=${1:-$H/out/main}; BL=${2:-$H/.venv/bin/backend-lint}
mkdir -p "$OUT"
tail -n +2 "$SET/apps.tsv" | while IFS=$'\t' read app repo commit root n; do
  ( cd $H/$root && $BL check . --no-cache --select BKL1,BKL2 -j 1 --output-format concise > "$OUT/$app.txt" 2> "$OUT/$app.err"
    $BL facts . > "$OUT/$app.facts" 2>> "$OUT/$app.err" )
done
