#!/bin/bash
# Idle memory of swdock-shim: N busybox containers (runc) each under its own shim, measured
# after they have idled. Prints per-shim VmRSS / RssAnon / Pss (kB), medians over the shims,
# with the default (code mappings released when idle) and with --keep-code-mapped.
#
#   bench/shim/rss.sh [N]           (root; uses .build/release/swdock-shim — `swift build -c release --product swdock-shim`)
# Peers on this kind of machine (research/peer-baseline.md): containerd-shim-runc-v2 RSS 12.9 MiB
# (Pss 3.3), conmon 2.0 MiB (Pss 0.46).
set -euo pipefail
N=${1:-10}
SHIM=${SHIM:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/swdock-shim}
RUNC=${RUNC:-/usr/bin/runc}
WORK=$(mktemp -d /tmp/swsh-bench-XXXX)
trap 'for s in "$WORK"/c*/state/shim.sock; do [ -S "$s" ] && shim_request "$s" "delete force=true" >/dev/null 2>&1 || true; done;
      $RUNC --root "$WORK/runc" list -q 2>/dev/null | xargs -r -n1 $RUNC --root "$WORK/runc" delete --force; rm -rf "$WORK"' EXIT

shim_request() { # socket request... — speaks docs/shim-protocol.md
python3 - "$@" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
def rd(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: sys.exit("shim closed the connection")
        b += c
    return b
for req in ["hello protocol=1"] + sys.argv[2:]:
    p = req.replace(" ", "\n").encode()
    s.sendall(struct.pack(">BBHI", 1, 0, 0, len(p)) + p)
    while True:
        kind, _, _, n = struct.unpack(">BBHI", rd(8)); body = rd(n)
        if kind == 2: break
    if not body.startswith(b"ok"): sys.exit(body.decode())
PY
}

mkdir -p "$WORK/rootfs/bin"
cp /bin/busybox "$WORK/rootfs/bin/"
chroot "$WORK/rootfs" /bin/busybox --install -s /bin

measure() { # label, extra shim flags
    local label=$1; shift
    local pids=()
    for i in $(seq 1 "$N"); do
        local c="$WORK/c$i"; rm -rf "$c"; mkdir -p "$c/bundle" "$c/state"
        (cd "$c/bundle" && $RUNC spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"sh", "-c", "echo up; sleep 100000"/; s|"path": "rootfs"|"path": "'"$WORK/rootfs"'"|' config.json)
        local line; line=$("$SHIM" --id "bench-$i" --bundle "$c/bundle" --runtime "$RUNC" --runtime-root "$WORK/runc" \
                --state-dir "$c/state" --log-path "$c/state/log.json" "$@" | head -1)
        pids+=("$(sed -n 's/.*shim-pid=\([0-9]*\).*/\1/p' <<<"$line")")
        shim_request "$c/state/shim.sock" start
    done
    sleep 3
    local rss=() anon=() pss=()
    for p in "${pids[@]}"; do
        rss+=("$(awk '/^VmRSS/{print $2}' /proc/$p/status)")
        anon+=("$(awk '/^RssAnon/{print $2}' /proc/$p/status)")
        pss+=("$(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup)")
    done
    median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
    printf '%-22s shims=%-3s VmRSS %6s kB  RssAnon %5s kB  Pss %6s kB  (medians)\n' "$label" "$N" \
        "$(median "${rss[@]}")" "$(median "${anon[@]}")" "$(median "${pss[@]}")"
    for i in $(seq 1 "$N"); do shim_request "$WORK/c$i/state/shim.sock" "delete force=true"; done
}

{ ldd "$SHIM" 2>&1 || true; } | sed "s/^/ldd: /"
measure "default" 
measure "--keep-code-mapped" --keep-code-mapped
