#!/bin/sh
# OCI runtime benchmark (see run-bench.py): runc and crun, plus swdock-runtime when given.
#   bench/runtime/run-bench.sh [SWDOCK_RUNTIME_PATH] [--runs N] [--warmup N] [--json FILE]
# SWDOCK_RUNTIME_UNDER_TEST=PATH in the environment works as the first argument too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
runtime=${SWDOCK_RUNTIME_UNDER_TEST:-}
case "${1:-}" in
  ""|--*) ;;
  *) runtime=$1; shift ;;
esac
if [ -n "$runtime" ]; then
  exec python3 "$here/run-bench.py" --swdock-runtime "$runtime" "$@"
fi
exec python3 "$here/run-bench.py" "$@"
