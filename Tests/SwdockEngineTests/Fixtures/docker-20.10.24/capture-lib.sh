#!/bin/sh
# Shared by the capture scripts (sourced, not run): a private containerd + dockerd 20.10 in
# this mount namespace, with tmpfs on /run, own roots under /tmp/spec-capture/state, and a
# runtime named `capture` that saves each bundle's config.json and then execs runc; the
# busybox:capture image imported offline; `run NAME ARGS…` (never pulls) and `finish`.
# Needs OUT (the output directory) set first.
set -u
D=/tmp/spec-capture/state; rm -rf "$D"; mkdir -p "$D" "$OUT"
mount -t tmpfs -o mode=0755 tmpfs /run
cat > "$D/config.toml" <<T
version = 2
root = "$D/ctrd-root"
state = "$D/ctrd-state"
temp = "$D/tmp"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$D/containerd.sock"
[ttrpc]
  address = "$D/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/opt"
T
mkdir -p "$D/tmp"
cat > "$D/capture-runtime" <<'R'
#!/bin/sh
# Saves config.json of each bundle created, then behaves as runc.
prev=""; for a in "$@"; do
  if [ "$prev" = "--bundle" ]; then cp "$a/config.json" "/tmp/spec-capture/last-config.json"; fi
  prev=$a
done
exec /usr/sbin/runc "$@"
R
chmod +x "$D/capture-runtime"
echo '{"deprecated-key-path":"'$D'/key.json"}' > "$D/daemon.json"
containerd --config "$D/config.toml" >"$D/containerd.log" 2>&1 &
CPID=$!
sleep 2
dockerd --config-file "$D/daemon.json" --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" \
  -H "unix://$D/docker.sock" --containerd "$D/containerd.sock" --bridge=none --iptables=false --ip6tables=false \
  --ip-forward=false --ip-masq=false --cgroup-parent /swdock-capture --add-runtime capture="$D/capture-runtime" \
  >"$D/dockerd.log" 2>&1 &
DPID=$!
for i in $(seq 1 60); do curl -sf --unix-socket "$D/docker.sock" http://localhost/_ping >/dev/null && break; sleep 1; done
DK="/usr/bin/docker -H unix://$D/docker.sock"
mkdir -p "$D/rootfs/bin" "$D/rootfs/etc"
cp /bin/busybox "$D/rootfs/bin/busybox"
for t in sh true echo id cat ls sleep; do ln -s busybox "$D/rootfs/bin/$t"; done
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' > "$D/rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1000:\nextra:x:2000:app\n' > "$D/rootfs/etc/group"
tar -C "$D/rootfs" -c . | $DK import --change 'CMD ["sh"]' - busybox:capture >/dev/null
run() { name=$1; shift
  rm -f /tmp/spec-capture/last-config.json
  $DK run --rm --pull never --runtime capture "$@" >"$OUT/$name.out" 2>&1
  echo "rc=$?" >> "$OUT/$name.out"
  [ -f /tmp/spec-capture/last-config.json ] && cp /tmp/spec-capture/last-config.json "$OUT/$name.json"
}

finish() {
  $DK ps -aq | xargs -r $DK rm -f >/dev/null 2>&1
  cp "$D/dockerd.log" "$OUT/dockerd.log"
  kill $DPID; wait $DPID
  kill $CPID; wait $CPID
  rmdir /sys/fs/cgroup/*/swdock-capture 2>/dev/null
  for f in /sys/fs/cgroup/*/swdock-capture; do [ -d "$f" ] && find "$f" -depth -type d -exec rmdir {} \; ; done
  echo done
}
