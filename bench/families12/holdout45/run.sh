#!/bin/bash
# usage: run.sh [OUTDIR] [BACKEND_LINT]: hold-out 45 through ../run_holdout.sh (apps under $HOLDOUT, default /work/holdout45)
HERE=$(cd "$(dirname "$0")" && pwd)
exec "$HERE/../run_holdout.sh" "$HERE" "$@"
