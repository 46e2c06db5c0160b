#!/usr/bin/env bash
# The README's first command (after `make deps release install`): start swdockd on its
# default configuration (state in /var/lib/swdock, socket /run/swdock.sock) and run a
# container through it — swdock → swdockd → swdock-shim → swdock-runtime — that proves its
# isolation. No registry is needed: the image is a one-layer docker-archive made offline from
# Debian's busybox-static and loaded with `swdock load`.
set -euo pipefail
PREFIX=${PREFIX:-/usr/local}
BIN=$PREFIX/bin
SOCKET=/run/swdock.sock
IMAGE=swdock-demo/busybox:latest
for b in swdock swdockd swdock-shim swdock-runtime swdock-init; do
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

# 2. The image: busybox-static as one layer, written as a docker-archive, loaded into swdockd.
work=$(mktemp -d /tmp/swdock-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/busybox"
chroot "$work/rootfs" /bin/busybox --install -s /bin
python3 - "$work" "$IMAGE" <<'PY'
import hashlib, io, json, os, sys, tarfile
work, image = sys.argv[1], sys.argv[2]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as tar:
    tar.add(os.path.join(work, "rootfs"), arcname=".")
layer = layer.getvalue()
diff_id = hashlib.sha256(layer).hexdigest()
config = json.dumps({
    "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine),
    "os": "linux",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
    "history": [{"created_by": "swdock demo: busybox-static"}],
}).encode()
config_id = hashlib.sha256(config).hexdigest()
manifest = json.dumps([{"Config": config_id + ".json", "RepoTags": [image], "Layers": [diff_id + "/layer.tar"]}]).encode()
with tarfile.open(os.path.join(work, "image.tar"), "w") as archive:
    for name, data in [(diff_id + "/layer.tar", layer), (config_id + ".json", config), ("manifest.json", manifest)]:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
PY
echo "== swdock load -i image.tar (busybox-static as a one-layer image, made offline)"
"$BIN/swdock" load -i "$work/image.tar"

# 3. A container, run by swdockd through its shim and swdock-runtime.
echo "== host: hostname $(hostname), this shell is pid $$"
echo "== swdock run --rm --hostname swdock-demo $IMAGE …"
"$BIN/swdock" run --rm --hostname swdock-demo "$IMAGE" sh -c \
    'echo "hostname inside: $(hostname)"; echo "my pid inside: $$"; echo "processes I can see:" /proc/[0-9]*; echo "my capabilities: $(grep CapEff /proc/self/status)"'
echo "== swdock ps -a (the --rm container is gone)"
"$BIN/swdock" ps -a
