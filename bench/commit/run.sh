#!/bin/bash
# Commit benchmark: `commit` of a container with a 100 MB change, swdock vs a private dockerd.
#   sudo bench/commit/run.sh [ROUNDS]   (default 5; SWDOCK_BENCH_ENGINES=swdock,docker[,podman];
#                                        SWDOCK_BENCH_COMMIT_MB=100; SWDOCK_BENCH_CONFIG=debug|release)
# Runs Tests/SwdockBenchmarks' CommitBenchmark through the test harness.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
config=${SWDOCK_BENCH_CONFIG:-release}
flags=(-c "$config")
[ "$config" = release ] && flags+=(-Xswiftc -enable-testing)
swift build "${flags[@]}" --build-tests >&2
SWDOCK_BENCH=1 SWDOCK_BENCH_RUNS=${1:-5} Tests/Harness/with-test-services.sh \
    swift test "${flags[@]}" --skip-build --filter CommitBenchmark 2>&1 | grep -E '^(BENCH|\|)'
