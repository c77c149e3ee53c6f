#!/bin/bash
# usage: run.sh [OUTDIR] [BACKEND_LINT]   (defaults: out/main, the venv of main 7fe8a0f)
HERE=$(cd "$(dirname "$0")" && pwd)
H=${HOLDOUT:-/work/holdout15}   # where the apps were extracted (apps/<name>), outside the repository
OUT=${1:-$H/out/main}; BL=${2:-$H/.venv/bin/backend-lint}
mkdir -p "$OUT"
tail -n +2 "$HERE/apps.tsv" | while IFS=$'\t' read app repo commit root n; do
  ( cd $H/$root && $BL check . --no-cache --select BKL1,BKL2 -j 1 --output-format concise > "$OUT/$app.txt" 2> "$OUT/$app.err"
    $BL facts . > "$OUT/$app.facts" 2>> "$OUT/$app.err" )
done
