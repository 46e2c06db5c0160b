#!/bin/bash
# Engine benchmark: swdock vs a private dockerd vs podman (--network none), medians and ratios.
#   sudo bench/engine/run.sh [ROUNDS]     (default 10 rounds; SWDOCK_BENCH_ENGINES=swdock,docker,podman)
# Builds release (binaries and tests), starts the test registries, runs Tests/SwdockBenchmarks.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --build-tests -Xswiftc -enable-testing >&2
SWDOCK_BENCH=1 SWDOCK_BENCH_RUNS=${1:-10} Tests/Harness/with-test-services.sh \
    swift test -c release -Xswiftc -enable-testing --skip-build --filter EngineBenchmark 2>&1 | grep -E '^(BENCH|\|)'
