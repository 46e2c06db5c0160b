#!/bin/bash
# Interactive benchmark (issue 7): `docker exec C true` latency and attach throughput, the same
# docker CLI 28 against swdock's container routes and against a private dockerd.
#   sudo bench/interactive/run.sh [ROUNDS] [release|debug]     (default 20 rounds, release)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
mode=${2:-release}
swift build -c "$mode" --build-tests -Xswiftc -enable-testing >&2
SWDOCK_BENCH=1 SWDOCK_BENCH_RUNS=${1:-20} Tests/Harness/with-test-services.sh \
    swift test -c "$mode" --skip-build -Xswiftc -enable-testing --filter InteractiveBenchmark 2>&1 | grep -E '^(BENCH|\|)'
