#!/usr/bin/env bash
# usage: run_apps.sh VENV OUTDIR -- family 6 (BKL601-BKL607) JSON of every app under /work/apps and /work/unseen
# (no cache, one worker: the machine is shared); one JSON per app, "done" in OUTDIR/rc.txt at the end.
venv=$1; out=$2; mkdir -p "$out"; : > "$out/rc.txt"
for d in /work/apps/*/ /work/unseen/*/; do
  name=$(basename "$d")
  (cd "$d" && nice -n 10 "$venv/bin/backend-lint" check . --no-cache --select BKL6 --output-format json --exit-zero -j 1 \
     > "$out/$name.json" 2> "$out/$name.err"; echo "$name rc=$?" >> "$out/rc.txt")
done
echo done >> "$out/rc.txt"
