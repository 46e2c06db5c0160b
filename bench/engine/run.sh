#!/bin/bash
# Engine benchmark: swdock vs a private dockerd vs podman (--network none), medians and ratios;
# then run --rm on each engine's default bridge against --network none (swdock vs dockerd).
#   sudo bench/engine/run.sh [ROUNDS]     (default 10 rounds; SWDOCK_BENCH_ENGINES=swdock,docker,podman;
#                                          SWDOCK_BENCH_FILTER=BridgeRunBenchmark runs that one only)
# Builds release (binaries and tests), starts the test registries, runs Tests/SwdockBenchmarks.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --build-tests -Xswiftc -enable-testing >&2
SWDOCK_BENCH=1 SWDOCK_BENCH_RUNS=${1:-10} Tests/Harness/with-test-services.sh \
    swift test -c release -Xswiftc -enable-testing --skip-build --filter "${SWDOCK_BENCH_FILTER:-EngineBenchmark|BridgeRunBenchmark}" 2>&1 | grep -E '^(BENCH|\|)'
