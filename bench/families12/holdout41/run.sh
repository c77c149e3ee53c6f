#!/bin/bash
# usage: run.sh [OUTDIR] [BACKEND_LINT]: hold-out 41 through ../run_holdout.sh (apps under $HOLDOUT, default /work/holdout41)
HERE=$(cd "$(dirname "$0")" && pwd)
exec "$HERE/../run_holdout.sh" "$HERE" "$@"
