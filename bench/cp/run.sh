#!/bin/bash
# cp benchmark (issue 7): a 200 MB file into a running container and back out, docker CLI 28
# against swdock's container routes and against a private dockerd, and the swdock CLI.
#   sudo bench/cp/run.sh [ROUNDS] [release|debug]     (default 3 rounds, release)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
mode=${2:-release}
swift build -c "$mode" --build-tests -Xswiftc -enable-testing >&2
SWDOCK_BENCH=1 SWDOCK_BENCH_RUNS=${1:-3} Tests/Harness/with-test-services.sh \
    swift test -c "$mode" --skip-build -Xswiftc -enable-testing --filter CopyBenchmark 2>&1 | grep -E '^(BENCH|\|)'
