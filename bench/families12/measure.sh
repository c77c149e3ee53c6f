#!/bin/bash
# usage: measure.sh BACKEND_LINT OUT [SET ...]
#   SET: labelled, h14 .. h24 (hold-outs), corpus; default: labelled, every hold-out with apps on disk, corpus.
# Runs families 1-2 the way the hold-outs were scored (no configuration, `-j 1`, no cache) and writes:
#   OUT/labelled/json/<app>.json + OUT/labelled.score      (labels.tsv through eval.py; apps under /work/apps)
#   OUT/hNN/<app>.txt|.facts|.err + OUT/hNN.score, OUT/hNN.default.score   (run_holdout.sh, holdoutNN/score.py)
#   OUT/corpus/<package>.json                             (every rule, JSON; $BKL_CORPUS/src, default /work/corpus)
# Apps come from restore.sh. Two sets run at a time (the machine has 2 cores). Compare two OUT dirs with compare.py.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BL=$(readlink -f "$1"); OUT=$(mkdir -p "$2" && cd "$2" && pwd); shift 2
CORPUS=${BKL_CORPUS:-/work/corpus}
sets=("$@")
if [ ${#sets[@]} = 0 ]; then
  sets=(labelled)
  for d in "$HERE"/holdout*/; do n=$(basename "$d"); [ -d "/work/$n/apps" ] && sets+=("h${n#holdout}"); done
  sets+=(corpus)
fi
one() {
  case "$1" in
    labelled)
      L="$BL" OUT="$OUT/labelled" WITH_CONFIG=0 bash "$HERE/run-all.sh" > "$OUT/labelled.times" 2>&1
      python3 "$HERE/eval.py" "$HERE/labels.tsv" "$OUT/labelled/json" > "$OUT/labelled.score" 2>&1 ;;
    h[0-9]*)
      n=holdout${1#h}
      HOLDOUT=/work/$n bash "$HERE/run_holdout.sh" "$HERE/$n" "$OUT/$1" "$BL"
      python3 "$HERE/$n/score.py" "$OUT/$1" > "$OUT/$1.score" 2>&1
      python3 "$HERE/$n/score.py" "$OUT/$1" --default-only > "$OUT/$1.default.score" 2>&1 ;;
    corpus)
      mkdir -p "$OUT/corpus"
      for p in "$CORPUS"/src/*/; do
        (cd "$p" && "$BL" check . --no-cache --exit-zero -j 1 --output-format json > "$OUT/corpus/$(basename "$p").json" 2>&1)
      done ;;
  esac
}
export -f one; export BL OUT HERE CORPUS
printf '%s\n' "${sets[@]}" | xargs -P 2 -I{} bash -c 'one {}'
for s in "${sets[@]}"; do
  case "$s" in
    labelled) echo "labelled:"; grep -A3 -m1 -i '^total\|^overall\|^all' "$OUT/labelled.score" ;;
    h[0-9]*) echo "$s: $(grep -m1 '^recall' "$OUT/$s.score"); $(grep -m1 '^precision' "$OUT/$s.score"); default $(grep -m1 '^recall' "$OUT/$s.default.score")" ;;
  esac
done
