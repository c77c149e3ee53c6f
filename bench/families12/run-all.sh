#!/usr/bin/env bash
# Produces one <app>.json per app (families 1-2, no configuration) plus stderr and --statistics output.
# Extraction: git --git-dir=/work/.mirror/<owner>+<name>/repo archive HEAD [-- ":(glob)**/*.py" ":(glob)**/*.toml"] | tar -x -C /work/apps/<name>
# (the py/toml filter was used for freqtrade, mlrun, OpenHands, mealie, SurfSense, skyvern, mem0, whose mirrors lack some large blobs).
# Apps were extracted under /work/apps/<name> with `git --git-dir=DIR archive HEAD | tar -x` (see apps.tsv for commits).
set -u
L=${L:-/work/r17/lint/.venv/bin/backend-lint}
OUT=${OUT:-/work/r17/out}
mkdir -p "$OUT/json" "$OUT/stderr" "$OUT/stats"
APPS=(
  "fullstack:/work/apps/full-stack-fastapi-template/backend"
  "mem0:/work/apps/mem0/server"
  "chainlit:/work/apps/chainlit/backend"
  "freqtrade:/work/apps/freqtrade"
  "mealie:/work/apps/mealie"
  "surfsense:/work/apps/SurfSense/surfsense_backend"
  "openhands-enterprise:/work/apps/OpenHands/enterprise"
  "phoenix:/work/apps/phoenix/src"
  "skyvern:/work/apps/skyvern"
  "fides:/work/apps/fides/src"
  "mlrun:/work/apps/mlrun"
)
for a in "${APPS[@]}"; do
  n=${a%%:*}; r=${a#*:}
  [ -n "${ONLY:-}" ] && [ "$ONLY" != "$n" ] && continue
  s=$(date +%s.%N)
  "$L" check "$r" --select BKL1,BKL2 --output-format json --no-cache --exit-zero -j 1 > "$OUT/json/$n.json" 2> "$OUT/stderr/$n.txt"
  e=$(date +%s.%N)
  "$L" check "$r" --select BKL2 --statistics --no-cache --exit-zero -j 1 > "$OUT/stats/$n.txt" 2>&1
  printf '%s\t%s\t%.1fs\n' "$n" "$r" "$(echo "$e - $s" | bc)"
done

# Secondary diagnostic (not the no-configuration numbers): the two apps whose auth dependency is not
# recognised, re-run with the dependency named in a config; other apps copied unchanged.
if [ -z "${ONLY:-}" ] && [ "${WITH_CONFIG:-1}" = 1 ]; then
  mkdir -p "$OUT/json-config"
  "$L" check /work/apps/SurfSense/surfsense_backend --config "$OUT/configs/surfsense.toml" --select BKL1,BKL2 \
    --output-format json --no-cache --exit-zero -j 1 > "$OUT/json-config/surfsense.json" 2> "$OUT/stderr/surfsense-config.txt"
  "$L" check /work/apps/mem0/server --config "$OUT/configs/mem0.toml" --select BKL1,BKL2 \
    --output-format json --no-cache --exit-zero -j 1 > "$OUT/json-config/mem0.json" 2> "$OUT/stderr/mem0-config.txt"
  for f in "$OUT"/json/*.json; do [ -f "$OUT/json-config/$(basename "$f")" ] || cp "$f" "$OUT/json-config/"; done
fi

python3 "$OUT/eval.py" "$OUT/labels.tsv" "$OUT/json" > "$OUT/eval-output.txt"
[ -d "$OUT/json-config" ] && python3 "$OUT/eval.py" "$OUT/labels.tsv" "$OUT/json-config" > "$OUT/eval-output-config.txt"
cat "$OUT/eval-output.txt"
