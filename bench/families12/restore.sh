#!/bin/bash
# usage: restore.sh [holdoutNN ...]   (default: every holdout*/ beside this script, then apps.tsv)
# Extracts the apps that apps.tsv files pin from the mirrors the search tool's `fetch` brought
# (/work/.mirror/<owner>+<name>/repo), at the pinned commit, without committing any of their code:
#   holdoutNN/apps.tsv -> $HOLDOUT_BASE/holdoutNN/apps/<app>/   (HOLDOUT_BASE defaults to /work)
#   apps.tsv           -> $APPS_DIR/<repo name>/               (APPS_DIR defaults to /work/apps)
# An app whose mirror is missing, or lacks the pinned commit, is named on stderr and skipped (never silently
# replaced by another commit). Mirrors missing large blobs fall back to the .py/.toml/.cfg/.ini files only.
set -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BASE=${HOLDOUT_BASE:-/work}; APPS=${APPS_DIR:-/work/apps}
extract() {  # repo commit dest
  local git=/work/.mirror/${1/\//+}/repo
  [ -d "$git" ] || { echo "missing mirror $1 (fetch github:$1 first)" >&2; return 1; }
  git --git-dir="$git" cat-file -e "$2^{commit}" 2>/dev/null || { echo "mirror of $1 lacks $2" >&2; return 1; }
  [ -d "$3" ] && return 0
  mkdir -p "$3"
  git --git-dir="$git" archive "$2" 2>/dev/null | tar -x -C "$3" 2>/dev/null \
    || { rm -rf "$3"; mkdir -p "$3"
         for ext in py toml cfg ini; do  # each alone: a pathspec that matches nothing fails the whole archive
           git --git-dir="$git" archive "$2" -- ":(glob)**/*.$ext" 2>/dev/null | tar -x -C "$3" 2>/dev/null; done
         echo "$1: .py/.toml/.cfg/.ini only" >&2; }
}
sets=("$@"); [ ${#sets[@]} = 0 ] && sets=($(cd "$HERE" && ls -d holdout*/ | tr -d /) apps)
for s in "${sets[@]}"; do
  if [ "$s" = apps ]; then
    tail -n +2 "$HERE/apps.tsv" | while IFS=$'\t' read app repo commit rest; do
      extract "$repo" "$commit" "$APPS/${repo#*/}"; done
  else
    tail -n +2 "$HERE/$s/apps.tsv" | while IFS=$'\t' read app repo commit root rest; do
      fresh=1; [ -d "$BASE/$s/apps/$app" ] && fresh=0
      extract "$repo" "$commit" "$BASE/$s/apps/$app" || continue
      # a hold-out that audited part of an app names what it left out in drop.tsv (app, path): removed once, on extraction
      [ $fresh = 1 ] && [ -f "$HERE/$s/drop.tsv" ] && awk -F'\t' -v a="$app" '$1 == a {print $2}' "$HERE/$s/drop.tsv" |
        while read -r p; do rm -rf "$BASE/$s/apps/$app/$p"; done
    done
  fi
done
