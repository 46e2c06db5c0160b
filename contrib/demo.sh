#!/usr/bin/env bash
# The README's first command (after `make deps release install`): start swdockd on its
# default configuration (state in /var/lib/swdock, socket /run/swdock.sock) and run a
# container that proves its isolation. No registry is needed: the container's root file
# system is made offline from Debian's busybox-static.
#
# swdockd does not run containers yet (the container lifecycle is still being built; see
# docs/STATUS.md), so the container is run by swdock-runtime, the engine's own OCI runtime,
# directly from a bundle — and the script says so.
set -euo pipefail
PREFIX=${PREFIX:-/usr/local}
BIN=$PREFIX/bin
SOCKET=/run/swdock.sock
for b in swdock swdockd swdock-shim swdock-runtime; do
    [ -x "$BIN/$b" ] || { echo "demo: $BIN/$b is not installed (run make install)" >&2; exit 1; }
done

# 1. The daemon, on its defaults; reused when one already answers on the socket.
if ! "$BIN/swdock" version >/dev/null 2>&1; then
    echo "== starting swdockd (data-root /var/lib/swdock, socket $SOCKET, log /var/log/swdockd.log)"
    nohup "$BIN/swdockd" >>/var/log/swdockd.log 2>&1 &
    for _ in $(seq 1 100); do "$BIN/swdock" version >/dev/null 2>&1 && break; sleep 0.1; done
fi
echo "== swdock version (client and daemon over $SOCKET)"
"$BIN/swdock" version

# 2. A bundle whose root file system is busybox-static, made offline.
work=$(mktemp -d /run/swdock-demo.XXXXXX)
id="swdock-demo-$$"
cleanup() {
    "$BIN/swdock-runtime" delete --force "$id" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
chroot "$work/bundle/rootfs" /bin/busybox --install -s /bin
"$BIN/swdock-runtime" spec --bundle "$work/bundle"
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
spec["process"]["terminal"] = False
spec["process"]["args"] = ["sh", "-c",
    'echo "hostname inside: $(hostname)"; echo "my pid inside: $$"; '
    'echo "processes I can see:" /proc/[0-9]*']
spec["hostname"] = "swdock-demo"
json.dump(spec, open(path, "w"), indent=2)
PY

echo "== host: hostname $(hostname), this shell is pid $$"
echo "== container (run by swdock-runtime: swdockd does not run containers yet, see docs/STATUS.md)"
"$BIN/swdock-runtime" run --bundle "$work/bundle" "$id"
