#!/bin/bash
# bench/network: attach+detach time of a namespace to a bridge (median of --runs, default 30)
# and TCP throughput netns -> host over the bridge, host -> published port on 127.0.0.1, and
# host loopback. Needs root and iperf3 (Debian's; installed here if missing).
# usage: bench/network/run.sh [--runs N] [--seconds S]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
command -v iperf3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q iperf3 >/dev/null
swift build -c release --product swdock-network-bench >/dev/null
exec .build/release/swdock-network-bench "$@"
