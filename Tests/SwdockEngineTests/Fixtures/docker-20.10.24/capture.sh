#!/bin/sh
# Captures the OCI config.json a private dockerd 20.10 (with containerd 1.6 and runc) writes for
# a set of `docker run` flag combinations. Runs inside its own mount namespace with tmpfs on /run.
# Usage: unshare -m --propagation private sh capture.sh OUTDIR
set -u
OUT=$1; D=/tmp/spec-capture/state; rm -rf "$D"; mkdir -p "$D" "$OUT"
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
  $DK run --rm --runtime capture "$@" >"$OUT/$name.out" 2>&1
  echo "rc=$?" >> "$OUT/$name.out"
  [ -f /tmp/spec-capture/last-config.json ] && cp /tmp/spec-capture/last-config.json "$OUT/$name.json"
}
run default --network none busybox:capture true
run privileged --network none --privileged busybox:capture true
run caps --network none --cap-drop ALL --cap-add NET_ADMIN --cap-add CAP_SYS_TIME busybox:capture true
run capdrop --network none --cap-drop chown --cap-drop CAP_KILL busybox:capture true
run user --network none -u app --group-add 3000 busybox:capture true
run resources --network none --memory 64m --cpus 1.5 --cpu-shares 512 --cpuset-cpus 0 --pids-limit 100 --memory-reservation 32m --oom-score-adj 100 busybox:capture true
run swap --network none --memory 64m --memory-swap 100m --memory-swappiness 10 busybox:capture true
run swapunl --network none --memory 64m --memory-swap -1 busybox:capture true
run quota --network none --cpu-quota 50000 --cpu-period 200000 --pids-limit -1 busybox:capture true
run init --network none --init busybox:capture true
run readonly --network none --read-only --tmpfs /run:size=1m,mode=700 --tmpfs /scratch busybox:capture true
run binds --network none -v /tmp:/mnt/ro:ro -v /tmp:/mnt/rw --mount type=bind,src=/tmp,dst=/mnt/m,readonly,bind-propagation=rshared --mount type=tmpfs,dst=/mnt/t,tmpfs-size=1048576,tmpfs-mode=1770 busybox:capture true
run unconfined --network none --security-opt seccomp=unconfined --security-opt no-new-privileges busybox:capture true
run sysctl --network none --sysctl kernel.shm_rmid_forced=1 --sysctl net.ipv4.ip_forward=1 busybox:capture true
run sysctlhost --network host --sysctl net.ipv4.ip_forward=1 busybox:capture true
run hostnet --network host busybox:capture true
run ulimit --network none --ulimit nofile=1024:2048 --ulimit nproc=100 busybox:capture true
run env --network none -e A=1 -e PATH=/x -w /tmp --hostname h1 --domainname example.com --entrypoint /bin/echo --stop-signal SIGUSR1 -l a=b busybox:capture hi
run shm --network none --shm-size 1g --ipc host --pid host --uts host busybox:capture true
run cgroupns --network none --cgroupns host busybox:capture true
run apparmor --network none --security-opt apparmor=unconfined busybox:capture true
run apparmor2 --network none --security-opt apparmor=foo busybox:capture true
run label --network none --security-opt label=disable busybox:capture true
run nnpfalse --network none --security-opt no-new-privileges=false busybox:capture true
run badsysctl --network none --sysctl net.ipv4.ip_forward=1 busybox:capture true
run badsysctl2 --network none --sysctl vm.swappiness=1 busybox:capture true
run badbind --network none -v rel:/mnt busybox:capture true
run baduser --network none -u nobody busybox:capture true
run badgroup --network none -u app:nogroup busybox:capture true
run uidgid --network none -u 1234:5678 busybox:capture true
run defaultnet busybox:capture true
$DK ps -aq | xargs -r $DK rm -f >/dev/null 2>&1
cp "$D/dockerd.log" "$OUT/dockerd.log"
kill $DPID; wait $DPID
kill $CPID; wait $CPID
rmdir /sys/fs/cgroup/*/swdock-capture 2>/dev/null
for f in /sys/fs/cgroup/*/swdock-capture; do [ -d "$f" ] && find "$f" -depth -type d -exec rmdir {} \; ; done
echo done
