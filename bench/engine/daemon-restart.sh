#!/bin/bash
# swdockd restart time under N running containers (kill -9, start; live restore):
#   sudo bench/engine/daemon-restart.sh [ROUNDS] [N]     (defaults 5 rounds, 50 containers)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --build-tests >&2
SWDOCK_BENCH=1 SWDOCK_BENCH_RUNS=${1:-5} SWDOCK_BENCH_BATCH=${2:-50} Tests/Harness/with-test-services.sh \
    swift test -c release --skip-build --filter DaemonRestartBenchmark 2>&1 | grep -E '^BENCH'
